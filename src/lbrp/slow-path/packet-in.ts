// The MULTI-mode slow path (runtime spec §5.5, fixed): which frames to send for a packet-in.
// REASON_ARP_REPLY — an ARP reply from a client in the src-ip-rewrite range: the original out of
// the BACKEND port, and a copy whose sender IP is mapped into the new range. REASON_FLOODING — a
// non-IP frame from the backend side: out of every FRONTEND port. Pure: the service sends them.

import { REASON_ARP_REPLY, REASON_FLOODING } from '../dataplane/map-layouts';
import type { CubeModel } from '../model/cube-model';
import { ipv4ToNumber, numberToIpv4, prefixMask } from '../model/ipv4';
import { activeRewrite } from '../model/src-rewrite-rules';

/** A frame to send out of a cube port. */
export interface PacketOut {
  port: string;
  packet: Buffer;
}

/** What the slow path needs from a packet-in. */
export interface PacketInInput {
  reason: number;
  /** Name of the port the frame arrived on. */
  portName: string;
  packet: Buffer;
}

const ETH_HLEN = 14;
const ETHERTYPE_ARP = 0x0806;
/** Offset of the ARP sender protocol address in an Ethernet frame (14 + 8 + 6). */
const ARP_SPA = ETH_HLEN + 14;
const ARP_MIN_LEN = ETH_HLEN + 28;

/** The frames to send for `ev`, or an error text to log (unknown reason). */
export function slowPathFrames(model: CubeModel, ev: PacketInInput): PacketOut[] | string {
  const ports = [...model.ports.values()];
  const backend = ports.find((p) => p.type === 'BACKEND');
  if (ev.reason === REASON_FLOODING) {
    return ports
      .filter((p) => p.type === 'FRONTEND' && p.name !== ev.portName)
      .map((p) => ({ port: p.name, packet: ev.packet }));
  }
  if (ev.reason !== REASON_ARP_REPLY) return `Not valid reason ${ev.reason} received`;
  if (!backend) return [];
  const out: PacketOut[] = [{ port: backend.name, packet: ev.packet }];
  const copy = rewrittenArp(model, ev.packet);
  if (copy) out.push({ port: backend.name, packet: copy });
  return out;
}

/** A copy of an ARP frame whose sender IP (in ip-range) is mapped into new_ip_range. */
function rewrittenArp(model: CubeModel, frame: Buffer): Buffer | undefined {
  const r = activeRewrite(model.srcIpRewrite);
  if (!r || frame.length < ARP_MIN_LEN || frame.readUInt16BE(12) !== ETHERTYPE_ARP) return undefined;
  const mask = prefixMask(r.from.prefixLen);
  const sender = frame.readUInt32BE(ARP_SPA);
  if ((sender & mask) >>> 0 !== ipv4ToNumber(r.from.net)) return undefined;
  const mapped = (((ipv4ToNumber(r.to.net) as number) | (sender & ~mask)) >>> 0) as number;
  const copy = Buffer.from(frame);
  copy.writeUInt32BE(mapped, ARP_SPA);
  return numberToIpv4(mapped) === numberToIpv4(sender) ? undefined : copy;
}
