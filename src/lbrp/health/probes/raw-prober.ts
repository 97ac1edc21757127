// What the raw-socket probers (half-open TCP, ICMP echo) share: one raw socket per process and
// protocol, a table of outstanding probes keyed by what the reply will carry, one poll timer that
// runs only while probes are outstanding (POLL_MS: replies are seen at most that late) and
// expires them at their deadlines. One probe costs a few µs of CPU (a sendto and, later, a recv)
// where a socket of the host stack costs 75-250 µs (bench:health).

import { createSocket } from 'node:dgram';
import type { ProbeResult } from './probe';
import { RawIpSocket, type SockFilter } from './raw-ip-socket';

const POLL_MS = 20;
/** Replies read per poll at most: a flood of forged packets at the probe port cannot hold the
 * event loop (the socket's receive buffer bounds what waits; the kernel drops the rest). */
const MAX_READS_PER_POLL = 4096;
/** Backends whose source address is kept (cleared past it: backends come and go). */
const MAX_SOURCES = 65_536;
/** How long the source address the routes give for a backend is reused. */
const SOURCE_TTL_MS = 30_000;

interface Pending {
  readonly deadline: number;
  readonly start: number;
  readonly resolve: (r: ProbeResult) => void;
  readonly timeoutDetail: string;
}

/** A decoded reply: the key of the probe it answers and its outcome (undefined: not ours). */
export type ReplyParser = (
  packet: Buffer,
  ipHeaderLength: number,
) => { key: string; ok: boolean; what: string } | undefined;

export class RawProber {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private nextDeadline = Infinity;
  private readonly sources = new Map<string, { ip: string; at: number }>();

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
   * Sends `payload` to `ip` and resolves with the reply carrying `key`, or a failure at the
   * timeout (`timeoutDetail`) or when the kernel refuses the send.
   */
  probe(
    ip: string,
    payload: Buffer,
    key: string,
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
      const start = Date.now();
      const deadline = start + timeoutMs;
      this.pending.set(key, { deadline, start, resolve, timeoutDetail });
      if (deadline < this.nextDeadline) this.nextDeadline = deadline;
      if (!this.timer) {
        this.timer = setInterval(() => this.poll(), POLL_MS);
        this.timer.unref();
      }
    });
  }

  /** The source address the host's routes pick for `ip` (cached), the one a checksum covers. */
  async sourceFor(ip: string): Promise<string> {
    const now = Date.now();
    const hit = this.sources.get(ip);
    if (hit && now - hit.at < SOURCE_TTL_MS) return hit.ip;
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
  private poll(): void {
    for (let n = 0; n < MAX_READS_PER_POLL; n++) {
      const p = this.sock.receive();
      if (!p) break;
      const reply = this.parse(p, (p[0] & 0x0f) * 4);
      const waiting = reply && this.pending.get(reply.key);
      if (!reply || !waiting) continue;
      this.pending.delete(reply.key);
      waiting.resolve({ ok: reply.ok, detail: `${reply.what} in ${Date.now() - waiting.start} ms` });
    }
    const now = Date.now();
    if (now >= this.nextDeadline) {
      this.nextDeadline = Infinity;
      for (const [key, w] of this.pending) {
        if (w.deadline <= now) {
          this.pending.delete(key);
          w.resolve({ ok: false, detail: w.timeoutDetail });
        } else if (w.deadline < this.nextDeadline) this.nextDeadline = w.deadline;
      }
    }
    if (this.pending.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

/** An IPv4 address from 4 bytes at `offset`. */
export function ipAt(b: Buffer, offset: number): string {
  return `${b[offset]}.${b[offset + 1]}.${b[offset + 2]}.${b[offset + 3]}`;
}
