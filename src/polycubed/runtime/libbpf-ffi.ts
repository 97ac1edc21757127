// FFI binding to the system libbpf (libbpf.so.1) and the few libc calls the runtime needs.
// This is the only file in the repository that touches koffi: everything above it sees typed
// functions that take numbers, Buffers and opaque bigint pointers. C names are kept on purpose
// so each call can be looked up in libbpf's headers.

import koffi from 'koffi';
import type { LibraryHandle, TypeObject } from 'koffi';

/** Opaque native pointer (libbpf object, map, program, ring buffer); `null` is C's NULL. */
export type Ptr = bigint | null;

const libbpfSo = koffi.load('libbpf.so.1');
const libcSo = koffi.load('libc.so.6');

// --- option structs, laid out by koffi with the C ABI (checked against the headers by a test) ---

const OpenOpts = koffi.struct({
  sz: 'size_t',
  object_name: 'const char *',
  relaxed_maps: 'bool',
  pin_root_path: 'const char *',
  _unused_attach_prog_fd: 'uint32_t',
  kconfig: 'const char *',
  btf_custom_path: 'const char *',
  kernel_log_buf: 'void *',
  kernel_log_size: 'size_t',
  kernel_log_level: 'uint32_t',
});
const TestRunOpts = koffi.struct({
  sz: 'size_t',
  data_in: 'void *',
  data_out: 'void *',
  data_size_in: 'uint32_t',
  data_size_out: 'uint32_t',
  ctx_in: 'void *',
  ctx_out: 'void *',
  ctx_size_in: 'uint32_t',
  ctx_size_out: 'uint32_t',
  retval: 'uint32_t',
  repeat: 'int',
  duration: 'uint32_t',
  flags: 'uint32_t',
  cpu: 'uint32_t',
  batch_size: 'uint32_t',
});
const MapCreateOpts = koffi.struct({
  sz: 'size_t',
  btf_fd: 'uint32_t',
  btf_key_type_id: 'uint32_t',
  btf_value_type_id: 'uint32_t',
  btf_vmlinux_value_type_id: 'uint32_t',
  inner_map_fd: 'uint32_t',
  map_flags: 'uint32_t',
  map_extra: 'uint64_t',
  numa_node: 'uint32_t',
  map_ifindex: 'uint32_t',
});
const BatchOpts = koffi.struct({
  sz: 'size_t',
  elem_flags: 'uint64_t',
  flags: 'uint64_t',
});
const TcHook = koffi.struct({
  sz: 'size_t',
  ifindex: 'int',
  attach_point: 'uint32_t',
  parent: 'uint32_t',
});
const TcOpts = koffi.struct({
  sz: 'size_t',
  prog_fd: 'int',
  flags: 'uint32_t',
  prog_id: 'uint32_t',
  handle: 'uint32_t',
  priority: 'uint32_t',
});
const XdpAttachOpts = koffi.struct({
  sz: 'size_t',
  old_prog_fd: 'int',
});
const XdpQueryOpts = koffi.struct({
  sz: 'size_t',
  prog_id: 'uint32_t',
  drv_prog_id: 'uint32_t',
  hw_prog_id: 'uint32_t',
  skb_prog_id: 'uint32_t',
  attach_mode: 'uint8_t',
});

/** `struct bpf_object_open_opts` (libbpf 1.1); `sz` is filled in by the binding. */
export interface OpenOptsFields {
  object_name?: string | null;
  pin_root_path?: string | null;
  /** Address of a caller-owned buffer that must stay alive until `bpf_object__load` returns. */
  kernel_log_buf?: bigint | null;
  kernel_log_size?: number;
  kernel_log_level?: number;
}
/** `struct bpf_test_run_opts`; in/out buffers are passed by address, sizes in bytes. */
export interface TestRunOptsFields {
  data_in: bigint | null;
  data_out: bigint | null;
  data_size_in: number;
  data_size_out: number;
  ctx_in: bigint | null;
  ctx_out: bigint | null;
  ctx_size_in: number;
  ctx_size_out: number;
  retval: number;
  repeat: number;
  duration: number;
  flags: number;
  cpu: number;
  batch_size: number;
}
/** `struct bpf_tc_hook`. */
export interface TcHookFields {
  ifindex: number;
  attach_point: number;
  parent: number;
}
/** `struct bpf_tc_opts`; `prog_id` is written back by `bpf_tc_attach`/`bpf_tc_query`. */
export interface TcOptsFields {
  prog_fd: number;
  flags: number;
  prog_id: number;
  handle: number;
  priority: number;
}
/** `struct bpf_xdp_query_opts` outputs. */
export interface XdpQueryFields {
  prog_id: number;
  drv_prog_id: number;
  hw_prog_id: number;
  skb_prog_id: number;
  attach_mode: number;
}

