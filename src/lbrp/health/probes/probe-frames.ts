// Ethernet frames of the probes sent out of a cube's BACKEND port (port-prober.ts), and the
// decoding of what the dataplane hands back (packet-in REASON_PROBE_REPLY). Pure.

import { ipv4ToNumber } from '../../model/ipv4';
import { internetChecksum } from './raw-ip-socket';

const ETH_HLEN = 14;
const ETH_P_IP = 0x0800;
const ETH_P_ARP = 0x0806;
/** Frames are padded to Ethernet's minimum (without the FCS). */
const ETH_MIN = 60;
const IP_HLEN = 20;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;
export const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
export const BROADCAST = Buffer.alloc(6, 0xff);

const ipBytes = (ip: string): number => ipv4ToNumber(ip) ?? 0;

/** The locally administered MAC the probes of source `ip` carry (02:6c:<the address>). */
export function probeMac(ip: string): Buffer {
  const m = Buffer.alloc(6);
  m[0] = 0x02;
  m[1] = 0x6c;
  m.writeUInt32BE(ipBytes(ip), 2);
  return m;
}

/** An Ethernet frame of `type` around `payload`, padded to the minimum. */
function ethernet(dst: Buffer, src: Buffer, type: number, payload: Buffer): Buffer {
  const f = Buffer.alloc(Math.max(ETH_MIN, ETH_HLEN + payload.length));
  dst.copy(f, 0);
  src.copy(f, 6);
  f.writeUInt16BE(type, 12);
  payload.copy(f, ETH_HLEN);
  return f;
}

/** An IPv4 packet (no options, DF, TTL 64) carrying `l4`, header checksummed. */
function ipv4(src: string, dst: string, proto: number, l4: Buffer): Buffer {
  const p = Buffer.alloc(IP_HLEN + l4.length);
  p[0] = 0x45;
  p.writeUInt16BE(p.length, 2);
  p.writeUInt16BE((Math.random() * 0x10000) & 0xffff, 4);
  p.writeUInt16BE(0x4000, 6);
  p[8] = 64;
  p[9] = proto;
  p.writeUInt32BE(ipBytes(src), 12);
  p.writeUInt32BE(ipBytes(dst), 16);
  p.writeUInt16BE(internetChecksum(p.subarray(0, IP_HLEN)), 10);
  l4.copy(p, IP_HLEN);
  return p;
}

/** The addresses of a frame: Ethernet destination and source. */
export interface L2 {
  readonly dst: Buffer;
  readonly src: Buffer;
}

/** A TCP segment without options or data (SYN, RST), checksummed, in its frame. */
export function tcpFrame(
  l2: L2,
  src: string,
  dst: string,
  ports: { sport: number; dport: number },
  seq: number,
  flags: number,
): Buffer {
  const seg = Buffer.alloc(20);
  seg.writeUInt16BE(ports.sport, 0);
  seg.writeUInt16BE(ports.dport, 2);
  seg.writeUInt32BE(seq >>> 0, 4);
  seg[12] = 5 << 4;
  seg[13] = flags;
  seg.writeUInt16BE(flags & TCP_SYN ? 64240 : 0, 14);
  const pseudo = Buffer.alloc(12);
  pseudo.writeUInt32BE(ipBytes(src), 0);
  pseudo.writeUInt32BE(ipBytes(dst), 4);
  pseudo.writeUInt32BE(IPPROTO_TCP * 65536 + seg.length, 8);
  seg.writeUInt16BE(internetChecksum(pseudo, seg), 16);
  return ethernet(l2.dst, l2.src, ETH_P_IP, ipv4(src, dst, IPPROTO_TCP, seg));
}

/** An ICMP echo request with identifier `id` and sequence `seq`, in its frame. */
export function echoFrame(l2: L2, src: string, dst: string, id: number, seq: number): Buffer {
  const m = Buffer.alloc(16);
  m[0] = ICMP_ECHO_REQUEST;
  m.writeUInt16BE(id, 4);
  m.writeUInt16BE(seq, 6);
  m.write('lbrp-hc!', 8);
  m.writeUInt16BE(internetChecksum(m), 2);
  return ethernet(l2.dst, l2.src, ETH_P_IP, ipv4(src, dst, IPPROTO_ICMP, m));
}

/** An ARP request (to broadcast) or reply (to `targetMac`) about Ethernet/IPv4 addresses. */
export function arpFrame(
  op: number,
  sender: { mac: Buffer; ip: string },
  target: { mac: Buffer; ip: string },
): Buffer {
  const a = Buffer.alloc(28);
  a.writeUInt16BE(1, 0); // Ethernet
  a.writeUInt16BE(ETH_P_IP, 2);
  a[4] = 6;
  a[5] = 4;
  a.writeUInt16BE(op, 6);
  sender.mac.copy(a, 8);
  a.writeUInt32BE(ipBytes(sender.ip), 14);
  if (op === ARP_REPLY) target.mac.copy(a, 18);
  a.writeUInt32BE(ipBytes(target.ip), 24);
  return ethernet(op === ARP_REQUEST ? BROADCAST : target.mac, sender.mac, ETH_P_ARP, a);
}

