// The lbrp service: answers polycubed's configuration requests for lbrp cubes (READs from the
// model and the kernel counters; writes through model rules → CubeSync), rebuilds its state on
// Resync without disturbing running cubes, and runs the MULTI-mode slow path. Wired to polycubed
// by startLbrpService (ServiceKit over gRPC); tests may hand in any CubeHost.

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { cubeError, errorDef, requestTag, type CubeError, type Result } from '../common/errors';
import {
  ErrorCode,
  ServiceKit,
  type ConfigAnswer,
  type ConfigRequest,
  type Op,
  type PacketIn,
  type ResyncCube,
  type ServiceHandler,
} from '../service-kit';
import { resolveLbrpOptions, syncOptions, type LbrpOptions } from './lbrp-options';
import { createCube, setSessionPolicy, type CubeInput } from './model/cube-rules';
import { DEFAULT_SIZES, emptyCube, type CubeModel } from './model/cube-model';
import { addPort } from './model/port-rules';
import { addService } from './model/service-rules';
import { replaceSrcIpRewrite } from './model/src-rewrite-rules';
import { applyRequest, cubeInput } from './requests/apply-request';
import { counterLookup, readView } from './requests/read-views';
import { changeLine } from './requests/change-log';
import { parseTarget, type RequestTarget } from './requests/request-target';
import { slowPathFrames } from './slow-path/packet-in';
import { CounterCache } from './stats/counters';
import type { CubeHost } from './sync/cube-host';
import { CubeSync, type CubeSyncOptions } from './sync/cube-sync';
import { kernelKeyOf } from './sync/kernel-state';
import { purgeBackendSessions, type PurgeBackend } from './sync/session-purge';
import { HealthMonitor, type BackendRef } from './health/health-monitor';
import { healthSeeds } from './health/restart-seeds';
import { backendHealthView } from './health/health-view';
import { BackendPortProber } from './health/probes/port-prober';
import { probeSiteOf } from './health/probe-site';
import { PROBE_ICMP_ID, PROBE_PORT_COUNT, PROBE_PORT_MIN, REASON_PROBE_REPLY } from './dataplane/map-layouts';

/** setTimeout's longest delay (a later deadline re-arms when this one fires). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Tracer (STYLE §2): CUBE_TRACE=change prints where each change's time went in this service. */
const tracingChanges = (process.env.CUBE_TRACE ?? '').split(',').includes('change');

/** The datamodel lbrp registers (datamodel/lbrp.yang; polycubed has the base modules). */
export const LBRP_YANG_PATH = resolve(__dirname, '../../datamodel/lbrp.yang');

/** A catalogue error as the answer polycubed turns into the REST status (text → 500). */
export function answerOf(err: CubeError): ConfigAnswer {
  const def = errorDef(err.code);
  if (def.body === 'text' || def.tag === undefined)
    return { code: ErrorCode.GENERIC_ERROR, message: err.message };
  const code: ErrorCode = requestTag(def.tag)?.wire ?? ErrorCode.GENERIC_ERROR;
  if (code === ErrorCode.DATA_MISSING) return { code };
  return { code, message: err.message, ...(err.info !== undefined ? { errorInfo: err.info } : {}) };
}

/** One named step of a lenient rebuild. */
type Step = [string, (x: CubeModel) => Result<CubeModel>];

/** Targets whose READ shows counters. */
const WITH_COUNTERS = new Set<RequestTarget['kind']>([
  'cube',
  'cube-leaf',
  'drop',
  'service',
  'service-leaf',
  'backend',
  'backend-leaf',
]);

/** The request handler of the lbrp service (one per process). */
export class LbrpService implements ServiceHandler {
  readonly options: LbrpOptions;
  private readonly cubes = new Map<string, CubeSync>();
  private readonly counters: CounterCache;
  private lock: Promise<unknown> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  /** Backend health of every cube (probes, rise/fall), read by the tables and READs. */
  readonly health: HealthMonitor;
  /** TCP and ICMP probes out of a cube's BACKEND port (cubes with a probe-source). */
  readonly portProber: BackendPortProber;
  /** Cubes whose tables must follow a health change (one re-apply each, queued). */
  private readonly healthDirty = new Set<string>();
  /** Backends that went DOWN, waiting for their cube's table re-apply. */
  private readonly wentDown: BackendRef[] = [];
  /** drain-timeout: one timer for all cubes, set to the earliest deadline (drainAt). */
  private drainTimer: NodeJS.Timeout | undefined;
  private drainAt: number | undefined;
  /** Whether a model has a service with a health check (readCacheMs), by model. */
  private readonly probedModels = new WeakMap<CubeModel, boolean>();

