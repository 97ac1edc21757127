// Maglev table properties on small prime tables (13 to 1021 slots), so each runs in milliseconds:
// the set Stryker reruns for every Maglev mutant (stryker.maglev.config.mjs). The full-size checks
// stay in maglev-table.test.ts, maglev-table.disruption.test.ts and table-policy.test.ts.

import { hashId } from '../../../../src/lbrp/maglev/id-hash';
import { diffTables } from '../../../../src/lbrp/maglev/maglev-delta';
import {
  buildMaglevTable,
  derivePermutation,
  type MaglevBackend,
  NO_BACKEND,
  orderBackends,
  translateTable,
} from '../../../../src/lbrp/maglev/maglev-table';
import {
  TABLE_POLICY_DEFAULTS,
  tableSizeFor,
  type TablePolicy,
} from '../../../../src/lbrp/maglev/table-policy';
import { chooseTableSize, isPrime } from '../../../../src/lbrp/maglev/table-size';
import {
  backendIds,
  equalBackends,
  seededRandom,
  shuffled,
  slotCounts,
  tableChecksum,
} from './maglev-fixtures';

const SMALL_PRIMES = [13, 101, 251, 1021];

/** `n` backends with seeded random integer weights in 1..maxWeight. */
function randomWeights(n: number, seed: number, maxWeight = 100): MaglevBackend[] {
  const random = seededRandom(seed);
  return backendIds(n).map((id) => ({ id, weight: 1 + Math.floor(random() * maxWeight) }));
}

/** The paper's §3.4 populate loop (equal weights): entry = index into the sorted ids. */
function paperPopulate(sortedIds: readonly string[], m: number): Int32Array {
  const perms = sortedIds.map((id) => derivePermutation(id, m));
  const next = new Array<number>(sortedIds.length).fill(0);
  const entry = new Int32Array(m).fill(-1);
  let filled = 0;
  for (;;) {
    for (let i = 0; i < sortedIds.length; i++) {
      let c = (perms[i].offset + next[i] * perms[i].skip) % m;
      while (entry[c] >= 0) c = (perms[i].offset + ++next[i] * perms[i].skip) % m;
      entry[c] = i;
      next[i]++;
      if (++filled === m) return entry;
    }
  }
}

