// The per-cube calls a service makes over gRPC (LoadDataplane, WriteMaps, ReadMaps, PacketOut,
// GetCube): each checks the cube exists and belongs to the caller, then does the work through the
// cube's dataplane (southbound.ts) or the packet sender. Failures are SouthboundErrors.

import type {
  CubeInfoMsg,
  LoadDataplaneReplyMsg,
  LoadDataplaneRequestMsg,
  MapEntryMsg,
  MapOpMsg,
} from '../../proto/polycube-types';
import type { ProgramSource } from '../runtime/cube-dataplane';
import { PacketSender } from '../runtime/packet-out';
import type { CubeRecord, CubeRegistry } from './cube-registry';
import type { RuntimeStore } from './persistence';
import { SouthboundError } from './service-link';
import { timeMapWrites } from './change-trace';
import { loadFailure, readMapEntries, readMapRange, writeMapOps } from './southbound';
import { levelIndex, type LogLevel } from './types';

/** What the calls need from the daemon. */
export interface CubeSouthboundContext {
  readonly cubes: CubeRegistry;
  readonly store: RuntimeStore | undefined;
  /** Saves a cube's runtime record (PersistenceScheduler.saveRuntime). */
  saveRuntime(cube: CubeRecord): void;
  log(level: LogLevel, message: string): void;
}

/** Southbound calls on one cube; `caller`, when given, must be the cube's service. */
export class CubeSouthbound {
  /** Opened at the first packet-out. */
  private sender: PacketSender | undefined;

  constructor(private readonly ctx: CubeSouthboundContext) {}

  /** See Daemon.loadDataplane. */
  async loadDataplane(req: LoadDataplaneRequestMsg, caller?: string): Promise<LoadDataplaneReplyMsg> {
    const cube = this.southCube(req.cube, caller);
    if (!req.entry || !(req.entry in (req.files ?? {})))
      throw new SouthboundError(
        'INVALID_ARGUMENT',
        `entry ${JSON.stringify(req.entry)} is not among the files`,
      );
    const source: ProgramSource = {
      files: { ...req.files },
      entry: req.entry,
      defines: { ...req.defines },
      mapSizes: { ...req.mapSizes },
      replaceIncompatibleMaps: req.replaceIncompatibleMaps,
    };
    return cube.withDataplane(async () => {
      try {
        const out = await cube.dataplane.load(source, levelIndex(cube.loglevel));
        cube.source = source;
        this.ctx.store?.saveSource(cube.name, source);
        this.ctx.saveRuntime(cube);
        return {
          reloaded: out.reloaded,
          programId: out.programId,
          error: '',
          errorKind: '',
          log: out.warnings,
          kernelMemory: cube.dataplane.memory.total,
          mapMemory: Object.fromEntries(cube.dataplane.memory.maps.map((m) => [m.name, m.bytes])),
        };
      } catch (err) {
        this.ctx.log('WARN', `cube ${cube.name}: program not loaded: ${(err as Error).message}`);
        return loadFailure(err, cube.dataplane.programId);
      }
    });
  }

  /** See Daemon.writeMaps. */
  writeMaps(cube: string, ops: MapOpMsg[], caller?: string): number {
    const dp = this.southCube(cube, caller).dataplane;
    return timeMapWrites(ops.length, () => writeMapOps(dp, cube, ops));
  }

  /** See Daemon.readMaps. */
  readMaps(cube: string, map: string, keys: Buffer[], caller?: string): MapEntryMsg[] {
    return readMapEntries(this.southCube(cube, caller).dataplane, cube, map, keys);
  }

  /** See Daemon.readMapRange. */
  readMapRange(cube: string, map: string, first: number, count: number, caller?: string): Buffer {
    return readMapRange(this.southCube(cube, caller).dataplane, cube, map, first, count);
  }

  /** See Daemon.sendPacket. */
  sendPacket(cube: string, port: string, packet: Buffer, recirculate: boolean, caller?: string): void {
    const c = this.southCube(cube, caller);
    const p = c.ports.get(port);
    if (!p) throw new SouthboundError('NOT_FOUND', `Port ${port} does not exist`);
    if (recirculate)
      throw new SouthboundError('UNIMPLEMENTED', 'recirculate is not supported by this polycubed');
    if (p.status !== 'UP' || p.ifindex === 0) {
      if (p.status === 'UP')
        throw new SouthboundError('UNIMPLEMENTED', 'packet-out to a cube peer is not supported');
      throw new SouthboundError('FAILED_PRECONDITION', `packetout: port ${cube}:${port} is down`);
    }
    try {
      this.sender ??= new PacketSender();
      this.sender.send(p.ifindex, packet, `${cube}:${port}`);
    } catch (err) {
      throw new SouthboundError(
        err instanceof TypeError ? 'INVALID_ARGUMENT' : 'INTERNAL',
        (err as Error).message,
      );
    }
  }

  /** See Daemon.getCube. */
  getCube(cube: string, caller?: string): CubeInfoMsg {
    const c = this.southCube(cube, caller);
    return {
      name: c.name,
      type: c.type,
      loglevel: c.loglevel,
      ports: c
        .sortedPorts()
        .map((p) => ({ name: p.name, id: p.id, peer: p.peer, status: p.status, ifindex: p.ifindex })),
      kernelMemory: c.dataplane.memory.total,
    };
  }

  /** Closes the packet sender, if one was opened. */
  close(): void {
    this.sender?.close();
  }

  private southCube(name: string, caller: string | undefined): CubeRecord {
    const cube = this.ctx.cubes.get(name);
    if (!cube) throw new SouthboundError('NOT_FOUND', `Cube ${name} does not exist`);
    if (caller && cube.service !== caller)
      throw new SouthboundError('PERMISSION_DENIED', `cube ${name} belongs to service ${cube.service}`);
    return cube;
  }
}
