// drain-timeout of one cube: when each backend was drained (weight 0, F_BACKEND_ACTIVE cleared)
// or removed from its service, and which of them have been so for longer than their service's
// drain-timeout — their sessions are then ended (session-purge.ts) by the service's timer. Fed
// with every kernel state the cube's sync moves to; pure (the caller passes the time).
//
// The times live in this process only. After a restart the drained backends found in the maps
// count as drained from the adoption on (their sessions end at most drain-timeout after it), and
// backends removed before the restart are not known any more (their sessions run until their
// idle timeout). A backend made active again is forgotten; a service deleted takes its entries.

import type { CubeModel } from '../model/cube-model';
import { policyOf } from '../model/service-policy';
import { kernelKeyOf, type KernelState } from './kernel-state';
import type { PurgeBackend } from './session-purge';

/** A drained or removed backend of a service. */
interface Drained {
  /** Kernel service key ("vip:vport:proto number"). */
  service: string;
  serviceId: number;
  id: number;
  ip: string;
  port: number;
  /** When it was drained or removed (ms, the caller's clock). */
  since: number;
  /** Removed from the service (forgotten once purged). */
  removed: boolean;
  /** Its sessions were purged (a drained backend stays known until made active or removed). */
  done: boolean;
}

/** A due backend, with the service it was drained in (for logs). */
export interface DueBackend extends PurgeBackend {
  service: string;
  serviceId: number;
  ip: string;
}

/** The drained and removed backends of one cube. */
export class DrainTracker {
  /** By "service key|backend ip". */
  private readonly entries = new Map<string, Drained>();

  /** Records the change from `prev` to `next` (what the maps hold before and after a sync) at `now`. */
  observe(prev: KernelState, next: KernelState, now: number): void {
    for (const [service, s] of next.services) {
      for (const b of s.backends.values()) {
        const key = `${service}|${b.ip}`;
        const known = this.entries.get(key);
        if (b.active) this.entries.delete(key);
        else if (!known || known.id !== b.id)
          this.entries.set(key, {
            service,
            serviceId: s.serviceId,
            id: b.id,
            ip: b.ip,
            port: b.port,
            since: now,
            removed: false,
            done: false,
          });
      }
    }
    for (const [service, p] of prev.services) {
      const n = next.services.get(service);
      for (const b of p.backends.values()) {
        if (n?.backends.has(b.ip)) continue;
        const key = `${service}|${b.ip}`;
        // Removed: drained before? keep that time (and purge again if it was); else it starts now.
        const known = this.entries.get(key);
        if (known) Object.assign(known, { removed: true, done: false });
        else if (n)
          this.entries.set(key, {
            service,
            serviceId: p.serviceId,
            id: b.id,
            ip: b.ip,
            port: b.port,
            since: now,
            removed: true,
            done: false,
          });
      }
    }
    for (const [key, e] of this.entries) if (!next.services.has(e.service)) this.entries.delete(key);
  }

  /** drain-timeout (ms) of each kernel service of `model` that has one. */
  private static timeouts(model: CubeModel): Map<string, number> {
    const out = new Map<string, number>();
    for (const svc of model.services.values()) {
      const t = policyOf(svc).drainTimeout;
      if (t > 0) out.set(kernelKeyOf(svc), t * 1000);
    }
    return out;
  }

  /** When the next backend becomes due under `model`'s timeouts, or undefined. */
  nextDeadline(model: CubeModel): number | undefined {
    const t = DrainTracker.timeouts(model);
    let next: number | undefined;
    for (const e of this.entries.values()) {
      const ms = t.get(e.service);
      if (e.done || ms === undefined) continue;
      if (next === undefined || e.since + ms < next) next = e.since + ms;
    }
    return next;
  }

  /**
   * The backends due at `now` (drained or removed for at least their service's drain-timeout),
   * marked done: each is returned once (again only after being made active and drained anew).
   */
  takeDue(model: CubeModel, now: number): DueBackend[] {
    const t = DrainTracker.timeouts(model);
    const out: DueBackend[] = [];
    for (const [key, e] of this.entries) {
      const ms = t.get(e.service);
      if (e.done || ms === undefined || e.since + ms > now) continue;
      e.done = true;
      if (e.removed) this.entries.delete(key);
      out.push({ id: e.id, ip: e.ip, port: e.port, service: e.service, serviceId: e.serviceId });
    }
    return out;
  }

  /** How many backends are known as drained or removed (tests, tools). */
  get size(): number {
    return this.entries.size;
  }
}