  constructor(
    private readonly host: CubeHost,
    opts: Partial<LbrpOptions> = {},
  ) {
    this.options = resolveLbrpOptions(opts);
    this.counters = new CounterCache(host, this.options.statsTtlMs, this.options.clock);
    this.portProber = new BackendPortProber((cube, port, frame) => this.host.sendPacket(cube, port, frame), {
      portMin: PROBE_PORT_MIN,
      portCount: PROBE_PORT_COUNT,
      icmpId: PROBE_ICMP_ID,
    });
    this.health = new HealthMonitor({
      log: (level, message) => this.options.log(level, message),
      onTableChange: (cube) => this.healthChanged(cube),
      onBackendDown: (ref) => this.wentDown.push(ref),
      holdMs: this.options.healthHoldMs,
      maxInFlight: this.options.healthMaxInFlight,
      ...(this.options.healthProberFor ? { proberFor: this.options.healthProberFor } : {}),
      portProberFor: (cube, cfg) =>
        cfg.type === 'TCP' || cfg.type === 'ICMP' ? this.portProber.prober(cube, cfg.type) : undefined,
    });
    void this.options.clock().then((c) => {
      if (c.source === 'fallback')
        this.options.log(
          'WARN',
          `session clock: the kernel's HZ could not be measured (/proc/timer_list), assuming ${c.hz}: ` +
            `on a kernel with another HZ, timeouts last ${c.hz}/HZ of the time set`,
        );
      else this.options.log('INFO', `session clock: HZ ${c.hz} (${c.source})`);
    });
  }

  /** The state of one cube (tests, tools). */
  cube(name: string): CubeSync | undefined {
    return this.cubes.get(name);
  }

  /** Names of the cubes this service manages. */
  cubeNames(): string[] {
    return [...this.cubes.keys()];
  }

