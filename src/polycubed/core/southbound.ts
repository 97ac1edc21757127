// The work behind the dataplane calls a service makes (LoadDataplane failures, WriteMaps,
// ReadMaps): map writes batched per map and kind, per-CPU values, and the translation of
// runtime errors into a LoadDataplane reply or a SouthboundError. No gRPC here.

import type { LoadDataplaneReplyMsg, MapEntryMsg, MapOpMsg } from '../../proto/polycube-types';
import type { BpfMap } from '../runtime/bpf-map';
import type { CubeDataplane } from '../runtime/cube-dataplane';
import { CompileError, KernelError, VerifierError } from '../runtime/kernel-error';
import { KernelMemoryError } from './kernel-memory-budget';
import { SouthboundError } from './service-link';

/** A LoadDataplane reply for a program that did not load; `programId` is the one still running. */
export function loadFailure(err: unknown, programId: number): LoadDataplaneReplyMsg {
  const base = { reloaded: false, programId, error: (err as Error).message ?? String(err) };
  if (err instanceof CompileError) return { ...base, errorKind: 'COMPILE', log: err.stderr };
  if (err instanceof VerifierError) return { ...base, errorKind: 'VERIFIER', log: err.log };
  if (err instanceof KernelMemoryError)
    return {
      ...base,
      errorKind: 'MEMORY',
      log: '',
      kernelMemory: err.memory.total,
      mapMemory: Object.fromEntries(err.memory.maps.map((m) => [m.name, m.bytes])),
      kernelMemoryBudget: err.budget,
      kernelMemoryUsed: err.used,
    };
  return { ...base, errorKind: 'KERNEL', log: err instanceof KernelError ? err.message : '' };
}

function mapOf(dp: CubeDataplane, cube: string, name: string): BpfMap {
  const map = dp.map(name);
  if (!map) {
    const why = dp.loaded ? `map ${name} not found in cube ${cube}` : `cube ${cube} has no dataplane loaded`;
    throw new SouthboundError(dp.loaded ? 'NOT_FOUND' : 'FAILED_PRECONDITION', why);
  }
  return map;
}

/** A value for `map`: per-CPU maps accept one CPU's value, copied to every CPU. */
function valueFor(map: BpfMap, value: Buffer): Buffer {
  if (!map.perCpu || value.length !== map.valueSize) return value;
  const out = Buffer.alloc(map.valueBytes);
  for (let off = 0; off < map.valueBytes; off += map.slotSize) value.copy(out, off);
  return out;
}

function southError(err: unknown, applied: number, total: number): SouthboundError {
  const status = err instanceof TypeError ? 'INVALID_ARGUMENT' : 'INTERNAL';
  return new SouthboundError(status, `${(err as Error).message} (${applied} of ${total} operations applied)`);
}

/**
 * Applies `ops` in order, one batch per run of consecutive ops on the same map and of the same
 * kind. Deleting a missing key is not an error. Returns how many ops were applied; on failure
 * throws SouthboundError saying how many were.
 */
export function writeMapOps(dp: CubeDataplane, cube: string, ops: MapOpMsg[]): number {
  let applied = 0;
  for (let i = 0; i < ops.length;) {
    let j = i;
    while (j < ops.length && ops[j].map === ops[i].map && Boolean(ops[j].delete) === Boolean(ops[i].delete))
      j++;
    const run = ops.slice(i, j);
    const map = mapOf(dp, cube, run[0].map);
    try {
      if (run[0].delete) map.deleteBatch(run.map((o) => o.key));
      else applyUpdates(map, run);
    } catch (err) {
      const inRun = (err as { appliedInRun?: number }).appliedInRun ?? 0;
      throw southError(err, applied + inRun, ops.length);
    }
    applied += run.length;
    i = j;
  }
  return applied;
}

/** Batch update; on failure finds how many of the run were written by redoing them one by one. */
function applyUpdates(map: BpfMap, run: MapOpMsg[]): void {
  const keys = run.map((o) => o.key);
  const values = run.map((o) => valueFor(map, o.value));
  try {
    map.updateBatch(keys, values);
    return;
  } catch (batchErr) {
    for (let k = 0; k < keys.length; k++) {
      try {
        map.update(keys[k], values[k]);
      } catch (err) {
        throw Object.assign(err as Error, { appliedInRun: k });
      }
    }
    throw batchErr;
  }
}

/** Reads the whole map (no keys) or the given keys (missing ones are left out). */
export function readMapEntries(dp: CubeDataplane, cube: string, name: string, keys: Buffer[]): MapEntryMsg[] {
  const map = mapOf(dp, cube, name);
  try {
    const pairs: Array<[Buffer, Buffer]> =
      keys.length === 0
        ? map.dump()
        : keys.flatMap((k) => {
            const v = map.lookup(k);
            return v === undefined ? [] : [[k, v] as [Buffer, Buffer]];
          });
    return pairs.map(([key, value]) =>
      map.perCpu
        ? { key, value: Buffer.alloc(0), perCpu: map.splitPerCpu(value) }
        : { key, value, perCpu: [] },
    );
  } catch (err) {
    throw southError(err, 0, keys.length);
  }
}
