// A reference model of the lbrp dataplane for the fuzz: given the configuration and the frames it
// has seen (the sessions they made), the exact fate of the next frame — dropped with which DROP_*
// reason (or by the runtime), or sent out of which port as which bytes. Written from the rules in
// dataplane/README.md and lbrp_consts.h, in its own code; only the Maglev flow hash and the session
// bucket hash come from the TS mirrors (flow-hash.ts, session-table.ts, checked against the kernel
// by their own tests). Not a test file itself.

import {
  CT_STATE,
  CT_STATE_MASK,
  CT_STATE_SHIFT,
  ctStateOf,
  DropReason,
  encodeFlowKey,
  F_BACKEND_ACTIVE,
  F_BACKEND_UNIQUE,
  F_BACKEND_VIP_UNIQUE,
  F_CT_FIN_BACKEND,
  F_CT_FIN_CLIENT,
  F_CT_SEEN_BACKEND,
  F_CT_SEEN_CLIENT_ACK,
  FlowKey,
  IPPROTO,
  MAX_AFFINITY,
  MAX_FRAG_TRACK,
  SESSION_FORWARD,
  SESSION_REVERSE,
  SESSION_WAYS,
} from '../../../src/lbrp/dataplane/map-layouts';
import { hashFlow } from '../../../src/lbrp/dataplane/flow-hash';
import { sessionBucketOf } from '../../../src/lbrp/dataplane/session-table';
import { BackendSpec, DataplaneConfig, Hook, Mode, PORTS, ServiceSpec } from './lbrp-harness';

/** One checksum the dataplane must keep consistent: its field, the bytes it covers, and for
 * TCP/UDP the pseudo-header (frame offsets of the addresses, protocol, length). */
export interface SumCheck {
  name: string;
  field: number;
  start: number;
  end: number;
  pseudo?: { src: number; dst: number; proto: number; len: number };
  /** UDP: 0 means "no checksum" and must stay 0; a computed 0 is written as 0xffff. */
  udp?: boolean;
}

/** What the dataplane must do with a frame. */
export type Expectation =
  | {
      verdict: 'redirect';
      port: number;
      /** The frame as it must leave, except the bytes of `sums` fields (checked by their sums). */
      frame: Buffer;
      sums: SumCheck[];
      note: string;
      /** Client → VIP service, rewritten: the service and the session's backend. */
      service?: { svc: ServiceSpec; backend: BackendSpec; isNew: boolean };
    }
  | { verdict: 'drop'; reason: DropReason; note: string }
  | { verdict: 'runtime-drop'; stat: 'UNKNOWN_IFINDEX' | 'NOT_CONNECTED'; note: string }
  | { verdict: 'refused'; note: string };

/** The header quoted by an ICMP error, as the dataplane reads it. */
interface Inner {
  off: number;
  ihl: number;
  proto: number;
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  l4: number;
  hasCsum: boolean;
}

type L4Kind =
  'none' | 'tcp' | 'udp' | 'echo-req' | 'echo-reply' | 'icmp-error' | 'icmp-error-frag' | 'icmp-other';

/** The header quoted by an ICMP error when it is a later fragment (no ports). */
interface InnerFrag {
  saddr: string;
  daddr: string;
}

interface Ip4 {
  kind: 'ipv4';
  ihl: number;
  totLen: number;
  proto: number;
  saddr: string;
  daddr: string;
  laterFrag: boolean;
  /** MF set at offset 0: the first of several fragments. */
  firstFrag: boolean;
  /** The IP identification field. */
  ipId: number;
  l4: number;
  l4Kind: L4Kind;
  sport: number;
  dport: number;
  tcpFlags: number;
  inner?: Inner;
  innerFrag?: InnerFrag;
}

type Parsed =
  | { kind: 'drop'; reason: DropReason }
  | { kind: 'other' }
  | { kind: 'arp'; op: number; spa: string; tpa: string }
  | Ip4;

interface Conntrack {
  backendId: number;
  backendIp: string;
  backendPort: number;
  serviceId: number;
  natSaddr: string;
  /** The session's history and state bits (F_CT_SEEN_*, F_CT_FIN_*, CT_STATE_MASK). */
  flags: number;
}

interface ReverseNat {
  vip: string;
  vport: number;
  clientIp: string;
  flags: number;
}

/** What a packet tells its session (the dataplane's ct_event): history bits, or a TCP RST. */
interface CtEvent {
  seen: number;
  rst: boolean;
}

/** A packet's event for its session, by the rules of dataplane/README.md ("Session state"). */
function ctEvent(p: Ip4, fromBackend: boolean): CtEvent {
  if (p.l4Kind !== 'tcp') return { seen: fromBackend ? F_CT_SEEN_BACKEND : 0, rst: false };
  const f = p.tcpFlags;
  if (f & 0x04) return { seen: 0, rst: true };
  const fin = (f & 0x01) !== 0;
  if (fromBackend) return { seen: F_CT_SEEN_BACKEND | (fin ? F_CT_FIN_BACKEND : 0), rst: false };
  return { seen: ((f & 0x12) === 0x10 ? F_CT_SEEN_CLIENT_ACK : 0) | (fin ? F_CT_FIN_CLIENT : 0), rst: false };
}

