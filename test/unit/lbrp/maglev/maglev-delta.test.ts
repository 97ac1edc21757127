// diffTables: only the slots that changed, with their new values, in slot order.

import { diffTables } from '../../../../src/lbrp/maglev/maglev-delta';

const t = (...entries: number[]): Int32Array => Int32Array.from(entries);

describe('diffTables', () => {
  // Each row: previous table, next table, and the (slot, value) writes that turn one into the other.
  it.each([
    { name: 'identical tables give no writes', inPrev: t(1, 2, 3), inNext: t(1, 2, 3), want: [] },
    {
      name: 'changed slots only, in slot order',
      inPrev: t(1, 2, 3, 4, 5),
      inNext: t(1, 9, 3, 7, 5),
      want: [
        [1, 9],
        [3, 7],
      ],
    },
    {
      name: 'a slot emptied to NO_BACKEND is a write',
      inPrev: t(0, 0),
      inNext: t(0, -1),
      want: [[1, -1]],
    },
    {
      name: 'no previous table writes every slot',
      inPrev: undefined,
      inNext: t(4, 5, 6),
      want: [
        [0, 4],
        [1, 5],
        [2, 6],
      ],
    },
    {
      name: 'a resized table writes every slot',
      inPrev: t(4, 5),
      inNext: t(4, 5, 6),
      want: [
        [0, 4],
        [1, 5],
        [2, 6],
      ],
    },
    { name: 'empty next table gives no writes', inPrev: undefined, inNext: t(), want: [] },
  ])('$name', ({ inPrev, inNext, want }) => {
    const delta = diffTables(inPrev, inNext);
    expect(delta.slots).toHaveLength(delta.values.length);
    expect(Array.from(delta.slots, (slot, i) => [slot, delta.values[i]])).toEqual(want);
  });

  // Applying the delta to the previous table reproduces the next one, and neither input is touched.
  it('applying the delta turns prev into next without mutating either', () => {
    const prev = Int32Array.from({ length: 1009 }, (_, i) => i % 7);
    const next = Int32Array.from({ length: 1009 }, (_, i) => (i % 13 === 0 ? -1 : i % 7));
    const prevCopy = prev.slice();
    const nextCopy = next.slice();
    const delta = diffTables(prev, next);
    const applied = prev.slice();
    delta.slots.forEach((slot, i) => (applied[slot] = delta.values[i]));
    expect(applied).toEqual(next);
    expect(delta.slots).toHaveLength(next.filter((v, i) => v !== prev[i]).length);
    expect(prev).toEqual(prevCopy);
    expect(next).toEqual(nextCopy);
  });

  // The values of a full write are a copy: later changes to `next` don't leak into the delta.
  it('copies values instead of aliasing next', () => {
    const next = t(1, 2);
    const delta = diffTables(undefined, next);
    next[0] = 9;
    expect(Array.from(delta.values)).toEqual([1, 2]);
  });
});
