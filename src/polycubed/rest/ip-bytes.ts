// IP addresses as bytes, so that the spellings of one address compare equal (`::1`,
// `0:0:0:0:0:0:0:1`, `::ffff:127.0.0.1` ≡ `127.0.0.1`). Used by the access checks to match
// Node's socket addresses against the kernel's socket table and `Host` headers against loopback.

import { isIP } from 'node:net';

/**
 * The address in network byte order: 4 bytes for IPv4 and for IPv4-mapped IPv6, 16 for other
 * IPv6 (brackets and a `%zone` are ignored); undefined when `addr` is not an IP literal.
 */
export function ipBytes(addr: string): Buffer | undefined {
  const a = addr.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIP(a);
  if (family === 4) return Buffer.from(a.split('.').map(Number));
  if (family !== 6) return undefined;
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const words = (s: string): number[] => {
    if (s === '') return [];
    return s.split(':').flatMap((w) => {
      if (!w.includes('.')) return [parseInt(w, 16)];
      const v4 = w.split('.').map(Number);
      return [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    });
  };
  const h = words(head);
  const t = tail === undefined ? [] : words(tail);
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return unmapV4(out);
}

/** `::ffff:a.b.c.d` as its 4 IPv4 bytes; any other buffer unchanged. */
export function unmapV4(b: Buffer): Buffer {
  const mapped =
    b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? b.subarray(12) : b;
}

/** True for 127.0.0.0/8 and ::1 in any spelling. */
export function isLoopbackIp(b: Buffer): boolean {
  if (b.length === 4) return b[0] === 127;
  return b.length === 16 && b.subarray(0, 15).every((x) => x === 0) && b[15] === 1;
}