/** A session's flags after an event: TCP closes on a RST or FINs both ways (for good), is closing
 * after one FIN, established once the backend answered and the client ACKed; UDP and ICMP are
 * established once the backend answered. */
function nextFlags(flags: number, ev: CtEvent, proto: number): number {
  const f = flags | ev.seen;
  const fins = F_CT_FIN_CLIENT | F_CT_FIN_BACKEND;
  const both = F_CT_SEEN_CLIENT_ACK | F_CT_SEEN_BACKEND;
  let st: number;
  if (proto !== IPPROTO.TCP) st = f & F_CT_SEEN_BACKEND ? CT_STATE.ESTABLISHED : CT_STATE.NEW;
  else if (ev.rst || ctStateOf(f) === CT_STATE.CLOSED || (f & fins) === fins) st = CT_STATE.CLOSED;
  else if (f & fins) st = CT_STATE.CLOSING;
  else if ((f & both) === both) st = CT_STATE.ESTABLISHED;
  else st = CT_STATE.NEW;
  return (f & ~CT_STATE_MASK) | (st << CT_STATE_SHIFT);
}

interface Nat4 {
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
}

const ipAt = (f: Buffer, off: number): string => `${f[off]}.${f[off + 1]}.${f[off + 2]}.${f[off + 3]}`;
const ipToInt = (ip: string): number => ip.split('.').reduce((a, x) => ((a << 8) | Number(x)) >>> 0, 0);
const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
const fragKey = (p: Ip4, side: 'front' | 'back'): string =>
  `${p.saddr}|${p.daddr}|${p.ipId}|${p.proto}|${side}`;
const keyOf = (k: FlowKey): string => `${k.saddr}|${k.daddr}|${k.sport}|${k.dport}|${k.proto}`;

/** BPF_PROG_TEST_RUN for TC refuses an skb whose network header is incomplete. */
export function tcRefuses(frame: Buffer): boolean {
  const type = frame.readUInt16BE(12);
  return (type === 0x0800 && frame.length < 34) || (type === 0x86dd && frame.length < 54);
}

/** The dataplane's parse of a frame (parse.h's rules, re-stated). */
export function parseFrame(f: Buffer): Parsed {
  if (f.length < 14) return { kind: 'drop', reason: 'L2_TRUNCATED' };
  const type = f.readUInt16BE(12);
  if (type === 0x0806) {
    if (f.length < 14 + 28) return { kind: 'drop', reason: 'BAD_ARP' };
    if (f.readUInt16BE(14) !== 1 || f.readUInt16BE(16) !== 0x0800 || f[18] !== 6 || f[19] !== 4)
      return { kind: 'drop', reason: 'BAD_ARP' };
    return { kind: 'arp', op: f.readUInt16BE(20), spa: ipAt(f, 28), tpa: ipAt(f, 38) };
  }
  if (type !== 0x0800) return { kind: 'other' };
  if (f.length < 34 || f[14] >> 4 !== 4) return { kind: 'drop', reason: 'BAD_IP_HEADER' };
  const ihl = (f[14] & 0xf) * 4;
  const totLen = f.readUInt16BE(16);
  if (ihl < 20 || 14 + ihl > f.length || totLen < ihl) return { kind: 'drop', reason: 'BAD_IP_HEADER' };
  const p: Ip4 = {
    kind: 'ipv4',
    ihl,
    totLen,
    proto: f[23],
    saddr: ipAt(f, 26),
    daddr: ipAt(f, 30),
    laterFrag: (f.readUInt16BE(20) & 0x1fff) !== 0,
    firstFrag: (f.readUInt16BE(20) & 0x3fff) === 0x2000,
    ipId: f.readUInt16BE(18),
    l4: 14 + ihl,
    l4Kind: 'none',
    sport: 0,
    dport: 0,
    tcpFlags: 0,
  };
  if (p.laterFrag) return p;
  const l4Len = totLen - ihl;
  const avail = f.length - p.l4;
  const need = { [IPPROTO.TCP]: 20, [IPPROTO.UDP]: 8, [IPPROTO.ICMP]: 8 }[p.proto];
  if (need === undefined) return p;
  if (avail < need || l4Len < need) return { kind: 'drop', reason: 'L4_TRUNCATED' };
  if (p.proto === IPPROTO.TCP || p.proto === IPPROTO.UDP) {
    p.l4Kind = p.proto === IPPROTO.TCP ? 'tcp' : 'udp';
    p.sport = f.readUInt16BE(p.l4);
    p.dport = f.readUInt16BE(p.l4 + 2);
    if (p.proto === IPPROTO.TCP) p.tcpFlags = f[p.l4 + 13];
    return p;
  }
  const type4 = f[p.l4];
  if (type4 === 8) {
    p.l4Kind = 'echo-req';
    p.sport = f.readUInt16BE(p.l4 + 4);
  } else if (type4 === 0) {
    p.l4Kind = 'echo-reply';
    p.dport = f.readUInt16BE(p.l4 + 4);
  } else if (type4 === 3 || type4 === 11 || type4 === 12) {
    p.innerFrag = parseInnerFrag(f, p.l4 + 8, l4Len - 8);
    p.inner = p.innerFrag ? undefined : parseInner(f, p.l4 + 8, l4Len - 8);
    p.l4Kind = p.innerFrag ? 'icmp-error-frag' : p.inner ? 'icmp-error' : 'icmp-other';
  } else {
    p.l4Kind = 'icmp-other';
  }
  return p;
}

