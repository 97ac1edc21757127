// Health probes sent out of a cube's BACKEND port (packet-out), for Polycube's topology where only
// that port reaches the backends. TCP is half-open (a SYN; a SYN-ACK passes and is answered with
// a RST so the backend keeps nothing half-open, a RST fails at once) and ICMP is one echo
// request; both from the cube's probe-source address and a MAC made from it (probe-frames.ts),
// to the MAC of the next hop (probe-next-hop, or the backend itself) found by ARP out of the same
// port. The dataplane hands up what comes back to probe-source on the BACKEND port (probe.h):
// the replies, ICMP errors about the probes (they fail at once), and ARP (requests for
// probe-source are answered here, replies fill the cache).

import {
  ARP_REPLY,
  ARP_REQUEST,
  arpFrame,
  echoFrame,
  parseProbeReply,
  probeMac,
  tcpFrame,
  TCP_ACK,
  TCP_RST,
  TCP_SYN,
  type ProbeReply,
} from './probe-frames';
import type { Prober, ProbeResult, ProbeTarget } from './probe';

/** Where a cube's probes leave: its BACKEND port, their source address and next hop. */
export interface ProbeSite {
  readonly port: string;
  readonly source: string;
  /** 0.0.0.0: each backend is on the port's link. */
  readonly nextHop: string;
}

/** How long a learned MAC is used without a reply refreshing it. */
const ARP_TTL_MS = 60_000;
/** MACs kept per cube (cleared past it: backends come and go). */
const MAX_NEIGHBOURS = 65_536;

interface Pending {
  readonly start: number;
  /** The BACKEND port it left by, named in the result (health-detail shows the path). */
  readonly port: string;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (r: ProbeResult) => void;
}

interface Site extends ProbeSite {
  readonly mac: Buffer;
  readonly neighbours: Map<string, { mac: Buffer; at: number }>;
  readonly arpWaiting: Map<string, Array<(mac: Buffer | undefined) => void>>;
  readonly probers: Map<'TCP' | 'ICMP', Prober>;
}

export type FrameSender = (cube: string, port: string, frame: Buffer) => Promise<void>;

/** What the dataplane traps as probe replies (its PROBE_* constants, map-layouts.ts). */
export interface ProbeIds {
  /** TCP source ports portMin .. portMin + portCount - 1. */
  readonly portMin: number;
  readonly portCount: number;
  /** The ICMP echo identifier. */
  readonly icmpId: number;
}

export class BackendPortProber {
  private readonly sites = new Map<string, Site>();
  private readonly pending = new Map<string, Pending>();
  private nextPort = 0;
  private nextSeq = Math.floor(Math.random() * 0x10000);

  constructor(
    private readonly send: FrameSender,
    private readonly ids: ProbeIds,
  ) {}

  /** Sets (or, undefined, removes) where `cube`'s probes leave; a change forgets its MACs. */
  configure(cube: string, site: ProbeSite | undefined): void {
    const cur = this.sites.get(cube);
    if (cur && site && cur.port === site.port && cur.source === site.source && cur.nextHop === site.nextHop)
      return;
    if (!site) {
      this.sites.delete(cube);
      return;
    }
    this.sites.set(cube, {
      ...site,
      mac: probeMac(site.source),
      neighbours: new Map(),
      arpWaiting: new Map(),
      probers: new Map(),
    });
  }

  /** The prober of `type` through `cube`'s BACKEND port (one per site: a stable identity), or
   * undefined when the cube has no site. */
  prober(cube: string, type: 'TCP' | 'ICMP'): Prober | undefined {
    const site = this.sites.get(cube);
    if (!site) return undefined;
    let p = site.probers.get(type);
    if (!p) {
      p = type === 'TCP' ? (t) => this.probeTcp(cube, site, t) : (t) => this.probeEcho(cube, site, t);
      site.probers.set(type, p);
    }
    return p;
  }

