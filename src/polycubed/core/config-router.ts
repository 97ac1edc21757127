// execute(): routes one configuration operation between polycubed's base model (cube lifecycle,
// ports and peers, base leaves) and the owning service (everything else, as a ConfigRequest),
// merging answers and undoing polycubed's own changes when the service rejects a request.
// Runtime spec §3.6/§4.4, REST spec §6.2 semantics; errors as REST spec §5.3.

import { performance } from 'node:perf_hooks';
import { nameError } from '../../common/name-rules';
import type { LinkInfo } from '../runtime/netlink-links';
import { BASE_CUBE_LEAVES, BASE_PORT_LEAVES, cubeObject, portObject, portObjects } from './base-model';
import type { NewCube } from './cube-lifecycle';
import type { CubeRecord, CubeRegistry, PortRecord } from './cube-registry';
import type { PortWiring } from './port-wiring';
import { ReadCache } from './read-cache';
import type { ServiceRecord } from './service-registry';
import {
  ErrorCode,
  LOG_LEVELS,
  type ConfigOp,
  type ConfigResult,
  type CubeType,
  type LogLevel,
} from './types';

type Json = Record<string, unknown>;
type Undo = () => void | Promise<unknown>;

const CUBE_TYPES: readonly string[] = ['TC', 'XDP_SKB', 'XDP_DRV'];
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the router needs from the daemon. */
export interface RouterContext {
  readonly cubes: CubeRegistry;
  readonly wiring: PortWiring;
  service(name: string): ServiceRecord | undefined;
  /** A new cube record with its (empty) dataplane; not yet in the registry. */
  newCube(p: NewCube): CubeRecord;
  /**
   * The pin directory of a cube named `cube` that no record claims (left by a cube polycubed no
   * longer knows), or undefined. A new cube never takes over such pins.
   */
  unclaimedPins(cube: string): string | undefined;
  /** Removes a cube from the kernel and the registry (never throws). */
  destroyCube(cube: CubeRecord): void;
  /** Recompiles and reloads the cube's program at `level`; returns an error text on failure. */
  setLogLevel(cube: CubeRecord, level: LogLevel): Promise<string | undefined>;
  /**
   * Persists the cube's change (by `op` when it went to the service: one element is journaled)
   * and announces it.
   */
  afterChange(cube: string, op?: ConfigOp): Promise<void>;
}

/** A failed result. */
export function fail(code: ErrorCode, message?: string, errorInfo?: string): ConfigResult {
  return {
    code,
    ...(message !== undefined ? { message } : {}),
    ...(errorInfo !== undefined ? { errorInfo } : {}),
  };
}

const OK: ConfigResult = { code: ErrorCode.OK };

/**
 * Checks the names of the ports `entries` would create (existing ports keep their names, even one
 * a restored state file brought in); the first bad one is refused as bad-attribute `name`.
 */
function newPortNamesResult(
  existing: { has(name: string): boolean },
  entries: readonly unknown[],
): ConfigResult | undefined {
  for (const e of entries) {
    if (!isObject(e) || typeof e.name !== 'string' || existing.has(e.name)) continue;
    const err = nameError('port name', e.name);
    if (err !== undefined) return fail(ErrorCode.BAD_ATTRIBUTE, err, 'name');
  }
  return undefined;
}
const noCube = (name: string): ConfigResult => fail(ErrorCode.GENERIC_ERROR, `Cube ${name} does not exist`);
const noPort = (name: string): ConfigResult => fail(ErrorCode.GENERIC_ERROR, `Port ${name} does not exist`);

/** Runs configuration operations against a RouterContext. */
export class ConfigRouter {
  /** Told each change's round trip to its service (CUBE_TRACE=change); READs are not reported. */
  onForward: ((ms: number) => void) | undefined;
  /** READ answers services let polycubed reuse. */
  readonly reads = new ReadCache();

  constructor(private readonly ctx: RouterContext) {}

