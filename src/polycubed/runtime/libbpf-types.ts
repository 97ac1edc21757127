// TypeScript shapes of the libbpf 1.1 C API as the FFI binding exposes it: opaque pointers,
// option-struct fields, and the signatures of the calls that need no struct marshalling.
// Pure types: importing this file never loads koffi or libbpf.

/** Opaque native pointer (libbpf object, map, program, ring buffer); `null` is C's NULL. */
export type Ptr = bigint | null;

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

/** libbpf calls that take only scalars, strings, Buffers and opaque pointers (C signatures below). */
export interface LibbpfDirect {
  bpf_object__load(obj: bigint): number;
  bpf_object__close(obj: bigint): void;
  bpf_object__name(obj: bigint): string;
  bpf_object__btf(obj: bigint): Ptr;
  bpf_object__find_map_by_name(obj: bigint, name: string): Ptr;
  bpf_object__next_map(obj: bigint, prev: Ptr): Ptr;
  bpf_object__find_program_by_name(obj: bigint, name: string): Ptr;
  bpf_object__next_program(obj: bigint, prev: Ptr): Ptr;
  bpf_map__name(map: bigint): string;
  bpf_map__fd(map: bigint): number;
  bpf_map__type(map: bigint): number;
  bpf_map__key_size(map: bigint): number;
  bpf_map__value_size(map: bigint): number;
  bpf_map__max_entries(map: bigint): number;
  bpf_map__map_flags(map: bigint): number;
  bpf_map__is_internal(map: bigint): boolean;
  bpf_map__set_max_entries(map: bigint, max: number): number;
  bpf_map__set_pin_path(map: bigint, path: string | null): number;
  bpf_map__reuse_fd(map: bigint, fd: number): number;
  bpf_program__name(prog: bigint): string;
  bpf_program__fd(prog: bigint): number;
  bpf_program__type(prog: bigint): number;
  bpf_program__set_type(prog: bigint, type: number): number;
  bpf_program__set_log_level(prog: bigint, level: number): number;
  bpf_program__set_log_buf(prog: bigint, buf: Buffer | null, size: number): number;
  btf__find_by_name_kind(btf: bigint, name: string, kind: number): number;
  btf__type_by_id(btf: bigint, id: number): Ptr;
  btf__name_by_offset(btf: bigint, off: number): string | null;
  bpf_map_update_elem(fd: number, key: Buffer, value: Buffer, flags: number): number;
  bpf_map_lookup_elem(fd: number, key: Buffer, value: Buffer): number;
  bpf_map_delete_elem(fd: number, key: Buffer): number;
  bpf_map_get_next_key(fd: number, key: Buffer | null, next: Buffer): number;
  bpf_obj_pin(fd: number, path: string): number;
  bpf_obj_get(path: string): number;
  bpf_map_get_fd_by_id(id: number): number;
  bpf_prog_get_fd_by_id(id: number): number;
  libbpf_num_possible_cpus(): number;
  ring_buffer__poll(rb: bigint, timeoutMs: number): number;
  ring_buffer__consume(rb: bigint): number;
  ring_buffer__epoll_fd(rb: bigint): number;
  ring_buffer__free(rb: bigint): void;
}
