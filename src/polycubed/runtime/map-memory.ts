// Kernel memory of a BPF map computed from its definition (type, key/value size, max_entries,
// flags) and the possible CPU count, as the kernel's map_mem_usage reports it (bpftool's
// bytes_memlock, kernel ≥ 6.4) for a map that is full. Computed before a map exists, so
// polycubed can refuse a program that would exceed its kernel memory budget (README "Kernel memory").

import { BpfMapType } from './bpf-types';

/** What the cost of a map depends on. */
export interface MapShape {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
}

const PAGE = 4096;
/** BPF_F_NO_PREALLOC and BPF_F_MMAPABLE (<linux/bpf.h>). */
const F_NO_PREALLOC = 1;
const F_MMAPABLE = 1 << 10;
/**
 * Sizes of kernel structures (x86-64, kernel 6.18): struct bpf_array and struct bpf_htab heads,
 * struct htab_elem before its key, a hash bucket, struct lpm_trie_node before its data, struct
 * bpf_ringbuf_map, and the ring's meta pages. They differ by a few bytes between kernel builds;
 * the kernel test bounds the difference (test/kernel/polycubed/kernel-memory.test.ts).
 */
const ARRAY_HEAD = 312;
const HTAB_HEAD = 832;
const HTAB_ELEM = 48;
const HTAB_BUCKET = 16;
/** int locks per CPU per hash map (HASHTAB_MAP_LOCK_COUNT). */
const HTAB_LOCKS = 8;
const LPM_NODE = 40;
const RINGBUF_HEAD = 304;
const RINGBUF_META_PAGES = 3;
const POINTER = 8;

const round8 = (n: number): number => Math.ceil(n / 8) * 8;
const pageAlign = (n: number): number => Math.ceil(n / PAGE) * PAGE;
const pow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * Bytes of kernel memory `map` takes when full on a machine with `cpus` possible CPUs.
 * Preallocated maps take it all at creation; maps with BPF_F_NO_PREALLOC (and LPM tries) grow
 * to it as entries are added. Map types not listed cost entries × (key + value).
 */
export function mapMemoryBytes(map: MapShape, cpus: number): number {
  const e = map.maxEntries;
  const value = round8(map.valueSize);
  switch (map.type) {
    case BpfMapType.ARRAY:
      return map.flags & F_MMAPABLE ? pageAlign(ARRAY_HEAD) + pageAlign(e * value) : ARRAY_HEAD + e * value;
    case BpfMapType.PERCPU_ARRAY:
      return ARRAY_HEAD + e * POINTER + e * value * cpus;
    case BpfMapType.HASH:
    case BpfMapType.LRU_HASH:
    case BpfMapType.PERCPU_HASH:
    case BpfMapType.LRU_PERCPU_HASH:
      return hashBytes(map, cpus);
    case BpfMapType.LPM_TRIE:
      return e * (LPM_NODE + (map.keySize - 4) + map.valueSize);
    case BpfMapType.RINGBUF: {
      const pages = Math.floor(e / PAGE);
      return RINGBUF_HEAD + (RINGBUF_META_PAGES + pages) * PAGE + (RINGBUF_META_PAGES + 2 * pages) * POINTER;
    }
    default:
      return e * (map.keySize + value);
  }
}

/** htab_map_mem_usage of a full hash map (kernel/bpf/hashtab.c). */
function hashBytes(map: MapShape, cpus: number): number {
  const percpu = map.type === BpfMapType.PERCPU_HASH || map.type === BpfMapType.LRU_PERCPU_HASH;
  const lru = map.type === BpfMapType.LRU_HASH || map.type === BpfMapType.LRU_PERCPU_HASH;
  const prealloc = (map.flags & F_NO_PREALLOC) === 0 || lru;
  const value = round8(map.valueSize);
  const elem = HTAB_ELEM + round8(map.keySize) + (percpu ? POINTER : value);
  let bytes = HTAB_HEAD + pow2(map.maxEntries) * HTAB_BUCKET + 4 * cpus * HTAB_LOCKS;
  if (prealloc) {
    // Plain preallocated hashes keep one spare element per CPU for updates in place.
    const entries = map.maxEntries + (!percpu && !lru ? cpus : 0);
    bytes += elem * entries;
    if (percpu) bytes += value * cpus * entries;
    else if (!lru) bytes += POINTER * cpus;
  } else {
    const node = 8; // struct llist_node of each element allocated on demand
    bytes += (elem + node) * map.maxEntries;
    if (percpu) bytes += (node + POINTER + value * cpus) * map.maxEntries;
  }
  return bytes;
}

/** One map's share of a program's kernel memory. */
export interface MapMemory {
  name: string;
  bytes: number;
}

/** The maps of a program and their total. */
export interface ProgramMemory {
  total: number;
  maps: MapMemory[];
}

/** Sums `maps` (name + shape) on `cpus` possible CPUs. */
export function programMemory(maps: ReadonlyArray<MapShape & { name: string }>, cpus: number): ProgramMemory {
  const out = maps.map((m) => ({ name: m.name, bytes: mapMemoryBytes(m, cpus) }));
  return { total: out.reduce((s, m) => s + m.bytes, 0), maps: out };
}
