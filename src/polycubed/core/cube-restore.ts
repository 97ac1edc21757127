// Rebuilding persisted cubes after a restart: a cube whose pins exist is adopted (program, maps
// and filters taken over, nothing reloaded, sessions survive); any other waits for its service,
// which gets a CREATE with the saved configuration once it registers again.

import type { ProgramSource } from '../runtime/cube-dataplane';
import type { LinkInfo } from '../runtime/netlink-links';
import { listCubePinDirs, removeOrphanDataplane } from '../runtime/orphan-dataplane';
import { join } from 'node:path';
import { configForService, cubeConfig, serviceMembers } from './base-model';
import type { NewCube } from './cube-lifecycle';
import type { CubeRecord, CubeRegistry } from './cube-registry';
import type { CubeConfig, RuntimeStore } from './persistence';
import type { ServiceRecord } from './service-registry';
import {
  ErrorCode,
  LOG_LEVELS,
  type ConfigOp,
  type ConfigResult,
  type CubeType,
  type LogLevel,
} from './types';

/** What `start()` found on disk. */
export interface StartupReport {
  /** Cubes whose pinned dataplane was taken over (no reload). */
  adopted: string[];
  /** Persisted cubes waiting for their service to rebuild them. */
  pending: string[];
  /**
   * Pin directories under the pin root that no persisted cube claims. They are torn down at start
   * (program detached wherever it runs, pins removed), so they never forward unseen and a new cube
   * of the same name never reuses their maps.
   */
  orphans: string[];
  /** The state file was unusable: where it was moved and why. */
  corrupt?: { movedTo: string; reason: string };
}

/** What restoring needs from the daemon. */
export interface CubeRestoreContext {
  readonly cubes: CubeRegistry;
  readonly store: RuntimeStore | undefined;
  /** Where adopted and pending cubes are reported. */
  readonly startup: StartupReport;
  service(name: string): ServiceRecord | undefined;
  /** CubeLifecycle.make. */
  makeCube(p: NewCube): CubeRecord;
  /** Sends `op` with `body` to the owning service (ConfigRouter.forward). */
  forward(op: ConfigOp, body: unknown): Promise<ConfigResult>;
  /** Persists a changed cube (PersistenceScheduler.afterChange). */
  afterChange(cube: string): Promise<void>;
  log(level: LogLevel, message: string): void;
}

/** Restores persisted cubes at start and has their services rebuild the ones not adopted. */
export class CubeRestore {
  constructor(private readonly ctx: CubeRestoreContext) {}

  /** Rebuilds a persisted cube: adopts its pinned dataplane, or marks it for the service to create. */
  restore(config: CubeConfig, links: Map<string, LinkInfo>): void {
    const { store, startup } = this.ctx;
    const rt = store?.loadRuntime(config.name);
    const type = (
      ['TC', 'XDP_SKB', 'XDP_DRV'].includes(String(config.type)) ? config.type : 'TC'
    ) as CubeType;
    const level = String(config.loglevel ?? 'INFO').toUpperCase() as LogLevel;
    const cube = this.ctx.makeCube({
      name: config.name,
      service: config['service-name'],
      type,
      loglevel: LOG_LEVELS.includes(level) ? level : 'INFO',
      shadow: false,
      span: false,
      ...(typeof config.uuid === 'string' ? { uuid: config.uuid } : {}),
      ...(rt ? { cubeId: rt.cubeId } : {}),
    });
    cube.serviceConfig = serviceMembers(config, undefined);
    for (const entry of Array.isArray(config.ports) ? config.ports : []) {
      const e = entry as Record<string, unknown>;
      if (typeof e.name !== 'string') continue;
      const saved = rt?.ports[e.name];
      const port = cube.addPort(e.name, {
        ...(saved ? { id: saved.id } : {}),
        ...(typeof e.uuid === 'string' ? { uuid: e.uuid } : {}),
      });
      port.peer = typeof e.peer === 'string' ? e.peer : '';
    }
    this.ctx.cubes.add(cube);
    cube.source = store?.loadSource(cube.name) as ProgramSource | undefined;
    const adopted = cube.dataplane.adopt();
    for (const port of cube.ports.values()) {
      const link = links.get(port.peer);
      const saved = rt?.ports[port.name];
      if (link && link.up && !link.loopback) {
        // Adopted: the program already runs there and is left alone; pending: recorded for the load.
        cube.dataplane.bind(
          port.id,
          link.ifindex,
          saved?.ifindex === link.ifindex && saved.createdHook === true,
        );
        port.ifindex = link.ifindex;
      } else if (adopted && saved?.ifindex) {
        cube.dataplane.forgetPort(port.id, saved.ifindex);
      }
    }
    if (adopted) {
      startup.adopted.push(cube.name);
      this.ctx.log('INFO', `cube ${cube.name}: adopted pinned program ${cube.dataplane.programId}`);
    } else {
      cube.needsCreate = true;
      startup.pending.push(cube.name);
      this.ctx.log(
        'INFO',
        `cube ${cube.name}: no pinned dataplane; waiting for service ${cube.service} to rebuild it`,
      );
    }
  }

  /**
   * Tears down every cube pin directory under `pinRoot` that no restored cube claims: its program
   * is detached from the netdevs in `links`, its pins and runtime record removed, and each one is
   * reported in `startup.orphans` and the log. Called once at start, after `restore`.
   */
  removeOrphans(pinRoot: string, links: Iterable<LinkInfo>): void {
    const all = [...links];
    for (const name of listCubePinDirs(pinRoot)) {
      if (this.ctx.cubes.get(name)) continue;
      this.ctx.startup.orphans.push(name);
      const rt = this.ctx.store?.loadRuntime(name);
      const created = new Set(
        Object.values(rt?.ports ?? {})
          .filter((p) => p.createdHook === true && p.ifindex !== undefined)
          .map((p) => p.ifindex as number),
      );
      try {
        const r = removeOrphanDataplane(join(pinRoot, name), all, created);
        this.ctx.store?.remove(name);
        const where = r.detached.length > 0 ? `detached from ${r.detached.join(', ')}` : 'attached nowhere';
        this.ctx.log(
          'WARN',
          `pins of cube ${name} are claimed by no persisted cube: removed (program ${r.programId}, ${where})`,
        );
        for (const e of r.errors) this.ctx.log('ERR', `unclaimed cube ${name}: cannot detach: ${e}`);
      } catch (err) {
        this.ctx.log('ERR', `unclaimed cube ${name}: cannot remove its pins: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Asks a (re)registered service to create the persisted cubes that were not adopted; stops when
   * the service disconnects. The caller serialises it with configuration operations.
   */
  async rebuildPending(service: string): Promise<void> {
    const svc = this.ctx.service(service);
    for (const cube of this.ctx.cubes.list(service).filter((c) => c.needsCreate)) {
      if (!svc?.conn) return;
      const body = configForService(cubeConfig(cube, svc.module));
      const op: ConfigOp = {
        op: 'CREATE',
        service,
        cube: cube.name,
        path: `/${svc.module.name}`,
        keys: [],
        body,
        isCollection: false,
      };
      const res = await this.ctx.forward(op, body);
      if (res.code === ErrorCode.OK) {
        cube.needsCreate = false;
        await this.ctx.afterChange(cube.name);
      } else {
        this.ctx.log(
          'ERR',
          `cube ${cube.name}: service ${service} could not rebuild it: ${res.message ?? res.code}`,
        );
      }
    }
  }
}
