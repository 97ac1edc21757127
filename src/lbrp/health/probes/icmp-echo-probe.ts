// ICMP probe: one echo request from a raw socket, passed by the echo reply. The socket's filter
// keeps only echo replies carrying this process's identifier; the sequence number tells probes
// apart. Without CAP_NET_RAW it falls back to the system's `ping` (icmp-probe.ts).

import { randomInt } from 'node:crypto';
import type { ProbeResult, ProbeTarget } from './probe';
import { probeIcmp } from './icmp-probe';
import { internetChecksum, type SockFilter } from './raw-ip-socket';
import { ipAt, RawProber } from './raw-prober';

const IPPROTO_ICMP = 1;
const ECHO_REPLY = 0;
const ECHO_REQUEST = 8;

/** Keeps ICMP echo replies whose identifier is `id` (classic BPF over the IP packet). */
export function echoReplyFilter(id: number): SockFilter[] {
  return [
    { code: 0xb1, jt: 0, jf: 0, k: 0 }, // ldxb 4*([0]&0xf): X = IP header length
    { code: 0x50, jt: 0, jf: 0, k: 0 }, // ldb [x+0]: ICMP type
    { code: 0x15, jt: 0, jf: 3, k: ECHO_REPLY }, // jeq #0 else drop
    { code: 0x48, jt: 0, jf: 0, k: 4 }, // ldh [x+4]: identifier
    { code: 0x15, jt: 0, jf: 1, k: id }, // jeq #id else drop
    { code: 0x06, jt: 0, jf: 0, k: 0xffff }, // accept
    { code: 0x06, jt: 0, jf: 0, k: 0 }, // drop
  ];
}

/** An echo request with identifier `id` and sequence `seq`, checksummed. */
export function echoRequest(id: number, seq: number): Buffer {
  const m = Buffer.alloc(16);
  m[0] = ECHO_REQUEST;
  m.writeUInt16BE(id, 4);
  m.writeUInt16BE(seq, 6);
  m.write('lbrp-hc!', 8);
  m.writeUInt16BE(internetChecksum(m), 2);
  return m;
}

const keyOf = (ip: string, seq: number): string => `${ip}:${seq}`;

function parseReply(p: Buffer, ihl: number): { key: string; ok: boolean; what: string } | undefined {
  if (p.length < ihl + 8) return undefined;
  return { key: keyOf(ipAt(p, 12), p.readUInt16BE(ihl + 6)), ok: true, what: 'ICMP echo reply' };
}

interface Engine {
  prober: RawProber;
  id: number;
  seq: number;
}

let engine: Engine | null | undefined;

function echoEngine(): Engine | null {
  if (engine === undefined) {
    const id = randomInt(1, 0xffff);
    const prober = RawProber.open(IPPROTO_ICMP, echoReplyFilter(id), parseReply);
    engine = prober ? { prober, id, seq: randomInt(0, 0xffff) } : null;
  }
  return engine;
}

export function probeIcmpEcho(t: ProbeTarget): Promise<ProbeResult> {
  const e = echoEngine();
  if (!e) return probeIcmp(t);
  e.seq = (e.seq + 1) & 0xffff;
  return e.prober.probe(
    t.ip,
    echoRequest(e.id, e.seq),
    keyOf(t.ip, e.seq),
    t.timeoutMs,
    `ICMP no reply in ${t.timeoutMs} ms`,
  );
}
