// TCP probe, half-open: one SYN from a raw socket; a SYN-ACK passes, a RST fails at once, silence
// fails at the timeout. The host's stack has no socket for the probe's source port, so it answers
// the backend's SYN-ACK with a RST itself: the backend never keeps a half-open connection. The
// source port is reserved by a listener on 127.0.0.1 (ports bound there are never handed out to
// other connections) and the socket's filter keeps only TCP packets to that port. Without
// CAP_NET_RAW it falls back to a full connect (tcp-probe.ts).

import { createServer, type Server } from 'node:net';
import type { ProbeResult, ProbeTarget } from './probe';
import { internetChecksum, type SockFilter } from './raw-ip-socket';
import { ipToNumber, RawProber, type Reply } from './raw-prober';
import { probeTcp } from './tcp-probe';

/** The timeout's text per timeout (one string, not one per probe; a few distinct values). */
const timeoutTexts = new Map<number, string>();
function timeoutText(ms: number): string {
  let t = timeoutTexts.get(ms);
  if (t === undefined) {
    if (timeoutTexts.size >= 64) timeoutTexts.clear();
    timeoutTexts.set(ms, (t = `TCP no answer in ${ms} ms`));
  }
  return t;
}

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
  b.writeUInt32BE(ipToNumber(ip), offset);
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

/** Fills `r` from a SYN-ACK or RST acknowledging a probe's seq + 1 (keyed by that seq). */
function parseReply(p: Buffer, ihl: number, r: Reply): boolean {
  if (p.length < ihl + 20) return false;
  const flags = p[ihl + 13];
  if (!(flags & TCP_ACK)) return false;
  if (flags & TCP_RST) {
    r.ok = false;
    r.what = 'TCP refused (RST)';
  } else if (flags & TCP_SYN) {
    r.ok = true;
    r.what = 'TCP SYN-ACK';
  } else return false;
  r.key = (p.readUInt32BE(ihl + 8) - 1) >>> 0;
  r.from = p.readUInt32BE(12);
  r.port = p.readUInt16BE(ihl);
  return true;
}

interface Engine {
  prober: RawProber;
  port: number;
  reservation: Server;
}

let engine: Promise<Engine | undefined> | undefined;
/** The engine once open (null: it cannot be), for the probe's synchronous path. */
let ready: Engine | null | undefined;

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
      ready = null;
      return undefined;
    }
    ready = { prober, port, reservation };
    return ready;
  })();
  return engine;
}

/** Sequence numbers of probes: a random start, then one more per probe, so outstanding probes
 * never share one (not a secret: the port filter and the address check keep strangers out). */
let nextSeq = Math.floor(Math.random() * 2 ** 32);

function send(e: Engine, src: string, t: ProbeTarget): Promise<ProbeResult> {
  let seq = nextSeq;
  while (e.prober.has(seq)) seq = (seq + 1) >>> 0;
  nextSeq = (seq + 1) >>> 0;
  return e.prober.probe(
    t.ip,
    t.port,
    synSegment(src, t.ip, e.port, t.port, seq),
    seq,
    t.timeoutMs,
    timeoutText(t.timeoutMs),
  );
}

/** The first probes, or to a backend whose source address is not cached: the slow path. */
async function probeSlowly(t: ProbeTarget): Promise<ProbeResult> {
  const e = await synEngine();
  if (!e) return probeTcp(t);
  let src: string;
  try {
    src = await e.prober.sourceFor(t.ip);
  } catch (err) {
    return { ok: false, detail: `TCP no route: ${(err as Error).message}` };
  }
  return send(e, src, t);
}

export function probeTcpSyn(t: ProbeTarget): Promise<ProbeResult> {
  const src = ready ? ready.prober.cachedSource(t.ip) : undefined;
  return ready && src !== undefined ? send(ready, src, t) : probeSlowly(t);
}
