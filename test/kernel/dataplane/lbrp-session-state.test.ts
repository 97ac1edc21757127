// Sessions under attack, on TC and XDP, SINGLE and MULTI: every TCP state transition (handshake,
// teardown, reset, mid-flow pickup) and UDP/ICMP answered, mirrored in both entries of a session;
// a SYN after a close opens a new session; each idle timeout; the eviction order of a full bucket
// (expired, then unestablished, then established of an active backend; an established session of
// a drained backend never: the new flow is forwarded without an entry); the per-CPU admission
// limit; keyed bucket placement predicted by the TS mirror; stateless replies.

import { execFileSync } from 'node:child_process';
import { BACKEND_1, BACKEND_2, CLIENT_1, VIP_1 } from '../../fixtures/addresses';
import { icmpEcho, parsePacket, tcp, udp } from '../../fixtures/packets';
import {
  CT_STATE,
  ctStateOf,
  decodeConntrackValue,
  decodeReverseNatValue,
  encodeFlowKey,
  F_BACKEND_UNIQUE,
  F_CT_SEEN_BACKEND,
  F_CT_SEEN_CLIENT_ACK,
  F_CT_SESSION_BITS,
  IPPROTO,
  SESSION_WAYS,
  TIMEOUT,
  TIMEOUT_MAX,
} from '../../../src/lbrp/dataplane/map-layouts';
import { sessionBucketOf, sessionEntries } from '../../../src/lbrp/dataplane/session-table';
import { B1, B1_DNS, B1_ICMP, B2, standardConfig, SVC_WEB, TABLE, withBackendVips } from './lbrp-config';
import { describeKernel } from './describe-kernel';
import { DataplaneConfig, Hook, LbrpUnderTest, PortDevices, PORTS, VARIANTS } from './lbrp-harness';

type Proto = 'tcp' | 'udp' | 'icmp';
const PROTO = { tcp: IPPROTO.TCP, udp: IPPROTO.UDP, icmp: IPPROTO.ICMP } as const;
const VPORT = { tcp: 80, udp: 53, icmp: 0 } as const;
const BPORT = { tcp: B1.port, udp: B1_DNS.port, icmp: B1_ICMP.port } as const;

/** The conntrack key of CLIENT_1:sport → VIP_1 (echo: id sport). */
const fwdKey = (sport: number, proto: Proto = 'tcp'): Buffer =>
  encodeFlowKey({ saddr: CLIENT_1, daddr: VIP_1, sport, dport: VPORT[proto], proto: PROTO[proto] });
/** The reverse NAT key of the reply BACKEND_1 → CLIENT_1:sport. */
const revKey = (sport: number, proto: Proto = 'tcp'): Buffer =>
  encodeFlowKey({
    saddr: BACKEND_1,
    daddr: CLIENT_1,
    sport: BPORT[proto],
    dport: sport,
    proto: PROTO[proto],
  });

interface TcpFlags {
  syn?: boolean;
  ack?: boolean;
  fin?: boolean;
  rst?: boolean;
}
/** A client packet of CLIENT_1:sport to the VIP, and the backend's packet back. */
const fromClient = (sport: number, proto: Proto, f: TcpFlags = {}): Buffer =>
  proto === 'tcp'
    ? tcp(CLIENT_1, VIP_1, 80, { sport, ...f })
    : proto === 'udp'
      ? udp(CLIENT_1, VIP_1, 53, { sport })
      : icmpEcho(CLIENT_1, VIP_1, { id: sport });
const fromBackend = (sport: number, proto: Proto, f: TcpFlags = {}): Buffer =>
  proto === 'tcp'
    ? tcp(BACKEND_1, CLIENT_1, sport, { sport: B1.port, ...f })
    : proto === 'udp'
      ? udp(BACKEND_1, CLIENT_1, sport, { sport: B1_DNS.port })
      : icmpEcho(BACKEND_1, CLIENT_1, { id: sport, reply: true });

const STATE_NAME = ['NEW', 'ESTABLISHED', 'CLOSING', 'CLOSED'] as const;
type StateName = (typeof STATE_NAME)[number];

/** Both ways a reply finds its session: reverse NAT entries, or backend_to_vip and conntrack. */
const REPLY_PATHS: Array<[string, () => DataplaneConfig]> = [
  ['reverse_nat', standardConfig],
  ['backend_to_vip', () => withBackendVips(standardConfig())],
];