function withSize<T extends object>(type: TypeObject, fields: T): T & { sz: number } {
  return Object.assign(fields, { sz: type.size });
}

/** Copies the fields a C call wrote into a koffi-decoded struct back onto the caller's object. */
function copyBack<T extends object>(target: T, source: T & { sz?: number }): void {
  for (const key of Object.keys(target) as (keyof T)[]) target[key] = source[key];
}

type NativeFn = ReturnType<LibraryHandle['func']>;
const f = (decl: string): NativeFn => libbpfSo.func(decl);
type Spec = Parameters<typeof koffi.sizeof>[0]; // koffi's TypeSpec: a type name, object or direction
const ptr = (t: TypeObject): TypeObject => koffi.pointer(t);
const inout = (t: TypeObject): Spec => koffi.inout(koffi.pointer(t));
const fn = (name: string, result: string, args: Spec[]): NativeFn => libbpfSo.func(name, result, args);
// Struct-typed declarations use type objects, not names: koffi's type registry is process-wide
// and jest loads this module once per test file, so a named type would be declared twice.
const raw = {
  bpf_object__open_file: fn('bpf_object__open_file', 'void *', ['const char *', ptr(OpenOpts)]),
  bpf_object__open_mem: fn('bpf_object__open_mem', 'void *', ['const void *', 'size_t', ptr(OpenOpts)]),
  bpf_test_run: fn('bpf_prog_test_run_opts', 'int', ['int', inout(TestRunOpts)]),
  bpf_map_create: fn('bpf_map_create', 'int', [
    'uint32_t',
    'const char *',
    'uint32_t',
    'uint32_t',
    'uint32_t',
    ptr(MapCreateOpts),
  ]),
  bpf_map_update_batch: fn('bpf_map_update_batch', 'int', [
    'int',
    'const void *',
    'const void *',
    koffi.inout('uint32_t *'),
    ptr(BatchOpts),
  ]),
  bpf_map_delete_batch: fn('bpf_map_delete_batch', 'int', [
    'int',
    'const void *',
    koffi.inout('uint32_t *'),
    ptr(BatchOpts),
  ]),
  bpf_map_lookup_batch: fn('bpf_map_lookup_batch', 'int', [
    'int',
    'void *',
    'void *',
    'void *',
    'void *',
    koffi.inout('uint32_t *'),
    ptr(BatchOpts),
  ]),
  bpf_tc_hook_create: fn('bpf_tc_hook_create', 'int', [ptr(TcHook)]),
  bpf_tc_hook_destroy: fn('bpf_tc_hook_destroy', 'int', [ptr(TcHook)]),
  bpf_tc_attach: fn('bpf_tc_attach', 'int', [ptr(TcHook), inout(TcOpts)]),
  bpf_tc_detach: fn('bpf_tc_detach', 'int', [ptr(TcHook), ptr(TcOpts)]),
  bpf_tc_query: fn('bpf_tc_query', 'int', [ptr(TcHook), inout(TcOpts)]),
  bpf_xdp_attach: fn('bpf_xdp_attach', 'int', ['int', 'int', 'uint32_t', ptr(XdpAttachOpts)]),
  bpf_xdp_detach: fn('bpf_xdp_detach', 'int', ['int', 'uint32_t', ptr(XdpAttachOpts)]),
  bpf_xdp_query: fn('bpf_xdp_query', 'int', ['int', 'int', inout(XdpQueryOpts)]),
  bpf_xdp_query_id: f('int bpf_xdp_query_id(int ifindex, int flags, _Out_ uint32_t *id)'),
  bpf_obj_get_info_by_fd: f('int bpf_obj_get_info_by_fd(int fd, void *info, _Inout_ uint32_t *len)'),
  bpf_map__initial_value: f('void *bpf_map__initial_value(void *map, _Out_ size_t *size)'),
};

