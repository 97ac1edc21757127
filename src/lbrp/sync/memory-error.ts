// The answer to a cube that polycubed's kernel memory budget refused: which size leaf its maps'
// bytes come from (the largest share named first, as the one to lower), and the budget's numbers.

import { cubeError, type CubeError } from '../../common/errors';
import type { DataplaneMemory } from '../../service-kit';
import { SIZE_LEAVES, type CubeModel, type CubeSizes } from '../model/cube-model';

/** The size leaf each map's size comes from (the others are fixed by the program). */
export const MAP_SIZE_LEAF: Readonly<Record<string, keyof CubeSizes>> = {
  sessions: 'sessionTableSize',
  maglev_slots: 'maglevSlots',
  services: 'maxServices',
  vips: 'maxServices',
  service_stats: 'maxServices',
  service_affinity: 'maxServices',
  backends: 'maxBackends',
  backend_to_vip: 'maxBackends',
  backend_stats: 'maxBackends',
};

/** Bytes of `memory` per size leaf, largest first. */
export function bytesByLeaf(memory: Record<string, number>): Array<[keyof CubeSizes, number]> {
  const sums = new Map<keyof CubeSizes, number>();
  for (const [map, bytes] of Object.entries(memory)) {
    const leaf = MAP_SIZE_LEAF[map];
    if (leaf) sums.set(leaf, (sums.get(leaf) ?? 0) + bytes);
  }
  return [...sums].sort((a, b) => b[1] - a[1]);
}

/** CUBE_ERR_LBRP_KERNEL_MEMORY for `model`, refused with `memory`. */
export function kernelMemoryError(model: CubeModel, memory: DataplaneMemory): CubeError {
  const byLeaf = bytesByLeaf(memory.maps);
  const [leaf, bytes] = byLeaf[0] ?? ['sessionTableSize', 0];
  return cubeError('CUBE_ERR_LBRP_KERNEL_MEMORY', {
    cube: model.name,
    need: memory.total,
    free: Math.max(0, memory.budget - memory.used),
    budget: memory.budget,
    used: memory.used,
    field: SIZE_LEAVES[leaf],
    value: model.sizes[leaf],
    bytes,
    sizes: byLeaf.map(([l, b]) => `${SIZE_LEAVES[l]} ${model.sizes[l]}: ${b} bytes`).join(', '),
  });
}
