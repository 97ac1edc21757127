// Test reference: the weighted Maglev builder as it was before its populate loop was optimised
// (one byte per slot, every claim walks its permutation). maglev-reference.test.ts checks that
// src/lbrp/maglev/maglev-table.ts builds byte-identical tables on random inputs.

import { hashId } from '../../../../src/lbrp/maglev/id-hash';
import type { MaglevBackend } from '../../../../src/lbrp/maglev/maglev-table';
import { isPrime } from '../../../../src/lbrp/maglev/table-size';

/** Table entry when no backend has weight > 0. */
const NO_BACKEND = -1;

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
function orderBackends<T extends MaglevBackend>(backends: readonly T[]): T[] {
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
 * Cost: O(M log M) slot probes plus O(M + N log N), whatever the weights; ~3 ms for M = 65537,
 * N = 100 (bench/control/maglev.ts). Throws (programmer error) when `tableSize` is not prime, a
 * weight is not a non-negative integer, M × Σweight is not a safe integer, or two ids repeat.
 */
export function referenceMaglevTable(backends: readonly MaglevBackend[], tableSize: number): Int32Array {
  if (!isPrime(tableSize)) {
    throw new RangeError(`referenceMaglevTable: table size must be prime, got ${tableSize}`);
  }
  const ordered = orderBackends(backends);
  assertBackends(ordered, tableSize);
  const table = new Int32Array(tableSize).fill(NO_BACKEND);
  const active: number[] = [];
  ordered.forEach((b, i) => {
    if (b.weight > 0) active.push(i);
  });
  if (active.length > 0) fillTable(table, ordered, active);
  return table;
}

/** A backend's preference list in a table of M slots: offset, offset + skip, … (mod M). */
interface MaglevPermutation {
  /** First preferred slot, h₁(id) mod M. */
  offset: number;
  /** Stride, h₂(id) mod (M − 1) + 1; in 1..M−1, so with M prime the walk visits every slot. */
  skip: number;
}

/**
 * Returns the permutation `id` walks in a table of `tableSize` slots (the paper's offset/skip pair).
 * Exposed for tests and debugging; {@link buildMaglevTable} derives the same values.
 */
function derivePermutation(id: string, tableSize: number): MaglevPermutation {
  return {
    offset: hashId(id, OFFSET_SEED) % tableSize,
    skip: (hashId(id, SKIP_SEED) % (tableSize - 1)) + 1,
  };
}

function assertBackends(ordered: readonly MaglevBackend[], tableSize: number): void {
  let total = 0;
  for (let i = 0; i < ordered.length; i++) {
    const { id, weight } = ordered[i];
    if (!Number.isSafeInteger(weight) || weight < 0) {
      throw new RangeError(
        `referenceMaglevTable: invalid weight ${weight} for backend "${id}": expected an integer ≥ 0`,
      );
    }
    if (i > 0 && ordered[i - 1].id === id) {
      throw new RangeError(`referenceMaglevTable: duplicate backend id "${id}"`);
    }
    total += weight;
  }
  // apportionSlots multiplies weights by the table size; keep that exact.
  if (total * tableSize > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`referenceMaglevTable: total weight ${total} is too large for ${tableSize} slots`);
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
 */
function fillTable(table: Int32Array, ordered: readonly MaglevBackend[], active: readonly number[]): void {
  const m = table.length;
  const quotas = apportionSlots(
    active.map((i) => ordered[i].weight),
    m,
  );
  const n = active.length;
  const next = new Int32Array(n);
  const skip = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const p = derivePermutation(ordered[active[k]].id, m);
    next[k] = p.offset;
    skip[k] = p.skip;
  }
  const turns = scheduleTurns(quotas, m);
  // One byte per slot: the probe loop's random reads stay in a quarter of the table's cache footprint.
  const taken = new Uint8Array(m);
  for (let t = 0; t < m; t++) {
    const k = turns[t];
    const step = skip[k];
    let slot = next[k];
    while (taken[slot] !== 0) {
      slot += step;
      if (slot >= m) slot -= m;
    }
    taken[slot] = 1;
    table[slot] = active[k];
    slot += step;
    next[k] = slot >= m ? slot - m : slot;
  }
}

/**
 * Orders the m claims (Σ quotas = m) by (round, backend): backend k's j-th claim falls in round
 * ⌊j·Q/qₖ⌋ (stepped in integers, never multiplied out), then a stable counting sort on the round.
 * Linear in m + Q, whatever the weight skew.
 */
function scheduleTurns(quotas: Int32Array, m: number): Int32Array {
  const n = quotas.length;
  let rounds = 0;
  for (let k = 0; k < n; k++) if (quotas[k] > rounds) rounds = quotas[k];
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
