// Weighted Maglev lookup table (Eisenbud et al., NSDI'16 §3.4) for one service's backend set.
// Pipeline: model/ hands in {id, weight} backends → this builds a fresh table → sync/ translates
// entries to kernel backend ids (translateTable), diffs against the last table and writes the delta.

import { hashId } from './id-hash';
import { isPrime } from './table-size';

export { chooseTableSize, isPrime, nextPrime, prevPrime, SLOTS_PER_BACKEND } from './table-size';
export type { TableSizeBounds } from './table-size';

/** One backend as Maglev sees it. */
export interface MaglevBackend {
  /** Stable identity (e.g. the backend's ip, or `ip:port`); hashed as UTF-8 to place the backend. */
  id: string;
  /** Non-negative safe integer; slots are shared in proportion to it, and 0 means drain (no slots). */
  weight: number;
}

/** Table entry when no backend has weight > 0. */
export const NO_BACKEND = -1;

/** Seed of the hash giving each backend's first preferred slot (`offset`). FNV-1a's offset basis. */
const OFFSET_SEED = 0x811c9dc5;
/**
 * Seed of the hash giving each backend's stride (`skip`): 2^32/φ, any constant ≠ OFFSET_SEED would do.
 * Changing either seed reshuffles every table, so the pinned-checksum test guards both.
 */
const SKIP_SEED = 0x9e3779b9;

/**
 * Returns a copy of `backends` sorted by id (UTF-16 code-unit order) — the order that
 * {@link buildMaglevTable}'s entries index into. Never mutates its input.
 */
export function orderBackends<T extends MaglevBackend>(backends: readonly T[]): T[] {
  return [...backends].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Builds the weighted Maglev table of `tableSize` slots for `backends`.
 *
 * Contract:
 * - Entry = index into `orderBackends(backends)` (sorted by id), or {@link NO_BACKEND} (−1) in every
 *   slot when no backend has weight > 0 (including an empty list). With at least one positive
 *   weight, every slot holds a backend.
 * - Deterministic: depends only on the set of (id, weight) pairs and `tableSize`, never on input
 *   order, process or platform, so two instances compute identical tables.
 * - Proportional: backend i holds ⌊M·wᵢ/Σw⌋ or ⌈M·wᵢ/Σw⌉ slots (largest-remainder apportionment),
 *   so equal weights differ by at most 1 slot and weight 0 (drain) gets none. A positive weight
 *   whose share is below one slot still gets one (taken from the largest quota) when M ≥ N.
 * - Equal weights reproduce the paper's populate loop exactly; weights only space out turns.
 * - Returns a fresh array (swap it in whole; never patch a table someone else holds).
 *
 * - With `values`, entries are `values[index]` instead (what translateTable would return, without
 *   a second pass over the table).
 *
 * Cost: O(M log M) slot probes plus O(M + N log N), whatever the weights; ~3 ms for M = 65537,
 * N = 100 (bench/control/maglev.ts). Throws (programmer error) when `tableSize` is not prime, a
 * weight is not a non-negative integer, M × Σweight is not a safe integer, or two ids repeat.
 */
export function buildMaglevTable(
  backends: readonly MaglevBackend[],
  tableSize: number,
  values?: ArrayLike<number>,
): Int32Array {
  if (!isPrime(tableSize)) {
    throw new RangeError(`buildMaglevTable: table size must be prime, got ${tableSize}`);
  }
  const ordered = orderBackends(backends);
  assertBackends(ordered, tableSize);
  const table = new Int32Array(tableSize).fill(NO_BACKEND);
  const active: number[] = [];
  ordered.forEach((b, i) => {
    if (b.weight > 0) active.push(i);
  });
  if (active.length > 0) fillTable(table, ordered, active, values);
  return table;
}

/** A backend's preference list in a table of M slots: offset, offset + skip, … (mod M). */
export interface MaglevPermutation {
  /** First preferred slot, h₁(id) mod M. */
  offset: number;
  /** Stride, h₂(id) mod (M − 1) + 1; in 1..M−1, so with M prime the walk visits every slot. */
  skip: number;
}

/**
 * Returns the permutation `id` walks in a table of `tableSize` slots (the paper's offset/skip pair).
 * Exposed for tests and debugging; {@link buildMaglevTable} derives the same values.
 */
export function derivePermutation(id: string, tableSize: number): MaglevPermutation {
  return {
    offset: hashId(id, OFFSET_SEED) % tableSize,
    skip: (hashId(id, SKIP_SEED) % (tableSize - 1)) + 1,
  };
}

/**
 * Maps every entry of `table` through `values` (`values[i]` stands for `orderBackends(backends)[i]`,
 * e.g. its kernel backend id); {@link NO_BACKEND} stays −1. Diff translated tables, not raw ones:
 * raw indices shift when a backend whose id sorts first is added. Returns a fresh array.
 */
export function translateTable(table: Int32Array, values: ArrayLike<number>): Int32Array {
  const out = new Int32Array(table.length);
  for (let s = 0; s < table.length; s++) {
    const e = table[s];
    out[s] = e === NO_BACKEND ? NO_BACKEND : values[e];
  }
  return out;
}

function assertBackends(ordered: readonly MaglevBackend[], tableSize: number): void {
  let total = 0;
  for (let i = 0; i < ordered.length; i++) {
    const { id, weight } = ordered[i];
    if (!Number.isSafeInteger(weight) || weight < 0) {
      throw new RangeError(
        `buildMaglevTable: invalid weight ${weight} for backend "${id}": expected an integer ≥ 0`,
      );
    }
    if (i > 0 && ordered[i - 1].id === id) {
      throw new RangeError(`buildMaglevTable: duplicate backend id "${id}"`);
    }
    total += weight;
  }
  // apportionSlots multiplies weights by the table size; keep that exact.
  if (total * tableSize > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`buildMaglevTable: total weight ${total} is too large for ${tableSize} slots`);
  }
}