/** Round-by-round weighted loop: backend i claims in round r when ⌈(r+1)·qᵢ/Q⌉ > ⌈r·qᵢ/Q⌉. */
function roundByRound(sortedIds: readonly string[], quotas: readonly number[], m: number): Int32Array {
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

/** Checks every slot is a valid index and every count is the exact share rounded down or up. */
function expectApportioned(backends: readonly MaglevBackend[], m: number): void {
  const ordered = orderBackends(backends);
  const table = buildMaglevTable(backends, m);
  expect(table).toHaveLength(m);
  for (const e of table) {
    expect(e).toBeGreaterThanOrEqual(0);
    expect(e).toBeLessThan(ordered.length);
  }
  const counts = slotCounts(table, ordered.length);
  const total = ordered.reduce((a, b) => a + b.weight, 0);
  // A positive weight whose share is below one slot still gets one, given by the larger quotas.
  const positive = ordered.filter((b) => b.weight > 0).length;
  const starved = ordered.filter((b) => b.weight > 0 && (m * b.weight) / total < 1).length;
  ordered.forEach((b, i) => {
    const exact = (m * b.weight) / total;
    const floor =
      b.weight > 0 && m >= positive ? Math.max(1, Math.floor(exact) - starved) : Math.floor(exact);
    expect(counts[i]).toBeGreaterThanOrEqual(floor);
    expect(counts[i]).toBeLessThanOrEqual(Math.max(Math.ceil(exact), b.weight > 0 ? 1 : 0));
  });
  expect(counts.reduce((a, b) => a + b, 0)).toBe(m);
}

describe('derivePermutation (small tables)', () => {
  // offset = h(id, seed₁) mod M and skip = h(id, seed₂) mod (M − 1) + 1; the walk visits every slot.
  it.each(SMALL_PRIMES)('gives a full-cycle walk with the pinned seeds (M=%i)', (m) => {
    for (const id of backendIds(20)) {
      const p = derivePermutation(id, m);
      expect(p.offset).toBe(hashId(id, 0x811c9dc5) % m);
      expect(p.skip).toBe((hashId(id, 0x9e3779b9) % (m - 1)) + 1);
      const seen = new Set<number>();
      for (let j = 0; j < m; j++) seen.add((p.offset + j * p.skip) % m);
      expect(seen.size).toBe(m);
    }
  });
});

describe('buildMaglevTable balance and weights (small tables)', () => {
  // Equal weights: every slot is filled and counts differ by at most one.
  it.each(SMALL_PRIMES.flatMap((m) => [2, 3, 5, 7].map((n) => ({ m, n }))))(
    'equal weights fill every slot within one (N=$n, M=$m)',
    ({ m, n }) => {
      const counts = slotCounts(buildMaglevTable(equalBackends(n), m), n);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(m);
      // Largest remainder gives the extra slots to the lowest indices.
      counts.forEach((c, i) => expect(c).toBe(Math.floor(m / n) + (i < m % n ? 1 : 0)));
    },
  );

  // Random weights: each count is ⌊M·w/Σw⌋ or ⌈M·w/Σw⌉.
  it.each([
    { m: 101, n: 5, seed: 3 },
    { m: 251, n: 7, seed: 5 },
    { m: 1021, n: 9, seed: 11 },
    { m: 1021, n: 30, seed: 17 },
  ])('counts follow random weights (N=$n, M=$m)', ({ m, n, seed }) => {
    expectApportioned(randomWeights(n, seed), m);
  });

  // Skewed weights: one huge weight next to small ones still gets exact shares.
  it('counts follow skewed weights', () => {
    expectApportioned(
      backendIds(12).map((id, i) => ({ id, weight: i === 0 ? 65535 : i })),
      1021,
    );
    expectApportioned(
      backendIds(6).map((id, i) => ({ id, weight: i % 2 === 0 ? 1000 : 1 })),
      251,
    );
  });

  // Ties of remainder go to the lower index (ordered by id), with weights that are not all equal.
  it('gives the leftover slots to the largest remainders, ties to the lower index', () => {
    // M=13, weights 1,1,2: exact shares 3.25, 3.25, 6.5 → 3, 3, 6 + one to the largest remainder (6.5).
    const t = buildMaglevTable(
      [
        { id: 'a', weight: 1 },
        { id: 'b', weight: 1 },
        { id: 'c', weight: 2 },
      ],
      13,
    );
    expect(slotCounts(t, 3)).toEqual([3, 3, 7]);
    // M=13, weights 2,1,1: shares 6.5, 3.25, 3.25 → the extra goes to a.
    const u = buildMaglevTable(
      [
        { id: 'a', weight: 2 },
        { id: 'b', weight: 1 },
        { id: 'c', weight: 1 },
      ],
      13,
    );
    expect(slotCounts(u, 3)).toEqual([7, 3, 3]);
    // M=13, weights 3,3,3,1: shares 3.9,3.9,3.9,1.3 → 3,3,3,1 + 3 extra to a, b, c.
    const v = buildMaglevTable(
      ['a', 'b', 'c', 'd'].map((id, i) => ({ id, weight: i < 3 ? 3 : 1 })),
      13,
    );
    expect(slotCounts(v, 4)).toEqual([4, 4, 4, 1]);
  });
});

describe('buildMaglevTable populate order (small tables)', () => {
  // Equal weights reproduce the paper's round-robin loop exactly.
  it.each(SMALL_PRIMES.flatMap((m) => [2, 3, 7].map((n) => ({ m, n }))))(
    'equal weights reproduce the paper loop (N=$n, M=$m)',
    ({ m, n }) => {
      const ids = orderBackends(equalBackends(n)).map((b) => b.id);
      expect(buildMaglevTable(equalBackends(n), m)).toEqual(paperPopulate(ids, m));
    },
  );

  // Weighted turns equal the straightforward round-by-round loop.
  it.each([
    { name: 'N=5 weights 1..100, M=101', backends: randomWeights(5, 23), m: 101 },
    { name: 'N=10 weights 1..100, M=1021', backends: randomWeights(10, 29), m: 1021 },
    { name: 'N=4 weights 1..7, M=13', backends: randomWeights(4, 31, 7), m: 13 },
    {
      name: 'N=8 weights 1 or 500, M=251',
      backends: backendIds(8).map((id, i) => ({ id, weight: i % 3 === 0 ? 500 : 1 })),
      m: 251,
    },
  ])('weighted turns match a round-by-round loop ($name)', ({ backends, m }) => {
    const ordered = orderBackends(backends);
    const table = buildMaglevTable(backends, m);
    const quotas = slotCounts(table, ordered.length);
    expect(table).toEqual(
      roundByRound(
        ordered.map((b) => b.id),
        quotas,
        m,
      ),
    );
  });
});

describe('buildMaglevTable tiny shares (small tables)', () => {
  // Weight 20 next to 65535 has a share of 0.12 slot in 401: it still gets one slot, taken from
  // the largest quota, so a backend with a positive weight always receives traffic.
  it.each([
    [[65535, 20], 401],
    [[65535, 1, 1, 1], 401],
    [[1, 65535, 65535, 2], 13],
  ])('weights %j in M=%i give every positive weight a slot', (weights, m) => {
    const backends = weights.map((weight, i) => ({ id: `b${i}`, weight }));
    const counts = slotCounts(buildMaglevTable(backends, m), weights.length);
    for (const c of counts) expect(c).toBeGreaterThanOrEqual(1);
    expectApportioned(backends, m);
  });

  // Fewer slots than backends: nothing to give, the table still fills.
  it('M below the number of backends leaves some without a slot', () => {
    const backends = equalBackends(7);
    const counts = slotCounts(buildMaglevTable(backends, 5), 7);
    expect(counts.filter((c) => c === 0)).toHaveLength(2);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5);
  });
});

