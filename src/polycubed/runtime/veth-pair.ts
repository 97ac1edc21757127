// Creates and deletes the veth pairs that carry a cube-to-cube link (`polycubectl connect lb0:be
// lb1:fe`): each port is bound to one end, so a frame one cube sends out of its port enters the
// other cube's program on the far end, in TC and XDP alike. rtnetlink RTM_NEWLINK/RTM_DELLINK, as
// `ip link add A type veth peer name B` and `ip link del A` send them.

import { writeFileSync } from 'node:fs';
import {
  IFF_UP,
  IFINFOMSG_LEN,
  IFLA,
  IFLA_INFO,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_EXCL,
  RTM_DELLINK,
  RTM_NEWLINK,
  rtattr,
  rtRequest,
} from './rtnetlink';

const VETH_INFO_PEER = 1; // nested in IFLA_INFO.DATA of a veth

/** An ifinfomsg: with `up`, asking for the link to be set up. */
function ifinfo(up = false): Buffer {
  const info = Buffer.alloc(IFINFOMSG_LEN);
  if (up) {
    info.writeUInt32LE(IFF_UP, 8);
    info.writeUInt32LE(IFF_UP, 12);
  }
  return info;
}

const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'latin1');

/**
 * Creates veth `a` with peer `b` in this network namespace, both up, without IPv6 (so the host
 * sends nothing of its own into the cubes: no router solicitations, no MLD). Throws KernelError
 * (EEXIST when a link of either name exists).
 */
export function createVethPair(a: string, b: string): void {
  // Created down, then set up: a veth brought up while its pair is being created has no peer yet
  // (ENOTCONN).
  const peer = Buffer.concat([ifinfo(), rtattr(IFLA.IFNAME, cstr(b))]);
  const linkinfo = Buffer.concat([
    rtattr(IFLA_INFO.KIND, cstr('veth')),
    rtattr(IFLA_INFO.DATA, rtattr(VETH_INFO_PEER, peer)),
  ]);
  const body = Buffer.concat([ifinfo(), rtattr(IFLA.IFNAME, cstr(a)), rtattr(IFLA.LINKINFO, linkinfo)]);
  rtRequest(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, body, 'netlink newlink', a, () => undefined);
  for (const dev of [a, b]) {
    try {
      writeFileSync(`/proc/sys/net/ipv6/conf/${dev}/disable_ipv6`, '1');
    } catch {
      // no IPv6 in this kernel or namespace: nothing to silence
    }
  }
  for (const dev of [a, b])
    rtRequest(
      RTM_NEWLINK,
      NLM_F_ACK,
      Buffer.concat([ifinfo(true), rtattr(IFLA.IFNAME, cstr(dev))]),
      'netlink setlink',
      dev,
      () => undefined,
    );
}

/** Deletes link `name` (a veth's peer goes with it). Throws KernelError (ENODEV when absent). */
export function deleteLink(name: string): void {
  rtRequest(
    RTM_DELLINK,
    NLM_F_ACK,
    Buffer.concat([ifinfo(), rtattr(IFLA.IFNAME, cstr(name))]),
    'netlink dellink',
    name,
    () => undefined,
  );
}
