// IPv4 text helpers of the lbrp model: strict dotted-quad and prefix parsing, masking a prefix to
// its network, and the host-bits mask. Pure; addresses are 32-bit unsigned numbers internally.

/** A parsed `a.b.c.d/len`: `net` is the address with host bits cleared. */
export interface Ipv4Prefix {
  /** Network address, dotted ("10.0.0.0" for "10.0.0.7/24"). */
  net: string;
  prefixLen: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The address as an unsigned 32-bit number, or undefined when `text` is not a dotted quad. */
export function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** Dotted form of an unsigned 32-bit number. */
export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** True for a dotted quad without leading zeros (REST spec §5.2's ipv4-address, zones excluded). */
export function isIpv4(text: string): boolean {
  return ipv4ToNumber(text) !== undefined;
}

/** Network mask of a prefix length, as an unsigned number (0 for /0). */
export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** Parses `a.b.c.d/len` (len 0..32) and masks it to its network; undefined when malformed. */
export function parsePrefix(text: string): Ipv4Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = ipv4ToNumber(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (addr === undefined || !/^(3[0-2]|[12]?\d)$/.test(lenText)) return undefined;
  const prefixLen = Number(lenText);
  return { net: numberToIpv4((addr & prefixMask(prefixLen)) >>> 0), prefixLen };
}

/** The host bits of a prefix length as an address ("0.0.0.255" for 24). */
export function hostMask(len: number): string {
  return numberToIpv4(~prefixMask(len) >>> 0);
}