describe('buildMaglevTable drain, empty and single (small tables)', () => {
  // Weight 0 gets no slot; the others still share the table by weight.
  it.each([13, 101, 1021])('weight 0 drains a backend (M=%i)', (m) => {
    const backends = randomWeights(6, 41).map((b, i) => (i === 2 || i === 5 ? { ...b, weight: 0 } : b));
    const ordered = orderBackends(backends);
    const counts = slotCounts(buildMaglevTable(backends, m), 6);
    ordered.forEach((b, i) => {
      if (b.weight === 0) expect(counts[i]).toBe(0);
    });
    expectApportioned(backends, m);
  });

  // No backend, or only drained ones: every slot is NO_BACKEND.
  it.each([
    { name: 'no backends', backends: [] as MaglevBackend[] },
    { name: 'all weights 0', backends: equalBackends(3).map((b) => ({ ...b, weight: 0 })) },
  ])('$name gives NO_BACKEND everywhere', ({ backends }) => {
    const t = buildMaglevTable(backends, 13);
    expect(Array.from(t)).toEqual(new Array<number>(13).fill(NO_BACKEND));
  });

  // One active backend owns every slot, whichever index it has.
  it('a single active backend takes every slot', () => {
    const t = buildMaglevTable(
      [
        { id: 'a', weight: 0 },
        { id: 'b', weight: 0 },
        { id: 'c', weight: 4 },
      ],
      101,
    );
    expect(t.every((e) => e === 2)).toBe(true);
    expect(buildMaglevTable([{ id: 'x', weight: 1 }], 2).every((e) => e === 0)).toBe(true);
  });

  // The smallest prime table: two backends one slot each.
  it('fills a two-slot table', () => {
    expect(Array.from(buildMaglevTable(equalBackends(2), 2)).sort()).toEqual([0, 1]);
  });
});

