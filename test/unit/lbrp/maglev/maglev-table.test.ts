// Properties of the weighted Maglev table builder: balance, weight proportionality, drain,
// agreement with the paper's populate loop, determinism, input checks, and one pinned table.
// Disruption bounds live in maglev-table.disruption.test.ts.

import { diffTables } from '../../../../src/lbrp/maglev/maglev-delta';
import {
  buildMaglevTable,
  derivePermutation,
  type MaglevBackend,
  NO_BACKEND,
  nextPrime,
  orderBackends,
  translateTable,
} from '../../../../src/lbrp/maglev/maglev-table';
import {
  backendIds,
  equalBackends,
  seededRandom,
  shuffled,
  slotCounts,
  tableChecksum,
} from './maglev-fixtures';

/** Backend counts × table sizes the balance and weight properties are checked over (M ≥ 100·N). */
const SIZE_ROWS = [2, 3, 10, 100].flatMap((n) => [
  { name: `N=${n}, M=${nextPrime(100 * n)}`, inN: n, inM: nextPrime(100 * n) },
  { name: `N=${n}, M=65537`, inN: n, inM: 65537 },
]);

/** The paper's §3.4 populate loop, equal weights only: entry = index into the sorted ids. */
function paperPopulate(sortedIds: readonly string[], m: number): Int32Array {
  const perms = sortedIds.map((id) => derivePermutation(id, m));
  const next = new Array<number>(sortedIds.length).fill(0);
  const entry = new Int32Array(m).fill(-1);
  let filled = 0;
  for (;;) {
    for (let i = 0; i < sortedIds.length; i++) {
      let c = (perms[i].offset + next[i] * perms[i].skip) % m;
      while (entry[c] >= 0) {
        next[i]++;
        c = (perms[i].offset + next[i] * perms[i].skip) % m;
      }
      entry[c] = i;
      next[i]++;
      if (++filled === m) return entry;
    }
  }
}

/**
 * Round-by-round weighted loop: over Q = max quota rounds, backend i (in id order) claims in round
 * r when ⌈(r+1)·qᵢ/Q⌉ > ⌈r·qᵢ/Q⌉. Quotas are the slot counts of the table under test.
 */
function roundByRoundPopulate(
  sortedIds: readonly string[],
  quotas: readonly number[],
  m: number,
): Int32Array {
  const perms = sortedIds.map((id) => derivePermutation(id, m));
  const next = perms.map((p) => p.offset);
  const rounds = Math.max(...quotas);
  const entry = new Int32Array(m).fill(-1);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < sortedIds.length; i++) {
      const q = quotas[i];
      if (Math.ceil(((r + 1) * q) / rounds) === Math.ceil((r * q) / rounds)) continue;
      let c = next[i];
      while (entry[c] >= 0) c = (c + perms[i].skip) % m;
      entry[c] = i;
      next[i] = (c + perms[i].skip) % m;
    }
  }
  return entry;
}

/** `n` backends with seeded random integer weights in 1..100. */
function randomWeightBackends(n: number, seed: number): MaglevBackend[] {
  const random = seededRandom(seed);
  return backendIds(n).map((id) => ({ id, weight: 1 + Math.floor(random() * 100) }));
}

describe('buildMaglevTable balance', () => {
  // Equal weights spread the table within one slot, so max/min ≤ 1 + 1/⌊M/N⌋ ≤ 1.01 when M ≥ 100·N.
  it.each(SIZE_ROWS)('equal weights differ by at most one slot ($name)', ({ inN, inM }) => {
    const counts = slotCounts(buildMaglevTable(equalBackends(inN), inM), inN);
    const max = Math.max(...counts);
    const min = Math.min(...counts);
    expect(max - min).toBeLessThanOrEqual(1);
    expect(max / min).toBeLessThanOrEqual(1.01);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(inM);
  });
});