  /** See Daemon.execute. */
  async execute(op: ConfigOp): Promise<ConfigResult> {
    const rel = op.path.split('/').filter(Boolean).slice(1);
    if (rel.length === 0) return this.cubeOp(op);
    if (rel[0] === 'ports' && rel.length === 1) return this.portsOp(op);
    if (rel[0] === 'ports' && rel.length === 2 && BASE_PORT_LEAVES.includes(rel[1]))
      return this.portLeafOp(op, rel[1]);
    if (rel.length === 1 && BASE_CUBE_LEAVES.includes(rel[0])) return this.cubeLeafOp(op, rel[0]);
    const cube = this.ownCube(op);
    if (!cube) return noCube(op.cube);
    const res = await this.forward(op, op.body);
    if (res.code === ErrorCode.OK && op.op !== 'READ') await this.ctx.afterChange(cube.name, op);
    return res;
  }

  /** Sends `op` (with `body`) to the owning service and converts its reply. */
  async forward(op: ConfigOp, body: unknown, over: Partial<ConfigOp> = {}): Promise<ConfigResult> {
    const svc = this.ctx.service(op.service);
    if (!svc?.conn) return fail(ErrorCode.UNAVAILABLE, `service ${op.service} unavailable`);
    const req = { ...op, ...over };
    const t = this.onForward && req.op !== 'READ' ? performance.now() : undefined;
    const msg = {
      op: req.op,
      cube: req.cube,
      path: req.path,
      keys: req.keys,
      bodyJson: body === undefined ? '' : JSON.stringify(body),
      isCollection: req.isCollection,
    };
    let r;
    if (req.op === 'READ') {
      const key = ReadCache.keyOf(req);
      r = this.reads.get(key, req.cube);
      if (!r) {
        const stamp = this.reads.stamp(req.cube);
        r = await svc.conn.request(msg);
        this.reads.put(key, req.cube, stamp, r);
      }
    } else {
      this.reads.begin(req.cube);
      try {
        r = await svc.conn.request(msg);
      } finally {
        this.reads.end(req.cube);
      }
    }
    if (t !== undefined) this.onForward?.(performance.now() - t);
    const res: ConfigResult = { code: r.code };
    if (r.message) res.message = r.message;
    if (r.errorInfo) res.errorInfo = r.errorInfo;
    if (r.bodyJson) {
      try {
        res.body = JSON.parse(r.bodyJson);
      } catch {
        return fail(ErrorCode.GENERIC_ERROR, `service ${op.service} answered with invalid JSON`);
      }
    }
    return res;
  }

  private ownCube(op: ConfigOp): CubeRecord | undefined {
    const cube = this.ctx.cubes.get(op.cube);
    return cube && cube.service === op.service ? cube : undefined;
  }

  // ---------------------------------------------------------------- the cube itself

  private async cubeOp(op: ConfigOp): Promise<ConfigResult> {
    if (op.op === 'CREATE' || op.op === 'REPLACE') return this.createCube(op);
    const cube = this.ownCube(op);
    if (op.op === 'DELETE') {
      if (!cube) return fail(ErrorCode.DATA_MISSING);
      const res = await this.forward(op, undefined);
      if (res.code !== ErrorCode.OK) return res;
      this.ctx.destroyCube(cube);
      await this.ctx.afterChange(cube.name);
      return OK;
    }
    if (!cube) return noCube(op.cube);
    if (op.op === 'READ') {
      const res = await this.forward(op, undefined);
      if (res.code !== ErrorCode.OK) return res;
      const svc = this.ctx.service(op.service) as ServiceRecord;
      const body = isObject(res.body) ? res.body : {};
      // serviceConfig is not refreshed here: READs run beside writes, and persistence owns it.
      return { code: ErrorCode.OK, body: cubeObject(cube, body, svc.module) };
    }
    return this.updateCube(cube, op);
  }

