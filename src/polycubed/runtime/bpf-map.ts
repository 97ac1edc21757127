// BpfMap: one BPF map behind an owned fd, with element, batch, iteration and per-CPU access.
// Keys and values are raw Buffers in the kernel's layout; the layouts themselves live with
// their users (src/lbrp map codecs). Failures surface as KernelError("map <op> <name>: EXXX").

import { basename } from 'node:path';
import { isArrayMapType, isPerCpuMapType, MapUpdateFlag } from './bpf-types';
import { check, errnoFrom } from './ffi-check';
import { KernelError } from './kernel-error';
import { libbpf, libc } from './libbpf-ffi';
import { mapInfoByFd } from './obj-info';

/** Shape of a map: what the kernel needs to create it and what callers need to encode for it. */
export interface MapSpec {
  /** Map name used in errors and pins (the kernel keeps the first 15 characters). */
  name: string;
  /** `BpfMapType` value. */
  type: number;
  keySize: number;
  /** Size of one value; for per-CPU maps, the size of one CPU's slot before 8-byte rounding. */
  valueSize: number;
  maxEntries: number;
  /** `MapFlag` bits, e.g. NO_PREALLOC for LPM tries. */
  flags?: number;
}

const ENOENT = 2;
const ENOSPC = 28;
const EINVAL = 22;
const EOPNOTSUPP = 95;
const ENOTSUPP = 524;
const BATCH_UNSUPPORTED = new Set([EINVAL, EOPNOTSUPP, ENOTSUPP]);
const DUMP_CHUNK = 256; // entries per lookup_batch call; doubled on ENOSPC (hash bucket larger)
const RANGE_CHUNK = 65536; // array entries per lookup_batch call of a range read

let possibleCpus: number | undefined;

/** Number of possible CPUs (libbpf_num_possible_cpus): the slot count of per-CPU values. */
export function numPossibleCpus(): number {
  possibleCpus ??= check(libbpf.libbpf_num_possible_cpus(), 'cpu count', 'possible');
  return possibleCpus;
}

/**
 * A BPF map. Owns its fd (closed by `close()`); never caches contents, every call is a syscall.
 * For per-CPU maps, `lookup`/`update` use the raw concatenation of all CPU slots
 * (`valueBytes` long); `lookupPerCpu`/`updatePerCpu` split and join it.
 */
export class BpfMap {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  /** True when values hold one slot per possible CPU. */
  readonly perCpu: boolean;
  /** Bytes of one per-CPU slot (valueSize rounded up to 8), or valueSize for other maps. */
  readonly slotSize: number;
  /** Bytes a value occupies in user space: slotSize × CPUs for per-CPU maps, else valueSize. */
  readonly valueBytes: number;
  private fdValue: number;

  /** Wraps `fd`, taking ownership of it. `spec` must describe the map behind it. */
  constructor(fd: number, spec: MapSpec) {
    this.fdValue = fd;
    this.name = spec.name;
    this.type = spec.type;
    this.keySize = spec.keySize;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.flags = spec.flags ?? 0;
    this.perCpu = isPerCpuMapType(spec.type);
    this.slotSize = this.perCpu ? Math.ceil(spec.valueSize / 8) * 8 : spec.valueSize;
    this.valueBytes = this.perCpu ? this.slotSize * numPossibleCpus() : spec.valueSize;
  }

  /** Opens a pinned map (bpf_obj_get) and reads its shape from the kernel; name = file name. */
  static fromPinned(path: string): BpfMap {
    const fd = check(libbpf.bpf_obj_get(path), 'map open', path);
    try {
      const info = mapInfoByFd(fd, path);
      return new BpfMap(fd, { ...info, name: basename(path) });
    } catch (err) {
      libc.close(fd);
      throw err;
    }
  }

  /** Opens a map by kernel id (bpf_map_get_fd_by_id), e.g. one found through a program. */
  static fromId(id: number): BpfMap {
    const fd = check(libbpf.bpf_map_get_fd_by_id(id), 'map open', `id ${id}`);
    try {
      const info = mapInfoByFd(fd, `id ${id}`);
      return new BpfMap(fd, info);
    } catch (err) {
      libc.close(fd);
      throw err;
    }
  }

  /** The map's fd; throws if the map was closed. Valid until `close()`. */
  get fd(): number {
    if (this.fdValue < 0) throw new Error(`map ${this.name} is closed`);
    return this.fdValue;
  }

