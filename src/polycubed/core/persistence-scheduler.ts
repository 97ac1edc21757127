// When polycubed writes what persistence.ts stores: a cube's runtime record at once after each
// change (adoption needs it), and the configuration dump once per group of changes, after
// re-reading each changed cube's members from its service. Each change learns when it is durable.

import { cubeConfig, serviceMembers } from './base-model';
import { CoalescingWriter, type Durable } from './coalescing-writer';
import type { CubeRecord, CubeRegistry } from './cube-registry';
import { saveConfigs, type RuntimeStore } from './persistence';
import type { ServiceRecord } from './service-registry';
import { ErrorCode, type ConfigOp, type ConfigResult, type DaemonOptions, type LogLevel } from './types';

/**
 * How long a change waits for others before the dump is written. Replies wait for the write, so
 * there is no window: changes made while a write runs still share the next one (group commit).
 */
const PERSIST_DELAY_MS = 0;

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
   * configuration dump is refreshed from the service and written once per group of changes, so
   * concurrent REST writes share one re-read and rewrite. The promise resolves once the state
   * file holds the change, with an error text when it could not be saved.
   */
  afterChange(name: string): Durable {
    const cube = this.ctx.cubes.get(name);
    if (cube) this.saveRuntime(cube);
    return this.dump.mark(name);
  }

  /** Writes every pending configuration change now; resolves once the state file is current. */
  flush(): Promise<void> {
    return this.dump.flush();
  }

  /** Flushes, then stops scheduling (the daemon is stopping). */
  close(): Promise<void> {
    return this.dump.close();
  }

  /** Writes the configuration of every cube now; returns the error text (logged) when it failed. */
  persist(): string | undefined {
    const { stateFile } = this.ctx.options;
    if (!stateFile) return undefined;
    try {
      const configs = this.ctx.cubes.list().map((c) => cubeConfig(c, this.ctx.service(c.service)?.module));
      saveConfigs(stateFile, configs);
      return undefined;
    } catch (err) {
      const message = `cannot save ${stateFile}: ${(err as Error).message}`;
      this.ctx.log('ERR', message);
      return message;
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

  private async persistChanged(names: string[]): Promise<string | undefined> {
    const errors: string[] = [];
    for (const name of names) {
      const err = await this.refreshServiceConfig(name);
      if (err) errors.push(err);
    }
    const saved = this.persist();
    for (const name of names) this.ctx.changed(name);
    return saved ?? errors[0];
  }

  /**
   * Re-reads a cube's service members (for the dump) from its service, when connected; returns
   * an error text when the service could not answer (the dump then holds its older members).
   */
  private async refreshServiceConfig(name: string): Promise<string | undefined> {
    const cube = this.ctx.cubes.get(name);
    const svc = cube && this.ctx.service(cube.service);
    if (!cube || !svc?.conn) return undefined;
    const op: ConfigOp = {
      op: 'READ',
      service: svc.name,
      cube: name,
      path: `/${svc.module.name}`,
      keys: [],
      isCollection: false,
    };
    const res = await this.ctx.forward(op);
    if (res.code === ErrorCode.OK) {
      cube.serviceConfig = serviceMembers(res.body ?? {}, svc.module);
      return undefined;
    }
    const message = `cube ${name}: could not read its configuration for persistence: ${res.message ?? res.code}`;
    this.ctx.log('WARN', message);
    return message;
  }
}
