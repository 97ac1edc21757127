// Reads kernel-side facts about a map or program fd (bpf_obj_get_info_by_fd), so objects opened
// from a pin or by id can be described without the ELF they came from. Offsets are from
// struct bpf_map_info / struct bpf_prog_info in <linux/bpf.h>.

import { check } from './ffi-check';
import { libbpf } from './libbpf-ffi';

/** What the kernel reports about a map. */
export interface MapInfo {
  type: number;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** Kernel name: at most 15 characters (BPF_OBJ_NAME_LEN - 1), may be a truncated map name. */
  name: string;
}

/** What the kernel reports about a program. */
export interface ProgInfo {
  type: number;
  id: number;
  /** Kernel name, at most 15 characters. */
  name: string;
}

const MAP_INFO_SIZE = 88; // sizeof(struct bpf_map_info) in 6.x headers; the kernel accepts shorter/longer
const PROG_INFO_SIZE = 232; // sizeof(struct bpf_prog_info) as of 6.x; only the head is read
const OBJ_NAME_LEN = 16; // BPF_OBJ_NAME_LEN

function readName(buf: Buffer, offset: number): string {
  const raw = buf.subarray(offset, offset + OBJ_NAME_LEN);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? OBJ_NAME_LEN : end).toString('utf8');
}

/** Describes the map behind `fd`; throws KernelError("map info", label) on failure. */
export function mapInfoByFd(fd: number, label = `fd ${fd}`): MapInfo {
  const buf = Buffer.alloc(MAP_INFO_SIZE);
  check(libbpf.bpf_obj_get_info_by_fd(fd, buf), 'map info', label);
  return {
    type: buf.readUInt32LE(0),
    id: buf.readUInt32LE(4),
    keySize: buf.readUInt32LE(8),
    valueSize: buf.readUInt32LE(12),
    maxEntries: buf.readUInt32LE(16),
    flags: buf.readUInt32LE(20),
    name: readName(buf, 24),
  };
}

/** Describes the program behind `fd`; throws KernelError("program info", label) on failure. */
export function progInfoByFd(fd: number, label = `fd ${fd}`): ProgInfo {
  const buf = Buffer.alloc(PROG_INFO_SIZE);
  check(libbpf.bpf_obj_get_info_by_fd(fd, buf), 'program info', label);
  return { type: buf.readUInt32LE(0), id: buf.readUInt32LE(4), name: readName(buf, 64) };
}