/**
 * Typed libbpf entry points. Integer-returning calls follow libbpf 1.x: `>= 0` on success, a
 * negative errno on failure (errno is set too). Pointer-returning calls return `null` on failure
 * and leave the reason in {@link lastErrno}. Nothing here throws on a kernel error.
 */
export const libbpf = {
  bpf_object__open_file(path: string, opts: OpenOptsFields): Ptr {
    return raw.bpf_object__open_file(path, withSize(OpenOpts, { ...opts }));
  },
  bpf_object__open_mem(buf: Buffer, opts: OpenOptsFields): Ptr {
    return raw.bpf_object__open_mem(buf, buf.length, withSize(OpenOpts, { ...opts }));
  },
  bpf_object__load: f('int bpf_object__load(void *obj)') as (obj: bigint) => number,
  bpf_object__close: f('void bpf_object__close(void *obj)') as (obj: bigint) => void,
  bpf_object__name: f('const char *bpf_object__name(void *obj)') as (obj: bigint) => string,
  bpf_object__btf: f('void *bpf_object__btf(void *obj)') as (obj: bigint) => Ptr,
  bpf_object__find_map_by_name: f('void *bpf_object__find_map_by_name(void *obj, const char *name)') as (
    obj: bigint,
    name: string,
  ) => Ptr,
  bpf_object__next_map: f('void *bpf_object__next_map(void *obj, void *prev)') as (
    obj: bigint,
    prev: Ptr,
  ) => Ptr,
  bpf_object__find_program_by_name: f(
    'void *bpf_object__find_program_by_name(void *obj, const char *name)',
  ) as (obj: bigint, name: string) => Ptr,
  bpf_object__next_program: f('void *bpf_object__next_program(void *obj, void *prev)') as (
    obj: bigint,
    prev: Ptr,
  ) => Ptr,
  bpf_map__name: f('const char *bpf_map__name(void *map)') as (map: bigint) => string,
  bpf_map__fd: f('int bpf_map__fd(void *map)') as (map: bigint) => number,
  bpf_map__type: f('uint32_t bpf_map__type(void *map)') as (map: bigint) => number,
  bpf_map__key_size: f('uint32_t bpf_map__key_size(void *map)') as (map: bigint) => number,
  bpf_map__value_size: f('uint32_t bpf_map__value_size(void *map)') as (map: bigint) => number,
  bpf_map__max_entries: f('uint32_t bpf_map__max_entries(void *map)') as (map: bigint) => number,
  bpf_map__map_flags: f('uint32_t bpf_map__map_flags(void *map)') as (map: bigint) => number,
  bpf_map__is_internal: f('bool bpf_map__is_internal(void *map)') as (map: bigint) => boolean,
  bpf_map__set_max_entries: f('int bpf_map__set_max_entries(void *map, uint32_t max)') as (
    map: bigint,
    max: number,
  ) => number,
  bpf_map__set_pin_path: f('int bpf_map__set_pin_path(void *map, const char *path)') as (
    map: bigint,
    path: string | null,
  ) => number,
  bpf_map__reuse_fd: f('int bpf_map__reuse_fd(void *map, int fd)') as (map: bigint, fd: number) => number,
  /** Returns the address and size of a global-data map's initial image (writable before load). */
  bpf_map__initial_value(map: bigint): { ptr: Ptr; size: number } {
    const size = [0];
    const ptr = raw.bpf_map__initial_value(map, size) as Ptr;
    return { ptr, size: Number(size[0]) };
  },
  bpf_program__name: f('const char *bpf_program__name(void *prog)') as (prog: bigint) => string,
  bpf_program__fd: f('int bpf_program__fd(void *prog)') as (prog: bigint) => number,
  bpf_program__type: f('uint32_t bpf_program__type(void *prog)') as (prog: bigint) => number,
  bpf_program__set_type: f('int bpf_program__set_type(void *prog, uint32_t type)') as (
    prog: bigint,
    type: number,
  ) => number,
  bpf_program__set_log_level: f('int bpf_program__set_log_level(void *prog, uint32_t level)') as (
    prog: bigint,
    level: number,
  ) => number,
  bpf_program__set_log_buf: f('int bpf_program__set_log_buf(void *prog, void *buf, size_t size)') as (
    prog: bigint,
    buf: Buffer | null,
    size: number,
  ) => number,
  btf__find_by_name_kind: f('int btf__find_by_name_kind(void *btf, const char *name, uint32_t kind)') as (
    btf: bigint,
    name: string,
    kind: number,
  ) => number,
  btf__type_by_id: f('void *btf__type_by_id(void *btf, uint32_t id)') as (btf: bigint, id: number) => Ptr,
  btf__name_by_offset: f('const char *btf__name_by_offset(void *btf, uint32_t off)') as (
    btf: bigint,
    off: number,
  ) => string | null,
  bpf_map_create(
    type: number,
    name: string | null,
    keySize: number,
    valueSize: number,
    maxEntries: number,
    mapFlags: number,
  ): number {
    const opts = withSize(MapCreateOpts, {
      btf_fd: 0,
      btf_key_type_id: 0,
      btf_value_type_id: 0,
      btf_vmlinux_value_type_id: 0,
      inner_map_fd: 0,
      map_flags: mapFlags,
      map_extra: 0,
      numa_node: 0,
      map_ifindex: 0,
    });
    return raw.bpf_map_create(type, name, keySize, valueSize, maxEntries, opts);
  },
  bpf_map_update_elem: f(
    'int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)',
  ) as (fd: number, key: Buffer, value: Buffer, flags: number) => number,
  bpf_map_lookup_elem: f('int bpf_map_lookup_elem(int fd, const void *key, void *value)') as (
    fd: number,
    key: Buffer,
    value: Buffer,
  ) => number,
  bpf_map_delete_elem: f('int bpf_map_delete_elem(int fd, const void *key)') as (
    fd: number,
    key: Buffer,
  ) => number,
  bpf_map_get_next_key: f('int bpf_map_get_next_key(int fd, const void *key, void *next)') as (
    fd: number,
    key: Buffer | null,
    next: Buffer,
  ) => number,
  /** Batch update; `count.n` is the number of elements in, and the number applied out. */
  bpf_map_update_batch(
    fd: number,
    keys: Buffer,
    values: Buffer,
    count: { n: number },
    elemFlags: number,
  ): number {
    const c = [count.n];
    const ret = raw.bpf_map_update_batch(
      fd,
      keys,
      values,
      c,
      withSize(BatchOpts, { elem_flags: elemFlags, flags: 0 }),
    );
    count.n = c[0];
    return ret;
  },
  /** Batch delete; `count.n` is the number of keys in, and the number deleted out. */
  bpf_map_delete_batch(fd: number, keys: Buffer, count: { n: number }): number {
    const c = [count.n];
    const ret = raw.bpf_map_delete_batch(fd, keys, c, withSize(BatchOpts, { elem_flags: 0, flags: 0 }));
    count.n = c[0];
    return ret;
  },
  /** Batch lookup; `inBatch` null starts at the beginning; `count.n` is capacity in, entries read out. */
  bpf_map_lookup_batch(
    fd: number,
    inBatch: Buffer | null,
    outBatch: Buffer,
    keys: Buffer,
    values: Buffer,
    count: { n: number },
  ): number {
    const c = [count.n];
    const opts = withSize(BatchOpts, { elem_flags: 0, flags: 0 });
    const ret = raw.bpf_map_lookup_batch(fd, inBatch, outBatch, keys, values, c, opts);
    count.n = c[0];
    return ret;
  },
  bpf_obj_pin: f('int bpf_obj_pin(int fd, const char *path)') as (fd: number, path: string) => number,
  bpf_obj_get: f('int bpf_obj_get(const char *path)') as (path: string) => number,
  /** Fills `info` (a zeroed `bpf_map_info`/`bpf_prog_info` buffer); returns 0 or -errno. */
  bpf_obj_get_info_by_fd(fd: number, info: Buffer): number {
    return raw.bpf_obj_get_info_by_fd(fd, info, [info.length]);
  },
  bpf_map_get_fd_by_id: f('int bpf_map_get_fd_by_id(uint32_t id)') as (id: number) => number,
  bpf_prog_get_fd_by_id: f('int bpf_prog_get_fd_by_id(uint32_t id)') as (id: number) => number,
  /** Runs a program once (or `repeat` times); output fields of `opts` are updated in place. */
  bpf_prog_test_run_opts(fd: number, opts: TestRunOptsFields): number {
    const o = withSize(TestRunOpts, { ...opts });
    const ret = raw.bpf_test_run(fd, o);
    copyBack(opts, o);
    return ret;
  },
  bpf_tc_hook_create(hook: TcHookFields): number {
    return raw.bpf_tc_hook_create(withSize(TcHook, { ...hook }));
  },
  bpf_tc_hook_destroy(hook: TcHookFields): number {
    return raw.bpf_tc_hook_destroy(withSize(TcHook, { ...hook }));
  },
  bpf_tc_attach(hook: TcHookFields, opts: TcOptsFields): number {
    const o = withSize(TcOpts, { ...opts });
    const ret = raw.bpf_tc_attach(withSize(TcHook, { ...hook }), o);
    copyBack(opts, o);
    return ret;
  },
  bpf_tc_detach(hook: TcHookFields, opts: TcOptsFields): number {
    return raw.bpf_tc_detach(withSize(TcHook, { ...hook }), withSize(TcOpts, { ...opts }));
  },
  bpf_tc_query(hook: TcHookFields, opts: TcOptsFields): number {
    const o = withSize(TcOpts, { ...opts });
    const ret = raw.bpf_tc_query(withSize(TcHook, { ...hook }), o);
    copyBack(opts, o);
    return ret;
  },
  /** Attaches (or with fd -1 detaches); `oldProgFd` > 0 is only honoured with XDP_FLAGS_REPLACE. */
  bpf_xdp_attach(ifindex: number, fd: number, flags: number, oldProgFd: number): number {
    return raw.bpf_xdp_attach(ifindex, fd, flags, withSize(XdpAttachOpts, { old_prog_fd: oldProgFd }));
  },
  bpf_xdp_detach(ifindex: number, flags: number, oldProgFd: number): number {
    return raw.bpf_xdp_detach(ifindex, flags, withSize(XdpAttachOpts, { old_prog_fd: oldProgFd }));
  },
  bpf_xdp_query(ifindex: number, out: XdpQueryFields): number {
    const o = withSize(XdpQueryOpts, { ...out });
    const ret = raw.bpf_xdp_query(ifindex, 0, o);
    copyBack(out, o);
    return ret;
  },
  /** Returns `{ret, id}`: the program id attached in the mode selected by `flags` (0 = none). */
  bpf_xdp_query_id(ifindex: number, flags: number): { ret: number; id: number } {
    const id = [0];
    const ret = raw.bpf_xdp_query_id(ifindex, flags, id);
    return { ret, id: id[0] };
  },
  libbpf_num_possible_cpus: f('int libbpf_num_possible_cpus(void)') as () => number,
  ring_buffer__poll: f('int ring_buffer__poll(void *rb, int timeout_ms)') as (
    rb: bigint,
    timeoutMs: number,
  ) => number,
  ring_buffer__consume: f('int ring_buffer__consume(void *rb)') as (rb: bigint) => number,
  ring_buffer__epoll_fd: f('int ring_buffer__epoll_fd(void *rb)') as (rb: bigint) => number,
  ring_buffer__free: f('void ring_buffer__free(void *rb)') as (rb: bigint) => void,
};

