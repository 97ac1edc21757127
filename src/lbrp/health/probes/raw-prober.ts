// What the raw-socket probers (half-open TCP, ICMP echo) share: one raw socket per process and
// protocol, a table of outstanding probes keyed by a number the reply carries back (TCP's
// acknowledged sequence, ICMP's echo sequence) and checked against the address (and port) probed,
// and a task on the shared ticker (ticker.ts) that runs only while probes are outstanding: it
// takes every queued reply (seen at most one tick late) and expires probes past their deadline,
// in the same wake-up that starts the tick's probes. One probe costs a few µs of CPU (a sendto
// and, later, a recv) where a socket of the host stack costs 75-250 µs (bench:health).

import { createSocket } from 'node:dgram';
import type { ProbeResult } from './probe';
import { RawIpSocket, type SockFilter } from './raw-ip-socket';
import { ticker } from '../ticker';

/** Replies read per tick at most: a flood of forged packets at the probe port cannot hold the
 * event loop (the socket's receive buffer bounds what waits; the kernel drops the rest). */
const MAX_READS_PER_POLL = 4096;
/** Backends whose source address is kept (cleared past it: backends come and go). */
const MAX_SOURCES = 65_536;
/** How long the source address the routes give for a backend is reused. */
const SOURCE_TTL_MS = 30_000;

/** Results (immutable) shared by every probe with the same outcome and time, as are their
 * strings: a result stays in its backend's state for a whole interval, and a fresh object per
 * probe would outlive the young generation and be promoted (major collections for nothing). */
const okResults = new Map<string, ProbeResult[]>();
const failResults = new Map<string, ProbeResult[]>();
const timeoutResults = new Map<string, ProbeResult>();
/** Milliseconds cached per outcome (slower replies get a result of their own). */
const CACHED_MS = 1000;
/** Distinct outcome texts cached (a bound: they come from a few constants). */
const MAX_CACHED = 64;

function resultOf(ok: boolean, what: string, ms: number): ProbeResult {
  if (ms < 0 || ms >= CACHED_MS) return { ok, detail: `${what} in ${ms} ms` };
  const cache = ok ? okResults : failResults;
  let row = cache.get(what);
  if (!row) {
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(what, (row = []));
  }
  return (row[ms] ??= { ok, detail: `${what} in ${ms} ms` });
}

function timeoutResult(detail: string): ProbeResult {
  let r = timeoutResults.get(detail);
  if (!r) {
    if (timeoutResults.size >= MAX_CACHED) timeoutResults.clear();
    timeoutResults.set(detail, (r = { ok: false, detail }));
  }
  return r;
}

interface Pending {
  readonly deadline: number;
  readonly start: number;
  /** The address (as a 32-bit number) and port (0: none) the reply must come from. */
  readonly from: number;
  readonly port: number;
  readonly resolve: (r: ProbeResult) => void;
  readonly timeoutDetail: string;
}

/** A decoded reply, written by a ReplyParser into one object reused for every packet. */
export interface Reply {
  /** The key of the probe it answers. */
  key: number;
  /** Its source address as a 32-bit number, and source port (0 for ICMP). */
  from: number;
  port: number;
  ok: boolean;
  what: string;
}

/** Fills `out` from an IP packet and says whether it is a reply (false: not ours). */
export type ReplyParser = (packet: Buffer, ipHeaderLength: number, out: Reply) => boolean;

export class RawProber {
  private readonly pending = new Map<number, Pending>();
  private polling = false;
  private nextDeadline = Infinity;
  private readonly sources = new Map<string, { ip: string; at: number }>();
  private readonly reply: Reply = { key: 0, from: 0, port: 0, ok: false, what: '' };
  private readonly onTick = (now: number): void => this.poll(now);

  constructor(
    private readonly sock: RawIpSocket,
    private readonly parse: ReplyParser,
  ) {}

  /** Opens the socket, or undefined without CAP_NET_RAW. */
  static open(proto: number, filter: readonly SockFilter[], parse: ReplyParser): RawProber | undefined {
    const sock = RawIpSocket.open(proto, filter);
    return sock && new RawProber(sock, parse);
  }

  /**
   * Sends `payload` to `ip` and resolves with the reply carrying `key` from `ip` (and `port`, if
   * not 0), or a failure at the timeout (`timeoutDetail`) or when the kernel refuses the send.
   */
  probe(
    ip: string,
    port: number,
    payload: Buffer,
    key: number,
    timeoutMs: number,
    timeoutDetail: string,
  ): Promise<ProbeResult> {
    return new Promise((resolve) => {
      if (this.pending.has(key)) {
        resolve({ ok: false, detail: 'probe already outstanding' });
        return;
      }
      if (!this.sock.send(ip, payload)) {
        resolve({ ok: false, detail: 'probe not sent (no route?)' });
        return;
      }
      const start = ticker.now;
      const deadline = start + timeoutMs;
      this.pending.set(key, { deadline, start, from: ipToNumber(ip), port, resolve, timeoutDetail });
      if (deadline < this.nextDeadline) this.nextDeadline = deadline;
      if (!this.polling) {
        this.polling = true;
        ticker.join(this.onTick);
      }
    });
  }

  /** Whether a probe with `key` is outstanding (a new one must pick another key). */
  has(key: number): boolean {
    return this.pending.has(key);
  }

  /** The cached source address the host's routes pick for `ip`, if fresh. */
  cachedSource(ip: string): string | undefined {
    const hit = this.sources.get(ip);
    return hit && ticker.now - hit.at < SOURCE_TTL_MS ? hit.ip : undefined;
  }

  /** The source address the host's routes pick for `ip` (cached), the one a checksum covers. */
  async sourceFor(ip: string): Promise<string> {
    const hit = this.cachedSource(ip);
    if (hit !== undefined) return hit;
    const now = ticker.now;
    const s = createSocket('udp4');
    try {
      await new Promise<void>((res, rej) => {
        s.once('error', rej);
        s.connect(9, ip, () => res());
      });
      const src = s.address().address;
      if (this.sources.size >= MAX_SOURCES) this.sources.clear();
      this.sources.set(ip, { ip: src, at: now });
      return src;
    } finally {
      s.close();
    }
  }

  /** Takes every queued reply, then expires what is past its deadline. */
  private poll(now: number): void {
    const r = this.reply;
    for (let n = 0; n < MAX_READS_PER_POLL; n++) {
      const p = this.sock.receive();
      if (!p) break;
      if (!this.parse(p, (p[0] & 0x0f) * 4, r)) continue;
      const waiting = this.pending.get(r.key);
      if (!waiting || waiting.from !== r.from || (waiting.port !== 0 && waiting.port !== r.port)) continue;
      this.pending.delete(r.key);
      waiting.resolve(resultOf(r.ok, r.what, now - waiting.start));
    }
    if (now >= this.nextDeadline) {
      this.nextDeadline = Infinity;
      for (const [key, w] of this.pending) {
        if (w.deadline <= now) {
          this.pending.delete(key);
          w.resolve(timeoutResult(w.timeoutDetail));
        } else if (w.deadline < this.nextDeadline) this.nextDeadline = w.deadline;
      }
    }
    if (this.pending.size === 0 && this.polling) {
      this.polling = false;
      ticker.leave(this.onTick);
    }
  }
}

/** An IPv4 address in dotted form as a 32-bit number (parsed without allocating). */
export function ipToNumber(ip: string): number {
  let v = 0;
  let octet = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      v = v * 256 + octet;
      octet = 0;
    } else octet = octet * 10 + (c - 48);
  }
  return v * 256 + octet;
}