describe('buildMaglevTable determinism (small tables)', () => {
  // Input order never matters; neither the input array nor its objects are changed.
  it.each([13, 251, 1021])('is independent of input order (M=%i)', (m) => {
    const backends = randomWeights(9, 57);
    const frozen = JSON.stringify(backends);
    const want = buildMaglevTable(backends, m);
    const random = seededRandom(99);
    for (let i = 0; i < 4; i++) expect(buildMaglevTable(shuffled(backends, random), m)).toEqual(want);
    expect(JSON.stringify(backends)).toBe(frozen);
  });

  // Rebuilding the same set gives an empty delta once translated to kernel ids.
  it('rebuilding the same set gives an empty delta', () => {
    const backends = randomWeights(8, 61);
    const ids = orderBackends(backends).map((_, i) => 500 + i);
    const a = translateTable(buildMaglevTable(backends, 251), ids);
    const b = translateTable(buildMaglevTable([...backends].reverse(), 251), ids);
    expect(diffTables(a, b).slots).toHaveLength(0);
  });

  // The pinned table of maglev-table.test.ts (M=251): the hash, seeds and populate order.
  it('pins the table of a known weighted configuration', () => {
    const table = buildMaglevTable(
      [
        { id: '192.168.1.10', weight: 1 },
        { id: '192.168.1.11', weight: 2 },
        { id: '192.168.1.12', weight: 3 },
        { id: '192.168.1.13', weight: 5 },
        { id: '192.168.1.14', weight: 0 },
      ],
      251,
    );
    expect(slotCounts(table, 5)).toEqual([23, 46, 68, 114, 0]);
    expect(Array.from(table.subarray(0, 16))).toEqual([3, 3, 3, 3, 3, 0, 2, 1, 1, 2, 2, 2, 1, 2, 1, 2]);
    expect(tableChecksum(table)).toBe(0xfec27d15);
  });
});

describe('buildMaglevTable minimal disruption (small tables)', () => {
  // Removing one of N equal backends: its slots move, and few others do (Maglev's near-minimal bound).
  it.each([
    { n: 5, m: 1021 },
    { n: 8, m: 1021 },
    { n: 3, m: 251 },
  ])('removing a backend moves its own slots and few others (N=$n, M=$m)', ({ n, m }) => {
    const all = equalBackends(n);
    const kernelId = new Map(orderBackends(all).map((b, i) => [b.id, 100 + i]));
    const before = translateTable(
      buildMaglevTable(all, m),
      orderBackends(all).map((b) => kernelId.get(b.id) ?? -1),
    );
    for (const gone of all) {
      const rest = all.filter((b) => b !== gone);
      const after = translateTable(
        buildMaglevTable(rest, m),
        orderBackends(rest).map((b) => kernelId.get(b.id) ?? -1),
      );
      const goneId = kernelId.get(gone.id);
      const moved = diffTables(before, after).slots;
      const own = before.filter((e) => e === goneId).length;
      let others = 0;
      for (const s of moved) if (before[s] !== goneId) others++;
      expect(after.includes(goneId ?? -1)).toBe(false);
      expect(moved.length).toBeGreaterThanOrEqual(own);
      // Moved slots ≤ 1.5 × the ideal (its own share): Maglev is near-minimal, not minimal.
      expect(own + others).toBeLessThanOrEqual(Math.ceil(1.5 * (m / n)));
    }
  });

  // Adding one backend to N: about M/(N+1) slots move, all of them to the new backend or near it.
  it.each([
    { n: 4, m: 1021 },
    { n: 7, m: 1021 },
  ])('adding a backend moves about its share (N=$n, M=$m)', ({ n, m }) => {
    const all = equalBackends(n + 1);
    const kernelId = new Map(orderBackends(all).map((b, i) => [b.id, 100 + i]));
    const translate = (set: MaglevBackend[]): Int32Array =>
      translateTable(
        buildMaglevTable(set, m),
        orderBackends(set).map((b) => kernelId.get(b.id) ?? -1),
      );
    const after = translate(all);
    for (const added of all) {
      const before = translate(all.filter((b) => b !== added));
      const moved = diffTables(before, after).slots.length;
      const ideal = m / (n + 1);
      expect(moved).toBeGreaterThanOrEqual(Math.floor(ideal));
      expect(moved).toBeLessThanOrEqual(Math.ceil(1.5 * ideal));
    }
  });
});