function layoutOf(type: TypeObject): { size: number; offsets: Record<string, number> } {
  const members = Object.values(type.members ?? {}).filter((m) => !m.name.startsWith('_'));
  return { size: type.size, offsets: Object.fromEntries(members.map((m) => [m.name, m.offset])) };
}

/** Size and field offsets of each option struct as koffi lays it out (a test compares with C). */
export const FFI_STRUCT_LAYOUTS = {
  bpf_object_open_opts: layoutOf(OpenOpts),
  bpf_test_run_opts: layoutOf(TestRunOpts),
  bpf_map_create_opts: layoutOf(MapCreateOpts),
  bpf_map_batch_opts: layoutOf(BatchOpts),
  bpf_tc_hook: layoutOf(TcHook),
  bpf_tc_opts: layoutOf(TcOpts),
  bpf_xdp_attach_opts: layoutOf(XdpAttachOpts),
  bpf_xdp_query_opts: layoutOf(XdpQueryOpts),
} as const;

// --- libc ---

const STATFS_BUF_SIZE = 256; // sizeof(struct statfs) is 120 on x86_64/arm64; oversized on purpose
const rawLibc = {
  vsnprintf: libcSo.func('int vsnprintf(void *buf, size_t n, const char *fmt, void *ap)'),
  fcntl: libcSo.func('int fcntl(int fd, int cmd, ...)'),
  statfs: libcSo.func('int statfs(const char *path, void *buf)'),
  if_indextoname: libcSo.func('const char *if_indextoname(uint32_t ifindex, void *buf)'),
};
const F_DUPFD_CLOEXEC = 1030; // <fcntl.h>; lowest free fd >= arg, close-on-exec set

