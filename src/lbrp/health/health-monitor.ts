// The health of every probed backend of every cube: keeps one probe target per (cube, service,
// backend) whose service has a health-check type other than NONE, feeds results through the
// rise/fall/hold state machine, logs changes per cube and tells the service when a cube's table
// must follow (onTableChange) and which backends went DOWN (onBackendDown: where their sessions
// must be purged). No kernel access of its own.

import type { CubeModel, ServiceModel } from '../model/cube-model';
import { serviceKey } from '../model/cube-model';
import { DEFAULT_HEALTH_CHECK, effectiveTimeout, type HealthCheckConfig } from '../model/health-check-rules';
import { describeHealth, initialHealth, inTable, observe, type HealthState } from './health-state';
import { proberFor, type Prober, type ProbeResult, type ProbeTarget } from './probes';
import { ProbeScheduler } from './scheduler';

/** A backend of a service of a cube. */
export interface BackendRef {
  readonly cube: string;
  /** serviceKey: "vip:vport:PROTO". */
  readonly service: string;
  readonly vip: string;
  readonly vport: number;
  readonly proto: ServiceModel['proto'];
  readonly ip: string;
  /** The backend's own port. */
  readonly port: number;
}

export interface HealthMonitorOptions {
  log: (level: 'INFO' | 'WARN', message: string) => void;
  /** A cube's set of backends in the table changed: re-apply its model (coalesce as you like). */
  onTableChange: (cube: string) => void;
  /** A backend went DOWN (left the table unless every backend of its service is DOWN). */
  onBackendDown: (ref: BackendRef) => void;
  /** Minimum time DOWN before UP again. */
  holdMs: number;
  /** Probes running at once, over all cubes. */
  maxInFlight: number;
  /** Monotonic clock in ms (tests). */
  now?: () => number;
  /** The prober of a configuration (tests replace the network). */
  proberFor?: (cfg: HealthCheckConfig) => Prober | undefined;
  /** A prober through the cube's own BACKEND port for `cfg`, when the cube has one for its type
   * (TCP and ICMP with a probe-source); it takes precedence over proberFor. */
  portProberFor?: (cube: string, cfg: HealthCheckConfig) => Prober | undefined;
}

interface Target {
  ref: BackendRef;
  cfg: HealthCheckConfig;
  probePort: number;
  prober: Prober;
  /** Through the cube's BACKEND port (portProberFor), not the host's stack. */
  viaPort: boolean;
  /** What every probe of this target asks (built once). */
  probe: ProbeTarget;
  /** False once replaced or forgotten: a late result is then ignored. */
  live: boolean;
  /** Its state in the store, updated in place (no map lookup or new object kept per probe). */
  state: HealthState;
}

/** A HealthState the monitor updates in place (readers see it as readonly). */
type MutableState = { -readonly [K in keyof HealthState]: HealthState[K] };

const keyOf = (cube: string, service: string, ip: string): string => `${cube}|${service}|${ip}`;

/** Monotonic milliseconds (performance.now: no BigInt per call, as hrtime.bigint has). */
const monotonic = (): number => performance.now();

/** Health states by "cube|service", then backend ip (so a service's lookup is one get). */
class StateStore {
  private readonly byService = new Map<string, Map<string, HealthState>>();

  private static split(k: string): [string, string] {
    const i = k.lastIndexOf('|');
    return [k.slice(0, i), k.slice(i + 1)];
  }

  get(k: string): HealthState | undefined {
    const [svc, ip] = StateStore.split(k);
    return this.byService.get(svc)?.get(ip);
  }

  has(k: string): boolean {
    return this.get(k) !== undefined;
  }

  set(k: string, s: HealthState): void {
    const [svc, ip] = StateStore.split(k);
    let m = this.byService.get(svc);
    if (!m) this.byService.set(svc, (m = new Map()));
    m.set(ip, s);
  }

  delete(k: string): void {
    const [svc, ip] = StateStore.split(k);
    const m = this.byService.get(svc);
    m?.delete(ip);
    if (m?.size === 0) this.byService.delete(svc);
  }

  service(cubeService: string): ReadonlyMap<string, HealthState> | undefined {
    return this.byService.get(cubeService);
  }

  /** Keys of every state of `cube`. */
  keysOf(cube: string): string[] {
    const out: string[] = [];
    for (const [svc, m] of this.byService)
      if (svc.startsWith(`${cube}|`)) for (const ip of m.keys()) out.push(`${svc}|${ip}`);
    return out;
  }
}

export class HealthMonitor {
  private readonly states = new StateStore();
  private readonly targets = new Map<string, Target>();
  private readonly scheduler: ProbeScheduler;
  private readonly now: () => number;
  private readonly proberOf: (cfg: HealthCheckConfig) => Prober | undefined;

  constructor(private readonly opts: HealthMonitorOptions) {
    this.scheduler = new ProbeScheduler({ maxInFlight: opts.maxInFlight });
    this.now = opts.now ?? monotonic;
    this.proberOf = opts.proberFor ?? proberFor;
  }

  /** The state of a backend, or undefined when its service does no checks. */
  state(cube: string, service: string, ip: string): HealthState | undefined {
    return this.states.get(keyOf(cube, service, ip));
  }