describe('buildMaglevTable weights', () => {
  const rows = [5, 10, 100].flatMap((n) => [
    { name: `N=${n}, M=${nextPrime(100 * n)}`, inN: n, inM: nextPrime(100 * n), inSeed: 7 * n },
    { name: `N=${n}, M=65537`, inN: n, inM: 65537, inSeed: 11 * n },
  ]);

  // Each backend's share of slots is within 1% (of the table) of its share of the total weight;
  // in fact its slot count is the exact share rounded down or up.
  it.each(rows)('slot counts follow random weights 1..100 ($name)', ({ inN, inM, inSeed }) => {
    const backends = orderBackends(randomWeightBackends(inN, inSeed));
    const counts = slotCounts(buildMaglevTable(backends, inM), inN);
    const total = backends.reduce((a, b) => a + b.weight, 0);
    backends.forEach((b, i) => {
      const exact = (inM * b.weight) / total;
      expect(Math.abs(counts[i] / inM - b.weight / total)).toBeLessThanOrEqual(0.01);
      expect(counts[i]).toBeGreaterThanOrEqual(Math.floor(exact));
      expect(counts[i]).toBeLessThanOrEqual(Math.ceil(exact));
    });
  });

  // A heavily skewed set (one weight 65535, the rest 1) still gets exact shares, without stalling.
  it('slot counts follow extremely skewed weights', () => {
    const backends = backendIds(50).map((id, i) => ({ id, weight: i === 0 ? 65535 : 1 }));
    const ordered = orderBackends(backends);
    const counts = slotCounts(buildMaglevTable(backends, 65537), 50);
    const total = 65535 + 49;
    ordered.forEach((b, i) => {
      const exact = (65537 * b.weight) / total;
      expect(counts[i]).toBeGreaterThanOrEqual(Math.floor(exact));
      expect(counts[i]).toBeLessThanOrEqual(Math.ceil(exact));
    });
  });
});

describe('buildMaglevTable drain and edge sets', () => {
  // A backend at weight 0 owns no slot and the remaining backends still balance within one slot.
  it('weight 0 drains a backend', () => {
    const backends = equalBackends(10).map((b, i) => (i === 3 ? { ...b, weight: 0 } : b));
    const drained = orderBackends(backends).findIndex((b) => b.weight === 0);
    const counts = slotCounts(buildMaglevTable(backends, 1009), 10);
    expect(counts[drained]).toBe(0);
    const active = counts.filter((_, i) => i !== drained);
    expect(Math.max(...active) - Math.min(...active)).toBeLessThanOrEqual(1);
  });

  // With every weight at 0 (or no backends) the table is empty, and building it terminates.
  it.each([
    { name: 'all weights 0', inBackends: equalBackends(4).map((b) => ({ ...b, weight: 0 })) },
    { name: 'no backends', inBackends: [] },
  ])('$name gives a table of NO_BACKEND', ({ inBackends }) => {
    const table = buildMaglevTable(inBackends, 251);
    expect(table).toHaveLength(251);
    expect(table.every((e) => e === NO_BACKEND)).toBe(true);
  });

  // A single active backend owns every slot, whatever its weight and whoever is drained beside it.
  it.each([
    { name: 'alone', inBackends: [{ id: '10.0.0.1', weight: 3 }], wantEntry: 0 },
    {
      name: 'next to drained ones',
      inBackends: [
        { id: '10.0.0.1', weight: 0 },
        { id: '10.0.0.2', weight: 1 },
        { id: '10.0.0.3', weight: 0 },
      ],
      wantEntry: 1,
    },
  ])('a single backend takes every slot ($name)', ({ inBackends, wantEntry }) => {
    expect(buildMaglevTable(inBackends, 251).every((e) => e === wantEntry)).toBe(true);
  });

  // The smallest prime table size works.
  it('fills a two-slot table', () => {
    expect(Array.from(buildMaglevTable(equalBackends(2), 2)).sort()).toEqual([0, 1]);
  });
});

describe('buildMaglevTable populate order', () => {
  // With equal weights the table is exactly the one the paper's round-robin populate loop builds.
  it.each(SIZE_ROWS)('equal weights reproduce the paper loop ($name)', ({ inN, inM }) => {
    const ids = orderBackends(equalBackends(inN)).map((b) => b.id);
    expect(buildMaglevTable(equalBackends(inN), inM)).toEqual(paperPopulate(ids, inM));
  });

  // Weighted turns are the straightforward round-by-round loop, just scheduled in linear time.
  it.each([
    { name: 'N=10 weights 1..100, M=1009', inBackends: randomWeightBackends(10, 3), inM: 1009 },
    { name: 'N=100 weights 1..100, M=65537', inBackends: randomWeightBackends(100, 5), inM: 65537 },
    {
      name: 'N=20 weights 1 or 65535, M=4099',
      inBackends: backendIds(20).map((id, i) => ({ id, weight: i % 7 === 0 ? 65535 : 1 })),
      inM: 4099,
    },
  ])('weighted turns match a round-by-round loop ($name)', ({ inBackends, inM }) => {
    const ordered = orderBackends(inBackends);
    const table = buildMaglevTable(inBackends, inM);
    const quotas = slotCounts(table, ordered.length);
    expect(table).toEqual(
      roundByRoundPopulate(
        ordered.map((b) => b.id),
        quotas,
        inM,
      ),
    );
  });
});

