// TCP probe, half-open: one SYN from a raw socket; a SYN-ACK passes, a RST fails at once, silence
// fails at the timeout. The host's stack has no socket for the probe's source port, so it answers
// the backend's SYN-ACK with a RST itself: the backend never keeps a half-open connection. The
// source port is reserved by a listener on 127.0.0.1 (ports bound there are never handed out to
// other connections) and the socket's filter keeps only TCP packets to that port. Without
// CAP_NET_RAW it falls back to a full connect (tcp-probe.ts).

import { createServer, type Server } from 'node:net';
import type { ProbeResult, ProbeTarget } from './probe';
import { internetChecksum, type SockFilter } from './raw-ip-socket';
import { ipAt, RawProber } from './raw-prober';
import { probeTcp } from './tcp-probe';

const IPPROTO_TCP = 6;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

/** Keeps IPv4 TCP packets whose destination port is `port` (classic BPF over the IP packet). */
export function tcpPortFilter(port: number): SockFilter[] {
  return [
    { code: 0xb1, jt: 0, jf: 0, k: 0 }, // ldxb 4*([0]&0xf): X = IP header length
    { code: 0x48, jt: 0, jf: 0, k: 2 }, // ldh [x+2]: TCP destination port
    { code: 0x15, jt: 0, jf: 1, k: port }, // jeq #port
    { code: 0x06, jt: 0, jf: 0, k: 0xffff }, // accept
    { code: 0x06, jt: 0, jf: 0, k: 0 }, // drop
  ];
}

/** Pseudo header (12 bytes) then the segment (20): one buffer reused by every probe. */
const scratch = Buffer.alloc(32);
const segment = scratch.subarray(12);

/** Writes the 4 bytes of IPv4 address `ip` at `offset` of `b`. */
function writeIp(b: Buffer, offset: number, ip: string): void {
  let v = 0;
  for (const o of ip.split('.')) v = v * 256 + Number(o);
  b.writeUInt32BE(v, offset);
}

/**
 * A SYN from src:sport to dst:dport with sequence number `seq`, checksummed: a view of a buffer
 * the next call overwrites (send it before that).
 */
export function synSegment(src: string, dst: string, sport: number, dport: number, seq: number): Buffer {
  writeIp(scratch, 0, src);
  writeIp(scratch, 4, dst);
  scratch.writeUInt32BE(IPPROTO_TCP * 65536 + segment.length, 8); // zero, protocol, TCP length
  segment.fill(0);
  segment.writeUInt16BE(sport, 0);
  segment.writeUInt16BE(dport, 2);
  segment.writeUInt32BE(seq >>> 0, 4);
  segment[12] = 5 << 4; // data offset: 5 words, no options
  segment[13] = TCP_SYN;
  segment.writeUInt16BE(64240, 14);
  segment.writeUInt16BE(internetChecksum(scratch), 16);
  return segment;
}

const keyOf = (ip: string, port: number, seq: number): string => `${ip}:${port}:${seq >>> 0}`;

/** The probe key a reply answers (SYN-ACK or RST acknowledging seq + 1) and whether it passes. */
function parseReply(p: Buffer, ihl: number): { key: string; ok: boolean; what: string } | undefined {
  if (p.length < ihl + 20) return undefined;
  const flags = p[ihl + 13];
  if (!(flags & TCP_ACK)) return undefined;
  const key = keyOf(ipAt(p, 12), p.readUInt16BE(ihl), p.readUInt32BE(ihl + 8) - 1);
  if (flags & TCP_RST) return { key, ok: false, what: 'TCP refused (RST)' };
  if (flags & TCP_SYN) return { key, ok: true, what: 'TCP SYN-ACK' };
  return undefined;
}

interface Engine {
  prober: RawProber;
  port: number;
  reservation: Server;
}

let engine: Promise<Engine | undefined> | undefined;

/** The process's SYN engine (created on first use), or undefined without CAP_NET_RAW. */
function synEngine(): Promise<Engine | undefined> {
  engine ??= (async () => {
    const reservation = createServer();
    await new Promise<void>((res, rej) => {
      reservation.once('error', rej);
      reservation.listen(0, '127.0.0.1', () => res());
    });
    reservation.unref();
    const port = (reservation.address() as { port: number }).port;
    const prober = RawProber.open(IPPROTO_TCP, tcpPortFilter(port), parseReply);
    if (!prober) {
      reservation.close();
      return undefined;
    }
    return { prober, port, reservation };
  })();
  return engine;
}

export async function probeTcpSyn(t: ProbeTarget): Promise<ProbeResult> {
  const e = await synEngine();
  if (!e) return probeTcp(t);
  let src: string;
  try {
    src = await e.prober.sourceFor(t.ip);
  } catch (err) {
    return { ok: false, detail: `TCP no route: ${(err as Error).message}` };
  }
  // Tells this probe's reply apart from others (not a secret: the port filter keeps strangers out).
  const seq = Math.floor(Math.random() * 2 ** 32);
  return e.prober.probe(
    t.ip,
    synSegment(src, t.ip, e.port, t.port, seq),
    keyOf(t.ip, t.port, seq),
    t.timeoutMs,
    `TCP no answer in ${t.timeoutMs} ms`,
  );
}