  private async createCube(op: ConfigOp): Promise<ConfigResult> {
    if (this.ctx.cubes.get(op.cube)) return fail(ErrorCode.DATA_EXISTS);
    if (!this.ctx.service(op.service)?.conn)
      return fail(ErrorCode.UNAVAILABLE, `service ${op.service} unavailable`);
    const body: Json = { ...(isObject(op.body) ? op.body : {}), name: op.cube };
    const type = String(body.type ?? 'TC').toUpperCase();
    if (!CUBE_TYPES.includes(type)) return fail(ErrorCode.BAD_ATTRIBUTE, undefined, 'type');
    const loglevel = String(body.loglevel ?? 'INFO').toUpperCase() as LogLevel;
    if (!LOG_LEVELS.includes(loglevel)) return fail(ErrorCode.BAD_ATTRIBUTE, undefined, 'loglevel');
    const shadow = body.shadow === true;
    const span = body.span === true;
    if (shadow) return fail(ErrorCode.GENERIC_ERROR, 'shadow cubes are not supported by this polycubed');
    if (span) return fail(ErrorCode.GENERIC_ERROR, 'Span mode is not present in no-shadow services');
    const ports = Array.isArray(body.ports) ? body.ports : [];
    const badPort = newPortNamesResult(new Set(), ports);
    if (badPort) return badPort;
    const stale = this.ctx.unclaimedPins(op.cube);
    if (stale)
      return fail(
        ErrorCode.DATA_EXISTS,
        `pins of an unknown cube ${op.cube} exist at ${stale}; they are never reused: restart polycubed (which removes them) or delete that directory`,
      );
    const cube = this.ctx.newCube({
      name: op.cube,
      service: op.service,
      type: type as CubeType,
      loglevel,
      shadow,
      span,
    });
    this.ctx.cubes.add(cube);
    const staged = this.stagePorts(cube, ports, 'create');
    if (typeof staged === 'string') {
      this.ctx.destroyCube(cube);
      return fail(ErrorCode.GENERIC_ERROR, staged);
    }
    const res = await this.forward(op, body, { op: 'CREATE' });
    if (res.code !== ErrorCode.OK) {
      this.ctx.destroyCube(cube);
      return res;
    }
    await this.ctx.afterChange(cube.name);
    return OK;
  }

  private async updateCube(cube: CubeRecord, op: ConfigOp): Promise<ConfigResult> {
    if (!this.ctx.service(op.service)?.conn)
      return fail(ErrorCode.UNAVAILABLE, `service ${op.service} unavailable`);
    const body = isObject(op.body) ? op.body : {};
    const undo: Undo[] = [];
    const failWith = async (res: ConfigResult): Promise<ConfigResult> => {
      await runUndo(undo);
      return res;
    };
    if (body.loglevel !== undefined) {
      const level = String(body.loglevel).toUpperCase() as LogLevel;
      if (!LOG_LEVELS.includes(level)) return fail(ErrorCode.BAD_ATTRIBUTE, undefined, 'loglevel');
      const old = cube.loglevel;
      if (level !== old) {
        const err = await this.ctx.setLogLevel(cube, level);
        if (err) return fail(ErrorCode.GENERIC_ERROR, err);
        undo.push(() => this.ctx.setLogLevel(cube, old));
      }
    }
    if (body.span !== undefined) {
      if (body.span === true && !cube.shadow)
        return failWith(fail(ErrorCode.GENERIC_ERROR, 'Span mode is not present in no-shadow services'));
      const old = cube.span;
      cube.span = body.span === true;
      undo.push(() => void (cube.span = old));
    }
    if (Array.isArray(body.ports)) {
      const badPort = newPortNamesResult(cube.ports, body.ports);
      if (badPort) return failWith(badPort);
      const staged = this.stagePorts(cube, body.ports, 'update');
      if (typeof staged === 'string') return failWith(fail(ErrorCode.GENERIC_ERROR, staged));
      undo.push(...staged);
    }
    const res = await this.forward(op, body);
    if (res.code !== ErrorCode.OK) return failWith(res);
    await this.ctx.afterChange(cube.name);
    return OK;
  }

