// Shared helpers for the Maglev property tests: backend id sets, a seeded PRNG, slot counting and the
// table checksum used by the pinned-table test.

import type { MaglevBackend } from '../../../../src/lbrp/maglev/maglev-table';

/** `n` distinct backend ids shaped like the ones lbrp hashes (backend IPs): 10.0.0.0, 10.0.0.1, … */
export function backendIds(n: number, first = 0): string[] {
  return Array.from({ length: n }, (_, i) => `10.0.${(first + i) >> 8}.${(first + i) & 255}`);
}

/** `n` backends of equal weight 1. */
export function equalBackends(n: number): MaglevBackend[] {
  return backendIds(n).map((id) => ({ id, weight: 1 }));
}

/** Deterministic PRNG in [0, 1) (xorshift32), so "random" weights are the same on every run. */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** Returns a copy of `items` shuffled with `random` (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Slots held by each of `n` backends (index = table entry). */
export function slotCounts(table: Int32Array, n: number): number[] {
  const counts = new Array<number>(n).fill(0);
  for (const e of table) if (e >= 0) counts[e]++;
  return counts;
}

/** FNV-1a 32 over the entries as little-endian int32s: a compact fingerprint of a whole table. */
export function tableChecksum(table: Int32Array): number {
  let h = 0x811c9dc5;
  for (const e of table) {
    for (let shift = 0; shift < 32; shift += 8) h = Math.imul(h ^ ((e >>> shift) & 0xff), 0x01000193);
  }
  return h >>> 0;
}
