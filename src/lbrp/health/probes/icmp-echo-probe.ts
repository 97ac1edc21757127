// ICMP probe: one echo request from a raw socket, passed by the echo reply. The socket's filter
// keeps only echo replies carrying this process's identifier; the sequence number tells probes
// apart. Without CAP_NET_RAW it falls back to the system's `ping` (icmp-probe.ts).

import { randomInt } from 'node:crypto';
import type { ProbeResult, ProbeTarget } from './probe';
import { probeIcmp } from './icmp-probe';
import { internetChecksum, type SockFilter } from './raw-ip-socket';
import { RawProber, type Reply } from './raw-prober';

/** The timeout's text per timeout (one string, not one per probe; a few distinct values). */
const timeoutTexts = new Map<number, string>();
function timeoutText(ms: number): string {
  let t = timeoutTexts.get(ms);
  if (t === undefined) {
    if (timeoutTexts.size >= 64) timeoutTexts.clear();
    timeoutTexts.set(ms, (t = `ICMP no reply in ${ms} ms`));
  }
  return t;
}

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
  return echoRequestInto(Buffer.alloc(16), id, seq);
}

/** Writes the echo request into `m` (16 bytes) and returns it. */
function echoRequestInto(m: Buffer, id: number, seq: number): Buffer {
  m.fill(0, 0, 8);
  m[0] = ECHO_REQUEST;
  m.writeUInt16BE(id, 4);
  m.writeUInt16BE(seq, 6);
  m.write('lbrp-hc!', 8);
  m.writeUInt16BE(internetChecksum(m), 2);
  return m;
}

/** Fills `r` from an echo reply (the filter passed only ours), keyed by its sequence. */
function parseReply(p: Buffer, ihl: number, r: Reply): boolean {
  if (p.length < ihl + 8) return false;
  r.key = p.readUInt16BE(ihl + 6);
  r.from = p.readUInt32BE(12);
  r.port = 0;
  r.ok = true;
  r.what = 'ICMP echo reply';
  return true;
}

interface Engine {
  prober: RawProber;
  id: number;
  seq: number;
  /** The request, rewritten for each probe (the kernel copies it on send). */
  frame: Buffer;
}

let engine: Engine | null | undefined;

function echoEngine(): Engine | null {
  if (engine === undefined) {
    const id = randomInt(1, 0xffff);
    const prober = RawProber.open(IPPROTO_ICMP, echoReplyFilter(id), parseReply);
    engine = prober ? { prober, id, seq: randomInt(0, 0xffff), frame: Buffer.alloc(16) } : null;
  }
  return engine;
}

export function probeIcmpEcho(t: ProbeTarget): Promise<ProbeResult> {
  const e = echoEngine();
  if (!e) return probeIcmp(t);
  // The next sequence no outstanding probe holds (every one held: fail this probe).
  for (let n = 0; ; n++) {
    if (n > 0xffff) return Promise.resolve({ ok: false, detail: 'ICMP too many probes outstanding' });
    e.seq = (e.seq + 1) & 0xffff;
    if (!e.prober.has(e.seq)) break;
  }
  return e.prober.probe(
    t.ip,
    0,
    echoRequestInto(e.frame, e.id, e.seq),
    e.seq,
    t.timeoutMs,
    timeoutText(t.timeoutMs),
  );
}
