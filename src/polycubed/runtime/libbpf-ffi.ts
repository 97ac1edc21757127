// FFI binding to the system libbpf (libbpf.so.1) and the few libc calls the runtime needs.
// The only file of the runtime that touches koffi (the health probes have their own raw-socket
// binding, src/lbrp/health/probes/raw-ip-socket.ts): everything above it sees typed
// functions that take numbers, Buffers and opaque bigint pointers (shapes in libbpf-types.ts).
// C names are kept on purpose so each call can be looked up in libbpf's headers.

import koffi from 'koffi';
import type { LibraryHandle, TypeObject } from 'koffi';
import { recordLibbpfMessage } from './libbpf-log';
import type {
  LibbpfDirect,
  OpenOptsFields,
  Ptr,
  TcHookFields,
  TcOptsFields,
  TestRunOptsFields,
  XdpQueryFields,
} from './libbpf-types';

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

function withSize<T extends object>(type: TypeObject, fields: T): T & { sz: number } {
  return Object.assign(fields, { sz: type.size });
}

/** Copies the fields a C call wrote into a koffi-decoded struct back onto the caller's object. */
function copyBack<T extends object>(target: T, source: T & { sz?: number }): void {
  for (const key of Object.keys(target) as (keyof T)[]) target[key] = source[key];
}

type NativeFn = ReturnType<LibraryHandle['func']>;
type Spec = Parameters<typeof koffi.sizeof>[0]; // koffi's TypeSpec: a type name, object or direction
const f = (decl: string): NativeFn => libbpfSo.func(decl);
const fn = (name: string, result: string, args: Spec[]): NativeFn => libbpfSo.func(name, result, args);
const ptr = (t: TypeObject): TypeObject => koffi.pointer(t);
const inout = (t: TypeObject): Spec => koffi.inout(koffi.pointer(t));
const u32InOut = koffi.inout('uint32_t *');