/**
 * Splits the `m` slots between the backends in proportion to their weights by largest remainder
 * (Hamilton): ⌊m·wᵢ/Σw⌋ each, then one more to the largest remainders, ties to the lower index.
 * So every quota is within 1 slot of the exact share, and equal weights give ⌈m/N⌉ to the first
 * m mod N backends and ⌊m/N⌋ to the rest — what the paper's round-robin ends with.
 */
function apportionSlots(weights: readonly number[], m: number): Int32Array {
  const n = weights.length;
  let total = 0;
  for (const w of weights) total += w;
  const quota = new Int32Array(n);
  const remainder = new Float64Array(n);
  let given = 0;
  for (let i = 0; i < n; i++) {
    const scaled = m * weights[i]; // exact: assertBackends keeps m × Σweight a safe integer
    quota[i] = Math.floor(scaled / total);
    remainder[i] = scaled - quota[i] * total;
    given += quota[i];
  }
  const byRemainder = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => remainder[b] - remainder[a] || a - b,
  );
  for (let k = 0; k < m - given; k++) quota[byRemainder[k]]++;
  giveEveryWeightASlot(quota);
  return quota;
}

/**
 * A positive weight must receive traffic: a backend whose share rounded to 0 slots (weight 20
 * next to 65535) takes one slot from the largest quota (ties: the highest index, so the first
 * backends keep theirs). Needs m ≥ n, which the table-size policy's 100 slots per backend gives;
 * with fewer slots some backends stay without one.
 */
function giveEveryWeightASlot(quota: Int32Array): void {
  for (let i = 0; i < quota.length; i++) {
    if (quota[i] > 0) continue;
    let donor = -1;
    for (let k = 0; k < quota.length; k++)
      if (quota[k] > 1 && (donor < 0 || quota[k] >= quota[donor])) donor = k;
    if (donor < 0) return;
    quota[donor]--;
    quota[i] = 1;
  }
}

/**
 * The populate loop. Each backend walks its permutation (offset, offset + skip, … mod M; a full
 * cycle because M is prime and 1 ≤ skip < M) and claims its next free slot when its turn comes.
 * Turns are weighted by quota qᵢ: over Q = max quota rounds, backend i claims in round r (0-based)
 * when r = ⌊j·Q/qᵢ⌋ for its j-th claim, so it claims in round 0, spreads its qᵢ claims evenly and
 * the table is full when round Q − 1 ends. Within a round, backends go in id order. With equal
 * weights this is exactly the paper's round-robin.
 *
 * Speed (same output): taken slots are a bitset (M/8 bytes stay in the L1 cache), and once few
 * slots are free the walk is replaced by a scan of the free slots (see claimFromFreeList): a walk
 * costs about M/F probes when F slots are free, so most of a plain fill's probes fall in its last
 * few hundred claims.
 */
function fillTable(
  table: Int32Array,
  ordered: readonly MaglevBackend[],
  active: readonly number[],
  values: ArrayLike<number> | undefined,
): void {
  const m = table.length;
  const quotas = apportionSlots(
    active.map((i) => ordered[i].weight),
    m,
  );
  const n = active.length;
  const next = new Int32Array(n);
  const skip = new Int32Array(n);
  const entry = new Int32Array(n); // what backend k's slots hold
  for (let k = 0; k < n; k++) {
    entry[k] = values ? values[active[k]] : active[k];
    const id = ordered[active[k]].id;
    next[k] = hashId(id, OFFSET_SEED) % m;
    skip[k] = (hashId(id, SKIP_SEED) % (m - 1)) + 1;
  }
  const turns = scheduleTurns(quotas, m);
  const taken = new Int32Array((m + 31) >>> 5);
  const tail = m <= MAX_SCAN_TABLE ? Math.min(m, Math.ceil(Math.sqrt(m / SCAN_COST))) : 0;
  const walked = m - tail;
  for (let t = 0; t < walked; t++) {
    const k = turns[t];
    const back = skip[k] - m; // slot + skip mod M = slot + back, plus M when negative
    let slot = next[k];
    // Branch-free wrap (slot >> 31 is −1 when negative): a wrap branch taken at random mispredicts.
    while ((taken[slot >>> 5] & (1 << (slot & 31))) !== 0) {
      slot += back;
      slot += m & (slot >> 31);
    }
    taken[slot >>> 5] |= 1 << (slot & 31);
    table[slot] = entry[k];
    slot += back;
    next[k] = slot + (m & (slot >> 31));
  }
  if (tail > 0) claimFromFreeList(table, taken, turns, walked, next, skip, entry);
}

