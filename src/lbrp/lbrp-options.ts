// The lbrp service's configuration: one typed object with every default in one place (STYLE §9):
// Maglev table sizes, the kernel capacities lbrp allocates in, write batching, counter freshness
// and how often a failed kernel sync is retried.

import { MAX_DEFAULTS } from './dataplane/map-layouts';
import { TABLE_POLICY_DEFAULTS, type TablePolicy } from './maglev/table-policy';
import type { DataplaneMaxima } from './sync/dataplane-source';
import type { CubeSyncOptions, SyncCapacity } from './sync/cube-sync';

/** Severity of the service's own log lines. */
export type LbrpLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERR';

/** Everything an LbrpService can be told. */
export interface LbrpOptions {
  /** Maglev table sizes by backend count (min/max configurable). */
  policy: TablePolicy;
  /**
   * Per cube: service ids, backend ids and Maglev slots (the dataplane's MAX_SERVICES,
   * MAX_BACKENDS, MAX_MAGLEV_SLOTS; other values are compiled in with -D). Must not change for
   * a cube that already runs: its pinned maps keep their size.
   */
  capacity: SyncCapacity;
  /** Map writes per WriteMaps call (bounds gRPC message sizes). */
  writeChunk: number;
  /** Counters are read from the kernel at most this often per cube. */
  statsTtlMs: number;
  /** Delay before retrying a cube whose map writes failed. */
  retryMs: number;
  /** Where the service's own log lines go. */
  log: (level: LbrpLogLevel, message: string) => void;
}

/** Defaults: the dataplane's default map sizes, the table ladder of table-policy.ts. */
export const LBRP_DEFAULTS: LbrpOptions = {
  policy: TABLE_POLICY_DEFAULTS,
  capacity: {
    services: MAX_DEFAULTS.MAX_SERVICES,
    backends: MAX_DEFAULTS.MAX_BACKENDS,
    slots: MAX_DEFAULTS.MAX_MAGLEV_SLOTS,
  },
  writeChunk: 50_000, // ~1.5 MB of MapOps per call, well under the 64 MiB gRPC limit
  statsTtlMs: 1_000,
  retryMs: 1_000,
  log: (level, message) => console.log(`lbrp ${level} ${message}`),
};

/** `opts` over the defaults. */
export function resolveLbrpOptions(opts: Partial<LbrpOptions> = {}): LbrpOptions {
  return { ...LBRP_DEFAULTS, ...opts, capacity: { ...LBRP_DEFAULTS.capacity, ...opts.capacity } };
}

/** The CubeSync options of a resolved configuration (-D only for sizes that differ). */
export function syncOptions(o: LbrpOptions): CubeSyncOptions {
  const maxima: DataplaneMaxima = {};
  if (o.capacity.services !== MAX_DEFAULTS.MAX_SERVICES) maxima.MAX_SERVICES = o.capacity.services;
  if (o.capacity.backends !== MAX_DEFAULTS.MAX_BACKENDS) maxima.MAX_BACKENDS = o.capacity.backends;
  if (o.capacity.slots !== MAX_DEFAULTS.MAX_MAGLEV_SLOTS) maxima.MAX_MAGLEV_SLOTS = o.capacity.slots;
  return { policy: o.policy, capacity: o.capacity, maxima, writeChunk: o.writeChunk };
}
