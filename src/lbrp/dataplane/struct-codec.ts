// A C struct described once, as its fields in declaration order with their wire types, and what
// follows from that description: the layout (offsets by C's natural alignment, or packed) that
// the layout test compares with the compiled object's BTF, and the encoder and decoder of the
// TS object it carries. map-layouts.ts declares every kernel struct with `struct()`.

/** An IPv4 address in dotted form ("10.0.0.1"); network byte order on the wire. */
export type Ipv4 = string;

/** Wire types of a field: byte order and width. `bytes` is opaque (layout only). */
type Scalar = 'u8' | 'u16' | 'be16' | 'u32' | 'u32wrap' | 'u64' | 'ipv4';

/**
 * One field: its C name, its wire type and, when it carries a TS property, that property's name.
 * `count` makes it an array (`__u32 timeout[5]`: the property is a number[] of exactly that
 * length); `bytes` fields give their size and alignment instead (unions, nested structs, buffers).
 * A field without `prop` is written as zeros and not decoded (padding, or bytes lbrp never reads).
 */
export type FieldSpec<T> =
  | { c: string; type: Scalar; prop?: keyof T & string; count?: number }
  | { c: string; type: 'bytes'; size: number; align?: number };

/** Size and field offsets (bytes) of one C struct. */
export interface StructLayout {
  size: number;
  fields: Record<string, { offset: number; size: number }>;
}

/** A described struct: its layout, and the codec of its TS object T. */
export interface StructCodec<T> {
  readonly layout: StructLayout;
  encode(v: T): Buffer;
  decode(b: Buffer): T;
}

const WIDTH: Record<Scalar, number> = { u8: 1, u16: 2, be16: 2, u32: 4, u32wrap: 4, u64: 8, ipv4: 4 };

/** Writes a dotted IPv4 address at `off` in network order. Throws on a malformed address. */
export function writeIpv4(buf: Buffer, ip: Ipv4, off: number): void {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new TypeError(`invalid IPv4 address ${JSON.stringify(ip)}`);
  parts.forEach((p, i) => {
    const n = Number(p);
    if (!/^\d{1,3}$/.test(p) || n > 255) throw new TypeError(`invalid IPv4 address ${JSON.stringify(ip)}`);
    buf[off + i] = n;
  });
}

/** Reads a network-order IPv4 address at `off`. */
export function readIpv4(buf: Buffer, off: number): Ipv4 {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

/**
 * Writes one scalar. A missing value (an optional property) is 0. `u32wrap` takes any integer
 * modulo 2^32 (hash words, clocks); the other integer types refuse a value out of range.
 */
function writeScalar(b: Buffer, type: Scalar, off: number, v: unknown): void {
  if (v === undefined) return;
  switch (type) {
    case 'u8':
      b.writeUInt8(v as number, off);
      return;
    case 'u16':
      b.writeUInt16LE(v as number, off);
      return;
    case 'be16':
      b.writeUInt16BE(v as number, off);
      return;
    case 'u32':
      b.writeUInt32LE(v as number, off);
      return;
    case 'u32wrap':
      b.writeUInt32LE((v as number) >>> 0, off);
      return;
    case 'u64':
      b.writeBigUInt64LE(v as bigint, off);
      return;
    case 'ipv4':
      writeIpv4(b, v as Ipv4, off);
  }
}

function readScalar(b: Buffer, type: Scalar, off: number): number | bigint | Ipv4 {
  switch (type) {
    case 'u8':
      return b.readUInt8(off);
    case 'u16':
      return b.readUInt16LE(off);
    case 'be16':
      return b.readUInt16BE(off);
    case 'u32':
    case 'u32wrap':
      return b.readUInt32LE(off);
    case 'u64':
      return b.readBigUInt64LE(off);
    case 'ipv4':
      return readIpv4(b, off);
  }
}

/** A placed field: spec plus offset. */
type Placed<T> = FieldSpec<T> & { offset: number };

/**
 * Declares a struct. Offsets follow C: each field at the next multiple of its alignment (a
 * scalar's width; `bytes` fields say theirs, default 1), the size rounded up to the largest
 * alignment; `packed` (as `__attribute__((packed))`) places every field right after the previous.
 */
export function struct<T>(fields: FieldSpec<T>[], opts: { packed?: boolean } = {}): StructCodec<T> {
  const placed: Placed<T>[] = [];
  let off = 0;
  let maxAlign = 1;
  for (const f of fields) {
    const size = f.type === 'bytes' ? f.size : WIDTH[f.type] * (f.count ?? 1);
    const align = opts.packed ? 1 : f.type === 'bytes' ? (f.align ?? 1) : WIDTH[f.type];
    off = Math.ceil(off / align) * align;
    placed.push({ ...f, offset: off });
    off += size;
    maxAlign = Math.max(maxAlign, align);
  }
  const size = Math.ceil(off / maxAlign) * maxAlign;
  const layout: StructLayout = {
    size,
    fields: Object.fromEntries(
      placed.map((f) => [
        f.c,
        { offset: f.offset, size: f.type === 'bytes' ? f.size : WIDTH[f.type] * (f.count ?? 1) },
      ]),
    ),
  };
  const carried = placed.filter((f): f is Placed<T> & { type: Scalar; prop: keyof T & string } =>
    Boolean(f.type !== 'bytes' && f.prop),
  );
  return {
    layout,
    encode(v: T): Buffer {
      const b = Buffer.alloc(size);
      for (const f of carried) {
        const value = v[f.prop] as unknown;
        if (f.count === undefined) {
          writeScalar(b, f.type, f.offset, value);
          continue;
        }
        const list = value as unknown[];
        if (list.length !== f.count)
          throw new RangeError(`expected ${f.count} ${f.prop}, got ${list.length}`);
        list.forEach((x, i) => writeScalar(b, f.type, f.offset + WIDTH[f.type] * i, x));
      }
      return b;
    },
    decode(b: Buffer): T {
      const out: Record<string, unknown> = {};
      for (const f of carried)
        out[f.prop] =
          f.count === undefined
            ? readScalar(b, f.type, f.offset)
            : Array.from({ length: f.count }, (_, i) => readScalar(b, f.type, f.offset + WIDTH[f.type] * i));
      return out as T;
    },
  };
}
