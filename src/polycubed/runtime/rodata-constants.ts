// Sets `const volatile` globals of an opened (not yet loaded) BPF object: finds each variable's
// offset in the .rodata section through the object's BTF and writes the value into the map's
// initial image, libbpf-bootstrap style (STYLE §8: per-cube constants go in between open and load).

import { KernelError } from './kernel-error';
import { copyFromNative, libbpf, viewNative } from './libbpf-ffi';

/** A value for a read-only global: integers are written in host byte order at the var's size. */
export type RodataValue = number | bigint | boolean | Buffer;

const BTF_KIND_DATASEC = 15; // <linux/btf.h>
const BTF_TYPE_SIZE = 12; // struct btf_type: name_off, info, size/type (u32 each)
const VAR_SECINFO_SIZE = 12; // struct btf_var_secinfo: type, offset, size (u32 each)

interface RodataVar {
  offset: number;
  size: number;
}

/** Offsets and sizes of every variable in the object's .rodata section, by name. */
function rodataLayout(btf: bigint): Map<string, RodataVar> {
  const vars = new Map<string, RodataVar>();
  const secId = libbpf.btf__find_by_name_kind(btf, '.rodata', BTF_KIND_DATASEC);
  if (secId < 0) return vars;
  const secPtr = libbpf.btf__type_by_id(btf, secId);
  if (secPtr === null) return vars;
  const vlen = copyFromNative(secPtr, BTF_TYPE_SIZE).readUInt32LE(4) & 0xffff;
  const infos = copyFromNative(secPtr + BigInt(BTF_TYPE_SIZE), vlen * VAR_SECINFO_SIZE);
  for (let i = 0; i < vlen; i++) {
    const typeId = infos.readUInt32LE(i * VAR_SECINFO_SIZE);
    const varPtr = libbpf.btf__type_by_id(btf, typeId);
    if (varPtr === null) continue;
    const name = libbpf.btf__name_by_offset(btf, copyFromNative(varPtr, 4).readUInt32LE(0));
    if (!name) continue;
    vars.set(name, {
      offset: infos.readUInt32LE(i * VAR_SECINFO_SIZE + 4),
      size: infos.readUInt32LE(i * VAR_SECINFO_SIZE + 8),
    });
  }
  return vars;
}

function encodeValue(name: string, value: RodataValue, size: number): Buffer {
  if (Buffer.isBuffer(value)) {
    if (value.length !== size)
      throw new TypeError(`constant ${name}: ${value.length} bytes given, variable has ${size}`);
    return value;
  }
  if (![1, 2, 4, 8].includes(size))
    throw new TypeError(`constant ${name}: ${size}-byte variable needs a Buffer`);
  const big = typeof value === 'bigint' ? value : BigInt(typeof value === 'boolean' ? Number(value) : value);
  const bits = BigInt(size * 8);
  if (big >= 1n << bits || big < -(1n << (bits - 1n))) {
    throw new TypeError(`constant ${name}: ${value} does not fit ${size} bytes`);
  }
  const word = Buffer.alloc(8);
  word.writeBigUInt64LE(BigInt.asUintN(Number(bits), big)); // BPF runs on this (little-endian) host
  return word.subarray(0, size);
}

/**
 * Writes `constants` into the .rodata image of the opened object `obj`. Throws TypeError for a
 * name that is not a .rodata variable or a value that does not fit; never touches the kernel.
 */
export function applyRodataConstants(
  obj: bigint,
  constants: Record<string, RodataValue>,
  objName: string,
): void {
  const names = Object.keys(constants);
  if (names.length === 0) return;
  const btf = libbpf.bpf_object__btf(obj);
  if (btf === null) throw new KernelError('object constants', objName, 2, 'object has no BTF');
  const layout = rodataLayout(btf);
  let rodata: bigint | null = null;
  for (let m = libbpf.bpf_object__next_map(obj, null); m !== null; m = libbpf.bpf_object__next_map(obj, m)) {
    if (libbpf.bpf_map__is_internal(m) && libbpf.bpf_map__name(m).endsWith('.rodata')) rodata = m;
  }
  const unknown = names.filter((n) => !layout.has(n));
  if (rodata === null || unknown.length > 0) {
    throw new TypeError(`object ${objName} has no const volatile ${unknown.join(', ') || names.join(', ')}`);
  }
  const { ptr, size } = libbpf.bpf_map__initial_value(rodata);
  if (ptr === null) throw new KernelError('object constants', objName, 22, 'no .rodata image');
  const image = viewNative(ptr, size);
  for (const name of names) {
    const v = layout.get(name) as RodataVar;
    encodeValue(name, constants[name], v.size).copy(image, v.offset);
  }
}