  /** Kernel id of the map (stable for the map's lifetime, shown by `bpftool map`). */
  id(): number {
    return mapInfoByFd(this.fd, this.name).id;
  }

  /** The value stored under `key`, or undefined when there is none. */
  lookup(key: Buffer): Buffer | undefined {
    this.checkKey(key);
    const value = Buffer.alloc(this.valueBytes);
    const ret = libbpf.bpf_map_lookup_elem(this.fd, key, value);
    if (ret >= 0) return value;
    const errno = errnoFrom(ret);
    if (errno === ENOENT) return undefined;
    throw new KernelError('map lookup', this.name, errno);
  }

  /** Stores `value` under `key`; `flags` is a MapUpdateFlag (default ANY). */
  update(key: Buffer, value: Buffer, flags: number = MapUpdateFlag.ANY): void {
    this.checkKey(key);
    this.checkValue(value);
    check(libbpf.bpf_map_update_elem(this.fd, key, value, flags), 'map update', this.name);
  }

  /** Removes `key`; returns false when it was not there. Array maps throw (EINVAL). */
  delete(key: Buffer): boolean {
    this.checkKey(key);
    const ret = libbpf.bpf_map_delete_elem(this.fd, key);
    if (ret >= 0) return true;
    const errno = errnoFrom(ret);
    if (errno === ENOENT) return false;
    throw new KernelError('map delete', this.name, errno);
  }

  /**
   * Stores all pairs with one bpf_map_update_batch call; where the map type has no batch
   * support (LPM trie, older kernels) it falls back to one update per pair. Not atomic: on
   * error, earlier pairs may already be written.
   */
  updateBatch(keys: Buffer[], values: Buffer[], flags: number = MapUpdateFlag.ANY): void {
    if (keys.length !== values.length)
      throw new TypeError(`map ${this.name}: ${keys.length} keys, ${values.length} values`);
    if (keys.length === 0) return;
    keys.forEach((k) => this.checkKey(k));
    values.forEach((v) => this.checkValue(v));
    const count = { n: keys.length };
    const ret = libbpf.bpf_map_update_batch(
      this.fd,
      Buffer.concat(keys),
      Buffer.concat(values),
      count,
      flags,
    );
    if (ret >= 0) return;
    const errno = errnoFrom(ret);
    if (!BATCH_UNSUPPORTED.has(errno)) {
      throw new KernelError('map update batch', this.name, errno, `${count.n} of ${keys.length} written`);
    }
    const start = count.n > 0 && count.n < keys.length ? count.n : 0;
    for (let i = start; i < keys.length; i++) this.update(keys[i], values[i], flags);
  }

  /**
   * updateBatch for `count` pairs already packed back to back: `keys` holds count × keySize bytes,
   * `values` count × valueBytes (no per-pair Buffers to concatenate). Same fallback and errors.
   */
  updateBatchPacked(keys: Buffer, values: Buffer, count: number, flags: number = MapUpdateFlag.ANY): void {
    if (keys.length !== count * this.keySize || values.length !== count * this.valueBytes)
      throw new TypeError(
        `map ${this.name}: ${count} packed pairs need ${count * this.keySize} key and ${count * this.valueBytes} value bytes, got ${keys.length} and ${values.length}`,
      );
    if (count === 0) return;
    const done = { n: count };
    const ret = libbpf.bpf_map_update_batch(this.fd, keys, values, done, flags);
    if (ret >= 0) return;
    const errno = errnoFrom(ret);
    if (!BATCH_UNSUPPORTED.has(errno)) {
      throw new KernelError('map update batch', this.name, errno, `${done.n} of ${count} written`);
    }
    const start = done.n > 0 && done.n < count ? done.n : 0;
    const k = this.keySize;
    const v = this.valueBytes;
    for (let i = start; i < count; i++)
      this.update(keys.subarray(i * k, (i + 1) * k), values.subarray(i * v, (i + 1) * v), flags);
  }

  /** Deletes all keys (missing ones are skipped); returns how many were deleted. */
  deleteBatch(keys: Buffer[]): number {
    if (keys.length === 0) return 0;
    keys.forEach((k) => this.checkKey(k));
    const count = { n: keys.length };
    const ret = libbpf.bpf_map_delete_batch(this.fd, Buffer.concat(keys), count);
    if (ret >= 0) return count.n;
    const errno = errnoFrom(ret);
    if (errno !== ENOENT && !BATCH_UNSUPPORTED.has(errno)) {
      throw new KernelError('map delete batch', this.name, errno);
    }
    // ENOENT stops the batch at the first missing key: count.n were deleted before it.
    const done = errno === ENOENT && count.n < keys.length ? count.n : 0;
    let deleted = done;
    for (let i = done; i < keys.length; i++) if (this.delete(keys[i])) deleted++;
    return deleted;
  }