/** The quoted header of an ICMP error when it is a later fragment (parse.h reads its addresses). */
function parseInnerFrag(f: Buffer, q: number, quoteLen: number): InnerFrag | undefined {
  if (q + 20 > f.length || f[q] >> 4 !== 4) return undefined;
  const ihl = (f[q] & 0xf) * 4;
  if (ihl < 20 || quoteLen < ihl + 8 || (f.readUInt16BE(q + 6) & 0x1fff) === 0) return undefined;
  return { saddr: ipAt(f, q + 12), daddr: ipAt(f, q + 16) };
}

/** The quoted header of an ICMP error, when the dataplane can match it to a session. */
function parseInner(f: Buffer, q: number, quoteLen: number): Inner | undefined {
  if (q + 20 > f.length || f[q] >> 4 !== 4) return undefined;
  const ihl = (f[q] & 0xf) * 4;
  if (ihl < 20 || quoteLen < ihl + 8 || (f.readUInt16BE(q + 6) & 0x1fff) !== 0) return undefined;
  const l4 = q + ihl;
  if (l4 + 8 > f.length) return undefined;
  const base = { off: q, ihl, proto: f[q + 9], saddr: ipAt(f, q + 12), daddr: ipAt(f, q + 16), l4 };
  switch (base.proto) {
    case IPPROTO.TCP:
    case IPPROTO.UDP:
      return {
        ...base,
        sport: f.readUInt16BE(l4),
        dport: f.readUInt16BE(l4 + 2),
        hasCsum: base.proto === IPPROTO.UDP || (l4 + 18 <= f.length && quoteLen >= ihl + 18),
      };
    case IPPROTO.ICMP:
      if (f[l4] === 8) return { ...base, sport: f.readUInt16BE(l4 + 4), dport: 0, hasCsum: false };
      if (f[l4] === 0) return { ...base, sport: 0, dport: f.readUInt16BE(l4 + 4), hasCsum: false };
      return undefined;
    default:
      return undefined;
  }
}

/** The model: configuration (changed with setBackend / setSlot, as on the kernel) and sessions. */
export class LbrpModel {
  private readonly services = new Map<string, ServiceSpec>();
  private readonly vips = new Set<string>();
  private readonly backends = new Map<number, BackendSpec>();
  private readonly slots = new Map<number, number>();
  private readonly backendVips = new Map<string, { vip: string; vport: number; flags: number }>();
  private readonly fwd = new Map<string, Conntrack>();
  /** The forward entries in creation order, for the generator (an array: picked per frame). */
  private readonly fwdList: Array<{ key: FlowKey; ct: Conntrack }> = [];
  private readonly rev = new Map<string, ReverseNat>();
  private readonly bucketFill = new Map<number, number>();
  private readonly buckets: number;
  /** backend_ips: every backend address the configuration has had (setBackend adds). */
  private readonly backendIps = new Set<string>();
  /** affinity.h: the backend of each client of an affinity service, by "service id|client". The
   * fuzz's affinity timeout is 0 (never expires), so only the backend's state decides. */
  private readonly affinity = new Map<string, { id: number; ip: string; port: number }>();
  /** frag_track: what a datagram's first fragment became, by fragKey. */
  private readonly fragTrack = new Map<string, { saddr: string; daddr: string }>();
  /** The datagrams of fragTrack as they arrived, in recording order (for the generator). */
  private readonly fragList: Array<{
    saddr: string;
    daddr: string;
    id: number;
    proto: number;
    fromClient: boolean;
  }> = [];