/** One step of a session's life: who sends what, and the state both entries must then hold. */
type Step = [side: 'client' | 'backend', flags: TcpFlags, want: StateName];
const TCP_LIVES: Array<[string, Step[]]> = [
  [
    'handshake, then FINs both ways',
    [
      ['client', { syn: true }, 'NEW'],
      ['backend', { syn: true, ack: true }, 'NEW'],
      ['client', { ack: true }, 'ESTABLISHED'],
      ['backend', { ack: true }, 'ESTABLISHED'],
      ['client', { fin: true, ack: true }, 'CLOSING'],
      ['backend', { ack: true }, 'CLOSING'],
      ['backend', { fin: true, ack: true }, 'CLOSED'],
      ['client', { ack: true }, 'CLOSED'],
    ],
  ],
  [
    'the backend closes first',
    [
      ['client', { syn: true }, 'NEW'],
      ['backend', { syn: true, ack: true }, 'NEW'],
      ['client', { ack: true }, 'ESTABLISHED'],
      ['backend', { fin: true, ack: true }, 'CLOSING'],
      ['client', { fin: true, ack: true }, 'CLOSED'],
    ],
  ],
  [
    'a client RST closes an established session',
    [
      ['client', { syn: true }, 'NEW'],
      ['backend', { syn: true, ack: true }, 'NEW'],
      ['client', { ack: true }, 'ESTABLISHED'],
      ['client', { rst: true }, 'CLOSED'],
    ],
  ],
  [
    'a backend RST answers a SYN',
    [
      ['client', { syn: true }, 'NEW'],
      ['backend', { rst: true, ack: true }, 'CLOSED'],
      ['backend', { ack: true }, 'CLOSED'],
    ],
  ],
  [
    'mid-flow pickup: an ACK without a session opens one, the backend answers',
    [
      ['client', { ack: true }, 'NEW'],
      ['backend', { ack: true }, 'ESTABLISHED'],
    ],
  ],
  [
    'an ACK flood entry: the backend answers an unknown ACK with RST',
    [
      ['client', { ack: true }, 'NEW'],
      ['backend', { rst: true }, 'CLOSED'],
    ],
  ],
  [
    'a client SYN retransmitted after the SYN-ACK does not establish',
    [
      ['client', { syn: true }, 'NEW'],
      ['backend', { syn: true, ack: true }, 'NEW'],
      ['client', { syn: true }, 'NEW'],
    ],
  ],
];

/** Pins the calling thread (jest runs tests on the main thread) to one CPU while `fn` runs, so
 * per-CPU state (the admission token bucket) is one CPU's; restores the affinity after. */
function onOneCpu<T>(fn: () => T): T {
  const pid = String(process.pid);
  const mask = /:\s*([0-9a-f]+)\s*$/i.exec(execFileSync('taskset', ['-p', pid], { encoding: 'utf8' }))?.[1];
  if (!mask) throw new Error('taskset -p: no affinity mask');
  execFileSync('taskset', ['-p', '1', pid], { stdio: 'ignore' });
  try {
    return fn();
  } finally {
    execFileSync('taskset', ['-p', mask, pid], { stdio: 'ignore' });
  }
}