  /**
   * Iterates the keys (bpf_map_get_next_key). Deleting the current key of a hash map restarts
   * the walk (kernel behaviour): collect first (`[...map.keys()]`) when deleting.
   */
  *keys(): IterableIterator<Buffer> {
    let prev: Buffer | null = null;
    for (;;) {
      const next = Buffer.alloc(this.keySize);
      const ret = libbpf.bpf_map_get_next_key(this.fd, prev, next);
      if (ret < 0) {
        const errno = errnoFrom(ret);
        if (errno === ENOENT) return;
        throw new KernelError('map next key', this.name, errno);
      }
      yield next;
      prev = next;
    }
  }

  /** Iterates `[key, value]` pairs; entries removed during the walk are skipped. */
  *entries(): IterableIterator<[Buffer, Buffer]> {
    for (const key of this.keys()) {
      const value = this.lookup(key);
      if (value !== undefined) yield [key, value];
    }
  }

  /**
   * Reads every entry, in batches (bpf_map_lookup_batch) where the map type supports it and by
   * key walk otherwise. Hash-map results are a snapshot per bucket, not of the whole map.
   */
  dump(): Array<[Buffer, Buffer]> {
    const out: Array<[Buffer, Buffer]> = [];
    let chunk = Math.max(1, Math.min(DUMP_CHUNK, this.maxEntries));
    const tokenSize = Math.max(this.keySize, 8); // hash maps use a u32 bucket, arrays a key
    let inBatch: Buffer | null = null;
    for (;;) {
      const outBatch = Buffer.alloc(tokenSize);
      const keys = Buffer.alloc(chunk * this.keySize);
      const values = Buffer.alloc(chunk * this.valueBytes);
      const count = { n: chunk };
      const ret = libbpf.bpf_map_lookup_batch(this.fd, inBatch, outBatch, keys, values, count);
      const errno = ret < 0 ? errnoFrom(ret) : 0;
      if (errno === ENOSPC && count.n === 0) {
        chunk *= 2;
        continue;
      }
      if (errno !== 0 && errno !== ENOENT) {
        if (out.length === 0 && BATCH_UNSUPPORTED.has(errno)) return [...this.entries()];
        throw new KernelError('map lookup batch', this.name, errno);
      }
      for (let i = 0; i < count.n; i++) {
        out.push([
          Buffer.from(keys.subarray(i * this.keySize, (i + 1) * this.keySize)),
          Buffer.from(values.subarray(i * this.valueBytes, (i + 1) * this.valueBytes)),
        ]);
      }
      if (errno === ENOENT) return out;
      inBatch = outBatch;
    }
  }

  /**
   * The values of keys first … first+count−1 of an array map, back to back (count × valueBytes),
   * read with bpf_map_lookup_batch (the kernel walks an array from the key after the batch token),
   * or key by key where batches are not supported. Throws RangeError outside the array.
   */
  lookupRange(first: number, count: number): Buffer {
    if (!isArrayMapType(this.type) || this.keySize !== 4)
      throw new TypeError(`map ${this.name}: a range read needs an array map`);
    if (
      !Number.isInteger(first) ||
      !Number.isInteger(count) ||
      first < 0 ||
      count < 0 ||
      first + count > this.maxEntries
    )
      throw new RangeError(`map ${this.name}: keys ${first}+${count} are outside 0..${this.maxEntries - 1}`);
    const out = Buffer.alloc(count * this.valueBytes);
    const key = (n: number): Buffer => {
      const k = Buffer.alloc(4);
      k.writeUInt32LE(n);
      return k;
    };
    let done = 0;
    let token: Buffer | null = first === 0 ? null : key(first - 1);
    while (done < count) {
      const n = Math.min(RANGE_CHUNK, count - done);
      const keys = Buffer.alloc(n * 4);
      const outBatch = Buffer.alloc(4);
      const got = { n };
      const values = out.subarray(done * this.valueBytes, (done + n) * this.valueBytes);
      const ret = libbpf.bpf_map_lookup_batch(this.fd, token, outBatch, keys, values, got);
      const errno = ret < 0 ? errnoFrom(ret) : 0;
      if (errno !== 0 && errno !== ENOENT) {
        if (done === 0 && BATCH_UNSUPPORTED.has(errno)) break;
        throw new KernelError('map lookup batch', this.name, errno);
      }
      if (got.n === 0) throw new KernelError('map lookup batch', this.name, ENOENT);
      done += got.n;
      token = outBatch;
    }
    // Without batches: one lookup per key.
    for (; done < count; done++) this.lookup(key(first + done))?.copy(out, done * this.valueBytes);
    return out;
  }

