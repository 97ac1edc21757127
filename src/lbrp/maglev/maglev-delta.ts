// Slot-level delta between two Maglev tables, so sync/ writes only the slots that changed.
// Compact typed-array form: `slots` and `values` line up like the key and value arrays of a batched
// map update.

/** Changed slots, in ascending slot order; `values[i]` is the new content of `slots[i]`. */
export interface TableDelta {
  slots: Uint32Array;
  values: Int32Array;
}

/**
 * Returns the slots whose entry differs between `prev` and `next`, with their `next` values.
 * When `prev` is undefined or has a different size, every slot of `next` is a change (the whole
 * table must be written). Identical tables give an empty delta. Never mutates either table and never
 * touches the kernel.
 *
 * Compare tables whose entries mean the same thing in both snapshots (e.g. kernel backend ids from
 * `translateTable`), not raw sorted indices.
 */
export function diffTables(prev: Int32Array | undefined, next: Int32Array): TableDelta {
  const m = next.length;
  if (prev === undefined || prev.length !== m) {
    const slots = new Uint32Array(m);
    for (let s = 0; s < m; s++) slots[s] = s;
    return { slots, values: next.slice() };
  }
  let count = 0;
  for (let s = 0; s < m; s++) if (prev[s] !== next[s]) count++;
  const slots = new Uint32Array(count);
  const values = new Int32Array(count);
  let k = 0;
  for (let s = 0; s < m && k < count; s++) {
    if (prev[s] !== next[s]) {
      slots[k] = s;
      values[k++] = next[s];
    }
  }
  return { slots, values };
}
