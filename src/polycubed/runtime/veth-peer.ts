// Finds where a TC cube may deliver frames sent out of a port straight into the netdev's peer
// (bpf_redirect_peer): the port's netdev must be a veth whose peer lives in another network
// namespace (the kernel drops a peer redirect within one namespace). Two rtnetlink gets: the
// link itself (kind, peer ifindex, peer's netns id), then the peer, read in its namespace by id
// (IFLA.TARGET_NETNSID), for its MAC address, which decides which frames the shortcut may take.

import {
  attrsOf,
  IFINFOMSG_LEN,
  IFLA,
  IFLA_INFO,
  RTM_GETLINK,
  RTM_NEWLINK,
  rtattr,
  rtRequest,
} from './rtnetlink';

const ETH_ALEN = 6;

/** The attributes of link `ifindex` (in the netns with id `netnsid`, when given). */
function getLink(ifindex: number, netnsid?: number): Map<number, Buffer> {
  const info = Buffer.alloc(IFINFOMSG_LEN);
  info.writeInt32LE(ifindex, 4);
  const parts: Buffer[] = [info];
  if (netnsid !== undefined) {
    const id = Buffer.alloc(4);
    id.writeInt32LE(netnsid);
    parts.push(rtattr(IFLA.TARGET_NETNSID, id));
  }
  let attrs = new Map<number, Buffer>();
  rtRequest(RTM_GETLINK, 0, Buffer.concat(parts), 'netlink get', `ifindex ${ifindex}`, (type, msg) => {
    if (type === RTM_NEWLINK && msg.length >= IFINFOMSG_LEN) attrs = attrsOf(msg, IFINFOMSG_LEN);
  });
  return attrs;
}

/**
 * The MAC address of the peer of veth `ifindex` when that peer is in another network namespace;
 * undefined for any other netdev, for a peer in this namespace, or when the kernel will not say
 * (the caller then uses the plain redirect, which is always correct).
 */
export function vethPeerMac(ifindex: number): Buffer | undefined {
  try {
    const link = getLink(ifindex);
    const kind = link.get(IFLA.LINKINFO);
    const peer = link.get(IFLA.LINK);
    const nsid = link.get(IFLA.LINK_NETNSID);
    if (!kind || !peer || !nsid || peer.length < 4 || nsid.length < 4) return undefined;
    if (attrsOf(kind, 0).get(IFLA_INFO.KIND)?.toString('latin1').replace(/\0+$/, '') !== 'veth')
      return undefined;
    if (nsid.readInt32LE(0) < 0) return undefined;
    const mac = getLink(peer.readInt32LE(0), nsid.readInt32LE(0)).get(IFLA.ADDRESS);
    return mac && mac.length === ETH_ALEN ? Buffer.from(mac) : undefined;
  } catch {
    return undefined;
  }
}