describe('buildMaglevTable input checks (small tables)', () => {
  it.each([
    { name: 'non-prime size', backends: equalBackends(2), m: 15, err: 'table size must be prime, got 15' },
    { name: 'size 1', backends: equalBackends(2), m: 1, err: 'must be prime' },
    { name: 'negative weight', backends: [{ id: 'a', weight: -1 }], m: 13, err: 'invalid weight -1' },
    { name: 'fractional weight', backends: [{ id: 'a', weight: 0.5 }], m: 13, err: 'invalid weight 0.5' },
    {
      name: 'duplicate id',
      backends: [
        { id: 'b', weight: 1 },
        { id: 'a', weight: 1 },
        { id: 'b', weight: 2 },
      ],
      m: 13,
      err: 'duplicate backend id "b"',
    },
    {
      name: 'huge total weight',
      backends: [
        { id: 'a', weight: 2 ** 50 },
        { id: 'b', weight: 2 ** 50 },
      ],
      m: 13,
      err: 'total weight 2251799813685248 is too large for 13 slots',
    },
  ])('rejects $name', ({ backends, m, err }) => {
    expect(() => buildMaglevTable(backends, m)).toThrow(RangeError);
    expect(() => buildMaglevTable(backends, m)).toThrow(err);
  });

  // The largest total that is still exact is accepted.
  it('accepts a total weight at the safe-integer limit', () => {
    const w = Math.floor(Number.MAX_SAFE_INTEGER / 13);
    expect(buildMaglevTable([{ id: 'a', weight: w }], 13).every((e) => e === 0)).toBe(true);
    expect(() => buildMaglevTable([{ id: 'a', weight: w + 1 }], 13)).toThrow('too large');
    // 2^53 − 1 = 6361 × 1416003655831 (6361 prime): a product of exactly MAX_SAFE_INTEGER is exact.
    expect(buildMaglevTable([{ id: 'a', weight: 1416003655831 }], 6361)).toHaveLength(6361);
    // Two distinct ids with the same weight are fine; only repeats are refused.
    expect(() => buildMaglevTable(equalBackends(3), 13)).not.toThrow();
  });
});

describe('orderBackends and translateTable', () => {
  it('sorts by id in UTF-16 order without touching the input', () => {
    const input = [
      { id: 'b', weight: 1 },
      { id: 'B', weight: 2 },
      { id: 'a', weight: 3 },
      { id: 'ab', weight: 4 },
    ];
    expect(orderBackends(input).map((b) => b.id)).toEqual(['B', 'a', 'ab', 'b']);
    expect(input.map((b) => b.id)).toEqual(['b', 'B', 'a', 'ab']);
  });

  it('maps entries to caller values and keeps NO_BACKEND', () => {
    const t = Int32Array.from([0, 2, 1, NO_BACKEND, 0]);
    const out = translateTable(t, [7, 8, 9]);
    expect(Array.from(out)).toEqual([7, 9, 8, NO_BACKEND, 7]);
    expect(out).not.toBe(t);
    expect(Array.from(t)).toEqual([0, 2, 1, NO_BACKEND, 0]);
  });
});

