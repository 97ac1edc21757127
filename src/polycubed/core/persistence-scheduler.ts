// When polycubed writes what persistence.ts stores: a cube's runtime record at once after each
// change that may alter it (adoption needs it), and the configuration once per group of changes.
// A change to one list element (a backend, a service) is re-read alone from the service and
// appended to the journal (config-journal.ts); any other change re-reads the cube's members and
// rewrites the snapshot, as does a journal grown past the snapshot's size (compaction). So a
// change costs what it changes. Each change learns when it is durable.

import { configOnly, cubeConfig, serviceMembers } from './base-model';
import { CoalescingWriter, type Durable } from './coalescing-writer';
import type { CubeRecord, CubeRegistry } from './cube-registry';
import {
  applyRecord,
  ConfigJournal,
  elementTarget,
  type ElementTarget,
  type JournalRecord,
} from './config-journal';
import { journalPath, saveConfigs, type RuntimeStore } from './persistence';
import type { ServiceRecord } from './service-registry';
import { ErrorCode, type ConfigOp, type ConfigResult, type DaemonOptions, type LogLevel } from './types';

/**
 * How long a change waits for others before the dump is written. Replies wait for the write, so
 * there is no window: changes made while a write runs still share the next one (group commit).
 */
const PERSIST_DELAY_MS = 0;
/** The journal is compacted into the snapshot once it outgrows both this and the snapshot. */
const COMPACT_MIN_BYTES = 1 << 20;

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
  private readonly journal: ConfigJournal | undefined;
  /** Element changes waiting for the next write, in order. */
  private elements: { cube: string; target: ElementTarget }[] = [];
  /** Cubes whose members are re-read whole at the next write. */
  private whole = new Set<string>();
  /** Size of the last snapshot written (compaction threshold). */
  private snapshotBytes = 0;

  constructor(private readonly ctx: PersistenceContext) {
    const { stateFile } = ctx.options;
    this.journal = stateFile ? new ConfigJournal(journalPath(stateFile)) : undefined;
  }

  /**
   * Records that a cube changed (by `op`, when known). Its runtime record is saved at once unless
   * the op only changed a list element of the service (adoption needs it). An op changing one list element is journaled; any other change
   * re-reads the cube's members and rewrites the snapshot. Changes made meanwhile share one write
   * (group commit). The promise resolves once the state file or its journal holds the change,
   * with an error text when it could not be saved.
   */
  afterChange(name: string, op?: ConfigOp): Durable {
    const cube = this.ctx.cubes.get(name);
    const svc = cube && this.ctx.service(cube.service);
    const target = op && this.journal ? elementTarget(op, svc?.module) : undefined;
    // A change inside the service's lists never moves a port: its runtime record stays as it is.
    if (cube && !target) this.saveRuntime(cube);
    if (target) this.elements.push({ cube: name, target });
    else this.whole.add(name);
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

  /**
   * Writes the configuration of every cube now (the snapshot) and empties the journal; returns
   * the error text (logged) when it failed.
   */
  persist(): string | undefined {
    const { stateFile } = this.ctx.options;
    if (!stateFile) return undefined;
    try {
      const configs = this.ctx.cubes.list().map((c) => cubeConfig(c, this.ctx.service(c.service)?.module));
      this.snapshotBytes = saveConfigs(stateFile, configs);
      this.journal?.truncate();
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
    const whole = this.whole;
    const elements = this.elements;
    this.whole = new Set();
    this.elements = [];
    const records: JournalRecord[] = [];
    for (const { cube, target } of elements) {
      if (whole.has(cube)) continue; // re-read whole below
      const rec = await this.readElement(cube, target);
      if (rec) records.push(rec);
      else whole.add(cube);
    }
    const errors: string[] = [];
    for (const name of whole) {
      const err = await this.refreshServiceConfig(name);
      if (err) errors.push(err);
    }
    let saved: string | undefined;
    const journal = this.journal;
    if (whole.size > 0 || !journal || journal.size >= Math.max(COMPACT_MIN_BYTES, this.snapshotBytes))
      saved = this.persist();
    else {
      try {
        journal.append(records);
      } catch (err) {
        saved = `cannot append to ${journal.path}: ${(err as Error).message}`;
        this.ctx.log('ERR', saved);
        journal.close();
      }
    }
    for (const name of names) this.ctx.changed(name);
    return saved ?? errors[0];
  }

  /**
   * Re-reads one changed element from the service and applies it to the cube's members; returns
   * its journal record, or undefined when the cube must be re-read whole instead.
   */
  private async readElement(name: string, target: ElementTarget): Promise<JournalRecord | undefined> {
    const cube = this.ctx.cubes.get(name);
    const svc = cube && this.ctx.service(cube.service);
    if (!cube || !svc?.conn) return undefined;
    let value: Record<string, unknown> | undefined;
    if (!target.deletes) {
      const res =
        target.body !== undefined
          ? { code: ErrorCode.OK, body: target.body }
          : await this.ctx.forward(target.read);
      if (res.code === ErrorCode.OK) {
        const v = configOnly(res.body, target.children);
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
        value = v as Record<string, unknown>;
      } else if (res.code !== ErrorCode.DATA_MISSING) return undefined;
    }
    if (!applyRecord(cube.serviceConfig, target.path, value)) return undefined;
    return { cube: name, path: target.path, ...(value ? { value } : {}) };
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