  /** Probes outstanding (tests, benchmarks). */
  get outstanding(): number {
    return this.pending.size;
  }

  /** A frame the dataplane handed up from `cube`'s BACKEND port (REASON_PROBE_REPLY). */
  onPacketIn(cube: string, frame: Buffer): void {
    const site = this.sites.get(cube);
    const r = parseProbeReply(frame);
    if (!site || !r) return;
    if (r.kind === 'arp') {
      if (r.target !== site.source) return;
      this.learn(site, r.ip, r.mac);
      if (r.op === ARP_REQUEST)
        this.emit(cube, site, arpFrame(ARP_REPLY, { mac: site.mac, ip: site.source }, r));
      return;
    }
    if (r.dst !== site.source) return;
    if (r.kind !== 'error') this.learn(site, this.hopOf(site, r.src), r.mac);
    if (r.kind === 'error') this.unreachable(cube, r);
    else if (r.kind === 'tcp') this.tcpReply(cube, site, r);
    else if (r.id === this.ids.icmpId) this.settle(`${cube}|${r.src}|icmp|${r.seq}`, true, 'ICMP echo reply');
  }

  /** Fails every outstanding probe and forgets every site. */
  stop(): void {
    for (const [k, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(k);
      p.resolve({ ok: false, detail: 'prober stopped' });
    }
    this.sites.clear();
  }

  /** An ICMP error about one of our probes fails it at once (not a MAC to learn: a router's). */
  private unreachable(cube: string, r: Extract<ProbeReply, { kind: 'error' }>): void {
    const q = r.quoted;
    if (q.proto === 'tcp')
      this.settle(
        `${cube}|${q.dst}|${q.dport}|${q.sport}|${q.seq}`,
        false,
        `TCP unreachable (ICMP ${r.what} from ${r.src})`,
      );
    else if (q.id === this.ids.icmpId)
      this.settle(`${cube}|${q.dst}|icmp|${q.seq}`, false, `ICMP unreachable (ICMP ${r.what} from ${r.src})`);
  }

  private tcpReply(cube: string, site: Site, r: Extract<ProbeReply, { kind: 'tcp' }>): void {
    if (!(r.flags & TCP_ACK)) return;
    const key = `${cube}|${r.src}|${r.sport}|${r.dport}|${(r.ack - 1) >>> 0}`;
    if (r.flags & TCP_RST) {
      this.settle(key, false, 'TCP refused (RST)');
      return;
    }
    if (!(r.flags & TCP_SYN)) return;
    // Answered whether or not the probe is still waiting: nothing stays half-open on the backend.
    const mac = site.neighbours.get(this.hopOf(site, r.src))?.mac ?? r.mac;
    this.emit(
      cube,
      site,
      tcpFrame(
        { dst: mac, src: site.mac },
        site.source,
        r.src,
        { sport: r.dport, dport: r.sport },
        r.ack,
        TCP_RST,
      ),
    );
    this.settle(key, true, 'TCP SYN-ACK');
  }

  private async probeTcp(cube: string, site: Site, t: ProbeTarget): Promise<ProbeResult> {
    const start = Date.now();
    const mac = await this.resolve(cube, site, this.hopOf(site, t.ip), t.timeoutMs);
    if (!mac) return { ok: false, detail: `TCP no ARP reply from ${this.hopOf(site, t.ip)}` };
    const sport = this.ids.portMin + (this.nextPort++ % this.ids.portCount);
    const seq = Math.floor(Math.random() * 2 ** 32);
    const frame = tcpFrame(
      { dst: mac, src: site.mac },
      site.source,
      t.ip,
      { sport, dport: t.port },
      seq,
      TCP_SYN,
    );
    return this.await(
      cube,
      site,
      `${cube}|${t.ip}|${t.port}|${sport}|${seq}`,
      frame,
      start + t.timeoutMs,
      `TCP no answer in ${t.timeoutMs} ms`,
    );
  }

  private async probeEcho(cube: string, site: Site, t: ProbeTarget): Promise<ProbeResult> {
    const start = Date.now();
    const mac = await this.resolve(cube, site, this.hopOf(site, t.ip), t.timeoutMs);
    if (!mac) return { ok: false, detail: `ICMP no ARP reply from ${this.hopOf(site, t.ip)}` };
    this.nextSeq = (this.nextSeq + 1) & 0xffff;
    const frame = echoFrame({ dst: mac, src: site.mac }, site.source, t.ip, this.ids.icmpId, this.nextSeq);
    return this.await(
      cube,
      site,
      `${cube}|${t.ip}|icmp|${this.nextSeq}`,
      frame,
      start + t.timeoutMs,
      `ICMP no reply in ${t.timeoutMs} ms`,
    );
  }

  /** Sends `frame` and waits for the reply settling `key`, until `deadline`. */
  private await(
    cube: string,
    site: Site,
    key: string,
    frame: Buffer,
    deadline: number,
    timeoutDetail: string,
  ): Promise<ProbeResult> {
    return new Promise((resolve) => {
      if (this.pending.has(key)) {
        resolve({ ok: false, detail: 'probe already outstanding' });
        return;
      }
      const start = Date.now();
      const timer = setTimeout(
        () => this.settle(key, false, timeoutDetail, false),
        Math.max(0, deadline - start),
      );
      timer.unref();
      this.pending.set(key, { start, port: site.port, timer, resolve });
      this.send(cube, site.port, frame).catch((err: unknown) =>
        this.settle(key, false, `packet-out failed: ${(err as Error).message}`, false),
      );
    });
  }

  private settle(key: string, ok: boolean, what: string, timed = true): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    clearTimeout(p.timer);
    const took = timed ? ` in ${Date.now() - p.start} ms` : '';
    p.resolve({ ok, detail: `${what}${took} (port ${p.port})` });
  }

