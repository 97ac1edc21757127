// Disruption bounds of the Maglev table: how many slots change when one backend is removed or added.
// Maglev puts balance first, so beyond the removed/added backend's own slots a few others move too;
// that extra grows with N/M (paper §5.3). Each row writes the bound it promises.

import { diffTables } from '../../../../src/lbrp/maglev/maglev-delta';
import {
  buildMaglevTable,
  type MaglevBackend,
  nextPrime,
  orderBackends,
  translateTable,
} from '../../../../src/lbrp/maglev/maglev-table';
import { equalBackends } from './maglev-fixtures';

/** Table of `backends` whose entries are stable per-backend numbers (`stable`), so diffs compare identities. */
function stableTable(
  backends: readonly MaglevBackend[],
  m: number,
  stable: ReadonlyMap<string, number>,
): Int32Array {
  const values = orderBackends(backends).map((b) => stable.get(b.id) ?? -2);
  return translateTable(buildMaglevTable(backends, m), values);
}

/**
 * Rows: N backends stay, one more comes and goes; equal weights. Bounds (measured worst in brackets):
 * - wantOthersPerOwn: on removal, slots that move besides the removed backend's own ≤ this × its own.
 * - wantMovedPerIdeal: on addition, slots that change ≤ this × the ideal M/(N+1).
 * The 1.2 × ideal target holds while M ≳ 1600·N (the default 65537 up to ~40 backends, measured
 * 1.196 at N=40); at M = 100·N (chooseTableSize's ladder) 1.5–3 × ideal moves: Maglev's trade-off.
 */
const ROWS = [
  { name: 'N=3, M=65537', inN: 3, inM: 65537, wantOthersPerOwn: 0.01, wantMovedPerIdeal: 1.2 }, // [0.002, 1.002]
  { name: 'N=5, M=65537', inN: 5, inM: 65537, wantOthersPerOwn: 0.02, wantMovedPerIdeal: 1.2 }, // [0.008, 1.008]
  { name: 'N=10, M=65537', inN: 10, inM: 65537, wantOthersPerOwn: 0.05, wantMovedPerIdeal: 1.2 }, // [0.028, 1.028]
  { name: 'N=20, M=65537', inN: 20, inM: 65537, wantOthersPerOwn: 0.15, wantMovedPerIdeal: 1.2 }, // [0.090, 1.090]
  { name: 'N=30, M=65537', inN: 30, inM: 65537, wantOthersPerOwn: 0.2, wantMovedPerIdeal: 1.2 }, // [0.142, 1.142]
  { name: 'N=50, M=65537', inN: 50, inM: 65537, wantOthersPerOwn: 0.35, wantMovedPerIdeal: 1.35 }, // [0.260, 1.260]
  { name: 'N=100, M=65537', inN: 100, inM: 65537, wantOthersPerOwn: 0.8, wantMovedPerIdeal: 1.8 }, // [0.650, 1.651]
  { name: 'N=3, M=307', inN: 3, inM: nextPrime(300), wantOthersPerOwn: 0.15, wantMovedPerIdeal: 1.2 }, // [0.092, 1.081]
  { name: 'N=10, M=1009', inN: 10, inM: nextPrime(1000), wantOthersPerOwn: 0.6, wantMovedPerIdeal: 1.6 }, // [0.462, 1.450]
  { name: 'N=100, M=10007', inN: 100, inM: nextPrime(10000), wantOthersPerOwn: 2.2, wantMovedPerIdeal: 3.2 }, // [1.929, 2.927]
];

describe('buildMaglevTable disruption', () => {
  // Removing any one of N+1 backends moves its own slots plus at most the row's bound of others,
  // and adding it back changes at most the row's multiple of the ideal M/(N+1) slots.
  it.each(ROWS)(
    'one backend removed or added moves a bounded number of slots ($name)',
    ({ inN, inM, wantOthersPerOwn, wantMovedPerIdeal }) => {
      const all = equalBackends(inN + 1);
      const stable = new Map(all.map((b, i) => [b.id, i]));
      const withAll = stableTable(all, inM, stable);
      for (const removed of all) {
        const without = stableTable(
          all.filter((b) => b !== removed),
          inM,
          stable,
        );
        const own = withAll.filter((v) => v === stable.get(removed.id)).length;
        const removal = diffTables(withAll, without).slots.length;
        const addition = diffTables(without, withAll).slots.length;
        expect(removal).toBeGreaterThanOrEqual(own);
        expect(removal - own).toBeLessThanOrEqual(wantOthersPerOwn * own);
        expect(addition).toBeLessThanOrEqual(wantMovedPerIdeal * (inM / (inN + 1)));
      }
    },
  );
});
