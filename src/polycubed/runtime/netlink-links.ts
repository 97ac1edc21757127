// Lists the network devices of polycubed's network namespace and their addresses with rtnetlink
// dumps (RTM_GETLINK, RTM_GETADDR) — the same requests `ip link`/`ip addr` send, without a
// process. Used by the netdev watch (port status) and the REST `/netdevs` answer.

import { KernelError } from './kernel-error';
import { lastErrno, libc } from './libbpf-ffi';

/** One link. */
export interface LinkInfo {
  name: string;
  ifindex: number;
  /** IFF_* flags. */
  flags: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** IFF_LOOPBACK. */
  loopback: boolean;
}

const AF_NETLINK = 16;
const AF_UNSPEC = 0;
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0x80000;
const NETLINK_ROUTE = 0;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const NLMSG_HDRLEN = 16;
const IFINFOMSG_LEN = 16; // family, pad, type u16, index i32, flags u32, change u32
const IFADDRMSG_LEN = 8; // family, prefixlen, flags, scope, index u32
const IFLA_IFNAME = 3;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const RECV_BUF = 256 * 1024; // one dump part; the kernel sizes parts well below this

type Handler = (type: number, msg: Buffer) => void;

/** Sends one dump request and feeds every reply message to `onMsg` until NLMSG_DONE. */
function dump(type: number, body: Buffer, what: string, onMsg: Handler): void {
  const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) throw new KernelError('netlink dump', what, lastErrno());
  try {
    const req = Buffer.alloc(NLMSG_HDRLEN + body.length);
    req.writeUInt32LE(req.length, 0);
    req.writeUInt16LE(type, 4);
    req.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
    req.writeUInt32LE(1, 8);
    body.copy(req, NLMSG_HDRLEN);
    if (libc.send(fd, req, req.length, 0) < 0) throw new KernelError('netlink dump', what, lastErrno());
    const buf = Buffer.alloc(RECV_BUF);
    for (;;) {
      const n = Number(libc.recv(fd, buf, buf.length, 0));
      if (n < 0) throw new KernelError('netlink dump', what, lastErrno());
      for (let off = 0; off + NLMSG_HDRLEN <= n;) {
        const len = buf.readUInt32LE(off);
        const msgType = buf.readUInt16LE(off + 4);
        if (msgType === NLMSG_DONE) return;
        if (msgType === NLMSG_ERROR) {
          const err = -buf.readInt32LE(off + NLMSG_HDRLEN);
          if (err === 0) return;
          throw new KernelError('netlink dump', what, err);
        }
        if (len < NLMSG_HDRLEN) return;
        onMsg(msgType, buf.subarray(off + NLMSG_HDRLEN, off + len));
        off += (len + 3) & ~3;
      }
    }
  } finally {
    libc.close(fd);
  }
}

/** Calls `fn(type, payload)` for each rtattr in `buf` from `start`. */
function forEachAttr(buf: Buffer, start: number, fn: (type: number, payload: Buffer) => void): void {
  for (let off = start; off + 4 <= buf.length;) {
    const len = buf.readUInt16LE(off);
    if (len < 4) return;
    fn(buf.readUInt16LE(off + 2) & 0x3fff, buf.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
}

/** Every link of the current network namespace, in ifindex order. */
export function listLinks(): LinkInfo[] {
  const links: LinkInfo[] = [];
  const body = Buffer.alloc(IFINFOMSG_LEN);
  body.writeUInt8(AF_UNSPEC, 0);
  dump(RTM_GETLINK, body, 'links', (type, msg) => {
    if (type !== RTM_NEWLINK || msg.length < IFINFOMSG_LEN) return;
    const ifindex = msg.readInt32LE(4);
    const flags = msg.readUInt32LE(8);
    let name = '';
    forEachAttr(msg, IFINFOMSG_LEN, (attr, payload) => {
      if (attr === IFLA_IFNAME) name = payload.toString('utf8').replace(/\0.*$/s, '');
    });
    links.push({ name, ifindex, flags, up: (flags & IFF_UP) !== 0, loopback: (flags & IFF_LOOPBACK) !== 0 });
  });
  return links.sort((a, b) => a.ifindex - b.ifindex);
}

function formatV6(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Addresses ("10.0.0.1/24", "fe80::1/64") by ifindex, IPv4 first then IPv6, in kernel order. */
export function listAddresses(): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const v4: Array<[number, string]> = [];
  const v6: Array<[number, string]> = [];
  const body = Buffer.alloc(IFADDRMSG_LEN);
  body.writeUInt8(AF_UNSPEC, 0);
  dump(RTM_GETADDR, body, 'addresses', (type, msg) => {
    if (type !== RTM_NEWADDR || msg.length < IFADDRMSG_LEN) return;
    const family = msg.readUInt8(0);
    const prefix = msg.readUInt8(1);
    const ifindex = msg.readUInt32LE(4);
    let local: Buffer | undefined;
    let address: Buffer | undefined;
    forEachAttr(msg, IFADDRMSG_LEN, (attr, payload) => {
      if (attr === IFA_LOCAL) local = payload;
      if (attr === IFA_ADDRESS) address = payload;
    });
    const addr = family === AF_INET ? (local ?? address) : address;
    if (!addr) return;
    if (family === AF_INET && addr.length >= 4)
      v4.push([ifindex, `${[...addr.subarray(0, 4)].join('.')}/${prefix}`]);
    if (family === AF_INET6 && addr.length >= 16) v6.push([ifindex, `${formatV6(addr)}/${prefix}`]);
  });
  for (const [ifindex, text] of [...v4, ...v6]) {
    const list = out.get(ifindex) ?? [];
    list.push(text);
    out.set(ifindex, list);
  }
  return out;
}
