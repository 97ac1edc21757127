// One cube's model → plan → sync loop: holds the accepted CubeModel, the KernelState the maps hold
// and the cube's allocators; `apply` derives, plans and writes a new model (reloading the program
// first when compiled-in port ids change), `adopt` rebuilds from the kernel after a restart.
// Refusals change nothing; a failed kernel write is recorded and retried from a readback.

import { performance } from 'node:perf_hooks';
import type { CubeError, Result } from '../../common/errors';
import { cubeError } from '../../common/errors';
import type { CubeModel, CubeSizes } from '../model/cube-model';
import type { TablePolicy } from '../maglev/table-policy';
import { IdAllocator, SlotAllocator } from './allocators';
import type { CubeHost } from './cube-host';
import { definesKey, lbrpDefines, lbrpSource } from './dataplane-source';
import { commitAll, deriveKernelState, rollbackAll, type SyncAllocators } from './derive-state';
import { EMPTY_KERNEL_STATE, type KernelState } from './kernel-state';
import { generateMapWrites } from './map-plan';
import { readKernelState } from './readback';
import type { DataplaneMemory, MapWrite, WritesOutcome } from '../../service-kit';
import { kernelMemoryError } from './memory-error';
import { SessionConfigSync } from './session-config-sync';
import { DrainTracker } from './drain-timeout';
import { sessionClock, type SessionClock } from '../dataplane/session-clock';
import { TableHealth, type OutOfTable } from './table-health';

/** Sizes of the dataplane maps lbrp allocates in (the cube's size leaves, compiled in). */
export interface SyncCapacity {
  services: number;
  backends: number;
  slots: number;
}

/** What a CubeSync needs (from LbrpOptions). */
export interface CubeSyncOptions {
  policy: TablePolicy;
  /** Writes per WriteMaps call. */
  writeChunk: number;
  /** The kernel's clock (HZ for session_config); default: measured once per process. */
  clock?: () => Promise<SessionClock>;
  /** Health checks (src/lbrp/health): what keeps backends out of the tables. */
  health?: CubeHealthHooks;
  /** Wall clock in ms for drain-timeout (default Date.now). */
  now?: () => number;
}

/** How health reaches a cube's tables. */
export interface CubeHealthHooks {
  /** Backend ips of a service (serviceKey) out of the table by health. */
  outOfTable: OutOfTable;
  /** After a readback (restart): lets health keep what the kernel held out of the tables. */
  readBack?: (actual: KernelState, model: CubeModel) => void;
  log?: (message: string) => void;
}

/** The allocators' capacities of a cube's size leaves. */
export function capacityOf(sizes: CubeSizes): SyncCapacity {
  return { services: sizes.maxServices, backends: sizes.maxBackends, slots: sizes.maglevSlots };
}

/** Outcome of the last kernel sync of a cube. */
export interface SyncStatus {
  ok: boolean;
  /** Why the kernel may differ from the model (a failed write), until a retry succeeds. */
  error?: string;
  /** Writes of the last successful apply. */
  lastWrites: number;
}

/** Where the last apply's time went (ms), for the CUBE_TRACE=change line of the service. */
export interface ApplyTiming {
  /** Model → KernelState, Maglev tables included. */
  derive: number;
  /** Compiling and loading the program (0 unless the compiled-in port ids changed). */
  load: number;
  /** Generating the map writes (the plan), outside the WriteMaps round trips. */
  plan: number;
  /** WriteMaps round trips to polycubed (its kernel writes included). */
  write: number;
  calls: number;
  writes: number;
}

/**
 * An applied change's map writes, handed to the caller to deliver (in the ConfigReply, for
 * polycubed to apply before it answers the client) instead of written with WriteMaps calls.
 */
export interface HandedWrites {
  ops: MapWrite[];
  /** Entries the ops stand for. */
  entries: number;
  /** Records what polycubed did with them; until then READs show the state before the change. */
  settle(outcome: WritesOutcome): void;
}