describe('tableSizeFor (policy ladder)', () => {
  // The default ladder's rungs and bounds (sizes are only computed, no table is built).
  it('follows the default ladder', () => {
    expect([0, 1, 2, 4, 5, 10, 11, 20, 21, 40, 41, 1310, 5000].map((n) => tableSizeFor(n))).toEqual([
      0, 2, 401, 401, 4001, 4001, 16001, 16001, 65537, 65537, 131071, 131071, 131071,
    ]);
    for (let n = 2; n <= 60; n++) {
      const m = tableSizeFor(n);
      expect(isPrime(m)).toBe(true);
      expect(m).toBeGreaterThanOrEqual(100 * n);
      expect(m).toBeGreaterThanOrEqual(tableSizeFor(n - 1));
    }
  });

  // A small custom policy: every branch (single, tiered, past the tiers, the cap) on small primes.
  it('honours a custom policy', () => {
    const policy: TablePolicy = {
      singleBackendSize: 3,
      minTableSize: 13,
      maxTableSize: 1000,
      tiers: [
        { maxBackends: 2, minSize: 7 },
        { maxBackends: 3, minSize: 500 },
      ],
    };
    expect(tableSizeFor(0, policy)).toBe(0);
    expect(tableSizeFor(1, policy)).toBe(3);
    // N=2: max(13, 7) = 13 but 100·N = 200 wins → 211.
    expect(tableSizeFor(2, policy)).toBe(211);
    // N=3: tier min 500 → 503.
    expect(tableSizeFor(3, policy)).toBe(503);
    // N=4: past the tiers → the cap, the largest prime ≤ 1000.
    expect(tableSizeFor(4, policy)).toBe(997);
    expect(tableSizeFor(50, policy)).toBe(997);
    // minTableSize above the tier's minSize wins; a cap below the floor wins over both.
    expect(tableSizeFor(2, { ...policy, minTableSize: 600 })).toBe(601);
    expect(tableSizeFor(2, { ...policy, tiers: [{ maxBackends: 2, minSize: 5000 }] })).toBe(997);
    expect(tableSizeFor(2, { ...policy, tiers: [] })).toBe(997);
    expect(TABLE_POLICY_DEFAULTS.tiers.every((t) => isPrime(t.minSize))).toBe(true);
  });

  it('throws on a negative or fractional count', () => {
    expect(() => tableSizeFor(-1)).toThrow(RangeError);
    expect(() => tableSizeFor(2.5)).toThrow(RangeError);
  });
});

describe('hashId at the UTF-8 encoding boundaries', () => {
  /** Reference: FNV-1a over Node's own UTF-8 bytes, then the MurmurHash3 finaliser. */
  function viaBuffer(id: string, seed: number): number {
    let h = seed | 0;
    for (const byte of Buffer.from(id, 'utf8')) h = Math.imul(h ^ byte, 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }

  // Code points on each side of every byte-length step and of the surrogate ranges.
  it.each([
    '\u007f',
    '\u0080',
    '\u07ff',
    '\u0800',
    '\ud7ff',
    '\ue000',
    '\uffff',
    '\ud800\udc00',
    '\udbff\udfff',
    '\udbff\udc00',
    '\ud800\udfff',
    '\udbff',
    '\udc00',
    '\udfff',
    '\udbff\ue000',
    '\ud800\udbff',
    'a\ud800',
    '\udc00\udc00',
    '\udfff\udfff',
  ])('hashes %j as its UTF-8 bytes', (id) => {
    expect(hashId(id, 7)).toBe(viaBuffer(id, 7));
  });
});

describe('chooseTableSize at its tightest bounds', () => {
  // max = 2 is allowed (the smallest prime); below it there is no prime to return.
  it('accepts max 2 and refuses max 1', () => {
    expect(chooseTableSize(0, { min: 2, max: 2 })).toBe(2);
    expect(() => chooseTableSize(0, { min: 1, max: 1 })).toThrow(RangeError);
  });
});
