// One rtnetlink exchange over a fresh NETLINK_ROUTE socket: a request (a dump, or a single get)
// whose replies are handed to a callback until the kernel says it is done, plus the rtattr
// walker the replies need. Shared by the link/address listing and the veth peer lookup.

import { KernelError } from './kernel-error';
import { lastErrno, libc } from './libbpf-ffi';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0x80000;
const NETLINK_ROUTE = 0;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_DUMP = 0x300;

// <linux/rtnetlink.h> and <linux/if_link.h>: the message types and link attributes the runtime
// sends and reads (one place for every module that speaks rtnetlink).
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_GETADDR = 22;
/** struct ifinfomsg: family, pad, type u16, index i32, flags u32, change u32. */
export const IFINFOMSG_LEN = 16;
export const IFLA = {
  ADDRESS: 1,
  IFNAME: 3,
  LINK: 5,
  LINKINFO: 18,
  LINK_NETNSID: 37,
  TARGET_NETNSID: 46,
} as const;
/** Nested in IFLA_LINKINFO. */
export const IFLA_INFO = { KIND: 1, DATA: 2 } as const;
export const IFF_UP = 0x1;
export const IFF_LOOPBACK = 0x8;
const NLMSG_HDRLEN = 16;
const RECV_BUF = 256 * 1024; // one dump part; the kernel sizes parts well below this

/** Receives each reply message: its type and its payload (after the nlmsghdr). */
export type ReplyHandler = (type: number, msg: Buffer) => void;

/**
 * Sends `body` as a message of `type` with `flags` (NLM_F_REQUEST is added) and feeds every reply
 * to `onMsg`: for a dump until NLMSG_DONE, for a get until its one answer. Throws
 * KernelError(op, target, errno) when the kernel refuses.
 */
export function rtRequest(
  type: number,
  flags: number,
  body: Buffer,
  op: string,
  target: string,
  onMsg: ReplyHandler,
): void {
  const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) throw new KernelError(op, target, lastErrno());
  const isDump = (flags & NLM_F_DUMP) === NLM_F_DUMP;
  try {
    const req = Buffer.alloc(NLMSG_HDRLEN + body.length);
    req.writeUInt32LE(req.length, 0);
    req.writeUInt16LE(type, 4);
    req.writeUInt16LE(NLM_F_REQUEST | flags, 6);
    req.writeUInt32LE(1, 8);
    body.copy(req, NLMSG_HDRLEN);
    if (libc.send(fd, req, req.length, 0) < 0) throw new KernelError(op, target, lastErrno());
    const buf = Buffer.alloc(RECV_BUF);
    for (;;) {
      const n = Number(libc.recv(fd, buf, buf.length, 0));
      if (n < 0) throw new KernelError(op, target, lastErrno());
      for (let off = 0; off + NLMSG_HDRLEN <= n;) {
        const len = buf.readUInt32LE(off);
        const msgType = buf.readUInt16LE(off + 4);
        if (msgType === NLMSG_DONE) return;
        if (msgType === NLMSG_ERROR) {
          const err = -buf.readInt32LE(off + NLMSG_HDRLEN);
          if (err === 0) return;
          throw new KernelError(op, target, err);
        }
        if (len < NLMSG_HDRLEN) return;
        onMsg(msgType, buf.subarray(off + NLMSG_HDRLEN, off + len));
        off += (len + 3) & ~3;
      }
      if (!isDump) return;
    }
  } finally {
    libc.close(fd);
  }
}

/** Calls `fn(type, payload)` for each rtattr in `buf` from `start` (the nested flag is masked off). */
export function forEachAttr(buf: Buffer, start: number, fn: (type: number, payload: Buffer) => void): void {
  for (let off = start; off + 4 <= buf.length;) {
    const len = buf.readUInt16LE(off);
    if (len < 4) return;
    fn(buf.readUInt16LE(off + 2) & 0x3fff, buf.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
}

/** The attributes of `buf` from `start` by type (the last one wins). */
export function attrsOf(buf: Buffer, start: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  forEachAttr(buf, start, (type, payload) => out.set(type, payload));
  return out;
}

/** One rtattr: 4-byte header and `payload`, padded to 4 bytes. */
export function rtattr(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const out = Buffer.alloc((len + 3) & ~3);
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, 4);
  return out;
}