  private hopOf(site: Site, ip: string): string {
    return site.nextHop === '0.0.0.0' ? ip : site.nextHop;
  }

  /** The MAC of `ip` on the port's link: cached, or asked with ARP (undefined: no reply in time). */
  private resolve(cube: string, site: Site, ip: string, timeoutMs: number): Promise<Buffer | undefined> {
    const hit = site.neighbours.get(ip);
    if (hit && Date.now() - hit.at < ARP_TTL_MS) return Promise.resolve(hit.mac);
    return new Promise((resolve) => {
      const waiting = site.arpWaiting.get(ip);
      if (waiting) {
        waiting.push(resolve);
        return;
      }
      site.arpWaiting.set(ip, [resolve]);
      const timer = setTimeout(() => this.arpDone(site, ip, undefined), timeoutMs);
      timer.unref();
      site.arpWaiting.get(ip)?.push(() => clearTimeout(timer));
      this.emit(
        cube,
        site,
        arpFrame(ARP_REQUEST, { mac: site.mac, ip: site.source }, { mac: Buffer.alloc(6), ip }),
      );
    });
  }

  private learn(site: Site, ip: string, mac: Buffer): void {
    if (site.neighbours.size >= MAX_NEIGHBOURS && !site.neighbours.has(ip)) site.neighbours.clear();
    site.neighbours.set(ip, { mac, at: Date.now() });
    this.arpDone(site, ip, mac);
  }

  private arpDone(site: Site, ip: string, mac: Buffer | undefined): void {
    const waiting = site.arpWaiting.get(ip);
    if (!waiting) return;
    site.arpWaiting.delete(ip);
    for (const w of waiting) w(mac);
  }

  /** Sends a frame nobody waits on (ARP, RST): a failure shows as the probe's timeout. */
  private emit(cube: string, site: Site, frame: Buffer): void {
    this.send(cube, site.port, frame).catch(() => undefined);
  }
}
