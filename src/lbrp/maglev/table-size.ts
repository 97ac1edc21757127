// Maglev table sizes: primality helpers and the size ladder chosen from the backend count.
// Used by maglev-table.ts (which insists on a prime size) and by whoever configures a service's table.

/**
 * Slots per backend: the Maglev paper's rule of thumb M ≥ 100·N keeps every backend within ~1% of
 * its ideal share. The bounds around it are the table policy's (table-policy.ts, one place).
 */
export const SLOTS_PER_BACKEND = 100;

/** Bounds for {@link chooseTableSize} (the table policy's `minTableSize` and `maxTableSize`). */
export interface TableSizeBounds {
  /** Smallest size to return (before rounding up to a prime). */
  min: number;
  /** Largest size to return; a non-prime cap yields the largest prime below it. */
  max: number;
}

/** True when `n` is a prime integer. Exact for every safe integer; O(√n) trial division. */
export function isPrime(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  if (n % 3 === 0) return n === 3;
  for (let d = 5; d * d <= n; d += 6) {
    if (n % d === 0 || n % (d + 2) === 0) return false;
  }
  return true;
}

/** Smallest prime ≥ `n` (2 for anything below 2). Throws on a non-finite `n`. */
export function nextPrime(n: number): number {
  if (!Number.isFinite(n)) throw new RangeError(`nextPrime: expected a finite number, got ${n}`);
  let c = Math.max(2, Math.ceil(n));
  while (!isPrime(c)) c++;
  return c;
}

/** Largest prime ≤ `n`. Throws when `n` < 2 (there is none). */
export function prevPrime(n: number): number {
  if (!Number.isFinite(n) || n < 2) throw new RangeError(`prevPrime: expected a number ≥ 2, got ${n}`);
  let c = Math.floor(n);
  while (!isPrime(c)) c--;
  return c;
}

/**
 * Picks a prime table size for `backendCount` backends: the smallest prime ≥ max(min, 100 × N),
 * capped to the largest prime ≤ max. With min 251 and max 131071 (the policy's defaults) the
 * ladder is: N ≤ 2 → 251, 3 → 307, 10 → 1009, 100 → 10007, 1000 → 100003, N ≥ 1311 → 131071.
 *
 * The cap wins over `min` when no prime lies in [min, max]. Throws (programmer error) when
 * `backendCount` is not a non-negative integer, `min` > `max` or `max` < 2. Never returns a non-prime.
 */
export function chooseTableSize(backendCount: number, { min, max }: TableSizeBounds): number {
  if (!Number.isSafeInteger(backendCount) || backendCount < 0) {
    throw new RangeError(`chooseTableSize: expected a backend count ≥ 0, got ${backendCount}`);
  }
  if (!(min <= max) || max < 2) {
    throw new RangeError(`chooseTableSize: expected min ≤ max and max ≥ 2, got min ${min}, max ${max}`);
  }
  const wanted = nextPrime(Math.max(min, SLOTS_PER_BACKEND * backendCount));
  return wanted <= max ? wanted : prevPrime(max);
}
