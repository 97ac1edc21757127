// Control-plane benchmark: weighted Maglev table build time and the cost of one backend change.
// Run with `npm run bench:control`. Prints medians of RUNS timed runs after WARMUP untimed ones.

import { performance } from 'node:perf_hooks';
import { diffTables } from '../../src/lbrp/maglev/maglev-delta';
import {
  buildMaglevTable,
  type MaglevBackend,
  orderBackends,
  translateTable,
} from '../../src/lbrp/maglev/maglev-table';
import { referenceMaglevTable } from '../../test/unit/lbrp/maglev/maglev-reference';

/** Enough warm-up for V8 to optimise the populate loop before timing starts. */
const WARMUP = 10;
/** Timed runs per case; the median is reported (≥ 20 so one GC pause cannot move it). */
const RUNS = 31;
/** The Maglev paper's table size (prime). */
const M = 65537;
const N = 100;

function backendIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
}

/** Weights 1..100 from a fixed xorshift32 stream, so every run benchmarks the same configuration. */
function seededWeights(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return 1 + (x % 100);
  });
}

function medianMs(run: () => void): number {
  for (let i = 0; i < WARMUP; i++) run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[RUNS >> 1];
}

/** Medians of `a` and `b` timed in alternation (so machine noise hits both alike). */
function alternateMs(a: () => void, b: () => void): [number, number] {
  for (let i = 0; i < WARMUP; i++) {
    a();
    b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    a();
    ta.push(performance.now() - t0);
    t0 = performance.now();
    b();
    tb.push(performance.now() - t0);
  }
  const med = (xs: number[]): number => xs.sort((x, y) => x - y)[RUNS >> 1];
  return [med(ta), med(tb)];
}

/** Table whose entries are stable per-backend numbers, as sync/ would write to the kernel. */
function kernelTable(backends: readonly MaglevBackend[], stable: ReadonlyMap<string, number>): Int32Array {
  const values = orderBackends(backends).map((b) => stable.get(b.id) ?? -1);
  return translateTable(buildMaglevTable(backends, M), values);
}

function main(): void {
  const ids = backendIds(N + 1);
  const equal = ids.slice(0, N).map((id) => ({ id, weight: 1 }));
  const weights = seededWeights(N, 2024);
  const weighted = ids.slice(0, N).map((id, i) => ({ id, weight: weights[i] }));
  const skewed = ids.slice(0, N).map((id, i) => ({ id, weight: i === 0 ? 65535 : 1 }));
  const stable = new Map(ids.map((id, i) => [id, i]));
  const before = kernelTable(equal, stable);
  const grown = [...equal, { id: ids[N], weight: 1 }];
  const changed = diffTables(before, kernelTable(grown, stable)).slots.length;
  const ideal = M / (N + 1);

  // The service of 1,000 backends of the churn bench (131071 slots), against the populate loop
  // before it was optimised (kept as the test reference), measured alternately.
  const big = backendIds(1000).map((id) => ({ id, weight: 1 }));
  const [fast, plain] = alternateMs(
    () => buildMaglevTable(big, 131071),
    () => referenceMaglevTable(big, 131071),
  );
  const rows: [string, string][] = [
    [`build, M=131071, N=1000, equal weights`, `${fast.toFixed(3)} ms`],
    [`  the same with the previous loop (test reference)`, `${plain.toFixed(3)} ms`],
    [`build, M=${M}, N=${N}, equal weights`, `${medianMs(() => buildMaglevTable(equal, M)).toFixed(3)} ms`],
    [
      `build, M=${M}, N=${N}, weights 1..100`,
      `${medianMs(() => buildMaglevTable(weighted, M)).toFixed(3)} ms`,
    ],
    [
      `build, M=${M}, N=${N}, one 65535, rest 1`,
      `${medianMs(() => buildMaglevTable(skewed, M)).toFixed(3)} ms`,
    ],
    [
      `add 1 at N=${N}: build + translate + diff`,
      `${medianMs(() => diffTables(before, kernelTable(grown, stable))).toFixed(3)} ms`,
    ],
    [
      `add 1 at N=${N}: slots changed`,
      `${changed} (ideal ${ideal.toFixed(0)}, ${(changed / ideal).toFixed(3)} × ideal)`,
    ],
  ];
  console.log(
    `maglev control-plane bench (node ${process.version}, median of ${RUNS} after ${WARMUP} warm-up)`,
  );
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${value}`);
}

main();
