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
  return new SouthboundError(
    status,
    `${(err as Error).message} (${applied} of ${total} operations applied)`,
    applied,
  );
}

/** Entries an op stands for (MapOp.count: 0 and 1 both mean one). */
const entriesOf = (op: MapOpMsg): number => Math.max(1, op.count ?? 0);

/**
 * The single entries of a packed op (views into its key and value); throws INVALID_ARGUMENT when
 * its bytes do not split into `count` equal parts.
 */
function unpack(op: MapOpMsg): MapOpMsg[] {
  const n = entriesOf(op);
  if (n === 1) return [op];
  const k = op.key.length / n;
  const v = op.delete ? 0 : op.value.length / n;
  if (!Number.isInteger(k) || k === 0 || !Number.isInteger(v))
    throw new SouthboundError(
      'INVALID_ARGUMENT',
      `map ${op.map}: ${op.key.length} key and ${op.value.length} value bytes do not hold ${n} entries`,
    );
  return Array.from({ length: n }, (_, i) => ({
    map: op.map,
    key: op.key.subarray(i * k, (i + 1) * k),
    value: op.value.subarray(i * v, (i + 1) * v),
    delete: op.delete,
  }));
}

/**
 * Applies `ops` in order, one batch per run of consecutive entries on the same map and of the
 * same kind; a packed op (MapOp.count > 1) of updates to a map that is not per-CPU goes to the
 * kernel as it is, without a Buffer per entry. Deleting a missing key is not an error. Returns
 * how many entries were applied; on failure throws SouthboundError saying how many were.
 */
export function writeMapOps(dp: CubeDataplane, cube: string, ops: MapOpMsg[]): number {
  let total = 0;
  for (const op of ops) total += entriesOf(op);
  let applied = 0;
  for (let i = 0; i < ops.length;) {
    const first = ops[i];
    const map = mapOf(dp, cube, first.map);
    if (entriesOf(first) > 1 && !first.delete && !map.perCpu) {
      const n = entriesOf(first);
      try {
        map.updateBatchPacked(first.key, first.value, n);
      } catch (err) {
        throw southError(err, applied, total);
      }
      applied += n;
      i++;
      continue;
    }
    const run: MapOpMsg[] = [];
    let j = i;
    for (; j < ops.length; j++) {
      const op = ops[j];
      if (op.map !== first.map || Boolean(op.delete) !== Boolean(first.delete)) break;
      if (j > i && entriesOf(op) > 1 && !op.delete && !map.perCpu) break; // sent as it is
      for (const e of unpack(op)) run.push(e); // no spread: a packed op may hold 10⁵ entries
    }
    try {
      if (first.delete) map.deleteBatch(run.map((o) => o.key));
      else applyUpdates(map, run);
    } catch (err) {
      const inRun = (err as { appliedInRun?: number }).appliedInRun ?? 0;
      throw southError(err, applied + inRun, total);
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

/** Keys a range read may ask for at once: its reply stays well under gRPC's 4 MiB message limit. */
export const RANGE_READ_MAX_BYTES = 2 * 1024 * 1024;

/**
 * The values of keys first … first+count−1 of array map `name`, back to back. INVALID_ARGUMENT
 * for a map that is not an array, a range outside it, or a reply that would be too large.
 */
export function readMapRange(
  dp: CubeDataplane,
  cube: string,
  name: string,
  first: number,
  count: number,
): Buffer {
  const map = mapOf(dp, cube, name);
  if (count * map.valueBytes > RANGE_READ_MAX_BYTES)
    throw new SouthboundError(
      'INVALID_ARGUMENT',
      `map ${name}: ${count} values are more than ${RANGE_READ_MAX_BYTES} bytes; read the range in parts`,
    );
  try {
    return map.lookupRange(first, count);
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError)
      throw new SouthboundError('INVALID_ARGUMENT', (err as Error).message);
    throw southError(err, 0, count);
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
