// Which Maglev table size a service gets for its backend count: a short ladder of prime sizes, so
// that adding or removing a backend moves at most ~1.2 × the ideal number of slots for typical
// backend counts (≤ 40) while small services stay small (10,000 of them fit the kernel's slot pool).
// Pure: the size depends only on the count, so two instances agree and apply order never matters.

import { chooseTableSize } from './table-size';

/** One rung: services with up to `maxBackends` backends get at least `minSize` slots. */
export interface TableTier {
  maxBackends: number;
  minSize: number;
}

/** How table sizes are chosen (one typed object; defaults in {@link TABLE_POLICY_DEFAULTS}). */
export interface TablePolicy {
  /** Table size of a service with exactly one backend (a prime; 2 = the smallest table). */
  singleBackendSize: number;
  /**
   * No table for two backends or more is smaller (rounded up to a prime). 251, the largest prime
   * below 256: even a two-backend service keeps ~1% granularity for weights.
   */
  minTableSize: number;
  /**
   * No table is larger (the largest prime ≤ it); past the last tier every table has this size.
   * 131071 = 2^17 − 1 (prime) caps a service at 512 KiB of slots and still gives 100 slots per
   * backend up to ~1300 backends.
   */
  maxTableSize: number;
  /** Rungs in increasing `maxBackends` order. */
  tiers: readonly TableTier[];
}

/**
 * The default ladder, from the measured disruption of maglev-table (worst case over every backend
 * added or removed, equal weights; test/unit/lbrp/maglev/table-policy.test.ts keeps it true):
 *
 * | backends | size   | slots moved / ideal |
 * | -------- | ------ | ------------------- |
 * | 1        | 2      | (one backend owns every slot: nothing to spread) |
 * | 2–4      | 401    | ≤ 1.09              |
 * | 5–10     | 4001   | ≤ 1.13              |
 * | 11–20    | 16001  | ≤ 1.19              |
 * | 21–40    | 65537  | ≤ 1.20              |
 * | 41–1310  | 131071 | 1.2 up to ~80, then more (Maglev's trade-off: balance first) |
 *
 * Every size from 2 backends on is ≥ 100·N up to 1310 backends, so equal weights stay within 1%
 * of each other. A single backend gets the smallest prime table (2 slots): every flow goes to it
 * whatever the size, and going to two backends moves half of the flows, the ideal. 401 slots for
 * the small services keeps 10,000 two-backend services (4.01 M slots) inside the dataplane's
 * default pool of 2^22 slots, and 10,000 one-backend services cost 20,000 slots. Crossing a rung re-sizes the table, which moves almost every slot;
 * established sessions do not notice (they live in conntrack), only new flows are re-spread.
 * 131071 = 2^17 − 1 is prime and caps one service at 512 KiB of slots.
 */
export const TABLE_POLICY_DEFAULTS: TablePolicy = Object.freeze({
  singleBackendSize: 2,
  minTableSize: 251,
  maxTableSize: 131071,
  tiers: Object.freeze([
    { maxBackends: 4, minSize: 401 },
    { maxBackends: 10, minSize: 4001 },
    { maxBackends: 20, minSize: 16001 },
    { maxBackends: 40, minSize: 65537 },
  ]),
});

/**
 * The table size of a service with `backendCount` configured backends (drained ones included, so
 * draining never re-sizes): 0 without backends, `singleBackendSize` for one, else a prime from the
 * policy's ladder, never below 100 slots per backend unless `maxTableSize` forbids it. Throws on a negative or fractional count
 * (programmer error).
 */
export function tableSizeFor(backendCount: number, policy: TablePolicy = TABLE_POLICY_DEFAULTS): number {
  if (backendCount === 0) return 0;
  if (backendCount === 1) return policy.singleBackendSize;
  const tier = policy.tiers.find((t) => backendCount <= t.maxBackends);
  const floor = Math.max(policy.minTableSize, tier ? tier.minSize : policy.maxTableSize);
  return chooseTableSize(backendCount, {
    min: Math.min(floor, policy.maxTableSize),
    max: policy.maxTableSize,
  });
}