  constructor(
    readonly hook: Hook,
    readonly mode: Mode,
    private readonly cfg: DataplaneConfig,
    readonly sizes: {
      MAX_SESSIONS: number;
      MAX_BACKENDS: number;
      MAX_MAGLEV_SLOTS: number;
      /** -D MAX_FRAG_TRACK of the program (default: the C default). */
      MAX_FRAG_TRACK?: number;
      /** -D MAX_AFFINITY of the program (default: the C default). */
      MAX_AFFINITY?: number;
    },
    /** session_config.secret the program runs with (the bucket hash's key). */
    private readonly secret: readonly number[] = [0, 0, 0, 0],
  ) {
    this.buckets = sizes.MAX_SESSIONS / SESSION_WAYS;
    for (const b of cfg.backends) this.setBackend(b);
    for (const s of cfg.services) {
      this.services.set(`${s.vip}|${s.vport}|${s.proto}`, s);
      this.vips.add(s.vip);
      s.slots.forEach((id, i) => this.slots.set(s.slotBase + i, id));
    }
    for (const e of cfg.backendVips ?? [])
      this.backendVips.set(`${e.backend.ip}|${e.backend.port}|${e.backend.proto}`, {
        vip: e.service.vip,
        vport: e.service.vport,
        flags: e.service.flags,
      });
  }

  setBackend(b: BackendSpec): void {
    this.backends.set(b.id, b);
    this.backendIps.add(b.ip);
  }

  setSlot(index: number, backendId: number): void {
    this.slots.set(index, backendId);
  }

  /** Sessions the model holds (forward entries), for the generator's replies. */
  sessionList(): ReadonlyArray<{ key: FlowKey; ct: Readonly<Conntrack> }> {
    return this.fwdList;
  }

  /** Datagrams whose first fragment was recorded in frag_track, as they arrived. */
  fragmentList(): ReadonlyArray<{
    saddr: string;
    daddr: string;
    id: number;
    proto: number;
    fromClient: boolean;
  }> {
    return this.fragList;
  }

  /** The forward entry count (conntrack) and reverse entry count (reverse_nat). */
  sessionCounts(): { conntrack: number; reverseNat: number } {
    return { conntrack: this.fwd.size, reverseNat: this.rev.size };
  }

  /** What must happen to `frame` arriving on `port` (-1: a netdev the cube does not know); the
   * model's sessions change as the dataplane's will. */
  expect(frame: Buffer, port: number): Expectation {
    if (this.hook === 'tc' && tcRefuses(frame)) return { verdict: 'refused', note: 'incomplete L3 header' };
    if (port === -1) return { verdict: 'runtime-drop', stat: 'UNKNOWN_IFINDEX', note: 'unknown netdev' };
    if (port === PORTS.backend) return this.fromBackend(frame);
    if (this.mode === 'multi' || port === PORTS.frontend) return this.fromFrontend(frame);
    return { verdict: 'drop', reason: 'UNKNOWN_PORT', note: `port ${port} has no role` };
  }

  private fromFrontend(f: Buffer): Expectation {
    const p = parseFrame(f);
    if (p.kind === 'drop') return { verdict: 'drop', reason: p.reason, note: 'parse' };
    if (p.kind === 'arp') {
      if (p.op === 2 && this.srcRewrite(p.spa, 'front'))
        return { verdict: 'drop', reason: 'ARP_REPLY_PUNTED', note: 'ARP reply from the rewrite range' };
      return this.out(PORTS.backend, f, [], 'ARP to the backend side');
    }
    if (p.kind === 'other') return this.out(PORTS.backend, f, [], 'non-IP to the backend side');
    if (p.l4Kind === 'icmp-error' && p.inner && p.daddr === p.inner.saddr) {
      const i = p.inner;
      const ct = this.fwd.get(
        keyOf({ saddr: i.daddr, daddr: i.saddr, sport: i.dport, dport: i.sport, proto: i.proto }),
      );
      if (ct) {
        const outer = { saddr: p.saddr === i.daddr ? ct.natSaddr : p.saddr, daddr: ct.backendIp };
        const quoted = {
          saddr: ct.backendIp,
          daddr: ct.natSaddr,
          sport: i.proto === IPPROTO.ICMP ? i.sport : ct.backendPort,
          dport: i.dport,
        };
        const { frame, sums } = rewriteIcmpError(f, p, outer, quoted);
        return this.out(PORTS.backend, frame, sums, 'ICMP error about a session, to its backend');
      }
    }
    const quoting = this.icmpQuotingFragment(p, 'front');
    if (quoting) return quoting;
    if (p.laterFrag) {
      const t = this.translateFragment(f, p, 'front');
      if (t) return this.out(PORTS.backend, t.frame, t.sums, 'later fragment, as its first');
      if (this.vips.has(p.daddr))
        return { verdict: 'drop', reason: 'FRAGMENT', note: 'later fragment to a VIP' };
      return this.out(PORTS.backend, f, [], 'later fragment, not to a VIP');
    }
    const svc =
      p.l4Kind === 'tcp' || p.l4Kind === 'udp' || p.l4Kind === 'echo-req'
        ? this.services.get(`${p.daddr}|${p.dport}|${p.proto}`)
        : undefined;
    if (!svc) return this.out(PORTS.backend, f, [], 'no service: untranslated to the backend side');
    if (svc.slots.length === 0) {
      this.recordFragment(p, 'front', p.saddr, p.daddr);
      return this.out(PORTS.backend, f, [], 'service without backends');
    }
    const k: FlowKey = { saddr: p.saddr, daddr: p.daddr, sport: p.sport, dport: p.dport, proto: p.proto };
    const hit = this.fwd.get(keyOf(k));
    const syn = p.l4Kind === 'tcp' && (p.tcpFlags & 0x12) === 0x02;
    let ct: Conntrack;
    let isNew = false;
    // No timeouts here (all zero: nothing expires); a SYN after a close, or to a backend no longer
    // usable, opens a new session in place.
    if (hit && !(syn && (ctStateOf(hit.flags) >= CT_STATE.CLOSING || !this.usable(hit)))) {
      ct = hit;
      this.advance({ ...k, kind: SESSION_FORWARD }, ctEvent(p, false));
    } else {
      const made = this.createSession(p, svc, k);
      if (typeof made === 'string') return { verdict: 'drop', reason: made, note: 'new session' };
      ct = made;
      isNew = true;
    }
    const { frame, sums } = rewrite(f, p, {
      saddr: ct.natSaddr,
      daddr: ct.backendIp,
      sport: p.sport,
      dport: ct.backendPort,
    });
    this.recordFragment(p, 'front', ct.natSaddr, ct.backendIp);
    const e = this.out(PORTS.backend, frame, sums, isNew ? 'new session' : 'session');
    const backend = this.backends.get(ct.backendId);
    if (e.verdict === 'redirect' && backend) e.service = { svc, backend, isNew };
    return e;
  }

