// Counts the TC filters on one side of an interface's clsact qdisc with a single rtnetlink dump
// (RTM_GETTFILTER), so detach can tell whether anything besides lbrp still uses the hook.
// libbpf has no "list filters" call; this is the same request `tc filter show` sends.

import { KernelError } from './kernel-error';
import { lastErrno, libc } from './libbpf-ffi';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0x80000;
const NETLINK_ROUTE = 0;
const RTM_NEWTFILTER = 44;
const RTM_GETTFILTER = 46;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
const NLMSG_HDRLEN = 16;
const TCMSG_LEN = 20; // struct tcmsg: family, pad1, pad2, ifindex, handle, parent, info
const RECV_BUF = 64 * 1024;
/** clsact parents: TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS / TC_H_MIN_EGRESS) from <linux/pkt_sched.h>. */
const CLSACT_PARENT = { ingress: 0xfffffff2, egress: 0xfffffff3 } as const;

/**
 * Number of filter records the kernel reports on the `direction` side of clsact on `ifindex`
 * (0 when there is no clsact qdisc). Throws KernelError("tc filter dump", ...) on failure.
 */
export function countTcFilters(ifindex: number, direction: 'ingress' | 'egress'): number {
  const target = `ifindex ${ifindex} ${direction}`;
  const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) throw new KernelError('tc filter dump', target, lastErrno());
  try {
    const req = Buffer.alloc(NLMSG_HDRLEN + TCMSG_LEN);
    req.writeUInt32LE(req.length, 0);
    req.writeUInt16LE(RTM_GETTFILTER, 4);
    req.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
    req.writeUInt32LE(1, 8); // sequence number
    req.writeInt32LE(ifindex, NLMSG_HDRLEN + 4);
    req.writeUInt32LE(CLSACT_PARENT[direction], NLMSG_HDRLEN + 12);
    if (libc.send(fd, req, req.length, 0) < 0) throw new KernelError('tc filter dump', target, lastErrno());
    return readDump(fd, target);
  } finally {
    libc.close(fd);
  }
}

function readDump(fd: number, target: string): number {
  const buf = Buffer.alloc(RECV_BUF);
  let filters = 0;
  for (;;) {
    const n = Number(libc.recv(fd, buf, buf.length, 0));
    if (n < 0) throw new KernelError('tc filter dump', target, lastErrno());
    for (let off = 0; off + NLMSG_HDRLEN <= n;) {
      const len = buf.readUInt32LE(off);
      const type = buf.readUInt16LE(off + 4);
      if (type === NLMSG_DONE) return filters;
      if (type === NLMSG_ERROR) {
        const err = -buf.readInt32LE(off + NLMSG_HDRLEN);
        if (err === 0) return filters;
        if (err === 22 /* EINVAL: no clsact qdisc */ || err === 2 /* ENOENT */) return 0;
        throw new KernelError('tc filter dump', target, err);
      }
      if (type === RTM_NEWTFILTER) filters++;
      if (len < NLMSG_HDRLEN) break;
      off += (len + 3) & ~3; // NLMSG_ALIGN
    }
  }
}
