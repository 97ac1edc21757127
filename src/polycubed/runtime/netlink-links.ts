// Lists the network devices of polycubed's network namespace and their addresses with rtnetlink
// dumps (RTM_GETLINK, RTM_GETADDR) — the same requests `ip link`/`ip addr` send, without a
// process. Used by the netdev watch (port status) and the REST `/netdevs` answer.

import {
  forEachAttr,
  IFF_LOOPBACK,
  IFF_UP,
  IFINFOMSG_LEN,
  IFLA,
  NLM_F_DUMP,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_NEWADDR,
  RTM_NEWLINK,
  rtRequest,
} from './rtnetlink';

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

const AF_UNSPEC = 0;
const AF_INET = 2;
const AF_INET6 = 10;
const IFADDRMSG_LEN = 8; // family, prefixlen, flags, scope, index u32
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;

/** Every link of the current network namespace, in ifindex order. */
export function listLinks(): LinkInfo[] {
  const links: LinkInfo[] = [];
  const body = Buffer.alloc(IFINFOMSG_LEN);
  body.writeUInt8(AF_UNSPEC, 0);
  rtRequest(RTM_GETLINK, NLM_F_DUMP, body, 'netlink dump', 'links', (type, msg) => {
    if (type !== RTM_NEWLINK || msg.length < IFINFOMSG_LEN) return;
    const ifindex = msg.readInt32LE(4);
    const flags = msg.readUInt32LE(8);
    let name = '';
    forEachAttr(msg, IFINFOMSG_LEN, (attr, payload) => {
      if (attr === IFLA.IFNAME) name = payload.toString('utf8').replace(/\0.*$/s, '');
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
  rtRequest(RTM_GETADDR, NLM_F_DUMP, body, 'netlink dump', 'addresses', (type, msg) => {
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