/** The libc calls the runtime needs; integer results are -1 on failure with {@link lastErrno}. */
export const libc = {
  close: libcSo.func('int close(int fd)') as (fd: number) => number,
  if_nametoindex: libcSo.func('uint32_t if_nametoindex(const char *name)') as (name: string) => number,
  /** Interface name for an index, or undefined when there is none (IF_NAMESIZE buffer). */
  if_indextoname(ifindex: number): string | undefined {
    const name = rawLibc.if_indextoname(ifindex, Buffer.alloc(16)) as string | null;
    return name ?? undefined;
  },
  /** Duplicates `fd` with close-on-exec set (children such as clang never inherit BPF fds). */
  dupCloexec(fd: number): number {
    return rawLibc.fcntl(fd, F_DUPFD_CLOEXEC, 'int', 3) as number;
  },
  /** The filesystem magic number (`f_type`) of the filesystem holding `path`, or -1. */
  statfsType(path: string): number {
    const buf = Buffer.alloc(STATFS_BUF_SIZE);
    if (rawLibc.statfs(path, buf) !== 0) return -1;
    return Number(buf.readBigInt64LE(0));
  },
  mount: libcSo.func(
    'int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data)',
  ) as (source: string, target: string, fstype: string, flags: number, data: null) => number,
  socket: libcSo.func('int socket(int domain, int type, int protocol)') as (
    d: number,
    t: number,
    p: number,
  ) => number,
  send: libcSo.func('intptr_t send(int fd, const void *buf, size_t len, int flags)') as (
    fd: number,
    buf: Buffer,
    len: number,
    flags: number,
  ) => number,
  recv: libcSo.func('intptr_t recv(int fd, void *buf, size_t len, int flags)') as (
    fd: number,
    buf: Buffer,
    len: number,
    flags: number,
  ) => number,
};