/** Tracer (STYLE §2): CUBE_TRACE=sync prints the time of each apply's stages. */
const TRACE = 'sync';
const tracing = (process.env.CUBE_TRACE ?? '').split(',').includes(TRACE);

function newAllocators(c: SyncCapacity): SyncAllocators {
  return {
    serviceIds: new IdAllocator(c.services),
    backendIds: new IdAllocator(c.backends),
    slots: new SlotAllocator(c.slots),
  };
}

/** One cube's state and its path to the kernel. */
export class CubeSync {
  private modelValue: CubeModel;
  private kernelValue: KernelState = EMPTY_KERNEL_STATE;
  private alloc: SyncAllocators;
  private portIdsValue = new Map<string, number>();
  private loadedDefines: string | undefined;
  private readonly session: SessionConfigSync;
  /** The model tables are derived from: DOWN backends at weight 0 (the model keeps its weights). */
  private readonly table: TableHealth | undefined;
  /** Drained and removed backends, for drain-timeout (fed with every state the maps move to). */
  readonly drains = new DrainTracker();
  /** Bytes of kernel memory of the cube's maps, as polycubed last reported them. */
  kernelMemory: number | undefined;
  readonly status: SyncStatus = { ok: true, lastWrites: 0 };
  /** The last change whose writes finished: what READs show (never a change half written). */
  private committedValue: { model: CubeModel; kernel: KernelState };
  /** Where the last apply's time went. */
  readonly timing: ApplyTiming = { derive: 0, load: 0, plan: 0, write: 0, calls: 0, writes: 0 };

  constructor(
    model: CubeModel,
    private readonly host: CubeHost,
    private readonly opts: CubeSyncOptions,
  ) {
    this.modelValue = model;
    this.committedValue = { model, kernel: EMPTY_KERNEL_STATE };
    this.alloc = newAllocators(capacityOf(model.sizes));
    this.session = new SessionConfigSync(host, model.name, opts.clock ?? sessionClock);
    const h = opts.health;
    this.table = h ? new TableHealth(h.outOfTable, h.log) : undefined;
  }

  /** The model the tables follow: `model` with what health keeps out at weight 0. */
  private forTables(model: CubeModel): CubeModel {
    return this.table ? this.table.of(model) : model;
  }

  /** The accepted configuration. */
  get model(): CubeModel {
    return this.modelValue;
  }

  /** The model and kernel state of the last change whose writes finished (for READs). */
  get committed(): { model: CubeModel; kernel: KernelState } {
    return this.committedValue;
  }

  /** What the maps hold (as far as this process knows). */
  get kernel(): KernelState {
    return this.kernelValue;
  }

  /** polycubed's port ids by port name, as of the last apply. */
  get portIds(): ReadonlyMap<string, number> {
    return this.portIdsValue;
  }