// Struct-typed declarations use type objects, not names: koffi's type registry is process-wide
// and jest loads this module once per test file, so a named type would be declared twice.
// prettier-ignore
const raw = {
  bpf_object__open_file: fn('bpf_object__open_file', 'void *', ['const char *', ptr(OpenOpts)]),
  bpf_object__open_mem: fn('bpf_object__open_mem', 'void *', ['const void *', 'size_t', ptr(OpenOpts)]),
  bpf_test_run: fn('bpf_prog_test_run_opts', 'int', ['int', inout(TestRunOpts)]),
  bpf_map_create: fn('bpf_map_create', 'int', ['uint32_t', 'const char *', 'uint32_t', 'uint32_t', 'uint32_t', ptr(MapCreateOpts)]),
  bpf_map_update_batch: fn('bpf_map_update_batch', 'int', ['int', 'const void *', 'const void *', u32InOut, ptr(BatchOpts)]),
  bpf_map_delete_batch: fn('bpf_map_delete_batch', 'int', ['int', 'const void *', u32InOut, ptr(BatchOpts)]),
  bpf_map_lookup_batch: fn('bpf_map_lookup_batch', 'int', ['int', 'void *', 'void *', 'void *', 'void *', u32InOut, ptr(BatchOpts)]),
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

// prettier-ignore
const DIRECT_PROTOTYPES: Record<keyof LibbpfDirect, string> = {
  bpf_object__load: 'int bpf_object__load(void *obj)',
  bpf_object__close: 'void bpf_object__close(void *obj)',
  bpf_object__name: 'const char *bpf_object__name(void *obj)',
  bpf_object__btf: 'void *bpf_object__btf(void *obj)',
  bpf_object__find_map_by_name: 'void *bpf_object__find_map_by_name(void *obj, const char *name)',
  bpf_object__next_map: 'void *bpf_object__next_map(void *obj, void *prev)',
  bpf_object__find_program_by_name: 'void *bpf_object__find_program_by_name(void *obj, const char *name)',
  bpf_object__next_program: 'void *bpf_object__next_program(void *obj, void *prev)',
  bpf_map__name: 'const char *bpf_map__name(void *map)',
  bpf_map__fd: 'int bpf_map__fd(void *map)',
  bpf_map__type: 'uint32_t bpf_map__type(void *map)',
  bpf_map__key_size: 'uint32_t bpf_map__key_size(void *map)',
  bpf_map__value_size: 'uint32_t bpf_map__value_size(void *map)',
  bpf_map__max_entries: 'uint32_t bpf_map__max_entries(void *map)',
  bpf_map__map_flags: 'uint32_t bpf_map__map_flags(void *map)',
  bpf_map__is_internal: 'bool bpf_map__is_internal(void *map)',
  bpf_map__set_max_entries: 'int bpf_map__set_max_entries(void *map, uint32_t max)',
  bpf_map__set_pin_path: 'int bpf_map__set_pin_path(void *map, const char *path)',
  bpf_map__reuse_fd: 'int bpf_map__reuse_fd(void *map, int fd)',
  bpf_program__name: 'const char *bpf_program__name(void *prog)',
  bpf_program__fd: 'int bpf_program__fd(void *prog)',
  bpf_program__type: 'uint32_t bpf_program__type(void *prog)',
  bpf_program__set_type: 'int bpf_program__set_type(void *prog, uint32_t type)',
  bpf_program__set_log_level: 'int bpf_program__set_log_level(void *prog, uint32_t level)',
  bpf_program__set_log_buf: 'int bpf_program__set_log_buf(void *prog, void *buf, size_t size)',
  btf__find_by_name_kind: 'int btf__find_by_name_kind(void *btf, const char *name, uint32_t kind)',
  btf__type_by_id: 'void *btf__type_by_id(void *btf, uint32_t id)',
  btf__name_by_offset: 'const char *btf__name_by_offset(void *btf, uint32_t off)',
  bpf_map_update_elem: 'int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)',
  bpf_map_lookup_elem: 'int bpf_map_lookup_elem(int fd, const void *key, void *value)',
  bpf_map_delete_elem: 'int bpf_map_delete_elem(int fd, const void *key)',
  bpf_map_get_next_key: 'int bpf_map_get_next_key(int fd, const void *key, void *next)',
  bpf_obj_pin: 'int bpf_obj_pin(int fd, const char *path)',
  bpf_obj_get: 'int bpf_obj_get(const char *path)',
  bpf_map_get_fd_by_id: 'int bpf_map_get_fd_by_id(uint32_t id)',
  bpf_prog_get_fd_by_id: 'int bpf_prog_get_fd_by_id(uint32_t id)',
  libbpf_num_possible_cpus: 'int libbpf_num_possible_cpus(void)',
  ring_buffer__poll: 'int ring_buffer__poll(void *rb, int timeout_ms)',
  ring_buffer__consume: 'int ring_buffer__consume(void *rb)',
  ring_buffer__epoll_fd: 'int ring_buffer__epoll_fd(void *rb)',
  ring_buffer__free: 'void ring_buffer__free(void *rb)',
};

const direct = Object.fromEntries(
  Object.entries(DIRECT_PROTOTYPES).map(([name, decl]) => [name, f(decl)]),
) as unknown as LibbpfDirect;

/**
 * Typed libbpf entry points. Integer-returning calls follow libbpf 1.x: `>= 0` on success, a
 * negative errno on failure (errno is set too). Pointer-returning calls return `null` on failure
 * and leave the reason in {@link lastErrno}. Nothing here throws on a kernel error.
 */
export const libbpf = {
  ...direct,
  bpf_object__open_file(path: string, opts: OpenOptsFields): Ptr {
    return raw.bpf_object__open_file(path, withSize(OpenOpts, { ...opts }));
  },
  bpf_object__open_mem(buf: Buffer, opts: OpenOptsFields): Ptr {
    return raw.bpf_object__open_mem(buf, buf.length, withSize(OpenOpts, { ...opts }));
  },
  /** Returns the address and size of a global-data map's initial image (writable before load). */
  bpf_map__initial_value(map: bigint): { ptr: Ptr; size: number } {
    const size = [0];
    const ptr = raw.bpf_map__initial_value(map, size) as Ptr;
    return { ptr, size: Number(size[0]) };
  },
  bpf_map_create(
    type: number,
    name: string | null,
    keySize: number,
    valueSize: number,
    maxEntries: number,
    mapFlags: number,
  ): number {
    const opts = withSize(MapCreateOpts, { map_flags: mapFlags }); // koffi zero-fills the rest
    return raw.bpf_map_create(type, name, keySize, valueSize, maxEntries, opts);
  },
  /** Batch update; `count.n` is the number of elements in, and the number applied out. */
  bpf_map_update_batch(
    fd: number,
    keys: Buffer,
    values: Buffer,
    count: { n: number },
    elemFlags: number,
  ): number {
    const c = [count.n];
    const opts = withSize(BatchOpts, { elem_flags: elemFlags, flags: 0 });
    const ret = raw.bpf_map_update_batch(fd, keys, values, c, opts);
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
  /** Fills `info` (a zeroed `bpf_map_info`/`bpf_prog_info` buffer); returns 0 or -errno. */
  bpf_obj_get_info_by_fd(fd: number, info: Buffer): number {
    return raw.bpf_obj_get_info_by_fd(fd, info, [info.length]);
  },
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
/** libc calls used as they are (integer results: -1 on failure, reason in errno). */
interface LibcDirect {
  close(fd: number): number;
  if_nametoindex(name: string): number;
  mount(source: string, target: string, fstype: string, flags: number, data: null): number;
  socket(domain: number, type: number, protocol: number): number;
  send(fd: number, buf: Buffer, len: number, flags: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  /** `addr` is a raw sockaddr (e.g. sockaddr_ll for AF_PACKET packet-out). */
  sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrLen: number): number;
}
// prettier-ignore
const LIBC_PROTOTYPES: Record<keyof LibcDirect, string> = {
  close: 'int close(int fd)',
  if_nametoindex: 'uint32_t if_nametoindex(const char *name)',
  mount: 'int mount(const char *src, const char *target, const char *fstype, unsigned long flags, const void *data)',
  socket: 'int socket(int domain, int type, int protocol)',
  send: 'intptr_t send(int fd, const void *buf, size_t len, int flags)',
  recv: 'intptr_t recv(int fd, void *buf, size_t len, int flags)',
  sendto: 'intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)',
};
const directLibc = Object.fromEntries(
  Object.entries(LIBC_PROTOTYPES).map(([name, decl]) => [name, libcSo.func(decl)]),
) as unknown as LibcDirect;
const F_DUPFD_CLOEXEC = 1030; // <fcntl.h>; lowest free fd >= arg, close-on-exec set

/** The libc calls the runtime needs; integer results are -1 on failure with {@link lastErrno}. */
export const libc = {
  ...directLibc,
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

// --- libbpf's print callback: messages go to libbpf-log.ts so errors can carry them ---

const PRINT_BUF_SIZE = 64 * 1024; // one formatted message; verifier logs go to a log buffer instead
const printBuf = Buffer.alloc(PRINT_BUF_SIZE);
const PrintFn = koffi.proto('int', ['int', 'const char *', 'void *']); // (level, fmt, va_list)
const setPrint = libbpfSo.func('libbpf_set_print', 'void *', [koffi.pointer(PrintFn)]);
function onLibbpfPrint(level: number, fmt: string, ap: bigint): number {
  const n = rawLibc.vsnprintf(printBuf, PRINT_BUF_SIZE, fmt, ap) as number;
  recordLibbpfMessage(
    level,
    printBuf.subarray(0, Math.max(0, Math.min(n, PRINT_BUF_SIZE - 1))).toString('utf8'),
  );
  return 0;
}
// Registered once per module instance; the newest registration wins, so a re-required module
// (jest loads modules per test file) never leaves libbpf calling into a dead context.
setPrint(koffi.register(onLibbpfPrint, koffi.pointer(PrintFn)));

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
