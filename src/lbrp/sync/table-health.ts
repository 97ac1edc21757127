// Health → the model the tables are derived from: a backend out of the table by health gets weight
// 0 there (only its slots move, it loses F_BACKEND_ACTIVE like a drained backend), while the
// accepted configuration keeps its weight. When every weighted backend of a service would be out,
// the last applied set is kept instead (README "Health checks": forwarding to maybe-alive backends
// beats a black hole) and logged. Services untouched by health keep their object, so derive's
// per-service reuse still works. Pure apart from its memo and the log callback.

import { serviceKey, type BackendModel, type CubeModel, type ServiceModel } from '../model/cube-model';

/** Backend ips of a service (by serviceKey) that health keeps out of the table. */
export type OutOfTable = (serviceKey: string) => ReadonlySet<string> | undefined;

interface Memo {
  src: ServiceModel;
  sig: string;
  eff: ServiceModel;
  applied: ReadonlySet<string>;
  allDown: boolean;
}

/** The table view of one cube's models, remembering what it applied per service. */
export class TableHealth {
  private memo = new Map<string, Memo>();

  constructor(
    private readonly out: OutOfTable,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** Backends of `key` the last `of` took out of the table. */
  applied(key: string): ReadonlySet<string> {
    return this.memo.get(key)?.applied ?? new Set();
  }

  /** `model` with the backends health keeps out at weight 0 (the same object when none are). */
  of(model: CubeModel): CubeModel {
    const next = new Map<string, Memo>();
    let changed = false;
    const services = new Map<string, ServiceModel>();
    for (const [key, svc] of model.services) {
      const m = this.serviceOf(key, svc);
      next.set(key, m);
      services.set(key, m.eff);
      if (m.eff !== svc) changed = true;
    }
    this.memo = next;
    return changed ? { ...model, services } : model;
  }

  private serviceOf(key: string, svc: ServiceModel): Memo {
    const prev = this.memo.get(key);
    const weighted = [...svc.backends.values()].filter((b) => b.weight > 0).map((b) => b.ip);
    const down = this.out(key);
    let applied = new Set(weighted.filter((ip) => down?.has(ip)));
    const allDown = weighted.length > 0 && applied.size === weighted.length;
    if (allDown) {
      // Keep the last table: what was out before stays out, the rest stays in.
      applied = new Set(weighted.filter((ip) => prev?.applied.has(ip)));
      if (applied.size === weighted.length) applied = new Set(); // the pool shrank to its dead
      if (!prev?.allDown)
        this.log(
          `service ${key}: every backend is DOWN; keeping the last Maglev table (${weighted.length - applied.size} backends stay in it) until one is UP`,
        );
    } else if (prev?.allDown) {
      this.log(`service ${key}: a backend is UP again; the table follows health again`);
    }
    const sig = [...applied].sort().join(',');
    if (prev && prev.src === svc && prev.sig === sig) return { ...prev, allDown };
    let eff: ServiceModel = svc;
    if (applied.size > 0) {
      const backends = new Map<string, BackendModel>();
      for (const [ip, b] of svc.backends) backends.set(ip, applied.has(ip) ? { ...b, weight: 0 } : b);
      eff = { ...svc, backends };
    }
    return { src: svc, sig, eff, applied, allDown };
  }
}

/** serviceKey of a service (re-exported for callers that only have the model). */
export const keyOf = (svc: ServiceModel): string => serviceKey(svc.vip, svc.vport, svc.proto);