  private fromBackend(f: Buffer): Expectation {
    const p = parseFrame(f);
    if (p.kind === 'drop') return { verdict: 'drop', reason: p.reason, note: 'parse' };
    if (p.kind === 'arp') {
      const mapped = p.op === 1 ? this.srcRewrite(p.tpa, 'back') : undefined;
      if (!mapped) return this.toFrontend(p.tpa, f, [], 'ARP to the client side');
      const out = Buffer.from(f);
      Buffer.from(mapped.split('.').map(Number)).copy(out, 38);
      return this.toFrontend(mapped, out, [], 'ARP request for the new range, target mapped back');
    }
    if (p.kind === 'other') {
      if (this.mode === 'multi')
        return { verdict: 'drop', reason: 'FLOOD_PUNTED', note: 'non-IP from the backend' };
      return this.out(PORTS.frontend, f, [], 'non-IP to the client side');
    }
    if (p.l4Kind === 'icmp-error' && p.inner && p.daddr === p.inner.saddr) {
      const i = p.inner;
      const rv = this.sessionOfReply({
        saddr: i.daddr,
        daddr: i.saddr,
        sport: i.dport,
        dport: i.sport,
        proto: i.proto,
      });
      if (rv) {
        const outer = { saddr: p.saddr === i.daddr ? rv.vip : p.saddr, daddr: rv.clientIp };
        const quoted = {
          saddr: rv.clientIp,
          daddr: rv.vip,
          sport: i.sport,
          dport: i.proto === IPPROTO.ICMP ? i.dport : rv.vport,
        };
        const { frame, sums } = rewriteIcmpError(f, p, outer, quoted);
        return this.toFrontend(rv.clientIp, frame, sums, 'ICMP error about a session, to its client');
      }
    }
    const quoting = this.icmpQuotingFragment(p, 'back');
    if (quoting) return quoting;
    if (p.laterFrag) {
      const t = this.translateFragment(f, p, 'back');
      if (t) return this.toFrontend(t.daddr, t.frame, t.sums, 'later fragment, as its first');
      if (this.backendIps.has(p.saddr))
        return { verdict: 'drop', reason: 'FRAGMENT_UNTRACKED', note: 'later fragment from a backend' };
    }
    if (p.l4Kind === 'tcp' || p.l4Kind === 'udp' || p.l4Kind === 'echo-reply') {
      const r = { saddr: p.saddr, daddr: p.daddr, sport: p.sport, dport: p.dport, proto: p.proto };
      const rv = this.sessionOfReply(r);
      if (rv) {
        this.advance(rv.entry, ctEvent(p, true));
        const { frame, sums } = rewrite(f, p, {
          saddr: rv.vip,
          daddr: rv.clientIp,
          sport: rv.vport,
          dport: p.dport,
        });
        this.recordFragment(p, 'back', rv.vip, rv.clientIp);
        return this.toFrontend(rv.clientIp, frame, sums, 'reply of a session');
      }
      // No session: an address that serves one service is translated statelessly.
      const bv = this.backendVips.get(`${r.saddr}|${r.sport}|${r.proto}`);
      if (bv && bv.flags & F_BACKEND_VIP_UNIQUE) {
        const client = this.srcRewrite(r.daddr, 'back') ?? r.daddr;
        const { frame, sums } = rewrite(f, p, {
          saddr: bv.vip,
          daddr: client,
          sport: bv.vport,
          dport: p.dport,
        });
        this.recordFragment(p, 'back', bv.vip, client);
        return this.toFrontend(client, frame, sums, 'stateless reply');
      }
    }
    const mapped = this.srcRewrite(p.daddr, 'back');
    if (this.backendIps.has(p.saddr)) this.recordFragment(p, 'back', p.saddr, mapped ?? p.daddr);
    if (!mapped) return this.toFrontend(p.daddr, f, [], 'untranslated to the client side');
    const { frame, sums } = rewrite(f, p, { saddr: p.saddr, daddr: mapped, sport: p.sport, dport: p.dport });
    return this.toFrontend(mapped, frame, sums, 'to the new range, mapped back');
  }