/** errno left by the most recent FFI call on this thread. */
export function lastErrno(): number {
  return koffi.errno();
}

/** Native address of a Buffer's bytes; the caller keeps the Buffer referenced while C uses it. */
export function addressOf(buf: Buffer): bigint {
  return koffi.address(buf);
}

/** Copies `len` bytes of native memory at `ptr` into a new Buffer. */
export function copyFromNative(ptr: bigint, len: number): Buffer {
  return Buffer.from(new Uint8Array(koffi.view(ptr, len)));
}

/** A writable Buffer view onto `len` bytes of native memory (valid only while C keeps it). */
export function viewNative(ptr: bigint, len: number): Buffer {
  return Buffer.from(koffi.view(ptr, len));
}

// --- libbpf's print callback: messages are kept so errors can carry them ---

/** One libbpf message: level 0 = warn, 1 = info, 2 = debug. */
export interface LibbpfMessage {
  seq: number;
  level: number;
  text: string;
}
const LIBBPF_LOG_KEEP = 512; // recent messages kept for error reports; older ones are dropped
const PRINT_BUF_SIZE = 64 * 1024; // one formatted message; libbpf's long logs go to a log buffer
const printBuf = Buffer.alloc(PRINT_BUF_SIZE);
const recent: LibbpfMessage[] = [];
let seq = 0;
let sink: ((msg: LibbpfMessage) => void) | undefined;

