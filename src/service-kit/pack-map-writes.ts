// WriteMaps messages: a run of consecutive writes to one map, of one kind and with keys (and
// values) of one size, travels as one packed MapOp (count entries back to back) instead of one
// message per write: a Maglev table of 131,071 slots is a few hundred kilobytes of two byte
// strings, not 131,071 protobuf messages to encode and decode. polycubed unpacks them.

import type { MapOpMsg } from '../proto/polycube-types';
import type { MapWrite } from './types';

/** Upper bound of entries in one packed op (keeps each op's buffers a few megabytes at most). */
const MAX_PACKED = 1 << 16;

/** A run being packed: its parts, and whether they sit back to back in one buffer. */
interface Run {
  map: string;
  del: boolean;
  keys: Buffer[];
  values: Buffer[];
}

/** Returns `ops` as MapOps, consecutive compatible writes packed; order and effect unchanged. */
export function packMapWrites(ops: readonly MapWrite[]): MapOpMsg[] {
  const out: MapOpMsg[] = [];
  let run: Run | undefined;
  const flush = (): void => {
    if (!run) return;
    const n = run.keys.length;
    out.push({
      map: run.map,
      key: n === 1 ? run.keys[0] : joined(run.keys),
      value: run.del ? Buffer.alloc(0) : n === 1 ? run.values[0] : joined(run.values),
      delete: run.del,
      count: n === 1 ? 0 : n,
    });
    run = undefined;
  };
  for (const o of ops) {
    const del = o.delete ?? false;
    const value = o.value ?? Buffer.alloc(0);
    if (o.count !== undefined && o.count > 1) {
      flush(); // already packed by the caller: sent as it is
      out.push({ map: o.map, key: o.key, value: del ? Buffer.alloc(0) : value, delete: del, count: o.count });
      continue;
    }
    if (
      run &&
      run.map === o.map &&
      run.del === del &&
      run.keys.length < MAX_PACKED &&
      run.keys[0].length === o.key.length &&
      (del || run.values[0].length === value.length)
    ) {
      run.keys.push(o.key);
      if (!del) run.values.push(value);
      continue;
    }
    flush();
    run = { map: o.map, del, keys: [o.key], values: del ? [] : [value] };
  }
  flush();
  return out;
}

/**
 * The parts as one Buffer: a view when they already lie back to back in one ArrayBuffer (the
 * plan writes a table's slots into one buffer), else a copy.
 */
function joined(parts: Buffer[]): Buffer {
  const first = parts[0];
  let end = first.byteOffset + first.length;
  let contiguous = true;
  for (let i = 1; i < parts.length && contiguous; i++) {
    const p = parts[i];
    contiguous = p.buffer === first.buffer && p.byteOffset === end;
    end += p.length;
  }
  if (contiguous) return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
  return Buffer.concat(parts);
}