  private async cubeLeafOp(op: ConfigOp, leaf: string): Promise<ConfigResult> {
    const cube = this.ownCube(op);
    if (op.op === 'READ') {
      if (!cube) return fail(ErrorCode.NO_CONTENT, 'Cube does not exist');
      const values: Record<string, unknown> = {
        type: cube.type,
        uuid: cube.uuid,
        loglevel: cube.loglevel,
        'service-name': cube.service,
        shadow: String(cube.shadow),
        span: String(cube.span),
      };
      return { code: ErrorCode.OK, body: values[leaf] };
    }
    if (op.op !== 'UPDATE' || (leaf !== 'loglevel' && leaf !== 'span')) return fail(ErrorCode.NOT_SUPPORTED);
    if (!cube) return noCube(op.cube);
    if (leaf === 'loglevel') {
      const level = (
        op.body === undefined || op.body === null ? 'INFO' : String(op.body).toUpperCase()
      ) as LogLevel;
      if (!LOG_LEVELS.includes(level)) return fail(ErrorCode.BAD_ATTRIBUTE, undefined, 'loglevel');
      if (level !== cube.loglevel) {
        const err = await this.ctx.setLogLevel(cube, level);
        if (err) return fail(ErrorCode.GENERIC_ERROR, err);
      }
    } else {
      const span = op.body === true;
      if (typeof op.body !== 'boolean' && op.body !== undefined && op.body !== null)
        return fail(ErrorCode.BAD_ATTRIBUTE, undefined, 'span');
      if (span && !cube.shadow)
        return fail(ErrorCode.GENERIC_ERROR, 'Span mode is not present in no-shadow services');
      cube.span = span;
    }
    await this.ctx.afterChange(cube.name);
    return OK;
  }

  // ---------------------------------------------------------------- ports

  /**
   * Applies the base part of port entries (creating ports, setting peers) and returns how to undo
   * it, or an error text after undoing what it did. `create` refuses existing ports; `replace`
   * sets the peer to the entry's (or none); `update` changes the peer only when the entry has one.
   */
  private stagePorts(
    cube: CubeRecord,
    entries: unknown[],
    mode: 'create' | 'replace' | 'update',
  ): Undo[] | string {
    const undo: Undo[] = [];
    const links = this.ctx.wiring.links();
    const claimed = new Set<string>();
    for (const entry of entries) {
      const err = this.stagePort(cube, isObject(entry) ? entry : {}, mode, links, claimed, undo);
      if (err) {
        void runUndo(undo);
        return err;
      }
    }
    return undo;
  }

  private stagePort(
    cube: CubeRecord,
    entry: Json,
    mode: 'create' | 'replace' | 'update',
    links: Map<string, LinkInfo>,
    claimed: Set<string>,
    undo: Undo[],
  ): string | undefined {
    if (typeof entry.name !== 'string' || entry.name === '') return 'port name is missing';
    const name = entry.name;
    let port = cube.ports.get(name);
    if (port && mode === 'create') return `Port ${name} already exists`;
    const peer =
      mode === 'update' && !('peer' in entry) ? undefined : typeof entry.peer === 'string' ? entry.peer : '';
    if (peer) {
      const check = this.ctx.wiring.checkPeer(cube, name, peer, links, claimed);
      if ('error' in check) return check.error;
      if (check.kind === 'netdev') claimed.add(peer);
    }
    if (!port) {
      try {
        port = cube.addPort(name);
      } catch (err) {
        return (err as Error).message;
      }
      const created: PortRecord = port;
      undo.push(() => this.removePort(cube, created));
    }
    if (peer !== undefined && peer !== port.peer) {
      const old = port.peer;
      const target: PortRecord = port;
      const err = this.ctx.wiring.setPeer(cube, target, peer, links);
      if (err) return err;
      undo.push(() => void this.ctx.wiring.setPeer(cube, target, old));
    }
    return undefined;
  }

  /** Unbinds and forgets a port; statuses of ports peered with it are refreshed. */
  private removePort(cube: CubeRecord, port: PortRecord): void {
    this.ctx.wiring.unbind(cube, port);
    cube.ports.delete(port.name);
    this.ctx.wiring.refreshStatus(this.ctx.wiring.links());
  }