/** Tables up to this size use the free-slot scan: (M−1)² stays an exact double below 2⁵³. */
const MAX_SCAN_TABLE = 1 << 26;
/** Measured cost of one scanned free slot relative to one walk probe (sets where the scan starts). */
const SCAN_COST = 2;

/**
 * The last claims, from `first` on, when few slots are free: backend k's walk from p reaches slot
 * f after j(f) = (f − p)·skip⁻¹ mod M steps, so its first free slot on the walk is the free slot
 * with the smallest j, the slot the walk would stop at. Each claim costs one pass over the free
 * slots instead of about M/F probes.
 */
function claimFromFreeList(
  table: Int32Array,
  taken: Int32Array,
  turns: Int32Array,
  first: number,
  next: Int32Array,
  skip: Int32Array,
  entry: Int32Array,
): void {
  const m = table.length;
  const free = new Int32Array(m - first);
  let count = 0;
  for (let s = 0; s < m; s++) if ((taken[s >>> 5] & (1 << (s & 31))) === 0) free[count++] = s;
  const inverse = new Float64Array(skip.length); // 0: not computed yet (skip⁻¹ is never 0)
  const mInv = 1 / m;
  for (let t = first; t < m; t++) {
    const k = turns[t];
    let inv = inverse[k];
    if (inv === 0) inv = inverse[k] = modInverse(skip[k], m);
    const p = next[k];
    let best = 0;
    let bestSteps = m;
    for (let i = 0; i < count; i++) {
      let d = free[i] - p;
      if (d < 0) d += m;
      const x = d * inv; // < 2⁵³: exact
      let steps = x - Math.floor(x * mInv) * m;
      if (steps < 0) steps += m;
      else if (steps >= m) steps -= m;
      if (steps < bestSteps) {
        bestSteps = steps;
        best = i;
      }
    }
    const slot = free[best];
    free[best] = free[--count];
    table[slot] = entry[k];
    const after = slot + skip[k];
    next[k] = after >= m ? after - m : after;
  }
}

/** a⁻¹ mod m for a prime m and 0 < a < m (extended Euclid). */
function modInverse(a: number, m: number): number {
  let [r0, r1] = [m, a];
  let [t0, t1] = [0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return t0 < 0 ? t0 + m : t0;
}

/**
 * Orders the m claims (Σ quotas = m) by (round, backend): backend k's j-th claim falls in round
 * ⌊j·Q/qₖ⌋ (stepped in integers, never multiplied out), then a stable counting sort on the round.
 * Linear in m + Q, whatever the weight skew.
 */
function scheduleTurns(quotas: Int32Array, m: number): Int32Array {
  const n = quotas.length;
  let rounds = 0;
  let least = m;
  for (let k = 0; k < n; k++) {
    if (quotas[k] > rounds) rounds = quotas[k];
    if (quotas[k] < least) least = quotas[k];
  }
  if (rounds - least <= 1) return roundRobinTurns(quotas, m, rounds);
  const claimRound = new Int32Array(m);
  const claimOwner = new Int32Array(m);
  let e = 0;
  for (let k = 0; k < n; k++) {
    const q = quotas[k];
    if (q === 0) continue;
    const whole = Math.floor(rounds / q);
    const part = rounds - whole * q;
    // invariant: j·Q = r·q + rem, 0 ≤ rem < q
    for (let j = 0, r = 0, rem = 0; j < q; j++) {
      claimRound[e] = r;
      claimOwner[e++] = k;
      r += whole;
      rem += part;
      if (rem >= q) {
        rem -= q;
        r++;
      }
    }
  }
  const start = new Int32Array(rounds + 1);
  for (let c = 0; c < m; c++) start[claimRound[c] + 1]++;
  for (let r = 0; r < rounds; r++) start[r + 1] += start[r];
  const turns = new Int32Array(m);
  for (let c = 0; c < m; c++) turns[start[claimRound[c]]++] = claimOwner[c];
  return turns;
}

/**
 * scheduleTurns when every quota is Q or Q − 1 (equal weights): a quota of Q − 1 claims in rounds
 * 0..Q − 2 (⌊j·Q/(Q − 1)⌋ = j for j < Q − 1), so every round is all backends in order except the
 * last, which only those of quota Q take. The same order without sorting m claims.
 */
function roundRobinTurns(quotas: Int32Array, m: number, rounds: number): Int32Array {
  const n = quotas.length;
  const turns = new Int32Array(m);
  let e = 0;
  for (let r = 0; r < rounds - 1; r++) for (let k = 0; k < n; k++) turns[e++] = k;
  for (let k = 0; k < n; k++) if (quotas[k] === rounds) turns[e++] = k;
  return turns;
}