/**
 * Recorded from the implementation when the algorithm was settled. Update only for an intended
 * change of the hash, seeds or populate order — every lbrp instance must change together.
 */
const PINNED_FIRST_SLOTS = [3, 3, 3, 3, 3, 0, 2, 1, 1, 2, 2, 2, 1, 2, 1, 2];
const PINNED_CHECKSUM = 0xfec27d15;

describe('buildMaglevTable determinism', () => {
  // The table depends on the set of backends, not the order they were configured in.
  it('is independent of input order', () => {
    const backends = randomWeightBackends(30, 99);
    const want = buildMaglevTable(backends, 3001);
    const random = seededRandom(1234);
    for (let i = 0; i < 5; i++) expect(buildMaglevTable(shuffled(backends, random), 3001)).toEqual(want);
  });

  // Re-applying the same backend set yields no slot to write.
  it('re-applying the same set gives an empty delta', () => {
    const backends = randomWeightBackends(100, 42);
    const ids = orderBackends(backends).map((_, i) => 1000 + i);
    const first = translateTable(buildMaglevTable(backends, 65537), ids);
    const again = translateTable(buildMaglevTable([...backends].reverse(), 65537), ids);
    expect(diffTables(first, again).slots).toHaveLength(0);
  });

  // The algorithm, hash and seeds are pinned: any change to them shows up as a new checksum.
  it('pins the table of a known weighted configuration', () => {
    const backends = [
      { id: '192.168.1.10', weight: 1 },
      { id: '192.168.1.11', weight: 2 },
      { id: '192.168.1.12', weight: 3 },
      { id: '192.168.1.13', weight: 5 },
      { id: '192.168.1.14', weight: 0 },
    ];
    const table = buildMaglevTable(backends, 251);
    expect(slotCounts(table, 5)).toEqual([23, 46, 68, 114, 0]);
    expect(Array.from(table.subarray(0, 16))).toEqual(PINNED_FIRST_SLOTS);
    expect(tableChecksum(table)).toBe(PINNED_CHECKSUM);
  });
});

describe('buildMaglevTable input checks', () => {
  // Programmer mistakes throw instead of building a wrong table.
  it.each([
    { name: 'non-prime size', inBackends: equalBackends(2), inM: 65536, wantErr: 'must be prime' },
    { name: 'size 1', inBackends: equalBackends(2), inM: 1, wantErr: 'must be prime' },
    {
      name: 'negative weight',
      inBackends: [{ id: 'a', weight: -1 }],
      inM: 251,
      wantErr: 'invalid weight -1',
    },
    {
      name: 'fractional weight',
      inBackends: [{ id: 'a', weight: 1.5 }],
      inM: 251,
      wantErr: 'invalid weight 1.5',
    },
    {
      name: 'duplicate id',
      inBackends: [
        { id: 'a', weight: 1 },
        { id: 'a', weight: 2 },
      ],
      inM: 251,
      wantErr: 'duplicate backend id "a"',
    },
    { name: 'huge weight', inBackends: [{ id: 'a', weight: 2 ** 50 }], inM: 251, wantErr: 'too large' },
  ])('rejects $name', ({ inBackends, inM, wantErr }) => {
    expect(() => buildMaglevTable(inBackends, inM)).toThrow(wantErr);
  });
});

describe('translateTable', () => {
  // Entries become the caller's values for the sorted backends; empty slots stay empty.
  it('maps sorted indices to caller values and keeps NO_BACKEND', () => {
    const table = Int32Array.from([0, 2, 1, NO_BACKEND, 0]);
    expect(Array.from(translateTable(table, [7, 8, 9]))).toEqual([7, 9, 8, NO_BACKEND, 7]);
  });
});
