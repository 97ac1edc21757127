// The optimised populate loop (bitset, free-slot scan for the last claims) against the plain one it
// replaced (maglev-reference.ts): identical tables on random backend sets, weights and sizes,
// including every size the table policy uses. Daemons of a cluster must build identical tables.

import {
  buildMaglevTable,
  type MaglevBackend,
  nextPrime,
  translateTable,
} from '../../../../src/lbrp/maglev/maglev-table';
import { TABLE_POLICY_DEFAULTS, tableSizeFor } from '../../../../src/lbrp/maglev/table-policy';
import { referenceMaglevTable } from './maglev-reference';
import { backendIds, seededRandom } from './maglev-fixtures';

/** Random distinct ids: mostly IPv4 strings, some with non-ASCII characters. */
function randomIds(n: number, random: () => number): string[] {
  const ids = new Set<string>();
  while (ids.size < n) {
    const r = random();
    const ip = `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
    ids.add(r < 0.9 ? ip : `${ip}-é${Math.floor(random() * 1000)}😀`);
  }
  return [...ids];
}

/** Weights of one of four shapes: equal, 1..100, some drained, one dominant. */
function randomWeights(n: number, random: () => number): number[] {
  const shape = Math.floor(random() * 4);
  return Array.from({ length: n }, (_, i) => {
    if (shape === 0) return 1;
    if (shape === 1) return 1 + Math.floor(random() * 100);
    if (shape === 2) return random() < 0.3 ? 0 : 1 + Math.floor(random() * 5);
    return i === 0 ? 65535 : 1 + Math.floor(random() * 3);
  });
}

/** First slot where the two tables differ, or −1 (jest's toEqual walks typed arrays slowly). */
function firstDifference(a: Int32Array, b: Int32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let s = 0; s < a.length; s++) if (a[s] !== b[s]) return s;
  return -1;
}

/** Where the optimised and the reference builds of `backends` differ (−1: identical). */
function mismatch(backends: readonly MaglevBackend[], m: number): number {
  return firstDifference(buildMaglevTable(backends, m), referenceMaglevTable(backends, m));
}

function backendsOf(ids: readonly string[], weights: readonly number[]): MaglevBackend[] {
  return ids.map((id, i) => ({ id, weight: weights[i] }));
}

describe('buildMaglevTable equals the reference populate loop', () => {
  it('on 200 random small configurations (M < 5,000)', () => {
    const random = seededRandom(17);
    for (let round = 0; round < 200; round++) {
      const n = Math.floor(random() * 40);
      const m = nextPrime(2 + Math.floor(random() * 5000));
      const backends = backendsOf(randomIds(n, random), randomWeights(n, random));
      expect({ round, n, m, at: mismatch(backends, m) }).toEqual({ round, n, m, at: -1 });
    }
  });

  it('on random configurations at the sizes the table policy uses', () => {
    const random = seededRandom(2024);
    for (const n of [1, 2, 4, 7, 10, 15, 20, 33, 40, 41, 300, 1000]) {
      const m = tableSizeFor(n, TABLE_POLICY_DEFAULTS);
      const backends = backendsOf(randomIds(n, random), randomWeights(n, random));
      expect({ n, m, at: mismatch(backends, m) }).toEqual({ n, m, at: -1 });
    }
  });

  it('on the benchmark shape: 1,000 and 1,001 equal backends in 131071 slots', () => {
    for (const n of [1000, 1001]) {
      const backends = backendIds(n).map((id) => ({ id, weight: 1 }));
      expect({ n, at: mismatch(backends, 131071) }).toEqual({ n, at: -1 });
    }
  });

  it('with values, equals the translated reference table', () => {
    const random = seededRandom(99);
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor(random() * 60);
      const m = nextPrime(100 * n);
      const backends = backendsOf(randomIds(n, random), randomWeights(n, random));
      const values = Array.from({ length: n }, () => Math.floor(random() * 16384));
      const want = translateTable(referenceMaglevTable(backends, m), values);
      expect({ round, at: firstDifference(buildMaglevTable(backends, m, values), want) }).toEqual({
        round,
        at: -1,
      });
    }
  });
});