  onConfig(req: ConfigRequest): Promise<ConfigAnswer> {
    // READs do not queue behind writes: they answer from each cube's committed state.
    if (req.op === 'READ') return this.handle(req);
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      void this.serialized(async () => {
        const t1 = performance.now();
        const before = tracingChanges ? this.cubes.get(req.cube)?.timing : undefined;
        if (before) Object.assign(before, { derive: 0, load: 0, plan: 0, write: 0, calls: 0, writes: 0 });
        let answer: ConfigAnswer;
        try {
          answer = await this.handle(req);
        } catch (err) {
          reject(err);
          return;
        }
        if (tracingChanges) this.traceChange(req, t0, t1);
        const w = answer.writes;
        if (!w) {
          resolve(answer);
          return;
        }
        // Writes travelling in the reply: the next job waits until polycubed applied them.
        await new Promise<void>((settled) =>
          resolve({
            ...answer,
            writes: {
              ...w,
              done: (outcome) => {
                try {
                  w.done(outcome);
                } finally {
                  settled();
                }
              },
            },
          }),
        );
      });
    });
  }

  /** The CUBE_TRACE=change line of one change (its stages as the cube's timing holds them). */
  private traceChange(req: ConfigRequest, t0: number, t1: number): void {
    const t = this.cubes.get(req.cube)?.timing;
    const ms = (x: number): string => x.toFixed(2);
    const total = performance.now() - t1;
    const stages = t
      ? `derive ${ms(t.derive)}, load ${ms(t.load)}, plan ${ms(t.plan)}, write ${ms(t.write)} (${t.writes} writes in ${t.calls} WriteMaps), other ${ms(total - t.derive - t.load - t.plan - t.write)}`
      : 'no cube';
    console.log(`change ${req.op} ${req.path}: queue ${ms(t1 - t0)}, ${stages}, total ${ms(total)} ms`);
  }

  onResync(cubes: ResyncCube[]): Promise<void> {
    return this.serialized(() => this.resync(cubes));
  }

  onPacketIn(ev: PacketIn): void {
    const sync = this.cubes.get(ev.cube);
    if (!sync) return;
    if (ev.reason === REASON_PROBE_REPLY) {
      this.portProber.onPacketIn(ev.cube, ev.packet);
      return;
    }
    const frames = slowPathFrames(sync.model, ev);
    if (typeof frames === 'string') {
      this.options.log('ERR', `cube ${ev.cube}: ${frames}`);
      return;
    }
    for (const f of frames) {
      this.host.sendPacket(ev.cube, f.port, f.packet).catch((err: unknown) => {
        this.options.log(
          'WARN',
          `cube ${ev.cube}: packet-out on ${f.port} failed: ${(err as Error).message}`,
        );
      });
    }
  }

  /** Stops the retry timer and the health probes (the cubes keep running). */
  stop(): void {
    this.health.stop();
    this.portProber.stop();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }

  /** Runs `job` after every job queued before it (requests, resyncs, retries never interleave). */
  private serialized<T>(job: () => Promise<T>): Promise<T> {
    const run = this.lock.then(job, job);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async handle(req: ConfigRequest): Promise<ConfigAnswer> {
    const target = parseTarget(req.path, req.keys, req.isCollection);
    if (target.kind === 'cube' && (req.op === 'CREATE' || req.op === 'REPLACE'))
      return this.create(req.cube, req.body);
    if (target.kind === 'cube' && req.op === 'DELETE') {
      this.cubes.delete(req.cube);
      this.health.dropCube(req.cube);
      this.portProber.configure(req.cube, undefined);
      this.counters.drop(req.cube);
      this.logChange(req.cube, target, req.op);
      return {};
    }
    const sync = this.cubes.get(req.cube);
    if (!sync) return answerOf(cubeError('CUBE_ERR_LBRP_NO_CUBE', { cube: req.cube }));
    if (req.op === 'READ') {
      const { model, kernel } = sync.committed;
      const snap = WITH_COUNTERS.has(target.kind) ? await this.counters.get(req.cube, kernel) : undefined;
      const lookup = counterLookup(kernel, snap, (svc, ip) =>
        backendHealthView(this.health, req.cube, svc, ip),
      );
      const r = readView(model, target, lookup, sync.kernelMemory);
      if (!r.ok) return answerOf(r.error);
      const cacheMs = this.readCacheMs(req.cube, model);
      return cacheMs > 0 ? { body: r.value, cacheMs } : { body: r.value };
    }
    const next = applyRequest(sync.model, target, req.op, req.body);
    if (!next.ok) return answerOf(next.error);
    if (next.value === sync.model) return {};
    const applied = await sync.apply(next.value, {
      refreshPorts: target.kind === 'ports' || target.kind === 'cube',
      handOff: this.host.repliesCarryWrites === true,
    });
    if (!applied.ok) return answerOf(applied.error);
    this.logChange(req.cube, target, req.op);
    const handed = applied.value;
    if (!handed || handed.ops.length === 0) {
      handed?.settle({ applied: 0 });
      this.afterSync(sync);
      return {};
    }
    // polycubed applies them before it answers the client, then says how that went.
    return {
      writes: {
        cube: req.cube,
        ops: handed.ops,
        done: (outcome) => {
          handed.settle(outcome);
          this.afterSync(sync);
        },
      },
    };
  }

  /**
   * How long polycubed may reuse a READ answer of `cube` (ConfigAnswer.cacheMs): what it shows
   * changes only by configuration changes (which go through polycubed), the counters (cached here
   * until their TTL) and health; so for as long as the counters stay cached, and never while a
   * service of the cube has a health check (its results come at any time).
   */
  private readCacheMs(cube: string, model: CubeModel): number {
    let probed = this.probedModels.get(model);
    if (probed === undefined) {
      probed = [...model.services.values()].some((s) => (s.healthCheck?.type ?? 'NONE') !== 'NONE');
      this.probedModels.set(model, probed);
    }
    return probed ? 0 : this.counters.ttlLeft(cube);
  }

  /** The control-plane line of an applied change (issue 18). */
  private logChange(cube: string, target: RequestTarget, op: Op): void {
    const line = changeLine(cube, target, op);
    if (line) this.options.log('INFO', line);
  }

  private async create(name: string, body: unknown): Promise<ConfigAnswer> {
    const model = createCube(name, cubeInput(body));
    if (!model.ok) return answerOf(model.error);
    const sync = new CubeSync(
      emptyCube(name, model.value.portMode, model.value.sizes),
      this.host,
      this.cubeSyncOptions(name),
    );
    const applied = await sync.apply(model.value, { refreshPorts: true, forceLoad: true });
    if (!applied.ok) return answerOf(applied.error);
    this.cubes.set(name, sync);
    this.counters.drop(name);
    this.afterSync(sync);
    this.options.log('INFO', `cube ${name}: cube added (${model.value.portMode})`);
    return {};
  }

  private async resync(cubes: ResyncCube[]): Promise<void> {
    const listed = new Set(cubes.map((c) => c.name));
    for (const name of [...this.cubes.keys()])
      if (!listed.has(name)) {
        this.cubes.delete(name);
        this.health.dropCube(name);
        this.portProber.configure(name, undefined);
      }
    for (const c of cubes) {
      const model = this.modelFromConfig(c.name, c.config);
      const sync = new CubeSync(model, this.host, this.cubeSyncOptions(c.name));
      this.cubes.set(c.name, sync);
      try {
        const writes = await sync.adopt(model);
        this.options.log(
          'INFO',
          `cube ${c.name}: resynced, ${model.services.size} services, ${writes} map writes`,
        );
      } catch (err) {
        sync.status.ok = false;
        sync.status.error = `resync failed: ${(err as Error).message}`;
        this.options.log('ERR', `cube ${c.name}: ${sync.status.error}`);
      }
      this.afterSync(sync);
    }
  }

  /**
   * The model of a persisted configuration. It passed these rules when it was accepted; if some
   * part does not any more, that part is left out (and logged) rather than the whole cube.
   */
  private modelFromConfig(name: string, config: unknown): CubeModel {
    let input: CubeInput;
    try {
      input = cubeInput(config);
    } catch (err) {
      this.options.log('ERR', `cube ${name}: unreadable configuration: ${(err as Error).message}`);
      return emptyCube(name, 'SINGLE');
    }
    const whole = createCube(name, input);
    if (whole.ok) return whole.value;
    let m = emptyCube(name, input.portMode ?? 'SINGLE', { ...DEFAULT_SIZES, ...input.sizes });
    const rewrite = input.srcIpRewrite;
    const steps: Step[] = [
      ['session policy', (x) => setSessionPolicy(x, input.session)],
      ...(input.service ?? []).map((svc): Step => [
        `service ${svc.vip}:${svc.vport}:${svc.proto}`,
        (x) => addService(x, svc),
      ]),
      ...(rewrite ? [['src-ip-rewrite', (x: CubeModel) => replaceSrcIpRewrite(x, rewrite)] as Step] : []),
      ...(input.ports ?? []).map((p): Step => [`port ${p.name}`, (x) => addPort(x, p)]),
    ];
    for (const [what, step] of steps) {
      const r = step(m);
      if (r.ok) m = r.value;
      else this.options.log('ERR', `cube ${name}: ${what} left out of the resync: ${r.error.message}`);
    }
    return m;
  }

  /** A cube's sync options, with its health hooks. */
  private cubeSyncOptions(cube: string): CubeSyncOptions {
    return {
      ...syncOptions(this.options),
      health: {
        outOfTable: (service) => this.health.outOfTable(cube, service),
        readBack: (actual, model) => {
          for (const [service, ips] of healthSeeds(actual, model))
            this.health.seedHeldOut(cube, service, ips);
        },
        log: (message) => this.options.log('WARN', `cube ${cube}: ${message}`),
      },
    };
  }

  /** Queues one re-apply of `cube` so its tables follow health (coalesced while queued). */
  private healthChanged(cube: string): void {
    if (this.healthDirty.has(cube)) return;
    this.healthDirty.add(cube);
    void this.serialized(async () => {
      this.healthDirty.delete(cube);
      const sync = this.cubes.get(cube);
      const down = this.wentDown.filter((r) => r.cube === cube);
      this.wentDown.splice(0, this.wentDown.length, ...this.wentDown.filter((r) => r.cube !== cube));
      if (!sync) return;
      const applied = await sync.apply(sync.model);
      if (!applied.ok) {
        // Kept for the next health change's re-apply, which purges them.
        this.wentDown.push(...down);
        this.options.log('ERR', `cube ${cube}: health change not applied: ${applied.error.message}`);
        return;
      }
      this.afterSync(sync);
      if (!sync.status.ok) {
        // The table without them may not be in the kernel: purging now would re-balance their
        // flows onto them. The retry that brings the kernel in sync purges them (scheduleRetry).
        this.wentDown.push(...down);
        return;
      }
      // The table without them is written: their sessions go now, so a flow's next packet is
      // balanced again (TCP: the new backend resets it, the client fails fast; UDP moves at once).
      // One kept in its table because every backend of its service is DOWN keeps its sessions.
      const purge: PurgeBackend[] = [];
      for (const ref of down) {
        const ks = sync.kernel.services.get(kernelKeyOf(ref));
        const b = ks?.backends.get(ref.ip);
        if (!ks || b?.active !== false) continue;
        purge.push({ id: b.id, ip: ref.ip, port: ref.port, serviceId: ks.serviceId });
        this.options.onBackendDown?.(ref);
      }
      if (purge.length > 0) await this.endSessions(cube, purge, 'DOWN');
    });
  }

  /** Ends the sessions of `backends` (both entries of each), logging how many; never throws. */
  private async endSessions(cube: string, backends: readonly PurgeBackend[], why: string): Promise<void> {
    const which = backends.map((b) => b.ip).join(', ');
    try {
      const r = await purgeBackendSessions(this.host, cube, backends);
      this.options.log('INFO', `cube ${cube}: ${why}: ended ${r.forward} sessions of ${which}`);
    } catch (err) {
      this.options.log(
        'WARN',
        `cube ${cube}: ${why}: ending sessions of ${which} failed: ${(err as Error).message}`,
      );
    }
  }

  private afterSync(sync: CubeSync): void {
    this.portProber.configure(sync.model.name, probeSiteOf(sync.model));
    this.health.reconcile(sync.model);
    this.scheduleDrain();
    if (!sync.status.ok) {
      this.options.log(
        'WARN',
        `cube ${sync.model.name}: kernel not in sync (${sync.status.error}); retrying`,
      );
      this.scheduleRetry();
    }
  }

  /** Sets the drain timer to the earliest drain-timeout deadline of all cubes (none: no timer). */
  private scheduleDrain(): void {
    let next: number | undefined;
    for (const s of this.cubes.values()) {
      const d = s.drains.nextDeadline(s.model);
      if (d !== undefined && (next === undefined || d < next)) next = d;
    }
    if (this.drainTimer && next === this.drainAt) return;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    this.drainAt = next;
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - Date.now()), MAX_TIMER_MS);
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      this.drainAt = undefined;
      void this.serialized(() => this.endDrained());
    }, delay);
    this.drainTimer.unref();
  }

  /** Ends the sessions of every backend whose drain-timeout has passed, then re-arms the timer. */
  private async endDrained(): Promise<void> {
    const now = Date.now();
    for (const [name, sync] of this.cubes) {
      const due = sync.drains.takeDue(sync.model, now);
      if (due.length === 0) continue;
      await this.endSessions(name, due, 'drain-timeout');
    }
    this.scheduleDrain();
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.serialized(async () => {
        for (const sync of this.cubes.values()) {
          if (sync.status.ok) continue;
          try {
            await sync.retry();
          } catch (err) {
            sync.status.error = (err as Error).message;
          }
          if (!sync.status.ok) {
            this.scheduleRetry();
            continue;
          }
          const cube = sync.model.name;
          this.options.log('INFO', `cube ${cube}: kernel in sync again`);
          // Backends that went DOWN while it was not: their table is written now, so purge.
          if (this.wentDown.some((r) => r.cube === cube)) this.healthChanged(cube);
        }
      });
    }, this.options.retryMs);
    this.retryTimer.unref();
  }
}

