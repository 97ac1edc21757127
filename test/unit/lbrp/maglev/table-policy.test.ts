// The table sizes lbrp chooses (table-policy.ts) and the Maglev properties issue 6 asks for at
// those sizes: balance (max/min ≤ 1.01 when M ≥ 100·N), weight shares within 1%, and disruption on
// adding or removing one backend ≤ 1.2 × the ideal for the typical backend counts (1–40).

import { diffTables } from '../../../../src/lbrp/maglev/maglev-delta';
import {
  buildMaglevTable,
  isPrime,
  orderBackends,
  translateTable,
  type MaglevBackend,
} from '../../../../src/lbrp/maglev/maglev-table';
import { TABLE_POLICY_DEFAULTS, tableSizeFor } from '../../../../src/lbrp/maglev/table-policy';
import { backendIds, equalBackends, seededRandom, slotCounts } from './maglev-fixtures';

describe('tableSizeFor', () => {
  // The ladder: prime, 0 without backends, constant inside a rung, never below 100 slots per backend.
  it('follows the ladder', () => {
    expect([0, 1, 4, 5, 10, 11, 20, 21, 40, 41, 1000, 5000].map((n) => tableSizeFor(n))).toEqual([
      0, 2, 401, 4001, 4001, 16001, 16001, 65537, 65537, 131071, 131071, 131071,
    ]);
    expect(tableSizeFor(2)).toBe(401);
    for (let n = 2; n <= 1310; n++) {
      const m = tableSizeFor(n);
      expect(isPrime(m)).toBe(true);
      expect(m).toBeGreaterThanOrEqual(100 * n);
      expect(m).toBeGreaterThanOrEqual(tableSizeFor(n - 1));
    }
  });

  // min and max are configurable; the cap wins.
  it('honours a configured min and max', () => {
    const policy = { ...TABLE_POLICY_DEFAULTS, minTableSize: 1000, maxTableSize: 20000 };
    expect(tableSizeFor(2, policy)).toBe(1009);
    expect(tableSizeFor(30, policy)).toBe(19997);
    expect(tableSizeFor(500, policy)).toBe(19997);
  });
});

describe('Maglev at the chosen sizes', () => {
  // Equal weights: the busiest backend holds at most 1% more slots than the idlest one.
  it.each([1, 2, 3, 4, 5, 7, 10, 16, 20, 33, 40, 64, 100, 1000])('balance ≤ 1.01 with N=%i', (n) => {
    const m = tableSizeFor(n);
    const counts = slotCounts(buildMaglevTable(equalBackends(n), m), n);
    expect(Math.max(...counts) / Math.min(...counts)).toBeLessThanOrEqual(1.01);
  });

  // Random weights 0..1000 (0 = drained): each backend's share of slots is within 1% of its weight share.
  it.each([2, 3, 5, 10, 20, 40, 100])('weight shares within 1%% with N=%i', (n) => {
    const random = seededRandom(n * 7919);
    const backends = backendIds(n).map((id, i) => ({
      id,
      weight: i === 0 ? 0 : Math.floor(random() * 1000) + 1,
    }));
    const m = tableSizeFor(n);
    const counts = slotCounts(buildMaglevTable(backends, m), n);
    const ordered = orderBackends(backends);
    const total = ordered.reduce((a, b) => a + b.weight, 0);
    ordered.forEach((b, i) => {
      expect(Math.abs(counts[i] / m - b.weight / total)).toBeLessThanOrEqual(0.01);
    });
  });

  /** Table of `backends` at size m with entries mapped to stable per-backend numbers. */
  function stableTable(
    backends: readonly MaglevBackend[],
    m: number,
    stable: ReadonlyMap<string, number>,
  ): Int32Array {
    return translateTable(
      buildMaglevTable(backends, m),
      orderBackends(backends).map((b) => stable.get(b.id) ?? -2),
    );
  }

  // Within a rung, adding one backend to N changes ≤ 1.2 × M/(N+1) slots, and removing one of N+1
  // moves ≤ 1.2 × its own slots (its slots plus the others Maglev reshuffles), for every backend.
  it.each([2, 3, 5, 7, 9, 11, 15, 19, 21, 27, 33, 39])('disruption ≤ 1.2 × ideal from N=%i to N+1', (n) => {
    const m = tableSizeFor(n + 1);
    expect(tableSizeFor(n)).toBe(m); // same rung: no re-size
    const all = equalBackends(n + 1);
    const stable = new Map(all.map((b, i) => [b.id, i]));
    const withAll = stableTable(all, m, stable);
    for (const one of all) {
      const without = stableTable(
        all.filter((b) => b !== one),
        m,
        stable,
      );
      const own = withAll.filter((v) => v === stable.get(one.id)).length;
      expect(diffTables(without, withAll).slots.length).toBeLessThanOrEqual(1.2 * (m / (n + 1)));
      expect(diffTables(withAll, without).slots.length).toBeLessThanOrEqual(1.2 * own);
    }
  });

  // One backend has a 2-slot table; a second one brings the 401-slot table, where the first
  // keeps half the slots: half of the flows move, which is the ideal for 1 → 2.
  it('moves the ideal half of the flows from one backend to two', () => {
    const [first, second] = equalBackends(2);
    expect(tableSizeFor(1)).toBe(2);
    expect([...buildMaglevTable([first], 2)]).toEqual([0, 0]);
    const m = tableSizeFor(2);
    const two = buildMaglevTable([first, second], m);
    const moved = [...two].filter((e) => orderBackends([first, second])[e] !== first).length / m;
    expect(moved).toBeLessThanOrEqual(1.2 * 0.5);
    expect(moved).toBeGreaterThanOrEqual(0.5 - 1 / m);
  });
});