  /** frag.h: a first fragment from `side` records the addresses it leaves with. The map is an LRU
   * the model cannot predict once full: the fuzz stays far below its size, and this says so. */
  private recordFragment(p: Ip4, side: 'front' | 'back', saddr: string, daddr: string): void {
    if (!p.firstFrag) return;
    const key = fragKey(p, side);
    if (!this.fragTrack.has(key))
      this.fragList.push({
        saddr: p.saddr,
        daddr: p.daddr,
        id: p.ipId,
        proto: p.proto,
        fromClient: side === 'front',
      });
    this.fragTrack.set(key, { saddr, daddr });
    if (this.fragTrack.size > (this.sizes.MAX_FRAG_TRACK ?? MAX_FRAG_TRACK) / 2)
      throw new Error('model: frag_track fills up (LRU eviction): the fuzz sends too many first fragments');
  }

  /** frag.h: a later fragment whose first fragment was recorded, rewritten as it was. */
  private translateFragment(
    f: Buffer,
    p: Ip4,
    side: 'front' | 'back',
  ): { frame: Buffer; sums: SumCheck[]; daddr: string } | undefined {
    const v = this.fragTrack.get(fragKey(p, side));
    if (!v) return undefined;
    return { ...rewrite(f, p, { ...v, sport: 0, dport: 0 }), daddr: v.daddr };
  }

  /** frag.h: an ICMP error quoting a later fragment of translated traffic is dropped. */
  private icmpQuotingFragment(p: Ip4, side: 'front' | 'back'): Expectation | undefined {
    const q = p.innerFrag;
    if (p.l4Kind !== 'icmp-error-frag' || !q) return undefined;
    const translated =
      side === 'back' ? this.backendIps.has(q.daddr) || this.backendIps.has(q.saddr) : this.vips.has(q.saddr);
    if (!translated) return undefined;
    return { verdict: 'drop', reason: 'ICMP_QUOTES_FRAGMENT', note: 'ICMP error quoting a later fragment' };
  }

  private out(
    port: number,
    frame: Buffer,
    sums: SumCheck[],
    note: string,
  ): Expectation & { verdict: 'redirect' } {
    return { verdict: 'redirect', port, frame, sums, note };
  }

  private toFrontend(dst: string, frame: Buffer, sums: SumCheck[], note: string): Expectation {
    if (this.mode === 'single') return this.out(PORTS.frontend, frame, sums, note);
    const port = this.cfg.frontendIps[dst];
    if (port === undefined) return { verdict: 'drop', reason: 'NO_FRONTEND_FOR_IP', note: `${note}; ${dst}` };
    return this.out(port, frame, sums, note);
  }

  /** src-ip-rewrite: an address of the client range ('front') or new range ('back') mapped to the
   * other range; undefined outside it. */
  private srcRewrite(addr: string, side: 'front' | 'back'): string | undefined {
    const r = this.cfg.srcRewrite;
    if (!r) return undefined;
    const [from, to] = side === 'front' ? [r.from, r.to] : [r.to, r.from];
    const mask = from.prefixLen === 0 ? 0 : (~0 << (32 - from.prefixLen)) >>> 0;
    const a = ipToInt(addr);
    // Both prefixes sit in one LPM trie: the longest match decides, and its sense must agree.
    const other = side === 'front' ? r.to : r.from;
    const otherMask = other.prefixLen === 0 ? 0 : (~0 << (32 - other.prefixLen)) >>> 0;
    if ((a & mask) >>> 0 !== ipToInt(from.net)) return undefined;
    if ((a & otherMask) >>> 0 === ipToInt(other.net) && other.prefixLen > from.prefixLen) return undefined;
    return intToIp(((ipToInt(to.net) & mask) | (a & ~mask)) >>> 0);
  }

  private usable(ct: Conntrack): boolean {
    const b = this.backends.get(ct.backendId);
    return !!b && (b.flags & F_BACKEND_ACTIVE) !== 0 && b.ip === ct.backendIp && b.port === ct.backendPort;
  }

