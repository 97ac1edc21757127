// The kernel memory row of bench:rest: an empty lbrp cube's maps as the kernel counts them here,
// and the same cube's cost on N possible CPUs computed with map-memory.ts, as polycubed would
// compute it there (service_stats/backend_stats turn from per-CPU to shared past
// LBRP_PERCPU_STATS_MAX_BYTES, as lbrp_consts.h decides at compile time).

import { BpfMapType } from '../../src/polycubed/runtime/bpf-types';
import { mapMemoryBytes, type MapShape } from '../../src/polycubed/runtime/map-memory';
import { STRUCT_LAYOUTS } from '../../src/lbrp/dataplane/map-layouts';

/** lbrp_consts.h: per-CPU counters only while they take at most this much. */
export const PERCPU_STATS_MAX_BYTES = 1 << 20;
/** sizeof(struct lbrp_counters). */
const COUNTERS_BYTES = STRUCT_LAYOUTS.lbrp_counters.size;
const STATS_MAPS = new Set(['service_stats', 'backend_stats']);

/** A cube's maps (as read from their pins) on a machine with `cpus` possible CPUs. */
export function cubeMemoryOn(maps: ReadonlyArray<MapShape & { name: string }>, cpus: number): number {
  const statsEntries = maps.filter((m) => STATS_MAPS.has(m.name)).reduce((s, m) => s + m.maxEntries, 0);
  const shared = statsEntries * COUNTERS_BYTES * cpus > PERCPU_STATS_MAX_BYTES;
  return maps.reduce((sum, m) => {
    const type = shared && STATS_MAPS.has(m.name) ? BpfMapType.ARRAY : m.type;
    return sum + mapMemoryBytes({ ...m, type }, cpus);
  }, 0);
}

/** "A + B × N" between two CPU counts where the cost is linear. */
export function linearFormula(cost: (cpus: number) => number, n1: number, n2: number): string {
  const b = (cost(n2) - cost(n1)) / (n2 - n1);
  const a = cost(n1) - b * n1;
  return `${a.toFixed(0)} + ${b.toFixed(0)} × N bytes`;
}

/** Lines describing the cube's cost by CPU count: the formula, sample N and the 8 MiB crossing. */
export function formulaLines(maps: ReadonlyArray<MapShape & { name: string }>): string[] {
  const cost = (n: number): number => cubeMemoryOn(maps, n);
  const statsPerCpu =
    maps.filter((m) => STATS_MAPS.has(m.name)).reduce((s, m) => s + m.maxEntries, 0) * COUNTERS_BYTES;
  const lastPerCpu = Math.floor(PERCPU_STATS_MAX_BYTES / Math.max(1, statsPerCpu));
  const limit = 8 * 1024 * 1024;
  let crossing = 1;
  while (crossing < 1 << 16 && cost(crossing) <= limit) crossing *= 2;
  let lo = crossing / 2;
  while (lo + 1 < crossing) {
    const mid = Math.floor((lo + crossing) / 2);
    if (cost(mid) <= limit) lo = mid;
    else crossing = mid;
  }
  const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(2)} MiB`;
  return [
    `  N ≤ ${lastPerCpu} CPUs (per-CPU counters): ${linearFormula(cost, 1, 2)}`,
    `  N > ${lastPerCpu} CPUs (shared counters):  ${linearFormula(cost, lastPerCpu + 1, lastPerCpu + 2)}`,
    `  ${[1, 2, 4, 8, 16, 64, 256, 1024].map((n) => `N=${n}: ${mib(cost(n))}`).join(', ')}`,
    `  at most 8 MiB up to N = ${lo} CPUs`,
  ];
}
