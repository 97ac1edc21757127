// The kernel side of a cube's life: a new record with its own (not yet loaded) dataplane under
// the pin root, teardown of bindings, pins and runtime files when it is deleted, and a reload of
// its program when its log level changes. The registry and the config router decide when.

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CubeDataplane } from '../runtime/cube-dataplane';
import { isCubePinDir } from '../runtime/orphan-dataplane';
import type { LogRecord, PktInRecord } from '../runtime/pcn-records';
import { CubeRecord, type CubeRegistry } from './cube-registry';
import { PCN_INCLUDE_DIR } from './daemon-options';
import type { KernelMemoryBudget } from './kernel-memory-budget';
import type { RuntimeStore } from './persistence';
import type { PortWiring } from './port-wiring';
import { levelIndex, type CubeType, type DaemonOptions, type LogLevel } from './types';

/** What a new cube is made from; `uuid` and `cubeId` are kept when given (restore). */
export interface NewCube {
  name: string;
  service: string;
  type: CubeType;
  loglevel: LogLevel;
  shadow: boolean;
  span: boolean;
  uuid?: string;
  cubeId?: number;
}

/** What the lifecycle needs from the daemon. */
export interface CubeLifecycleContext {
  readonly options: Pick<DaemonOptions, 'pinRoot' | 'cacheDir' | 'includeDirs' | 'vethPeerShortcut'>;
  readonly cubes: CubeRegistry;
  readonly wiring: PortWiring;
  readonly store: RuntimeStore | undefined;
  /** Every new program of a cube is admitted by it first. */
  readonly budget: KernelMemoryBudget;
  log(level: LogLevel, message: string): void;
  /** A pcn_log record from cube `name`'s ring buffer. */
  onCubeLog(name: string, rec: LogRecord): void;
  /** A packet-in from cube `name`'s ring buffer. */
  onPacketIn(name: string, rec: PktInRecord): void;
}

/** Makes, destroys and reloads cubes. */
export class CubeLifecycle {
  constructor(private readonly ctx: CubeLifecycleContext) {}

  /** A new cube record with its (empty) dataplane; not yet in the registry. Throws when ids ran out. */
  make(p: NewCube): CubeRecord {
    const { options } = this.ctx;
    const cubeId = this.ctx.cubes.allocateCubeId(p.cubeId);
    const name = p.name;
    const dataplane = new CubeDataplane({
      cube: name,
      cubeId,
      hook: p.type,
      pinDir: join(options.pinRoot, name),
      cacheDir: options.cacheDir,
      includeDirs: [PCN_INCLUDE_DIR, ...(options.includeDirs ?? [])],
      vethPeerShortcut: options.vethPeerShortcut,
      onLog: (rec) => this.ctx.onCubeLog(name, rec),
      onPacketIn: (rec) => this.ctx.onPacketIn(name, rec),
      onError: (err) => this.ctx.log('ERR', `cube ${name}: ${(err as Error).message}`),
      admit: (memory) => this.ctx.budget.admit(name, memory),
    });
    const uuid = p.uuid ?? randomUUID();
    return new CubeRecord(name, p.service, uuid, p.type, p.loglevel, p.shadow, p.span, cubeId, dataplane);
  }

  /** `<pinRoot>/<name>` when it holds pins and no registered cube has that name, else undefined. */
  unclaimedPins(name: string): string | undefined {
    const dir = join(this.ctx.options.pinRoot, name);
    return !this.ctx.cubes.get(name) && isCubePinDir(dir) ? dir : undefined;
  }

  /** Removes a cube from the kernel, the registry and the runtime directory (never throws). */
  destroy(cube: CubeRecord): void {
    const { wiring } = this.ctx;
    for (const port of cube.ports.values()) wiring.unbind(cube, port);
    try {
      cube.dataplane.destroy();
    } catch (err) {
      this.ctx.log('ERR', `cube ${cube.name}: cleanup: ${(err as Error).message}`);
    }
    this.ctx.cubes.remove(cube.name);
    this.ctx.store?.remove(cube.name);
    wiring.refreshStatus(wiring.links());
  }

  /** Reloads the cube's program at `level` (when one is loaded); returns an error text on failure. */
  async setLogLevel(cube: CubeRecord, level: LogLevel): Promise<string | undefined> {
    if (!cube.dataplane.loaded) {
      cube.loglevel = level;
      return undefined;
    }
    const source = cube.source;
    if (!source) return `cannot change the log level of ${cube.name}: its program source is unknown`;
    return cube.withDataplane(async () => {
      try {
        await cube.dataplane.load(source, levelIndex(level));
        cube.loglevel = level;
        return undefined;
      } catch (err) {
        return `cannot reload ${cube.name} at log level ${level}: ${(err as Error).message}`;
      }
    });
  }
}
