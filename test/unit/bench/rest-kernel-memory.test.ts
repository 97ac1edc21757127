// bench:rest's kernel memory formula: an lbrp cube's cost by CPU count grows linearly while its
// counters are per-CPU, then its counters become one shared array (lbrp_consts.h's switch), so
// the cost stops growing by the counters' share; the default cube stays ≤ 8 MiB far past that.

import { cubeMemoryOn, formulaLines, PERCPU_STATS_MAX_BYTES } from '../../../bench/rest/kernel-memory';
import { BpfMapType } from '../../../src/polycubed/runtime/bpf-types';

/** The two counter maps at the default sizes, and one fixed map. */
const MAPS = [
  {
    name: 'service_stats',
    type: BpfMapType.PERCPU_ARRAY,
    keySize: 4,
    valueSize: 24,
    maxEntries: 1024,
    flags: 0,
  },
  {
    name: 'backend_stats',
    type: BpfMapType.PERCPU_ARRAY,
    keySize: 4,
    valueSize: 24,
    maxEntries: 4096,
    flags: 0,
  },
  { name: 'sessions', type: BpfMapType.ARRAY, keySize: 4, valueSize: 320, maxEntries: 8192, flags: 0 },
];

describe('bench:rest kernel memory formula', () => {
  it('charges per-CPU counters per CPU up to the switch, shared ones once above it', () => {
    const perCpu = (1024 + 4096) * 24;
    const last = Math.floor(PERCPU_STATS_MAX_BYTES / perCpu);
    expect(last).toBe(8);
    expect(cubeMemoryOn(MAPS, 2) - cubeMemoryOn(MAPS, 1)).toBe(perCpu);
    expect(cubeMemoryOn(MAPS, last + 2) - cubeMemoryOn(MAPS, last + 1)).toBe(0);
    expect(cubeMemoryOn(MAPS, 4096)).toBeLessThan(cubeMemoryOn(MAPS, last));
  });

  it('prints both formulas and where the cube passes 8 MiB', () => {
    const lines = formulaLines(MAPS);
    expect(lines[0]).toMatch(/^ {2}N ≤ 8 CPUs \(per-CPU counters\): \d+ \+ 122880 × N bytes$/);
    expect(lines[1]).toMatch(/^ {2}N > 8 CPUs \(shared counters\): {2}\d+ \+ 0 × N bytes$/);
    expect(lines[3]).toMatch(/^ {2}at most 8 MiB up to N = \d+ CPUs$/);
  });
});
