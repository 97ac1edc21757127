// polycubed's kernel memory budget: the maps of all cubes together may take at most this many
// bytes (default 1/8 of MemTotal, `--kernel-memory-budget`). A program whose maps would push the
// total past it is refused before any map is created (map-memory.ts computes the cost).

import { readFileSync } from 'node:fs';
import { cubeError } from '../../common/errors';
import type { ProgramMemory } from '../runtime/map-memory';
import type { CubeRegistry } from './cube-registry';

/** Share of MemTotal the default budget allows. */
export const DEFAULT_BUDGET_SHARE = 1 / 8;

/** A program refused by the budget; `memory` is what it would have taken. */
export class KernelMemoryError extends Error {
  constructor(
    message: string,
    readonly cube: string,
    readonly memory: ProgramMemory,
    /** The budget, and what the other cubes took of it. */
    readonly budget: number,
    readonly used: number,
  ) {
    super(message);
    this.name = 'KernelMemoryError';
  }
}

/** MemTotal of /proc/meminfo, in bytes. */
export function memTotalBytes(meminfo = readFileSync('/proc/meminfo', 'utf8')): number {
  const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(meminfo);
  if (!m) throw new Error('/proc/meminfo has no MemTotal line');
  return Number(m[1]) * 1024;
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * Parses a budget: bytes ("67108864"), with a binary unit ("512M", "2GiB", "64k"), or a share of
 * MemTotal ("12.5%"). Throws with the text when it is none of these or not positive.
 */
export function parseKernelMemoryBudget(text: string, memTotal: () => number = memTotalBytes): number {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (pct) {
    const share = Number(pct[1]);
    if (share > 0 && share <= 100) return Math.floor((memTotal() * share) / 100);
  }
  const abs = /^(\d+)\s*([kKmMgGtT]?)(?:i?B)?$/.exec(t);
  if (abs) {
    const bytes = Number(abs[1]) * (UNITS[abs[2].toUpperCase()] ?? 1);
    if (bytes > 0 && Number.isSafeInteger(bytes)) return bytes;
  }
  throw new Error(
    `--kernel-memory-budget needs a positive size in bytes (e.g. 268435456, 256M, 1G) or a share of RAM (e.g. 12.5%), got ${JSON.stringify(text)}`,
  );
}

/** The default budget: DEFAULT_BUDGET_SHARE of MemTotal. */
export function defaultKernelMemoryBudget(): number {
  return Math.floor(memTotalBytes() * DEFAULT_BUDGET_SHARE);
}

/** The budget, charged with what the cubes of a registry hold. */
export class KernelMemoryBudget {
  constructor(
    readonly limit: number,
    private readonly cubes: CubeRegistry,
  ) {}

  /** Bytes held by every cube's maps, or by all but `except`. */
  used(except?: string): number {
    let sum = 0;
    for (const c of this.cubes.list()) if (c.name !== except) sum += c.dataplane.memory.total;
    return sum;
  }

  /**
   * Throws KernelMemoryError when cube `cube`'s new program (`memory`) would take the total past
   * the limit. A program no larger than the one the cube runs is always admitted (a reload reuses
   * its maps), so lowering the budget never stops a running cube from changing ports or levels.
   */
  admit(cube: string, memory: ProgramMemory): void {
    const current = this.cubes.get(cube)?.dataplane.memory.total ?? 0;
    if (memory.total <= current) return;
    const others = this.used(cube);
    if (others + memory.total <= this.limit) return;
    const largest = [...memory.maps].sort((a, b) => b.bytes - a.bytes).slice(0, 3);
    const err = cubeError('CUBE_ERR_KERNEL_MEMORY_BUDGET', {
      cube,
      need: memory.total,
      free: Math.max(0, this.limit - others),
      budget: this.limit,
      used: others,
      maps: largest.map((m) => `${m.name} ${m.bytes}`).join(', '),
    });
    throw new KernelMemoryError(err.message, cube, memory, this.limit, others);
  }
}
