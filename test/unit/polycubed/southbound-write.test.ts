// writeMapOps with packed MapOps (count > 1): a packed update to a plain map is one batch call on
// the packed bytes; packed ops to per-CPU maps and packed deletes are unpacked into runs; counts
// are entries; a packed op whose bytes do not split evenly is refused. Fake maps record the calls
// (the kernel side is test/kernel/runtime/bpf-map.test.ts).

import type { MapOpMsg } from '../../../src/proto/polycube-types';
import type { CubeDataplane } from '../../../src/polycubed/runtime/cube-dataplane';
import { writeMapOps } from '../../../src/polycubed/core/southbound';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const cat = (...xs: number[]): Buffer => Buffer.concat(xs.map(u32));

/** A map that records what it is asked to do. */
class FakeMap {
  readonly calls: string[] = [];
  readonly valueSize = 4;
  readonly slotSize = 8;
  readonly valueBytes: number;
  constructor(
    readonly name: string,
    readonly perCpu: boolean,
  ) {
    this.valueBytes = perCpu ? 16 : 4; // two CPUs
  }
  updateBatchPacked(keys: Buffer, values: Buffer, n: number): void {
    this.calls.push(`packed ${n} ${keys.toString('hex')} ${values.toString('hex')}`);
  }
  updateBatch(keys: Buffer[], values: Buffer[]): void {
    this.calls.push(
      `batch ${keys.map((k) => k.toString('hex')).join(',')} ${values.map((v) => v.toString('hex')).join(',')}`,
    );
  }
  deleteBatch(keys: Buffer[]): number {
    this.calls.push(`delete ${keys.map((k) => k.toString('hex')).join(',')}`);
    return keys.length;
  }
}

function dataplane(...maps: FakeMap[]): CubeDataplane {
  return {
    loaded: true,
    map: (name: string) => maps.find((m) => m.name === name),
  } as unknown as CubeDataplane;
}

const op = (map: string, key: Buffer, value: Buffer, count = 0, del = false): MapOpMsg => ({
  map,
  key,
  value,
  delete: del,
  count,
});

describe('writeMapOps with packed ops', () => {
  it('writes a packed update to a plain map with one call on the packed bytes', () => {
    const slots = new FakeMap('slots', false);
    const n = writeMapOps(dataplane(slots), 'c', [op('slots', cat(1, 2, 3), cat(7, 8, 9), 3)]);
    expect(n).toBe(3);
    expect(slots.calls).toEqual([`packed 3 ${cat(1, 2, 3).toString('hex')} ${cat(7, 8, 9).toString('hex')}`]);
  });

  it('unpacks packed ops to per-CPU maps (one CPU value copied to each CPU) and joins single ops around them', () => {
    const stats = new FakeMap('stats', true);
    const n = writeMapOps(dataplane(stats), 'c', [
      op('stats', u32(1), u32(5)),
      op('stats', cat(2, 3), cat(6, 7), 2),
    ]);
    expect(n).toBe(3);
    const perCpu = (v: number): string =>
      Buffer.concat([u32(v), Buffer.alloc(4), u32(v), Buffer.alloc(4)]).toString('hex');
    expect(stats.calls).toEqual([
      `batch ${[1, 2, 3].map((k) => u32(k).toString('hex')).join(',')} ${[5, 6, 7].map(perCpu).join(',')}`,
    ]);
  });

  it('unpacks packed deletes, and keeps runs of different maps and kinds apart, in order', () => {
    const vips = new FakeMap('vips', false);
    const slots = new FakeMap('slots', false);
    const n = writeMapOps(dataplane(vips, slots), 'c', [
      op('vips', u32(1), u32(1)),
      op('slots', cat(4, 5), cat(0, 0), 2),
      op('vips', cat(8, 9), Buffer.alloc(0), 2, true),
    ]);
    expect(n).toBe(5);
    expect(vips.calls).toEqual([
      `batch ${u32(1).toString('hex')} ${u32(1).toString('hex')}`,
      `delete ${u32(8).toString('hex')},${u32(9).toString('hex')}`,
    ]);
    expect(slots.calls).toHaveLength(1);
  });

  it('refuses a packed op whose bytes do not split into count entries', () => {
    const slots = new FakeMap('slots', true);
    expect(() =>
      writeMapOps(dataplane(slots), 'c', [op('slots', Buffer.alloc(7), Buffer.alloc(8), 2)]),
    ).toThrow(/do not hold 2 entries/);
    expect(slots.calls).toEqual([]);
  });
});
