// polycubed's kernel memory budget without a kernel: the --kernel-memory-budget forms (bytes,
// units, share of MemTotal) and their refusals, and what `admit` lets through: new programs
// within the budget, reloads no larger than the running one, never one that would exceed it.

import type { CubeRegistry } from '../../../src/polycubed/core/cube-registry';
import {
  KernelMemoryBudget,
  KernelMemoryError,
  memTotalBytes,
  parseKernelMemoryBudget,
} from '../../../src/polycubed/core/kernel-memory-budget';
import type { ProgramMemory } from '../../../src/polycubed/runtime/map-memory';

const GiB = 1024 ** 3;

/** A registry holding cubes whose dataplanes take the given bytes. */
function registry(held: Record<string, number>): CubeRegistry {
  const cubes = Object.entries(held).map(([name, total]) => ({
    name,
    dataplane: { memory: { total, maps: [] } },
  }));
  return {
    list: () => cubes,
    get: (name: string) => cubes.find((c) => c.name === name),
  } as unknown as CubeRegistry;
}

const program = (maps: Record<string, number>): ProgramMemory => ({
  total: Object.values(maps).reduce((a, b) => a + b, 0),
  maps: Object.entries(maps).map(([name, bytes]) => ({ name, bytes })),
});

describe('kernel memory budget', () => {
  it('reads MemTotal from /proc/meminfo', () => {
    expect(memTotalBytes('MemTotal:        8000000 kB\nMemFree: 1 kB\n')).toBe(8_192_000_000);
    expect(() => memTotalBytes('nothing')).toThrow('MemTotal');
  });

  it.each([
    ['268435456', 268435456],
    ['256M', 256 * 1024 ** 2],
    ['1G', GiB],
    ['2GiB', 2 * GiB],
    ['64k', 65536],
    ['12.5%', GiB],
    ['100%', 8 * GiB],
  ])('parses %s', (text, bytes) => {
    expect(parseKernelMemoryBudget(text, () => 8 * GiB)).toBe(bytes);
  });

  it.each(['0', '-1', 'lots', '0%', '101%', '1.5G', ''])('refuses %j naming the flag', (text) => {
    expect(() => parseKernelMemoryBudget(text, () => 8 * GiB)).toThrow(/^--kernel-memory-budget needs/);
  });

  it('admits what fits and refuses what does not, with the numbers', () => {
    const budget = new KernelMemoryBudget(10_000_000, registry({ lb0: 6_000_000, lb1: 0 }));
    expect(budget.used()).toBe(6_000_000);
    expect(() => budget.admit('lb1', program({ sessions: 3_000_000, services: 1_000_000 }))).not.toThrow();
    let err: unknown;
    try {
      budget.admit('lb1', program({ sessions: 4_000_000, maglev_slots: 1 }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelMemoryError);
    expect((err as KernelMemoryError).message).toBe(
      'cube lb1 needs 4000001 bytes of kernel memory for its maps (largest: sessions 4000000, maglev_slots 1), ' +
        'but only 4000000 of the 10000000-byte kernel memory budget are free (6000000 taken by other cubes; ' +
        'polycubed --kernel-memory-budget)',
    );
    expect((err as KernelMemoryError).used).toBe(6_000_000);
  });

  // A reload reuses the cube's maps: never refused unless it grows, even over a lowered budget.
  it('always admits a reload no larger than the running program', () => {
    const budget = new KernelMemoryBudget(1_000, registry({ lb0: 5_000 }));
    expect(() => budget.admit('lb0', program({ sessions: 5_000 }))).not.toThrow();
    expect(() => budget.admit('lb0', program({ sessions: 5_001 }))).toThrow(KernelMemoryError);
  });
});
