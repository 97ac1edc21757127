// Kernel-runtime tests for BpfMap: element operations, batch writes (with the per-element
// fallback for LPM tries), iteration and dumps, per-CPU values, pins, and the errors each
// failure turns into.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BpfMap, createMap, numPossibleCpus } from '../../../src/polycubed/runtime/bpf-map';
import { BpfMapType, MapFlag, MapUpdateFlag } from '../../../src/polycubed/runtime/bpf-types';
import { KernelError } from '../../../src/polycubed/runtime/kernel-error';
import { describeKernel, RuntimeFixture } from './runtime-fixture';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
/** LPM key: prefix length (host order) then an IPv4 address (network order). */
const prefix = (len: number, addr: string): Buffer => {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(len, 0);
  addr.split('.').forEach((o, i) => b.writeUInt8(Number(o), 4 + i));
  return b;
};
const sortHex = (bufs: Buffer[]): string[] => bufs.map((b) => b.toString('hex')).sort();

describeKernel('kernel: bpf-map', () => {
  const fx = new RuntimeFixture();
  const open: BpfMap[] = [];
  const make = (spec: Parameters<typeof createMap>[0]): BpfMap => {
    const m = createMap(spec);
    open.push(m);
    return m;
  };
  afterAll(() => {
    open.forEach((m) => m.close());
    fx.cleanup();
  });

  // A hash map stores, finds, overwrites and removes entries, and reports absence as undefined/false.
  it('looks up, updates and deletes hash entries', () => {
    const m = make({ name: 'h_basic', type: BpfMapType.HASH, keySize: 4, valueSize: 8, maxEntries: 8 });
    expect(m.lookup(u32(1))).toBeUndefined();
    m.update(u32(1), u64(10));
    m.update(u32(1), u64(11), MapUpdateFlag.EXIST);
    expect(m.lookup(u32(1))).toEqual(u64(11));
    expect(m.delete(u32(1))).toBe(true);
    expect(m.delete(u32(1))).toBe(false);
    expect(m.lookup(u32(1))).toBeUndefined();
  });

  // Kernel failures become KernelError naming the operation, the map and the errno.
  it('turns kernel errors into KernelError with op, map name and errno', () => {
    const m = make({ name: 'h_full', type: BpfMapType.HASH, keySize: 4, valueSize: 4, maxEntries: 2 });
    m.update(u32(1), u32(1));
    m.update(u32(2), u32(2));
    expect(() => m.update(u32(3), u32(3))).toThrow('map update h_full: E2BIG');
    let exists: KernelError | undefined;
    try {
      m.update(u32(1), u32(9), MapUpdateFlag.NOEXIST);
    } catch (e) {
      exists = e as KernelError;
    }
    expect(exists).toBeInstanceOf(KernelError);
    expect([exists?.op, exists?.target, exists?.code, exists?.errno]).toEqual([
      'map update',
      'h_full',
      'EEXIST',
      17,
    ]);
  });

  // Keys and values of the wrong size are programmer errors caught before any syscall.
  it('rejects keys and values of the wrong size', () => {
    const m = make({ name: 'h_sizes', type: BpfMapType.HASH, keySize: 4, valueSize: 8, maxEntries: 2 });
    expect(() => m.update(Buffer.alloc(3), u64(1))).toThrow(TypeError);
    expect(() => m.update(u32(1), u32(1))).toThrow('value must be 8 bytes, got 4');
  });

  // One batch call writes many entries; iteration, entries() and dump() all see exactly them.
  it('writes in batches and reads back by iteration and by dump', () => {
    const m = make({ name: 'h_batch', type: BpfMapType.HASH, keySize: 4, valueSize: 8, maxEntries: 600 });
    const keys = Array.from({ length: 500 }, (_, i) => u32(i * 7));
    m.updateBatch(
      keys,
      keys.map((_, i) => u64(i)),
    );
    expect(sortHex([...m.keys()])).toEqual(sortHex(keys));
    const entries = new Map(
      [...m.entries()].map(([k, v]) => [k.readUInt32LE(), Number(v.readBigUInt64LE())]),
    );
    expect(entries.size).toBe(500);
    expect(entries.get(7 * 123)).toBe(123);
    const dumped = m.dump();
    expect(dumped).toHaveLength(500);
    expect(new Map(dumped.map(([k, v]) => [k.readUInt32LE(), Number(v.readBigUInt64LE())]))).toEqual(entries);
    expect(m.deleteBatch([...keys.slice(0, 100), u32(999_999)])).toBe(100);
    expect([...m.keys()]).toHaveLength(400);
    m.clear();
    expect([...m.keys()]).toHaveLength(0);
  });

  // Array maps batch-update by index, dump every slot, and clear() zeroes them.
  it('batch-updates, dumps and clears array maps', () => {
    const m = make({ name: 'a_batch', type: BpfMapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 8 });
    m.updateBatch([u32(1), u32(5)], [u32(11), u32(55)]);
    const dumped = m.dump().map(([k, v]) => [k.readUInt32LE(), v.readUInt32LE()]);
    expect(dumped).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, i === 1 ? 11 : i === 5 ? 55 : 0]));
    expect(() => m.delete(u32(1))).toThrow('map delete a_batch: EINVAL');
    m.clear();
    expect(m.lookup(u32(5))).toEqual(u32(0));
  });

  // LPM tries take batch writes (natively or by fallback, depending on the kernel) and answer longest-prefix lookups.
  it('batch-writes LPM tries and matches the longest prefix', () => {
    const m = make({
      name: 'lpm',
      type: BpfMapType.LPM_TRIE,
      keySize: 8,
      valueSize: 4,
      maxEntries: 16,
      flags: MapFlag.NO_PREALLOC,
    });
    m.updateBatch([prefix(8, '10.0.0.0'), prefix(24, '10.1.2.0')], [u32(8), u32(24)]);
    expect(m.lookup(prefix(32, '10.1.2.3'))).toEqual(u32(24));
    expect(m.lookup(prefix(32, '10.9.9.9'))).toEqual(u32(8));
    expect(m.lookup(prefix(32, '11.0.0.1'))).toBeUndefined();
    expect(sortHex(m.dump().map(([k]) => k))).toEqual(
      sortHex([prefix(8, '10.0.0.0'), prefix(24, '10.1.2.0')]),
    );
    expect(m.deleteBatch([prefix(8, '10.0.0.0')])).toBe(1);
  });

  // Map types without kernel batch support (devmaps answer ENOTSUPP) still take updateBatch, one element at a time.
  it('falls back to single updates where the kernel has no batch operation', () => {
    const m = make({ name: 'devmap', type: BpfMapType.DEVMAP, keySize: 4, valueSize: 4, maxEntries: 4 });
    const LO = 1; // loopback's ifindex: a devmap value must name an existing device
    m.updateBatch([u32(0), u32(3)], [u32(LO), u32(LO)]);
    expect([0, 1, 2, 3].map((i) => m.lookup(u32(i))?.readUInt32LE())).toEqual([LO, undefined, undefined, LO]);
    expect(m.deleteBatch([u32(0), u32(3)])).toBe(2);
    expect([0, 1, 2, 3].map((i) => m.lookup(u32(i)))).toEqual([undefined, undefined, undefined, undefined]);
  });

  // Packed pairs (keys and values back to back, as a packed MapOp carries them) go in with one
  // batch call, also from views into a larger buffer; wrong lengths are refused before the kernel.
  it('batch-writes packed pairs, and falls back to single updates where there is no batch', () => {
    const m = make({ name: 'a_packed', type: BpfMapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 8 });
    const whole = Buffer.concat([u32(99), u32(2), u32(6), u32(99)]);
    m.updateBatchPacked(whole.subarray(4, 12), Buffer.concat([u32(22), u32(66)]), 2);
    expect([2, 6, 3].map((i) => m.lookup(u32(i))?.readUInt32LE())).toEqual([22, 66, 0]);
    expect(() => m.updateBatchPacked(Buffer.alloc(8), Buffer.alloc(4), 2)).toThrow(
      /2 packed pairs need 8 key and 8 value bytes/,
    );
    const dev = make({ name: 'devmap_p', type: BpfMapType.DEVMAP, keySize: 4, valueSize: 4, maxEntries: 4 });
    const LO = 1;
    dev.updateBatchPacked(Buffer.concat([u32(1), u32(2)]), Buffer.concat([u32(LO), u32(LO)]), 2);
    expect([0, 1, 2].map((i) => dev.lookup(u32(i))?.readUInt32LE())).toEqual([undefined, LO, LO]);
  });

  // A range of an array map reads back packed, from any start (the batch token is the key before
  // it), across several batch calls (RANGE_CHUNK is 65,536), up to the last key; outside the array
  // or on another map type it is refused before the kernel.
  it('reads a range of an array map packed, across batches, to the last key', () => {
    const n = 200_000;
    const m = make({ name: 'a_range', type: BpfMapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: n });
    const keys = Buffer.alloc(4 * n);
    const values = Buffer.alloc(4 * n);
    for (let i = 0; i < n; i++) {
      keys.writeUInt32LE(i, 4 * i);
      values.writeUInt32LE((i * 2654435761) >>> 0, 4 * i);
    }
    m.updateBatchPacked(keys, values, n);
    expect(m.lookupRange(0, n).equals(values)).toBe(true);
    expect(m.lookupRange(70_000, 130_000).equals(values.subarray(4 * 70_000))).toBe(true);
    expect(m.lookupRange(5, 3).equals(values.subarray(20, 32))).toBe(true);
    expect(m.lookupRange(n - 1, 1).equals(values.subarray(4 * (n - 1)))).toBe(true);
    expect(m.lookupRange(7, 0).length).toBe(0);
    expect(() => m.lookupRange(n - 1, 2)).toThrow(RangeError);
    const h = make({ name: 'h_range', type: BpfMapType.HASH, keySize: 4, valueSize: 4, maxEntries: 4 });
    expect(() => h.lookupRange(0, 1)).toThrow(/a range read needs an array map/);
  });

  // Per-CPU values read and write as one slot per possible CPU, padded to 8 bytes in the raw form.
  it('reads and writes per-CPU values slot by slot', () => {
    const m = make({ name: 'pc', type: BpfMapType.PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 });
    const cpus = numPossibleCpus();
    expect(m.valueBytes).toBe(8 * cpus);
    m.updatePerCpu(
      u32(0),
      Array.from({ length: cpus }, (_, c) => u32(100 + c)),
    );
    expect(m.lookupPerCpu(u32(0))).toEqual(Array.from({ length: cpus }, (_, c) => u32(100 + c)));
    m.updatePerCpu(u32(1), u32(7));
    expect(m.lookupPerCpu(u32(1))).toEqual(new Array(cpus).fill(u32(7)));
    expect(m.dump().map(([, v]) => m.splitPerCpu(v)[0].readUInt32LE())).toEqual([100, 7]);
    expect(() => m.updatePerCpu(u32(0), new Array(cpus + 1).fill(u32(1)))).toThrow(/per-CPU values for/);
  });

  // A pinned map can be reopened by path (or by kernel id) with its shape read back from the kernel, and its contents are shared.
  it('opens a pinned map with its shape and contents', () => {
    const dir = fx.pinDir();
    mkdirSync(dir, { recursive: true });
    const m = make({ name: 'pinned_h', type: BpfMapType.HASH, keySize: 4, valueSize: 4, maxEntries: 4 });
    m.update(u32(3), u32(33));
    m.pin(join(dir, 'pinned_h'));
    const again = BpfMap.fromPinned(join(dir, 'pinned_h'));
    open.push(again);
    expect([again.name, again.type, again.keySize, again.valueSize, again.maxEntries]).toEqual([
      'pinned_h',
      1,
      4,
      4,
      4,
    ]);
    expect(again.id()).toBe(m.id());
    const byId = BpfMap.fromId(m.id());
    open.push(byId);
    expect([byId.type, byId.keySize, byId.valueSize, byId.lookup(u32(3))]).toEqual([1, 4, 4, u32(33)]);
    expect(again.lookup(u32(3))).toEqual(u32(33));
    expect(() => BpfMap.fromPinned(join(dir, 'missing'))).toThrow(/^map open .*missing: ENOENT$/);
  });

  // A closed map refuses further use instead of touching a recycled fd.
  it('refuses use after close', () => {
    const m = createMap({ name: 'closed', type: BpfMapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    m.close();
    m.close();
    expect(() => m.lookup(u32(0))).toThrow('map closed is closed');
  });
});