  /**
   * Makes the kernel hold `next`: derives its KernelState (refusing with a catalogue error when
   * ids or slots run out), reloads the program when the compiled-in port ids change, writes the
   * planned changes. On a refusal nothing changed. A failed map write is not the caller's error:
   * it is recorded in `status`, and the next apply (or `retry`) re-reads the kernel first.
   * With `handOff`, writes that fit in one WriteMaps call are returned instead of written: the
   * caller delivers them and must `settle` them before this cube's next apply, adopt or retry.
   */
  async apply(
    next: CubeModel,
    opts: { refreshPorts?: boolean; forceLoad?: boolean; handOff?: boolean } = {},
  ): Promise<Result<HandedWrites | undefined>> {
    const portsChanged =
      opts.refreshPorts === true ||
      next.ports.size !== this.modelValue.ports.size ||
      [...next.ports.keys()].some((n) => !this.portIdsValue.has(n));
    const t0 = performance.now();
    const portIds = portsChanged ? await this.readPortIds() : this.portIdsValue;
    if (!this.status.ok) await this.rebuildFromKernel();
    const hz = await this.hz();
    const derived = deriveKernelState(this.forTables(next), this.kernelValue, {
      portIds,
      alloc: this.alloc,
      policy: this.opts.policy,
      hz,
    });
    const t1 = performance.now();
    if (!derived.ok) {
      rollbackAll(this.alloc);
      return derived;
    }
    const defines = lbrpDefines(next, portIds);
    const key = definesKey(defines);
    if (opts.forceLoad || key !== this.loadedDefines) {
      try {
        const loaded = await this.host.loadDataplane(lbrpSource(next.name, defines));
        if (loaded.kernelMemory !== undefined) this.kernelMemory = loaded.kernelMemory;
        this.session.forget(); // a load may have created the maps anew
      } catch (err) {
        rollbackAll(this.alloc);
        return { ok: false, error: dataplaneError(next, err) };
      }
      this.loadedDefines = key;
    }
    const t2 = performance.now();
    const writes = generateMapWrites(this.kernelValue, derived.value);
    commitAll(this.alloc);
    this.modelValue = next;
    this.portIdsValue = new Map(portIds);
    this.drains.observe(this.kernelValue, derived.value, this.now());
    this.kernelValue = derived.value;
    const t3 = performance.now();
    const t = this.timing;
    t.derive = t1 - t0;
    t.load = t2 - t1;
    let written: number;
    if (opts.handOff) {
      const handed = await this.handOff(writes);
      if (typeof handed !== 'number') {
        t.plan = performance.now() - t3;
        return { ok: true, value: handed };
      }
      written = handed;
    } else {
      written = await this.write(writes);
    }
    this.publish();
    t.plan = performance.now() - t3 - t.write;
    if (tracing) {
      const ms = [t1 - t0, t2 - t1, performance.now() - t3].map(Math.round);
      console.log(
        `${TRACE} ${next.name}: derive ${ms[0]} ms, load ${ms[1]} ms, ${written} writes planned and written in ${ms[2]} ms`,
      );
    }
    return { ok: true, value: undefined };
  }

  /**
   * The session_config write (when due) and the plan as one list to hand off, when they hold at
   * most `writeChunk` entries; otherwise writes them (WriteMaps calls) and returns how many.
   */
  private async handOff(plan: Iterator<MapWrite>): Promise<HandedWrites | number> {
    const ops: MapWrite[] = [];
    let entries = 0;
    let session: MapWrite | undefined;
    try {
      session = await this.session.plan(this.modelValue.session);
    } catch {
      return this.writeRest([], plan); // planned again there, its failure recorded
    }
    if (session) {
      ops.push(session);
      entries++;
    }
    for (let r = plan.next(); !r.done; r = plan.next()) {
      ops.push(r.value);
      entries += r.value.count ?? 1;
      if (entries > this.opts.writeChunk) return this.writeRest(session ? ops.slice(1) : ops, plan);
    }
    const t = this.timing;
    t.write = 0;
    t.calls = 0;
    t.writes = entries;
    return {
      ops,
      entries,
      settle: (outcome) => {
        if (outcome.error === undefined) {
          if (session) this.session.written();
          this.status.ok = true;
          delete this.status.error;
          this.status.lastWrites = entries;
        } else {
          this.session.forget();
          this.status.ok = false;
          this.status.error = `map writes failed: ${outcome.error}`;
        }
        this.publish();
      },
    };
  }

  /**
   * Writes `first` then what is left of `plan` with WriteMaps calls (a plan too large to hand
   * off; `write` plans session_config again itself). Returns how many were written.
   */
  private writeRest(first: MapWrite[], plan: Iterator<MapWrite>): Promise<number> {
    function* rest(): Generator<MapWrite> {
      yield* first;
      for (let r = plan.next(); !r.done; r = plan.next()) yield r.value;
    }
    return this.write(rest());
  }