const PrintFn = koffi.proto('int', ['int', 'const char *', 'void *']); // (level, fmt, va_list)
const setPrint = libbpfSo.func('libbpf_set_print', 'void *', [koffi.pointer(PrintFn)]);
function onLibbpfPrint(level: number, fmt: string, ap: bigint): number {
  const n = rawLibc.vsnprintf(printBuf, PRINT_BUF_SIZE, fmt, ap) as number;
  const text = printBuf.subarray(0, Math.max(0, Math.min(n, PRINT_BUF_SIZE - 1))).toString('utf8');
  const msg = { seq: ++seq, level, text };
  recent.push(msg);
  if (recent.length > LIBBPF_LOG_KEEP) recent.shift();
  sink?.(msg);
  return 0;
}
// Registered once per module instance; the newest registration wins, so a re-required module
// (jest loads modules per test file) never leaves libbpf calling into a dead context.
setPrint(koffi.register(onLibbpfPrint, koffi.pointer(PrintFn)));

/** A position in the libbpf message stream, for {@link libbpfMessagesSince}. */
export function libbpfLogMark(): number {
  return seq;
}

/** Warn/info messages libbpf printed after `mark`, joined as text (debug chatter is left out). */
export function libbpfMessagesSince(mark: number): string {
  return recent
    .filter((m) => m.seq > mark && m.level <= 1)
    .map((m) => m.text)
    .join('');
}

/** Forwards every libbpf message (all levels) to `fn`, or stops forwarding with `undefined`. */
export function setLibbpfLogSink(fn: ((msg: LibbpfMessage) => void) | undefined): void {
  sink = fn;
}

// --- ring buffers: sample callbacks and event-loop polling ---

const SampleFn = koffi.proto('int', ['void *', 'void *', 'size_t']); // (ctx, data, size)
const rawRingBufferNew = libbpfSo.func('ring_buffer__new', 'void *', [
  'int',
  koffi.pointer(SampleFn),
  'void *',
  'const void *',
]);

/** A libbpf ring buffer reader plus the callback slot it owns; free with `free()`. */
export interface NativeRingBuffer {
  rb: bigint;
  free(): void;
}

/**
 * Creates a ring buffer reader on `mapFd`; `onSample` gets a copy of each record, synchronously
 * from inside `ring_buffer__poll`/`__consume`. Returns the errno when libbpf fails.
 */
export function ringBufferNew(mapFd: number, onSample: (data: Buffer) => number): NativeRingBuffer | number {
  const cb = koffi.register(
    (_ctx: bigint, data: bigint, size: number | bigint) => onSample(copyFromNative(data, Number(size))),
    koffi.pointer(SampleFn),
  );
  const rb = rawRingBufferNew(mapFd, cb, null, null) as Ptr;
  if (rb === null) {
    const errno = koffi.errno() || 22;
    koffi.unregister(cb);
    return errno;
  }
  return {
    rb,
    free(): void {
      libbpf.ring_buffer__free(rb);
      koffi.unregister(cb);
    },
  };
}

/** Calls `onReadable` from the Node event loop whenever `fd` is readable; `close()` stops it. */
export function watchFdReadable(fd: number, onReadable: () => void): { close(): void; unref(): void } {
  const handle = koffi.node.poll(fd, { readable: true }, () => onReadable());
  return { close: () => handle.close(), unref: () => handle.unref() };
}