  /** health-detail of a backend. */
  detail(cube: string, service: string, ip: string): string {
    const s = this.state(cube, service, ip);
    return s ? describeHealth(s, Date.now(), this.now()) : 'no health-check configured';
  }

  /** Backend ips of `service` in `cube` that health keeps out of the table. */
  outOfTable(cube: string, service: string): ReadonlySet<string> {
    const out = new Set<string>();
    for (const [ip, s] of this.states.service(`${cube}|${service}`) ?? []) if (!inTable(s)) out.add(ip);
    return out;
  }

  /**
   * After a restart: backends the kernel holds inactive although configured with a weight were out
   * of the table by health; they stay out (UNKNOWN, held) until probed, so the table does not flap.
   */
  seedHeldOut(cube: string, service: string, ips: Iterable<string>): void {
    for (const ip of ips) {
      const k = keyOf(cube, service, ip);
      if (!this.states.has(k)) this.states.set(k, initialHealth(this.now(), true));
    }
  }

  /** Makes the probe targets of `model` (its cube) match its services and health-checks. */
  reconcile(model: CubeModel): void {
    const cube = model.name;
    const wanted = new Set<string>();
    let tableChanged = false;
    for (const svc of model.services.values()) {
      const cfg = svc.healthCheck ?? DEFAULT_HEALTH_CHECK;
      const portProber = this.opts.portProberFor?.(cube, cfg);
      const prober = portProber ?? this.proberOf(cfg);
      if (!prober) continue;
      const service = serviceKey(svc.vip, svc.vport, svc.proto);
      for (const b of svc.backends.values()) {
        const k = keyOf(cube, service, b.ip);
        wanted.add(k);
        const probePort = cfg.port !== 0 ? cfg.port : b.port;
        const cur = this.targets.get(k);
        // Same check, same path (a port prober is one function per cube and site).
        if (
          cur &&
          cur.cfg === cfg &&
          cur.probePort === probePort &&
          (portProber ? cur.prober === portProber : !cur.viaPort)
        )
          continue;
        const ref: BackendRef = {
          cube,
          service,
          vip: svc.vip,
          vport: svc.vport,
          proto: svc.proto,
          ip: b.ip,
          port: b.port,
        };
        if (cur) cur.live = false;
        let state = this.states.get(k);
        if (!state) this.states.set(k, (state = initialHealth(this.now())));
        const t: Target = {
          ref,
          cfg,
          probePort,
          prober,
          viaPort: portProber !== undefined,
          probe: { ip: b.ip, port: probePort, timeoutMs: effectiveTimeout(cfg) },
          live: true,
          state,
        };
        this.targets.set(k, t);
        this.scheduler.add(k, { intervalMs: cfg.interval, run: this.runnerOf(t) });
      }
    }
    for (const k of this.states.keysOf(cube)) {
      if (wanted.has(k)) continue;
      const s = this.states.get(k) as HealthState;
      if (!inTable(s)) tableChanged = true;
      this.forget(k);
    }
    if (tableChanged) this.opts.onTableChange(cube);
  }

  /** Forgets a deleted cube. */
  dropCube(cube: string): void {
    for (const k of this.states.keysOf(cube)) this.forget(k);
  }

  /** Stops every probe. */
  stop(): void {
    this.scheduler.stop();
    for (const t of this.targets.values()) t.live = false;
    this.targets.clear();
  }

  /** Probes scheduled (targets), running and waiting. */
  load(): { targets: number; running: number; waiting: number } {
    return { targets: this.targets.size, running: this.scheduler.running, waiting: this.scheduler.waiting };
  }

  private forget(k: string): void {
    const t = this.targets.get(k);
    if (t) t.live = false;
    this.scheduler.remove(k);
    this.targets.delete(k);
    this.states.delete(k);
  }

  /** One probe of `t` and its result, as the scheduler runs it (the handlers made once). */
  private runnerOf(t: Target): () => Promise<void> {
    const onResult = (r: ProbeResult): void => this.record(t, r);
    const onError = (err: unknown): void =>
      this.record(t, { ok: false, detail: `probe error: ${(err as Error).message}` });
    return () => {
      let p: Promise<ProbeResult>;
      try {
        p = t.prober(t.probe);
      } catch (err) {
        p = Promise.reject(err as Error);
      }
      return p.then(onResult, onError);
    };
  }

  /** Applies one result (ignored when the target was replaced or removed meanwhile). */
  private record(t: Target, r: ProbeResult): void {
    if (!t.live) return;
    const prev = t.state;
    const wasHealth = prev.health;
    const wasInTable = inTable(prev);
    const next = observe(prev, r.ok, r.detail, this.now(), {
      rise: t.cfg.rise,
      fall: t.cfg.fall,
      holdMs: this.opts.holdMs,
    });
    Object.assign(prev as MutableState, next);
    if (next.health !== wasHealth) {
      const { cube, service, ip, port } = t.ref;
      this.opts.log(
        next.health === 'DOWN' ? 'WARN' : 'INFO',
        `cube ${cube}: service ${service} backend ${ip}:${port} is ${next.health} (was ${wasHealth}): ${r.detail}`,
      );
    }
    if (inTable(next) !== wasInTable) this.opts.onTableChange(t.ref.cube);
    if (next.health === 'DOWN' && wasHealth !== 'DOWN') this.opts.onBackendDown(t.ref);
  }
}