  /**
   * After a restart (Resync): takes `model` as the configuration and the running program as
   * built for it, reads the maps back and writes only what differs. Returns the writes made.
   */
  async adopt(model: CubeModel): Promise<number> {
    this.modelValue = model;
    this.session.forget();
    this.portIdsValue = await this.readPortIds();
    this.loadedDefines = definesKey(lbrpDefines(model, this.portIdsValue));
    return this.rebuildFromKernel();
  }

  /** Retries a failed sync (re-reads the kernel, writes the difference). */
  async retry(): Promise<void> {
    if (!this.status.ok) await this.rebuildFromKernel();
  }

  private async rebuildFromKernel(): Promise<number> {
    this.alloc = newAllocators(capacityOf(this.modelValue.sizes));
    const actual = await readKernelState(this.host, this.modelValue.name, this.modelValue, this.alloc);
    commitAll(this.alloc);
    this.opts.health?.readBack?.(actual, this.modelValue);
    const derived = deriveKernelState(this.forTables(this.modelValue), actual, {
      portIds: this.portIdsValue,
      alloc: this.alloc,
      policy: this.opts.policy,
      hz: await this.hz(),
    });
    if (!derived.ok) {
      rollbackAll(this.alloc);
      this.kernelValue = actual;
      this.status.ok = false;
      this.status.error = derived.error.message;
      this.publish();
      return 0;
    }
    commitAll(this.alloc);
    this.drains.observe(actual, derived.value, this.now());
    this.kernelValue = derived.value;
    const written = await this.write(generateMapWrites(actual, derived.value));
    this.publish();
    return written;
  }

  private publish(): void {
    this.committedValue = { model: this.modelValue, kernel: this.kernelValue };
  }

  /**
   * Writes session_config when the policy changed (first: on a new cube, before any service can
   * create a session), then a plan in WriteMaps calls of `writeChunk` ops; returns how many
   * were written.
   */
  private async write(writes: Iterable<MapWrite>): Promise<number> {
    let total = 0;
    const t = this.timing;
    t.write = 0;
    t.calls = 0;
    const send = async (ops: MapWrite[]): Promise<void> => {
      const t0 = performance.now();
      await this.host.writeMaps(this.modelValue.name, ops);
      t.write += performance.now() - t0;
      t.calls++;
    };
    try {
      const session = await this.session.plan(this.modelValue.session);
      if (session) {
        await send([session]);
        this.session.written();
        total++;
      }
      // Chunks of about writeChunk entries (a packed write counts its entries).
      let chunk: MapWrite[] = [];
      let entries = 0;
      for (const w of writes) {
        chunk.push(w);
        entries += w.count ?? 1;
        if (entries >= this.opts.writeChunk) {
          await send(chunk);
          total += entries;
          chunk = [];
          entries = 0;
        }
      }
      if (chunk.length > 0) await send(chunk);
      total += entries;
      t.writes = total;
      this.status.ok = true;
      delete this.status.error;
      this.status.lastWrites = total;
    } catch (err) {
      this.session.forget();
      this.status.ok = false;
      this.status.error = `map writes failed: ${(err as Error).message}`;
    }
    return total;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** The kernel's HZ (affinity timeouts in clock units), measured once per process. */
  private async hz(): Promise<number> {
    return (await (this.opts.clock ?? sessionClock)()).hz;
  }

  private async readPortIds(): Promise<Map<string, number>> {
    const info = await this.host.getCube(this.modelValue.name);
    if (info.kernelMemory !== undefined) this.kernelMemory = info.kernelMemory;
    return new Map(info.ports.map((p) => [p.name, p.id]));
  }
}

function dataplaneError(model: CubeModel, err: unknown): CubeError {
  const cube = model.name;
  const e = err as { message?: string; log?: string; kind?: string; memory?: DataplaneMemory };
  if (e.kind === 'MEMORY' && e.memory) return kernelMemoryError(model, e.memory);
  const detail = [e.message ?? String(err), e.log ? e.log.split('\n').slice(0, 20).join('\n') : '']
    .filter(Boolean)
    .join('\n');
  return cubeError('CUBE_ERR_LBRP_DATAPLANE', { cube, detail });
}