/** How to reach polycubed. */
export interface LbrpServiceStart {
  /** `unix:/path` or `host:port` (then with `tls`). */
  address: string;
  tls?: { ca: Buffer; cert: Buffer; key: Buffer };
  options?: Partial<LbrpOptions>;
  backoff?: { initialMs?: number; maxMs?: number };
}

/** A running lbrp service: its gRPC connection and its handler. */
export interface RunningLbrp {
  kit: ServiceKit;
  service: LbrpService;
  /** Disconnects (cubes keep forwarding). */
  stop(): Promise<void>;
}

/** Connects to polycubed, registers `lbrp` and serves it until `stop()` (reconnecting as needed). */
export function startLbrpService(start: LbrpServiceStart): RunningLbrp {
  const ref: { service?: LbrpService } = {};
  const kit = new ServiceKit({
    address: start.address,
    name: 'lbrp',
    yang: readFileSync(LBRP_YANG_PATH, 'utf8'),
    ...(start.tls ? { tls: start.tls } : {}),
    ...(start.backoff ? { backoff: start.backoff } : {}),
    handler: {
      onConfig: (req) => (ref.service as LbrpService).onConfig(req),
      onResync: (cubes) => (ref.service as LbrpService).onResync(cubes),
      onPacketIn: (ev) => (ref.service as LbrpService).onPacketIn(ev),
    },
  });
  const svc = new LbrpService(kit, start.options);
  ref.service = svc;
  kit.start();
  return {
    kit,
    service: svc,
    stop: async () => {
      svc.stop();
      await kit.stop();
    },
  };
}
