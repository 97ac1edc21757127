// The lbrp service's configuration: one typed object with every default in one place (STYLE §9):
// Maglev table sizes, write batching, counter freshness and how often a failed kernel sync is
// retried. Map sizes are per cube (the init-only YANG size leaves), not service options.

import { TABLE_POLICY_DEFAULTS, type TablePolicy } from './maglev/table-policy';
import type { CubeSyncOptions } from './sync/cube-sync';
import { sessionClock, type SessionClock } from './dataplane/session-clock';
import type { BackendRef } from './health/health-monitor';
import type { Prober } from './health/probes';
import type { HealthCheckConfig } from './model/cube-model';

/** Severity of the service's own log lines. */
export type LbrpLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERR';

/** Everything an LbrpService can be told. */
export interface LbrpOptions {
  /** Maglev table sizes by backend count (min/max configurable). */
  policy: TablePolicy;
  /** Map writes per WriteMaps call (bounds gRPC message sizes). */
  writeChunk: number;
  /** Counters are read from the kernel at most this often per cube. */
  statsTtlMs: number;
  /** Delay before retrying a cube whose map writes failed. */
  retryMs: number;
  /** The kernel's clock (HZ, jiffies): measured once per process from /proc/timer_list. */
  clock: () => Promise<SessionClock>;
  /** Where the service's own log lines go. */
  log: (level: LbrpLogLevel, message: string) => void;
  /** Health checks: minimum time a DOWN backend stays DOWN before it may be UP again. */
  healthHoldMs: number;
  /** Health probes running at once, over all cubes. */
  healthMaxInFlight: number;
  /**
   * Called for each backend that went DOWN, after the table without it was written: the place to
   * end its sessions so their next packet is balanced again.
   */
  onBackendDown?: (ref: BackendRef) => void;
  /** The prober of a health-check (default: the host-stack probers; tests replace the network). */
  healthProberFor?: (cfg: HealthCheckConfig) => Prober | undefined;
}

/** Defaults: the table ladder of table-policy.ts. */
export const LBRP_DEFAULTS: LbrpOptions = {
  policy: TABLE_POLICY_DEFAULTS,
  writeChunk: 50_000, // ~1.5 MB of MapOps per call, well under the 64 MiB gRPC limit
  statsTtlMs: 1_000,
  retryMs: 1_000,
  clock: sessionClock,
  log: (level, message) => console.log(`lbrp ${level} ${message}`),
  healthHoldMs: 2_000,
  healthMaxInFlight: 256,
};

/** `opts` over the defaults. */
export function resolveLbrpOptions(opts: Partial<LbrpOptions> = {}): LbrpOptions {
  return { ...LBRP_DEFAULTS, ...opts };
}

/** The CubeSync options of a resolved configuration. */
export function syncOptions(o: LbrpOptions): CubeSyncOptions {
  return { policy: o.policy, writeChunk: o.writeChunk, clock: o.clock };
}