  /** A new session: the Maglev slot's backend, the conntrack entry and (unless the backend is
   * F_BACKEND_UNIQUE) the reverse NAT entry; or the drop reason. */
  private createSession(p: Ip4, svc: ServiceSpec, k: FlowKey): Conntrack | DropReason {
    const id = svc.affinityTimeout !== undefined ? this.affinityChoice(svc, k) : this.maglevChoice(svc, k);
    if (typeof id === 'string') return id;
    const be = this.backends.get(id) as BackendSpec;
    const ct: Conntrack = {
      backendId: id,
      backendIp: be.ip,
      backendPort: p.l4Kind === 'echo-req' ? 0 : be.port,
      serviceId: svc.id,
      natSaddr: this.srcRewrite(k.saddr, 'front') ?? k.saddr,
      flags: nextFlags(0, ctEvent(p, false), p.proto),
    };
    const known = this.fwd.get(keyOf(k));
    if (known) Object.assign(known, ct);
    else this.insert({ ...k, kind: SESSION_FORWARD }, () => this.fwd.set(keyOf(k), ct), false);
    if (!known) this.fwdList.push({ key: k, ct });
    if ((be.flags & F_BACKEND_UNIQUE) === 0) {
      const rk = {
        saddr: ct.backendIp,
        daddr: ct.natSaddr,
        sport: ct.backendPort,
        dport: k.sport,
        proto: k.proto,
      };
      const rn = { vip: k.daddr, vport: p.dport, clientIp: k.saddr, flags: ct.flags };
      this.insert(
        { ...rk, kind: SESSION_REVERSE },
        () => this.rev.set(keyOf(rk), rn),
        this.rev.has(keyOf(rk)),
      );
    }
    return ct;
  }

  /** select.h: the Maglev slot's backend id for flow k, or the drop reason. */
  private maglevChoice(svc: ServiceSpec, k: FlowKey): number | DropReason {
    const slot = svc.slotBase + (hashFlow(k) % svc.slots.length);
    if (slot >= this.sizes.MAX_MAGLEV_SLOTS) return 'NO_BACKEND';
    const id = this.slots.get(slot) ?? 0;
    if (id >= this.sizes.MAX_BACKENDS) return 'NO_BACKEND';
    const be = this.backends.get(id);
    if (!be || (be.flags & F_BACKEND_ACTIVE) === 0) return 'BACKEND_INACTIVE';
    return id;
  }

  /** affinity.h: the client's backend while it is active at the address it was chosen with; else
   * the Maglev choice, which becomes the client's backend. */
  private affinityChoice(svc: ServiceSpec, k: FlowKey): number | DropReason {
    const key = `${svc.id}|${k.saddr}`;
    const a = this.affinity.get(key);
    const b = a && this.backends.get(a.id);
    if (a && b && (b.flags & F_BACKEND_ACTIVE) !== 0 && b.ip === a.ip && b.port === a.port) return a.id;
    const id = this.maglevChoice(svc, k);
    if (typeof id === 'string') return id;
    const be = this.backends.get(id) as BackendSpec;
    this.affinity.set(key, { id, ip: be.ip, port: be.port });
    if (this.affinity.size > (this.sizes.MAX_AFFINITY ?? MAX_AFFINITY) / 2)
      throw new Error('model: the affinity map fills up (LRU eviction): the fuzz sends too many clients');
    return id;
  }

  /** Records an entry; a full bucket would evict (least recently used, by the clock), which the
   * model cannot predict: the fuzz sizes the table so that it never happens, and this says so. */
  private insert(k: FlowKey, store: () => void, exists: boolean): void {
    if (!exists) {
      const b = sessionBucketOf(encodeFlowKey(k), this.buckets, this.secret);
      const n = (this.bucketFill.get(b) ?? 0) + 1;
      if (n > SESSION_WAYS)
        throw new Error(`model: session bucket ${b} overflows (eviction): raise MAX_SESSIONS`);
      this.bucketFill.set(b, n);
    }
    store();
  }

  /** The session of a reply tuple: through backend_to_vip and conntrack, else reverse NAT; with
   * the entry it was found in. */
  private sessionOfReply(
    r: FlowKey,
  ): (Omit<ReverseNat, 'flags'> & { entry: FlowKey & { kind: number } }) | undefined {
    const bv = this.backendVips.get(`${r.saddr}|${r.sport}|${r.proto}`);
    if (bv) {
      const mapped = this.srcRewrite(r.daddr, 'back');
      for (const client of mapped ? [mapped, r.daddr] : [r.daddr]) {
        const fk = { saddr: client, daddr: bv.vip, sport: r.dport, dport: bv.vport, proto: r.proto };
        const ct = this.fwd.get(keyOf(fk));
        if (ct && ct.backendIp === r.saddr && ct.backendPort === r.sport && ct.natSaddr === r.daddr)
          return { vip: bv.vip, vport: bv.vport, clientIp: client, entry: { ...fk, kind: SESSION_FORWARD } };
      }
    }
    const rn = this.rev.get(keyOf(r));
    return rn && { ...rn, entry: { ...r, kind: SESSION_REVERSE } };
  }

