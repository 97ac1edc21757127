// Numeric kernel constants the runtime speaks: map and program types, update flags, map flags.
// Values are from <linux/bpf.h> (UAPI, stable); names drop the BPF_MAP_TYPE_/BPF_PROG_TYPE_ prefix.

/** `enum bpf_map_type` values used by lbrp and its tests. */
export const BpfMapType = {
  HASH: 1,
  ARRAY: 2,
  PROG_ARRAY: 3,
  PERF_EVENT_ARRAY: 4,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11,
  ARRAY_OF_MAPS: 12,
  HASH_OF_MAPS: 13,
  DEVMAP: 14,
  DEVMAP_HASH: 25,
  RINGBUF: 27,
} as const;

/** `enum bpf_prog_type` values for the hooks lbrp uses. */
export const BpfProgType = {
  SCHED_CLS: 3,
  XDP: 6,
} as const;

/** Element flags of `bpf_map_update_elem`. */
export const MapUpdateFlag = {
  /** Create or overwrite. */
  ANY: 0,
  /** Create only; EEXIST if present. */
  NOEXIST: 1,
  /** Overwrite only; ENOENT if absent. */
  EXIST: 2,
} as const;

/** `map_flags` bits for map creation. */
export const MapFlag = {
  /** Allocate elements on demand; required by LPM tries. */
  NO_PREALLOC: 1,
} as const;

const PER_CPU_TYPES: ReadonlySet<number> = new Set([
  BpfMapType.PERCPU_HASH,
  BpfMapType.PERCPU_ARRAY,
  BpfMapType.LRU_PERCPU_HASH,
  21, // PERCPU_CGROUP_STORAGE
]);

/** True for map types whose values hold one slot per possible CPU. */
export function isPerCpuMapType(type: number): boolean {
  return PER_CPU_TYPES.has(type);
}

/** True for map types indexed by a u32 with every slot always present (no delete). */
export function isArrayMapType(type: number): boolean {
  return type === BpfMapType.ARRAY || type === BpfMapType.PERCPU_ARRAY;
}