const ipAt = (b: Buffer, o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/** What a handed-up frame says, or undefined when it is none of these (or truncated). */
export type ProbeReply =
  | { kind: 'arp'; op: number; mac: Buffer; ip: string; target: string }
  | {
      kind: 'tcp';
      mac: Buffer;
      src: string;
      dst: string;
      sport: number;
      dport: number;
      seq: number;
      ack: number;
      flags: number;
    }
  | { kind: 'echo'; mac: Buffer; src: string; dst: string; id: number; seq: number }
  | {
      kind: 'error';
      mac: Buffer;
      src: string;
      dst: string;
      /** ICMP type/code, e.g. "3/1" (host unreachable). */
      what: string;
      /** The quoted probe: TCP (ports, seq) or echo (id, seq). */
      quoted:
        | { proto: 'tcp'; dst: string; sport: number; dport: number; seq: number }
        | { proto: 'echo'; dst: string; id: number; seq: number };
    };

export function parseProbeReply(f: Buffer): ProbeReply | undefined {
  if (f.length < ETH_HLEN) return undefined;
  const type = f.readUInt16BE(12);
  if (type === ETH_P_ARP) {
    if (
      f.length < ETH_HLEN + 28 ||
      f.readUInt16BE(ETH_HLEN) !== 1 ||
      f.readUInt16BE(ETH_HLEN + 2) !== ETH_P_IP
    )
      return undefined;
    return {
      kind: 'arp',
      op: f.readUInt16BE(ETH_HLEN + 6),
      mac: Buffer.from(f.subarray(ETH_HLEN + 8, ETH_HLEN + 14)),
      ip: ipAt(f, ETH_HLEN + 14),
      target: ipAt(f, ETH_HLEN + 24),
    };
  }
  if (type !== ETH_P_IP || f.length < ETH_HLEN + IP_HLEN || f[ETH_HLEN] >> 4 !== 4) return undefined;
  const l4 = ETH_HLEN + (f[ETH_HLEN] & 0x0f) * 4;
  const mac = Buffer.from(f.subarray(6, 12));
  const src = ipAt(f, ETH_HLEN + 12);
  const dst = ipAt(f, ETH_HLEN + 16);
  const proto = f[ETH_HLEN + 9];
  if (proto === IPPROTO_TCP && f.length >= l4 + 20)
    return {
      kind: 'tcp',
      mac,
      src,
      dst,
      sport: f.readUInt16BE(l4),
      dport: f.readUInt16BE(l4 + 2),
      seq: f.readUInt32BE(l4 + 4),
      ack: f.readUInt32BE(l4 + 8),
      flags: f[l4 + 13],
    };
  if (proto === IPPROTO_ICMP && f.length >= l4 + 8 && f[l4] === ICMP_ECHO_REPLY)
    return { kind: 'echo', mac, src, dst, id: f.readUInt16BE(l4 + 4), seq: f.readUInt16BE(l4 + 6) };
  if (proto === IPPROTO_ICMP && ICMP_ERRORS.has(f[l4])) {
    const quoted = quotedProbe(f, l4 + 8);
    if (quoted) return { kind: 'error', mac, src, dst, what: `${f[l4]}/${f[l4 + 1]}`, quoted };
  }
  return undefined;
}

/** Destination unreachable, time exceeded, parameter problem. */
const ICMP_ERRORS = new Set([3, 11, 12]);

/** The TCP or echo header an ICMP error quotes at `q` (its first 8 bytes suffice). */
function quotedProbe(f: Buffer, q: number): Extract<ProbeReply, { kind: 'error' }>['quoted'] | undefined {
  if (f.length < q + IP_HLEN || f[q] >> 4 !== 4) return undefined;
  const il4 = q + (f[q] & 0x0f) * 4;
  if (f.length < il4 + 8) return undefined;
  const dst = ipAt(f, q + 16);
  if (f[q + 9] === IPPROTO_TCP)
    return {
      proto: 'tcp',
      dst,
      sport: f.readUInt16BE(il4),
      dport: f.readUInt16BE(il4 + 2),
      seq: f.readUInt32BE(il4 + 4),
    };
  if (f[q + 9] === IPPROTO_ICMP && f[il4] === ICMP_ECHO_REQUEST)
    return { proto: 'echo', dst, id: f.readUInt16BE(il4 + 4), seq: f.readUInt16BE(il4 + 6) };
  return undefined;
}
