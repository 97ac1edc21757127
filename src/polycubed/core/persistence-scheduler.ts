// When polycubed writes what persistence.ts stores: a cube's runtime record at once after each
// change (adoption needs it), and the configuration dump once per burst of changes, after
// re-reading each changed cube's members from its service. Announces each change once written.

import { cubeConfig, serviceMembers } from './base-model';
import { CoalescingWriter } from './coalescing-writer';
import type { CubeRecord, CubeRegistry } from './cube-registry';
import { saveConfigs, type RuntimeStore } from './persistence';
import type { ServiceRecord } from './service-registry';
import { ErrorCode, type ConfigOp, type ConfigResult, type DaemonOptions, type LogLevel } from './types';

/** Configuration changes arriving within this window are written to the state file together. */
const PERSIST_DELAY_MS = 50;

/** What the scheduler needs from the daemon. */
export interface PersistenceContext {
  readonly cubes: CubeRegistry;
  /** Runtime records; undefined when there is no runtime directory. */
  readonly store: RuntimeStore | undefined;
  /** `stateFile` undefined disables the configuration dump. */
  readonly options: Pick<DaemonOptions, 'stateFile'>;
  service(name: string): ServiceRecord | undefined;
  /** Sends a READ to the owning service (ConfigRouter.forward without a body). */
  forward(op: ConfigOp): Promise<ConfigResult>;
  log(level: LogLevel, message: string): void;
  /** A cube's change reached the state file (the daemon's 'change' event). */
  changed(cube: string): void;
}

/** Saves runtime records and coalesces configuration dumps. */
export class PersistenceScheduler {
  private readonly dump = new CoalescingWriter((names) => this.persistChanged(names), PERSIST_DELAY_MS);

  constructor(private readonly ctx: PersistenceContext) {}

  /**
   * Records that a cube changed. Its runtime record is saved at once (adoption needs it); the
   * configuration dump is refreshed from the service and written once per burst of changes
   * (PERSIST_DELAY_MS), so a long run of REST writes does not re-read and rewrite the whole
   * configuration after every request. `flush()` and `close()` write what is pending.
   */
  afterChange(name: string): Promise<void> {
    const cube = this.ctx.cubes.get(name);
    if (cube) this.saveRuntime(cube);
    this.dump.mark(name);
    return Promise.resolve();
  }

  /** Writes every pending configuration change now; resolves once the state file is current. */
  flush(): Promise<void> {
    return this.dump.flush();
  }

  /** Flushes, then stops scheduling (the daemon is stopping). */
  close(): Promise<void> {
    return this.dump.close();
  }

  /** Writes the configuration of every cube now (never throws; failures are logged). */
  persist(): void {
    const { stateFile } = this.ctx.options;
    if (!stateFile) return;
    try {
      const configs = this.ctx.cubes.list().map((c) => cubeConfig(c, this.ctx.service(c.service)?.module));
      saveConfigs(stateFile, configs);
    } catch (err) {
      this.ctx.log('ERR', `cannot save ${stateFile}: ${(err as Error).message}`);
    }
  }

  /** Saves a registered cube's id, port ids and bindings (never throws; failures are logged). */
  saveRuntime(cube: CubeRecord): void {
    const { store } = this.ctx;
    if (!store || !this.ctx.cubes.get(cube.name)) return;
    const bindings = cube.dataplane.bindingState();
    const ports: Record<string, { id: number; ifindex?: number; createdHook?: boolean }> = {};
    for (const p of cube.ports.values()) ports[p.name] = { id: p.id, ...bindings[p.id] };
    try {
      store.saveRuntime(cube.name, { cubeId: cube.cubeId, ports });
    } catch (err) {
      this.ctx.log('ERR', `cannot save runtime record of ${cube.name}: ${(err as Error).message}`);
    }
  }

  private async persistChanged(names: string[]): Promise<void> {
    for (const name of names) await this.refreshServiceConfig(name);
    this.persist();
    for (const name of names) this.ctx.changed(name);
  }

  /** Re-reads a cube's service members (for the dump) from its service, when connected. */
  private async refreshServiceConfig(name: string): Promise<void> {
    const cube = this.ctx.cubes.get(name);
    const svc = cube && this.ctx.service(cube.service);
    if (!cube || !svc?.conn) return;
    const op: ConfigOp = {
      op: 'READ',
      service: svc.name,
      cube: name,
      path: `/${svc.module.name}`,
      keys: [],
      isCollection: false,
    };
    const res = await this.ctx.forward(op);
    if (res.code === ErrorCode.OK) cube.serviceConfig = serviceMembers(res.body ?? {}, svc.module);
    else
      this.ctx.log(
        'WARN',
        `cube ${name}: could not read its configuration for persistence: ${res.message ?? res.code}`,
      );
  }
}
