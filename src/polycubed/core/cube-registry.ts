// The cubes polycubed knows: each with its base-model state (uuid, type, loglevel, shadow, span,
// cube id), its ports (id 0..127 lowest free, uuid, peer, status), its dataplane and the last
// configuration the service reported. Id allocation lives here; kernel work does not.

import { randomUUID } from 'node:crypto';
import type { CubeDataplane, ProgramSource } from '../runtime/cube-dataplane';
import type { CubeType, CubeView, LogLevel, PortStatus, PortView } from './types';

/** Ports per cube: ids 0..127 (_POLYCUBE_MAX_PORTS). */
export const MAX_PORTS = 128;
/** Cube ids 0..1021 (MAX_NODES - 2, as Polycube's id generator). */
export const MAX_CUBE_ID = 1021;

/** One port of a cube. */
export interface PortRecord {
  name: string;
  id: number;
  uuid: string;
  /** Netdev name, `cube:port`, or "". */
  peer: string;
  status: PortStatus;
  /** ifindex of the peer netdev while bound, else 0. */
  ifindex: number;
}

/** One cube. */
export class CubeRecord {
  readonly ports = new Map<string, PortRecord>();
  /** Service members of the cube's configuration (config true only), from the last READ. */
  serviceConfig: Record<string, unknown> = {};
  /** The program the service pushed last (for reloads at another log level). */
  source: ProgramSource | undefined;
  /** Persisted cube whose dataplane was not adopted: the service must create it again. */
  needsCreate = false;
  /** Serialises work on the dataplane (loads, reloads, bindings). */
  private dpChain: Promise<unknown> = Promise.resolve();
  /** Datapath log lines not printed because of the per-cube rate limit (CubeEvents), since creation. */
  logLinesSuppressed = 0;

  constructor(
    readonly name: string,
    readonly service: string,
    readonly uuid: string,
    readonly type: CubeType,
    public loglevel: LogLevel,
    readonly shadow: boolean,
    public span: boolean,
    readonly cubeId: number,
    readonly dataplane: CubeDataplane,
  ) {}

  /** Runs `fn` after every earlier dataplane job of this cube finished. */
  withDataplane<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.dpChain.then(fn, fn);
    this.dpChain = run.catch(() => undefined);
    return run;
  }

  /** Lowest free port id, or undefined when all 128 are taken. */
  freePortId(): number | undefined {
    const used = new Set([...this.ports.values()].map((p) => p.id));
    for (let id = 0; id < MAX_PORTS; id++) if (!used.has(id)) return id;
    return undefined;
  }

  /** Adds a port (id given or lowest free); returns it. Throws when the name exists or ids ran out. */
  addPort(name: string, opts: { id?: number; uuid?: string } = {}): PortRecord {
    if (this.ports.has(name)) throw new Error(`Port ${name} already exists`);
    const used = new Set([...this.ports.values()].map((p) => p.id));
    const id =
      opts.id !== undefined && !used.has(opts.id) && opts.id < MAX_PORTS ? opts.id : this.freePortId();
    if (id === undefined) throw new Error('Maximum number of ports reached');
    const port: PortRecord = {
      name,
      id,
      uuid: opts.uuid ?? randomUUID(),
      peer: '',
      status: 'DOWN',
      ifindex: 0,
    };
    this.ports.set(name, port);
    return port;
  }

  /** The port with id `id`, or undefined. */
  portById(id: number): PortRecord | undefined {
    return [...this.ports.values()].find((p) => p.id === id);
  }

  /** Ports ordered by name. */
  sortedPorts(): PortRecord[] {
    return [...this.ports.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** A snapshot for API callers. */
  view(): CubeView {
    return {
      name: this.name,
      service: this.service,
      uuid: this.uuid,
      type: this.type,
      loglevel: this.loglevel,
      shadow: this.shadow,
      span: this.span,
      cubeId: this.cubeId,
      ports: this.sortedPorts().map(portView),
      dataplaneLoaded: this.dataplane.loaded,
      programId: this.dataplane.programId,
      kernelMemory: this.dataplane.memory.total,
      logLinesSuppressed: this.logLinesSuppressed,
    };
  }
}

/** A snapshot of a port. */
export function portView(p: PortRecord): PortView {
  return {
    name: p.name,
    id: p.id,
    uuid: p.uuid,
    peer: p.peer,
    status: p.status,
    ifindex: p.ifindex,
    tcubes: [],
  };
}

/** All cubes by name, plus cube-id allocation. */
export class CubeRegistry {
  private readonly cubes = new Map<string, CubeRecord>();

  /** The cube named `name`, or undefined. */
  get(name: string): CubeRecord | undefined {
    return this.cubes.get(name);
  }

  /** Cubes (of one service when given) ordered by name. */
  list(service?: string): CubeRecord[] {
    return [...this.cubes.values()]
      .filter((c) => service === undefined || c.service === service)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Lowest free cube id, preferring `wanted` when it is free. Throws when none is left. */
  allocateCubeId(wanted?: number): number {
    const used = new Set([...this.cubes.values()].map((c) => c.cubeId));
    if (wanted !== undefined && wanted >= 0 && wanted <= MAX_CUBE_ID && !used.has(wanted)) return wanted;
    for (let id = 0; id <= MAX_CUBE_ID; id++) if (!used.has(id)) return id;
    throw new Error('Maximum number of cubes reached');
  }

  add(cube: CubeRecord): void {
    this.cubes.set(cube.name, cube);
  }

  remove(name: string): void {
    this.cubes.delete(name);
  }

  /** The cube and port whose peer is netdev `ifname`, if any. */
  findNetdevUser(ifname: string): { cube: CubeRecord; port: PortRecord } | undefined {
    for (const cube of this.cubes.values()) {
      for (const port of cube.ports.values()) if (port.peer === ifname) return { cube, port };
    }
    return undefined;
  }
}
