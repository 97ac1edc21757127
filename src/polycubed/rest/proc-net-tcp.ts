// The kernel's TCP socket table as /proc/net/tcp and /proc/net/tcp6 print it (one line per
// socket: addresses, state, owner uid, inode), parsed, and the lookup of the socket at one end of
// a connection. The access checks use it to learn which local user opened a loopback connection.

import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { unmapV4 } from './ip-bytes';

/** One end of a TCP connection: address bytes (4 for IPv4 and IPv4-mapped, 16 for IPv6) and port. */
export interface TcpEndpoint {
  address: Buffer;
  port: number;
}

/** One row of the socket table. */
export interface TcpSocketEntry {
  local: TcpEndpoint;
  remote: TcpEndpoint;
  /** Kernel TCP state (1 = ESTABLISHED, 10 = LISTEN). */
  state: number;
  /** Owner: the fsuid of the process that created the socket, in the reader's user namespace. */
  uid: number;
  /**
   * Inode of the socket; 0 when no process holds it any more (closed and orphaned, TIME_WAIT),
   * in which case `uid` reads 0 whoever created it and must not be trusted.
   */
  inode: number;
}

/**
 * Decodes an address column (`0100007F:1F90`): the kernel prints each 32-bit word of the address
 * as a hex number in host byte order, and the port in host order.
 */
function parseEndpoint(field: string, littleEndian: boolean): TcpEndpoint | undefined {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(field);
  if (!m) return undefined;
  const hex = m[1];
  const bytes = Buffer.alloc(hex.length / 2);
  for (let w = 0; w < hex.length / 8; w++) {
    const word = parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    if (littleEndian) bytes.writeUInt32LE(word, w * 4);
    else bytes.writeUInt32BE(word, w * 4);
  }
  return { address: unmapV4(bytes), port: parseInt(m[2], 16) };
}

/**
 * Parses the text of /proc/net/tcp or /proc/net/tcp6 (`littleEndian`: the byte order of the host
 * that printed it). Skips the header and any line it cannot read; never throws.
 */
export function parseProcNetTcp(text: string, littleEndian = endianness() === 'LE'): TcpSocketEntry[] {
  const out: TcpSocketEntry[] = [];
  for (const line of text.split('\n')) {
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode …
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^\d+:$/.test(f[0])) continue;
    const local = parseEndpoint(f[1], littleEndian);
    const remote = parseEndpoint(f[2], littleEndian);
    const [state, uid, inode] = [parseInt(f[3], 16), Number(f[7]), Number(f[9])];
    if (!local || !remote || !Number.isInteger(uid) || !Number.isInteger(inode)) continue;
    out.push({ local, remote, state, uid, inode });
  }
  return out;
}

/** The files that hold this network namespace's TCP sockets (the reader's namespace). */
export const PROC_NET_TCP_FILES = ['/proc/net/tcp', '/proc/net/tcp6'];

/**
 * How the kernel prints `ep` in a file whose addresses have `size` bytes (4: tcp, 16: tcp6, where
 * an IPv4 address is written IPv4-mapped): each 32-bit word as 8 hex digits of its host-order
 * value, then `:` and the port as 4 hex digits. Undefined when `ep` cannot appear in that file.
 */
export function formatEndpoint(
  ep: TcpEndpoint,
  size: 4 | 16,
  littleEndian = endianness() === 'LE',
): string | undefined {
  let bytes = ep.address;
  if (bytes.length !== size) {
    if (size === 4) return undefined;
    bytes = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]), bytes]);
  }
  let hex = '';
  for (let w = 0; w < size / 4; w++) {
    const word = littleEndian ? bytes.readUInt32LE(w * 4) : bytes.readUInt32BE(w * 4);
    hex += word.toString(16).toUpperCase().padStart(8, '0');
  }
  return `${hex}:${ep.port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The socket whose local end is `local` and remote end `remote` in the socket table of this
 * process's network namespace, or undefined. For the client of a connection this daemon accepted,
 * pass the client's address as `local` and the daemon's as `remote`: both ends of a loopback (or
 * same-host) connection live in one namespace, so the client's socket is listed next to ours.
 * The table can hold many thousands of rows on a busy host: the row is found by a plain text
 * search for its two address columns and only that row is parsed.
 */
export async function findTcpSocket(
  local: TcpEndpoint,
  remote: TcpEndpoint,
  files: readonly string[] = PROC_NET_TCP_FILES,
): Promise<TcpSocketEntry | undefined> {
  for (const file of files) {
    const size = file.endsWith('6') ? 16 : 4;
    const [l, r] = [formatEndpoint(local, size), formatEndpoint(remote, size)];
    if (l === undefined || r === undefined) continue;
    let text: string;
    try {
      text = await readFile(file, 'latin1');
    } catch {
      continue; // no IPv6 in this kernel
    }
    const at = text.indexOf(` ${l} ${r} `);
    if (at < 0) continue;
    const start = text.lastIndexOf('\n', at) + 1;
    const end = text.indexOf('\n', at);
    const [hit] = parseProcNetTcp(text.slice(start, end < 0 ? undefined : end));
    if (hit) return hit;
  }
  return undefined;
}