  /** Applies an event to the entry `e` and, when its flags change, to its session's other entry
   * (found by the key the entry implies, and only if it is that session's). */
  private advance(e: FlowKey & { kind: number }, ev: CtEvent): void {
    if (e.kind === SESSION_FORWARD) {
      const ct = this.fwd.get(keyOf(e));
      if (!ct) return;
      const next = nextFlags(ct.flags, ev, e.proto);
      if (next === ct.flags) return;
      ct.flags = next;
      const rk = {
        saddr: ct.backendIp,
        daddr: ct.natSaddr,
        sport: ct.backendPort,
        dport: e.sport,
        proto: e.proto,
      };
      const rn = this.rev.get(keyOf(rk));
      if (rn && rn.clientIp === e.saddr && rn.vip === e.daddr && rn.vport === e.dport)
        rn.flags = nextFlags(rn.flags, ev, e.proto);
      return;
    }
    const rn = this.rev.get(keyOf(e));
    if (!rn) return;
    const next = nextFlags(rn.flags, ev, e.proto);
    if (next === rn.flags) return;
    rn.flags = next;
    const fk = { saddr: rn.clientIp, daddr: rn.vip, sport: e.dport, dport: rn.vport, proto: e.proto };
    const ct = this.fwd.get(keyOf(fk));
    if (ct && ct.backendIp === e.saddr && ct.backendPort === e.sport && ct.natSaddr === e.daddr)
      ct.flags = nextFlags(ct.flags, ev, e.proto);
  }
}

const writeIp = (f: Buffer, ip: string, off: number): void => {
  Buffer.from(ip.split('.').map(Number)).copy(f, off);
};

/** The outer IP header checksum. */
const ipSum = (name: string, l3: number, ihl: number): SumCheck => ({
  name,
  field: l3 + 10,
  start: l3,
  end: l3 + ihl,
});

/** Addresses (and TCP/UDP ports) of p rewritten to n; the checksums that must follow. */
function rewrite(f: Buffer, p: Ip4, n: Nat4): { frame: Buffer; sums: SumCheck[] } {
  const out = Buffer.from(f);
  writeIp(out, n.saddr, 26);
  writeIp(out, n.daddr, 30);
  const sums = [ipSum('ip', 14, p.ihl)];
  if (p.l4Kind === 'tcp' || p.l4Kind === 'udp') {
    out.writeUInt16BE(n.sport, p.l4);
    out.writeUInt16BE(n.dport, p.l4 + 2);
    const tcpSeg = p.l4Kind === 'tcp';
    sums.push({
      name: p.l4Kind,
      field: p.l4 + (tcpSeg ? 16 : 6),
      start: p.l4,
      end: Math.min(f.length, 14 + p.totLen),
      pseudo: { src: 26, dst: 30, proto: p.proto, len: p.totLen - p.ihl },
      udp: !tcpSeg,
    });
  }
  return { frame: out, sums };
}

/** An ICMP error's outer addresses and quoted header rewritten; the checksums that must follow
 * (outer IP, ICMP message, quoted IP header, quoted TCP/UDP when quoted). */
function rewriteIcmpError(
  f: Buffer,
  p: Ip4,
  outer: { saddr: string; daddr: string },
  quoted: Nat4,
): { frame: Buffer; sums: SumCheck[] } {
  const i = p.inner as Inner;
  const out = Buffer.from(f);
  writeIp(out, outer.saddr, 26);
  writeIp(out, outer.daddr, 30);
  writeIp(out, quoted.saddr, i.off + 12);
  writeIp(out, quoted.daddr, i.off + 16);
  const sums: SumCheck[] = [
    ipSum('ip', 14, p.ihl),
    { name: 'icmp', field: p.l4 + 2, start: p.l4, end: Math.min(f.length, 14 + p.totLen) },
    ipSum('quoted ip', i.off, i.ihl),
  ];
  if (i.proto !== IPPROTO.ICMP) {
    out.writeUInt16BE(quoted.sport, i.l4);
    out.writeUInt16BE(quoted.dport, i.l4 + 2);
    if (i.hasCsum) {
      const tcpSeg = i.proto === IPPROTO.TCP;
      sums.push({
        name: `quoted ${tcpSeg ? 'tcp' : 'udp'}`,
        field: i.l4 + (tcpSeg ? 16 : 6),
        start: i.l4,
        end: i.l4 + (tcpSeg ? 18 : 8),
        pseudo: { src: i.off + 12, dst: i.off + 16, proto: i.proto, len: 0 },
        udp: !tcpSeg,
      });
    }
  }
  return { frame: out, sums };
}