  /** Per-CPU value of `key`: one Buffer of `valueSize` bytes per possible CPU, or undefined. */
  lookupPerCpu(key: Buffer): Buffer[] | undefined {
    this.requirePerCpu('lookupPerCpu');
    const raw = this.lookup(key);
    return raw === undefined ? undefined : this.splitPerCpu(raw);
  }

  /** Writes a per-CPU value: one Buffer per possible CPU, or one Buffer copied to every CPU. */
  updatePerCpu(key: Buffer, values: Buffer | Buffer[], flags: number = MapUpdateFlag.ANY): void {
    this.requirePerCpu('updatePerCpu');
    const cpus = numPossibleCpus();
    const list = Array.isArray(values) ? values : new Array<Buffer>(cpus).fill(values);
    if (list.length !== cpus)
      throw new TypeError(`map ${this.name}: ${list.length} per-CPU values for ${cpus} CPUs`);
    const raw = Buffer.alloc(this.valueBytes);
    list.forEach((v, cpu) => {
      if (v.length !== this.valueSize)
        throw new TypeError(`map ${this.name}: per-CPU value must be ${this.valueSize} bytes`);
      v.copy(raw, cpu * this.slotSize);
    });
    this.update(key, raw, flags);
  }

  /** Splits a raw per-CPU value (as returned by `lookup`/`dump`) into one Buffer per CPU. */
  splitPerCpu(raw: Buffer): Buffer[] {
    const out: Buffer[] = [];
    for (let off = 0; off + this.slotSize <= raw.length; off += this.slotSize) {
      out.push(Buffer.from(raw.subarray(off, off + this.valueSize)));
    }
    return out;
  }

  /** Empties the map: array slots are zeroed, other maps have every key deleted. */
  clear(): void {
    if (isArrayMapType(this.type)) {
      const keys: Buffer[] = [];
      for (let i = 0; i < this.maxEntries; i++) {
        const k = Buffer.alloc(4);
        k.writeUInt32LE(i);
        keys.push(k);
      }
      this.updateBatch(
        keys,
        keys.map(() => Buffer.alloc(this.valueBytes)),
      );
      return;
    }
    this.deleteBatch([...this.keys()]);
  }

  /** Pins the map at `path` in a bpffs (the parent directory must exist). */
  pin(path: string): void {
    check(libbpf.bpf_obj_pin(this.fd, path), 'map pin', `${this.name} at ${path}`);
  }

  /** Closes the fd; the map lives on while pinned or used by a program. Idempotent. */
  close(): void {
    if (this.fdValue >= 0) libc.close(this.fdValue);
    this.fdValue = -1;
  }

  private checkKey(key: Buffer): void {
    if (key.length !== this.keySize)
      throw new TypeError(`map ${this.name}: key must be ${this.keySize} bytes, got ${key.length}`);
  }

  private checkValue(value: Buffer): void {
    if (value.length !== this.valueBytes) {
      const perCpu = this.perCpu ? ` (${numPossibleCpus()} CPUs × ${this.slotSize})` : '';
      throw new TypeError(
        `map ${this.name}: value must be ${this.valueBytes} bytes${perCpu}, got ${value.length}`,
      );
    }
  }

  private requirePerCpu(op: string): void {
    if (!this.perCpu) throw new TypeError(`map ${this.name}: ${op} needs a per-CPU map`);
  }
}

/** Creates a map that belongs to no object (bpf_map_create); the caller owns the result. */
export function createMap(spec: MapSpec): BpfMap {
  const fd = check(
    libbpf.bpf_map_create(
      spec.type,
      spec.name,
      spec.keySize,
      spec.valueSize,
      spec.maxEntries,
      spec.flags ?? 0,
    ),
    'map create',
    spec.name,
  );
  return new BpfMap(fd, spec);
}
