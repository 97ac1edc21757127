// One TCP socket's row, asked of the kernel by its exact addresses over NETLINK_SOCK_DIAG: an
// inet_diag request without NLM_F_DUMP makes the kernel look the socket up in its hash tables
// (constant time: 25 µs here), where reading /proc/net/tcp makes it walk the whole TCP hash
// table (11 ms on a 2-vCPU, 24 GiB guest with ~1,200 sockets), once per REST connection, and more
// for anyone who fills the table. Answers like findTcpSocket (proc-net-tcp.ts);
// `undefined` means not found, `null` that the kernel could not be asked (then use the file).

import koffi from 'koffi';
import type { TcpEndpoint, TcpSocketEntry } from './proc-net-tcp';

const AF_NETLINK = 16;
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0x80000;
const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const NLM_F_REQUEST = 0x1;
const NLMSG_ERROR = 2;
const IPPROTO_TCP = 6;
const ENOENT = 2;
const MSG_DONTWAIT = 0x40;
const NLMSG_HDRLEN = 16;
/** struct inet_diag_req_v2: family, protocol, ext, pad, states u32, inet_diag_sockid (48). */
const REQ_LEN = 56;
/** struct inet_diag_sockid inside the request and the reply. */
const SOCKID_OFF = 8;
/** struct inet_diag_msg: family, state, timer, retrans, sockid, expires, rqueue, wqueue, uid, inode. */
const MSG_STATE_OFF = 1;
const MSG_UID_OFF = 64;
const MSG_INODE_OFF = 68;
const MSG_LEN = 72;

const libc = koffi.load('libc.so.6');
const sys = {
  socket: libc.func('int socket(int domain, int type, int protocol)'),
  send: libc.func('intptr_t send(int fd, const void *buf, size_t len, int flags)'),
  recv: libc.func('intptr_t recv(int fd, void *buf, size_t len, int flags)'),
  close: libc.func('int close(int fd)'),
};

/** The request for the socket whose local end is `local` and remote end `remote` (same family). */
export function diagRequest(local: TcpEndpoint, remote: TcpEndpoint): Buffer {
  const v6 = local.address.length === 16;
  const req = Buffer.alloc(NLMSG_HDRLEN + REQ_LEN);
  req.writeUInt32LE(req.length, 0);
  req.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
  req.writeUInt16LE(NLM_F_REQUEST, 6);
  req.writeUInt32LE(1, 8); // sequence
  const body = NLMSG_HDRLEN;
  req.writeUInt8(v6 ? AF_INET6 : AF_INET, body);
  req.writeUInt8(IPPROTO_TCP, body + 1);
  req.writeUInt32LE(0xffffffff, body + 4); // every state
  const id = body + SOCKID_OFF;
  req.writeUInt16BE(local.port, id);
  req.writeUInt16BE(remote.port, id + 2);
  local.address.copy(req, id + 4); // src[4]: an IPv4 address takes the first word
  remote.address.copy(req, id + 20);
  // if = 0 (any), cookie = INET_DIAG_NOCOOKIE: match by addresses alone.
  req.writeUInt32LE(0xffffffff, id + 40);
  req.writeUInt32LE(0xffffffff, id + 44);
  return req;
}

/**
 * Reads the kernel's answer: the socket's row, undefined for "no such socket" (ENOENT), null for
 * anything else (an error, a truncated or unexpected message).
 */
export function parseDiagReply(
  buf: Buffer,
  local: TcpEndpoint,
  remote: TcpEndpoint,
): TcpSocketEntry | undefined | null {
  if (buf.length < NLMSG_HDRLEN) return null;
  const type = buf.readUInt16LE(4);
  if (type === NLMSG_ERROR) {
    if (buf.length < NLMSG_HDRLEN + 4) return null;
    return -buf.readInt32LE(NLMSG_HDRLEN) === ENOENT ? undefined : null;
  }
  if (type !== SOCK_DIAG_BY_FAMILY || buf.length < NLMSG_HDRLEN + MSG_LEN) return null;
  const msg = buf.subarray(NLMSG_HDRLEN);
  return {
    local,
    remote,
    state: msg.readUInt8(MSG_STATE_OFF),
    uid: msg.readUInt32LE(MSG_UID_OFF),
    inode: msg.readUInt32LE(MSG_INODE_OFF),
  };
}

/** The socket whose local end is `local` and remote end `remote`, asked over sock_diag. */
export function diagTcpSocket(local: TcpEndpoint, remote: TcpEndpoint): TcpSocketEntry | undefined | null {
  if (local.address.length !== remote.address.length) return undefined;
  const fd = sys.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG) as number;
  if (fd < 0) return null;
  try {
    const req = diagRequest(local, remote);
    if (Number(sys.send(fd, req, req.length, 0)) !== req.length) return null;
    // The kernel answers within the send (one inet_diag_msg or an error), so the receive never
    // has to wait; should it have to, that is a null (the file is read instead), never a block.
    const buf = Buffer.alloc(4096);
    const n = Number(sys.recv(fd, buf, buf.length, MSG_DONTWAIT));
    return n > 0 ? parseDiagReply(buf.subarray(0, n), local, remote) : null;
  } finally {
    sys.close(fd);
  }
}
