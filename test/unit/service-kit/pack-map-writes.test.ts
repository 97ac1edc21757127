// packMapWrites: consecutive writes to one map of one kind and size travel as one packed MapOp;
// unpacking the result gives back exactly the writes, in order.

import type { MapOpMsg } from '../../../src/proto/polycube-types';
import { packMapWrites } from '../../../src/service-kit/pack-map-writes';
import type { MapWrite } from '../../../src/service-kit/types';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** The single writes a packed list stands for (what polycubed applies). */
function unpacked(ops: MapOpMsg[]): { map: string; key: string; value: string; delete: boolean }[] {
  return ops.flatMap((op) => {
    const n = Math.max(1, op.count ?? 0);
    const k = op.key.length / n;
    const v = op.value.length / n;
    return Array.from({ length: n }, (_, i) => ({
      map: op.map,
      key: op.key.subarray(i * k, (i + 1) * k).toString('hex'),
      value: op.value.subarray(i * v, (i + 1) * v).toString('hex'),
      delete: op.delete,
    }));
  });
}

const flat = (ws: MapWrite[]): ReturnType<typeof unpacked> =>
  ws.map((w) => ({
    map: w.map,
    key: w.key.toString('hex'),
    value: w.delete ? '' : (w.value ?? Buffer.alloc(0)).toString('hex'),
    delete: w.delete ?? false,
  }));

describe('packMapWrites', () => {
  it('packs a run of writes to one map into one op and keeps the order of runs', () => {
    const writes: MapWrite[] = [
      { map: 'backend_stats', key: u32(1), value: Buffer.alloc(16) },
      { map: 'backend_stats', key: u32(2), value: Buffer.alloc(16) },
      { map: 'backends', key: u32(1), value: Buffer.alloc(8, 1) },
      { map: 'slots', key: u32(7), value: u32(1) },
      { map: 'slots', key: u32(9), value: u32(2) },
      { map: 'slots', key: u32(11), value: u32(1) },
      { map: 'vips', key: u32(5), delete: true },
      { map: 'vips', key: u32(6), delete: true },
      { map: 'slots', key: u32(12), value: u32(3) },
    ];
    const ops = packMapWrites(writes);
    expect(ops.map((o) => [o.map, o.count, o.delete])).toEqual([
      ['backend_stats', 2, false],
      ['backends', 0, false],
      ['slots', 3, false],
      ['vips', 2, true],
      ['slots', 0, false],
    ]);
    expect(unpacked(ops)).toEqual(flat(writes));
  });

  it('never packs writes whose key or value sizes differ, or updates with deletes', () => {
    const writes: MapWrite[] = [
      { map: 'm', key: u32(1), value: u32(1) },
      { map: 'm', key: Buffer.alloc(8), value: u32(1) },
      { map: 'm', key: Buffer.alloc(8), value: Buffer.alloc(8) },
      { map: 'm', key: Buffer.alloc(8), delete: true },
      { map: 'm', key: Buffer.alloc(8), value: Buffer.alloc(8) },
    ];
    const ops = packMapWrites(writes);
    expect(ops).toHaveLength(5);
    expect(ops.every((o) => o.count === 0)).toBe(true);
    expect(unpacked(ops)).toEqual(flat(writes));
  });

  it('uses one view for parts that lie back to back in one buffer, and copies others', () => {
    const keys = Buffer.alloc(4 * 1000);
    const values = Buffer.alloc(4 * 1000);
    const writes: MapWrite[] = [];
    for (let i = 0; i < 1000; i++) {
      keys.writeUInt32LE(100 + i, 4 * i);
      values.writeUInt32LE(i % 7, 4 * i);
      writes.push({
        map: 'slots',
        key: keys.subarray(4 * i, 4 * i + 4),
        value: values.subarray(4 * i, 4 * i + 4),
      });
    }
    writes.push({ map: 'slots', key: u32(5000), value: u32(9) }); // a separate buffer: copied
    const ops = packMapWrites(writes);
    expect(ops).toHaveLength(1);
    expect(ops[0].count).toBe(1001);
    expect(unpacked(ops)).toEqual(flat(writes));
    // The first 1,000 parts were one view, so the joined key is a fresh copy only because of the last.
    const justTable = packMapWrites(writes.slice(0, 1000));
    expect(justTable[0].key.buffer).toBe(keys.buffer);
    expect(justTable[0].value.buffer).toBe(values.buffer);
  });

  it('splits runs longer than 65,536 entries and passes packed writes through', () => {
    const writes: MapWrite[] = Array.from({ length: 70_000 }, (_, i) => ({
      map: 'slots',
      key: u32(i),
      value: u32(i & 3),
    }));
    writes.push({
      map: 'slots',
      key: Buffer.concat([u32(1), u32(2)]),
      value: Buffer.concat([u32(3), u32(4)]),
      count: 2,
    });
    const ops = packMapWrites(writes);
    expect(ops.map((o) => o.count)).toEqual([65_536, 70_000 - 65_536, 2]);
    // Compared as text: jest's deep equality walks 70,000 objects slowly.
    expect(JSON.stringify(unpacked(ops))).toBe(
      JSON.stringify([
        ...flat(writes.slice(0, 70_000)),
        ...flat([
          { map: 'slots', key: u32(1), value: u32(3) },
          { map: 'slots', key: u32(2), value: u32(4) },
        ]),
      ]),
    );
  });

  it('returns nothing for no writes', () => {
    expect(packMapWrites([])).toEqual([]);
  });
});
