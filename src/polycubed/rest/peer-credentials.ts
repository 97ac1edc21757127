// Who is at the other end of a TCP connection the REST server accepted: when the client's socket
// is in this host's socket table (loopback, or any address of this host), its owner's uid; else
// unknown (a remote host, or a client that already let go of its socket). Once per connection,
// by one sock_diag lookup (sock-diag.ts).

import type { Socket } from 'node:net';
import { ipBytes } from './ip-bytes';
import { findTcpSocket, type TcpEndpoint, type TcpSocketEntry } from './proc-net-tcp';
import { diagTcpSocket } from './sock-diag';

/** The client of a connection, as far as the kernel can tell. */
export type PeerIdentity =
  | { kind: 'local'; uid: number }
  /** Not in the socket table, or held by no process: a remote host, or a client that closed. */
  | { kind: 'unknown'; peer: string };

/** Finds the client's socket (injectable for tests). */
export type SocketFinder = (
  local: { address: Buffer; port: number },
  remote: { address: Buffer; port: number },
) => Promise<TcpSocketEntry | undefined>;

/**
 * A finder that asks `diag` (sock_diag: constant time) and reads `file` (/proc/net/tcp) only when
 * the kernel could not be asked that way (`null`: no inet_diag); "not found" stays not found.
 */
export function diagThenFile(
  diag: (l: TcpEndpoint, r: TcpEndpoint) => TcpSocketEntry | undefined | null = diagTcpSocket,
  file: SocketFinder = findTcpSocket,
): SocketFinder {
  return (local, remote) => {
    const row = diag(local, remote);
    return row === null ? file(local, remote) : Promise.resolve(row);
  };
}

/** The kernel's row for one socket: over sock_diag, else from /proc/net/tcp. */
export const findPeerSocket: SocketFinder = diagThenFile();

const cache = new WeakMap<Socket, Promise<PeerIdentity>>();

function describePeer(socket: Socket): string {
  const a = socket.remoteAddress ?? '?';
  return `${a.includes(':') ? `[${a}]` : a}:${socket.remotePort ?? '?'}`;
}

async function lookUp(socket: Socket, find: SocketFinder): Promise<PeerIdentity> {
  const peer = describePeer(socket);
  const client = ipBytes(socket.remoteAddress ?? '');
  const server = ipBytes(socket.localAddress ?? '');
  if (!client || !server || socket.remotePort === undefined || socket.localPort === undefined) {
    return { kind: 'unknown', peer };
  }
  // The client's socket: local end = the client's address, remote end = ours.
  const entry = await find(
    { address: client, port: socket.remotePort },
    { address: server, port: socket.localPort },
  );
  // inode 0: no process holds the socket any more and the table shows uid 0 for it; trusting
  // that would make root of anyone who writes a request and closes at once.
  if (!entry || entry.inode === 0) return { kind: 'unknown', peer };
  return { kind: 'local', uid: entry.uid };
}

/**
 * The identity of the client of `socket`, looked up once per connection (a socket's owner never
 * changes) from the kernel's socket table of this network namespace.
 */
export function identifyPeer(socket: Socket, find: SocketFinder = findPeerSocket): Promise<PeerIdentity> {
  let known = cache.get(socket);
  if (!known) {
    known = lookUp(socket, find);
    cache.set(socket, known);
  }
  return known;
}