describeKernel('kernel: lbrp session state, timeouts, eviction and admission', () => {
  let devices: PortDevices;
  beforeAll(() => {
    devices = new PortDevices();
  });
  afterAll(() => devices?.cleanup());

  describe.each(VARIANTS)('%s %s', (hook, mode) => {
    let lb: LbrpUnderTest;
    beforeAll(async () => {
      lb = await LbrpUnderTest.load(hook, mode, devices);
    });
    afterAll(() => lb?.close());
    afterEach(() => lb.unconfigure());

    /** The state of both entries of the session of CLIENT_1:sport (reverse: undefined if none). */
    const states = (sport: number, proto: Proto = 'tcp') => {
      const ct = lb.session('conntrack', fwdKey(sport, proto));
      const rn = lb.session('reverse_nat', revKey(sport, proto));
      const fwd = ct && decodeConntrackValue(ct).flags;
      const rev = rn && decodeReverseNatValue(rn).flags;
      return {
        fwd: fwd === undefined ? undefined : STATE_NAME[ctStateOf(fwd)],
        // The reverse entry holds the same history and state bits as the conntrack entry.
        mirrored: rev === undefined || fwd === undefined || rev === (fwd & F_CT_SESSION_BITS),
      };
    };
    const send = (side: 'client' | 'backend', sport: number, proto: Proto, f: TcpFlags = {}) =>
      side === 'client'
        ? lb.run(fromClient(sport, proto, f), PORTS.frontend)
        : lb.run(fromBackend(sport, proto, f), PORTS.backend);

    // TCP: NEW until the backend answered and the client ACKed; one FIN closing; FINs both ways
    // or a RST closed — in the conntrack entry and its reverse NAT entry alike, whichever way the
    // replies find the session; every packet is still translated.
    describe.each(REPLY_PATHS)('replies through %s', (_path, cfg) => {
      it.each(TCP_LIVES)('TCP: %s', (_name, steps) => {
        lb.configure(cfg());
        const sport = 41000;
        steps.forEach(([side, flags, want], i) => {
          const r = send(side, sport, 'tcp', flags);
          const dst = parsePacket(r.data)[1].fields.dst;
          expect({ i, verdict: r.verdict, dst, ...states(sport) }).toEqual({
            i,
            verdict: 'redirect',
            dst: side === 'client' ? BACKEND_1 : CLIENT_1,
            fwd: want,
            mirrored: true,
          });
        });
      });

      // UDP and ICMP echo: NEW at the request, ESTABLISHED once the backend replied.
      it.each(['udp', 'icmp'] as Proto[])('%s: established once the backend replies', (proto) => {
        lb.configure(cfg());
        send('client', 5000, proto);
        expect(states(5000, proto)).toEqual({ fwd: 'NEW', mirrored: true });
        send('client', 5000, proto);
        expect(states(5000, proto)).toEqual({ fwd: 'NEW', mirrored: true });
        const r = send('backend', 5000, proto);
        expect(parsePacket(r.data)[1].fields.src).toBe(VIP_1);
        expect(states(5000, proto)).toEqual({ fwd: 'ESTABLISHED', mirrored: true });
      });
    });

    // A client SYN on a closing or closed session opens a new one in place (Maglev again: here
    // the table now names B2), counted as a new session; on an established session it does not.
    it.each([
      ['CLOSING', BACKEND_2, [{ fin: true, ack: true }], 1n],
      ['CLOSED', BACKEND_2, [{ rst: true }], 1n],
      ['ESTABLISHED', BACKEND_1, [], 0n],
    ] as Array<[StateName, string, TcpFlags[], bigint]>)(
      'a SYN on a %s session goes to %s',
      (state, wantDst, closing, wantNew) => {
        lb.configure(standardConfig());
        const sport = 41001;
        send('client', sport, 'tcp', { syn: true });
        send('backend', sport, 'tcp', { syn: true, ack: true });
        send('client', sport, 'tcp', { ack: true });
        for (const f of closing) send('client', sport, 'tcp', f);
        expect(states(sport).fwd).toBe(state);
        for (let i = 0; i < TABLE; i++) lb.setSlot(SVC_WEB.slotBase + i, B2.id);
        const before = lb.counters('service_stats', SVC_WEB.id).newSessions;
        const r = send('client', sport, 'tcp', { syn: true });
        expect(parsePacket(r.data)[1].fields.dst).toBe(wantDst);
        expect(lb.counters('service_stats', SVC_WEB.id).newSessions - before).toBe(wantNew);
        expect(states(sport).fwd).toBe(wantNew ? 'NEW' : 'ESTABLISHED');
        expect(lb.sessions('conntrack')).toBe(1);
      },
    );

    // Each timeout slot applies to its protocol and state only: an entry idle for less than its
    // timeout is a hit, one idle for longer is a miss both ways (the reply goes out untranslated,
    // the client's next packet opens a new session in place); 0 never expires.
    const TIMEOUT_ROWS: Array<[keyof typeof TIMEOUT, Proto, Step[]]> = [
      ['TCP_NEW', 'tcp', [['client', { syn: true }, 'NEW']]],
      [
        'TCP_ESTABLISHED',
        'tcp',
        [
          ['client', { syn: true }, 'NEW'],
          ['backend', { syn: true, ack: true }, 'NEW'],
          ['client', { ack: true }, 'ESTABLISHED'],
        ],
      ],
      [
        'TCP_CLOSING',
        'tcp',
        [
          ['client', { syn: true }, 'NEW'],
          ['client', { fin: true, ack: true }, 'CLOSING'],
        ],
      ],
      [
        'TCP_CLOSING',
        'tcp',
        [
          ['client', { syn: true }, 'NEW'],
          ['client', { rst: true }, 'CLOSED'],
        ],
      ],
      ['UDP', 'udp', [['client', {}, 'NEW']]],
      [
        'ICMP',
        'icmp',
        [
          ['client', {}, 'NEW'],
          ['backend', {}, 'ESTABLISHED'],
        ],
      ],
    ];
    it.each(TIMEOUT_ROWS)('timeout %s (%s) expires its entries, and only its', (slot, proto, steps) => {
      lb.configure(standardConfig());
      const sport = 42000;
      const open = () => {
        for (const [side, flags] of steps) send(side, sport, proto, flags);
        expect(states(sport, proto).fwd).toBe(steps[steps.length - 1][2]);
      };
      const age = (by: number) => {
        expect(lb.ageSession('conntrack', fwdKey(sport, proto), by)).toBe(true);
        expect(lb.ageSession('reverse_nat', revKey(sport, proto), by)).toBe(true);
      };
      const backendId = { tcp: B1.id, udp: B1_DNS.id, icmp: B1_ICMP.id }[proto];
      const newSessions = () => lb.counters('backend_stats', backendId).newSessions;
      const replyTranslated = () =>
        parsePacket(send('backend', sport, proto, { ack: true }).data)[1].fields.src === VIP_1;
      const timeouts = (t: number) => {
        const all = new Array<number>(TIMEOUT_MAX).fill(0);
        all[TIMEOUT[slot]] = t;
        return all;
      };

      // Every other slot short: this entry is not theirs, so it lives.
      lb.setSessionConfig({ timeouts: timeouts(0).map((_, i) => (i === TIMEOUT[slot] ? 0 : 2)) });
      open();
      age(1000);
      let before = newSessions();
      send('client', sport, proto, { ack: true });
      expect(newSessions() - before).toBe(0n);

      // Its own slot: idle 5 under a timeout of 10 lives; idle 30 has expired.
      lb.unconfigure();
      lb.configure(standardConfig());
      lb.setSessionConfig({ timeouts: timeouts(10) });
      open();
      age(5);
      before = newSessions();
      expect(replyTranslated()).toBe(true);
      expect(newSessions() - before).toBe(0n);
      lb.unconfigure();
      lb.configure(standardConfig());
      lb.setSessionConfig({ timeouts: timeouts(10) });
      open();
      age(30);
      expect(replyTranslated()).toBe(false);
      before = newSessions();
      const r = send('client', sport, proto, { ack: true });
      expect(r.verdict).toBe('redirect');
      expect(newSessions() - before).toBe(1n);
      expect(states(sport, proto).fwd).toBe('NEW');
      expect(lb.sessions('conntrack')).toBe(1);
    });

    // Admission: with a burst of 3 and a negligible refill, the 4th new flow on a CPU creates no
    // entry but is still DNATed to its Maglev backend, and counted; hits are unaffected; its
    // replies come back statelessly (the backend serves one service); no limit again at rate 0.
    it('admission: past the burst, new flows are forwarded without an entry and counted', () => {
      lb.configure(withBackendVips(standardConfig()));
      onOneCpu(() => {
        lb.setSessionConfig({ admitPerJiffyQ16: 1n, admitBurstQ16: 3n * 65536n });
        const ev0 = lb.sessionEvents();
        for (const sport of [43000, 43001, 43002])
          expect(parsePacket(send('client', sport, 'tcp', { syn: true }).data)[1].fields.dst).toBe(BACKEND_1);
        expect(lb.sessions('conntrack')).toBe(3);
        const refused = send('client', 43003, 'tcp', { syn: true });
        expect(refused.verdict).toBe('redirect');
        expect(parsePacket(refused.data)[1].fields.dst).toBe(BACKEND_1);
        expect(parsePacket(refused.data)[2].fields.dport).toBe(B1.port);
        expect(lb.sessions('conntrack')).toBe(3);
        expect(lb.sessionEvent('ADMISSION_REFUSED') - ev0.ADMISSION_REFUSED).toBe(1n);
        // Hits of admitted flows take no token and are never refused.
        for (let i = 0; i < 5; i++) send('client', 43000, 'tcp', { ack: true });
        expect(lb.sessionEvent('ADMISSION_REFUSED') - ev0.ADMISSION_REFUSED).toBe(1n);
        const reply = parsePacket(send('backend', 43003, 'tcp', { syn: true, ack: true }).data);
        expect([reply[1].fields.src, reply[2].fields.sport]).toEqual([VIP_1, 80]);
        expect(lb.sessionEvent('STATELESS_REPLY') - ev0.STATELESS_REPLY).toBe(1n);
        lb.setSessionConfig({});
        send('client', 43004, 'tcp', { syn: true });
        expect(lb.sessions('conntrack')).toBe(4);
      });
    });

    // Keyed placement: the same flows land in other buckets under another secret, each in the
    // bucket the TS mirror names for that secret; the Maglev choice does not depend on it.
    it('the secret moves flows between buckets as the TS mirror predicts; backends stay', () => {
      const secrets: Array<[number, number, number, number]> = [
        [0, 0, 0, 0],
        [0x01234567, 0x89abcdef, 0xdeadbeef, 0x0badf00d],
        [0xfeedface, 0x13579bdf, 0x2468ace0, 0x55aa55aa],
      ];
      const twoBackends = (): DataplaneConfig =>
        withBackendVips(
          standardConfig({
            services: [
              { ...SVC_WEB, slots: Array.from({ length: TABLE }, (_, i) => (i % 2 ? B2.id : B1.id)) },
            ],
            backends: [B1, B2],
          }),
        );
      const ports = Array.from({ length: 64 }, (_, i) => 44000 + i * 7);
      const placements: number[][] = [];
      const backends: string[][] = [];
      for (const secret of secrets) {
        lb.configure(twoBackends());
        lb.setSessionConfig({ secret });
        backends.push(
          ports.map((sport) =>
            String(parsePacket(send('client', sport, 'tcp', { syn: true }).data)[1].fields.dst),
          ),
        );
        const buckets = lb.map('sessions').maxEntries;
        const where = new Map<string, number>();
        for (const [k, v] of lb.map('sessions').dump())
          for (const e of sessionEntries([v])) where.set(e.key.toString('hex'), k.readUInt32LE(0));
        expect(where.size).toBe(ports.length);
        const got = ports.map((sport) => where.get(fwdKey(sport).toString('hex')) ?? -1);
        expect(got).toEqual(ports.map((sport) => sessionBucketOf(fwdKey(sport), buckets, secret)));
        placements.push(got);
        lb.unconfigure();
      }
      const moved = (a: number[], b: number[]) => a.filter((x, i) => x !== b[i]).length;
      expect(moved(placements[0], placements[1])).toBeGreaterThan(56);
      expect(moved(placements[1], placements[2])).toBeGreaterThan(56);
      expect(backends[1]).toEqual(backends[0]);
      expect(backends[2]).toEqual(backends[0]);
    });
  });

  // The eviction order in one full bucket of a small table (4 buckets), through unique backends
  // (one entry per session), counted in session_events.
  describe.each(['tc', 'xdp'] as Hook[])('%s: eviction order', (hook) => {
    const BUCKETS = 4;
    let small: LbrpUnderTest;
    beforeAll(async () => {
      small = await LbrpUnderTest.load(hook, 'single', devices, { MAX_SESSIONS: BUCKETS * SESSION_WAYS });
    });
    afterAll(() => small?.close());

    it('expired first, then unestablished, then established of an active backend; a drained backend’s never', () => {
      const b1 = { ...B1, flags: B1.flags | F_BACKEND_UNIQUE };
      const cfg = withBackendVips(standardConfig({ services: [SVC_WEB], backends: [B1, B2] }));
      small.configure(cfg);
      const timeouts = new Array<number>(TIMEOUT_MAX).fill(0);
      timeouts[TIMEOUT.TCP_NEW] = 50;
      small.setSessionConfig({ timeouts });
      // Client ports whose flows share bucket 0.
      const p: number[] = [];
      for (let sport = 30000; p.length < 12 && sport < 40000; sport++)
        if (sessionBucketOf(fwdKey(sport), BUCKETS) === 0) p.push(sport);
      expect(p).toHaveLength(12);
      const run = (sport: number, side: 'client' | 'backend', f: TcpFlags) =>
        side === 'client'
          ? small.run(fromClient(sport, 'tcp', f), PORTS.frontend)
          : small.run(fromBackend(sport, 'tcp', f), PORTS.backend);
      const establish = (sport: number) => {
        run(sport, 'client', { syn: true });
        run(sport, 'backend', { syn: true, ack: true });
        run(sport, 'client', { ack: true });
      };
      const present = () => p.filter((s) => small.session('conntrack', fwdKey(s)) !== undefined);
      const state = (sport: number) => {
        const v = small.session('conntrack', fwdKey(sport));
        return v && STATE_NAME[ctStateOf(decodeConntrackValue(v).flags)];
      };
      const ev0 = small.sessionEvents();
      const events = () => {
        const now = small.sessionEvents();
        return {
          expired: now.EVICT_EXPIRED - ev0.EVICT_EXPIRED,
          unestablished: now.EVICT_UNESTABLISHED - ev0.EVICT_UNESTABLISHED,
          established: now.EVICT_ESTABLISHED - ev0.EVICT_ESTABLISHED,
          full: now.TABLE_FULL - ev0.TABLE_FULL,
        };
      };

      // p0..p5 established, p6 and p7 SYN only; p6 idle past TCP_NEW's 50, p7 idle 10.
      p.slice(0, 6).forEach(establish);
      run(p[6], 'client', { syn: true });
      run(p[7], 'client', { syn: true });
      expect(p.slice(0, 8).map(state)).toEqual([...new Array(6).fill('ESTABLISHED'), 'NEW', 'NEW']);
      small.ageSession('conntrack', fwdKey(p[6]), 100);
      small.ageSession('conntrack', fwdKey(p[7]), 10);
      expect(events()).toEqual({ expired: 0n, unestablished: 0n, established: 0n, full: 0n });

      // 1. The expired entry goes first (p7 is older than the established ones, but alive).
      run(p[8], 'client', { syn: true });
      expect(present()).toEqual([...p.slice(0, 6), p[7], p[8]]);
      expect(events()).toEqual({ expired: 1n, unestablished: 0n, established: 0n, full: 0n });

      // 2. Then the least recently used unestablished one (p7, idle 10; p8 is fresh).
      run(p[9], 'client', { syn: true });
      expect(present()).toEqual([...p.slice(0, 6), p[8], p[9]]);
      expect(events()).toEqual({ expired: 1n, unestablished: 1n, established: 0n, full: 0n });

      // 3. All established: the least recently used one (p3, idle 20) goes, counted.
      establish(p[8]);
      establish(p[9]);
      small.ageSession('conntrack', fwdKey(p[3]), 20);
      run(p[10], 'client', { syn: true });
      expect(present()).toEqual([p[0], p[1], p[2], p[4], p[5], p[8], p[9], p[10]]);
      expect(events()).toEqual({ expired: 1n, unestablished: 1n, established: 1n, full: 0n });

      // 4. B1 drained (its sessions go on), new flows to B2: every way holds an established session
      // of a drained backend, so the new flow gets no entry — forwarded to B2 all the same — and
      // B1's sessions all stay and keep their backend.
      establish(p[10]);
      small.setBackend({ ...b1, flags: F_BACKEND_UNIQUE });
      for (let i = 0; i < TABLE; i++) small.setSlot(SVC_WEB.slotBase + i, B2.id);
      for (let i = 0; i < 3; i++) {
        const r = run(p[11], 'client', { syn: true });
        expect([r.verdict, parsePacket(r.data)[1].fields.dst]).toEqual(['redirect', BACKEND_2]);
      }
      expect(small.session('conntrack', fwdKey(p[11]))).toBeUndefined();
      expect(present()).toEqual([p[0], p[1], p[2], p[4], p[5], p[8], p[9], p[10]]);
      expect(events()).toEqual({ expired: 1n, unestablished: 1n, established: 1n, full: 3n });
      const old = run(p[0], 'client', { ack: true });
      expect(parsePacket(old.data)[1].fields.dst).toBe(BACKEND_1);
      const flags = decodeConntrackValue(small.session('conntrack', fwdKey(p[0])) as Buffer).flags;
      expect(flags & (F_CT_SEEN_BACKEND | F_CT_SEEN_CLIENT_ACK)).toBe(
        F_CT_SEEN_BACKEND | F_CT_SEEN_CLIENT_ACK,
      );
      expect(ctStateOf(flags)).toBe(CT_STATE.ESTABLISHED);
    });
  });
});