  private async portsOp(op: ConfigOp): Promise<ConfigResult> {
    const cube = this.ownCube(op);
    if (!cube) return noCube(op.cube);
    const key = op.keys.find((k) => k.list === 'ports')?.value;
    const element = !op.isCollection && key !== undefined;
    const svc = this.ctx.service(op.service);
    if (op.op === 'READ') {
      if (element && !cube.ports.has(key)) return noPort(key);
      const res = await this.forward(op, undefined);
      if (res.code !== ErrorCode.OK) return res;
      if (element) {
        const port = cube.ports.get(key) as PortRecord;
        return {
          code: ErrorCode.OK,
          body: portObject(port, isObject(res.body) ? res.body : {}, svc?.module),
        };
      }
      return { code: ErrorCode.OK, body: portObjects(cube, res.body, svc?.module) };
    }
    if (!svc?.conn) return fail(ErrorCode.UNAVAILABLE, `service ${op.service} unavailable`);
    if (op.op === 'DELETE') return this.deletePorts(cube, op, element ? key : undefined);
    if (element && op.op === 'UPDATE' && !cube.ports.has(key)) return noPort(key);
    const entries = element ? [op.body] : Array.isArray(op.body) ? op.body : [];
    const mode = op.op === 'CREATE' ? 'create' : op.op === 'REPLACE' ? 'replace' : 'update';
    const badPort = newPortNamesResult(cube.ports, entries);
    if (badPort) return badPort;
    const staged = this.stagePorts(cube, entries, mode);
    if (typeof staged === 'string') return fail(ErrorCode.GENERIC_ERROR, staged);
    const res = await this.forward(op, op.body);
    if (res.code !== ErrorCode.OK) {
      await runUndo(staged);
      return res;
    }
    if (!element && op.op === 'REPLACE') {
      const keep = new Set(entries.filter(isObject).map((e) => e.name));
      for (const port of [...cube.ports.values()]) if (!keep.has(port.name)) this.removePort(cube, port);
    }
    await this.ctx.afterChange(cube.name);
    return OK;
  }

  private async deletePorts(cube: CubeRecord, op: ConfigOp, name: string | undefined): Promise<ConfigResult> {
    if (name !== undefined && !cube.ports.has(name)) return fail(ErrorCode.DATA_MISSING);
    const res = await this.forward(op, undefined);
    if (res.code !== ErrorCode.OK) return res;
    const doomed = name !== undefined ? [cube.ports.get(name) as PortRecord] : [...cube.ports.values()];
    for (const port of doomed) this.removePort(cube, port);
    await this.ctx.afterChange(cube.name);
    return OK;
  }

  private async portLeafOp(op: ConfigOp, leaf: string): Promise<ConfigResult> {
    const cube = this.ownCube(op);
    const key = op.keys.find((k) => k.list === 'ports')?.value ?? '';
    if (op.op === 'READ') {
      if (!cube) return fail(ErrorCode.NO_CONTENT, 'Cube does not exist');
      const port = cube.ports.get(key);
      if (!port) return noPort(key);
      const values: Record<string, unknown> = {
        uuid: port.uuid,
        status: port.status,
        peer: port.peer,
        tcubes: [],
      };
      return { code: ErrorCode.OK, body: values[leaf] };
    }
    if (op.op !== 'UPDATE' || leaf !== 'peer') return fail(ErrorCode.NOT_SUPPORTED);
    if (!cube) return noCube(op.cube);
    const port = cube.ports.get(key);
    if (!port) return noPort(key);
    const peer = typeof op.body === 'string' ? op.body : '';
    if (peer === port.peer) return OK;
    const links = this.ctx.wiring.links();
    const check = this.ctx.wiring.checkPeer(cube, port.name, peer, links);
    if ('error' in check) return fail(ErrorCode.GENERIC_ERROR, check.error);
    const err = this.ctx.wiring.setPeer(cube, port, peer, links);
    if (err) return fail(ErrorCode.GENERIC_ERROR, err);
    await this.ctx.afterChange(cube.name);
    return OK;
  }
}

/** Runs undo steps in reverse order; failures are ignored (the original error is reported). */
async function runUndo(undo: Undo[]): Promise<void> {
  for (const step of [...undo].reverse()) {
    try {
      await step();
    } catch {
      // keep undoing the rest
    }
  }
  undo.length = 0;
}
