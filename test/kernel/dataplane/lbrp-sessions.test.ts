// Sessions, Maglev choice and counters of the lbrp dataplane, on TC and XDP: the backend of a
// new flow is the one the TS mirror of the hash names, the conntrack and reverse_nat entries
// hold what the design says (none in reverse_nat through a F_BACKEND_UNIQUE backend), only an
// exact reply tuple is reverse-NATed (no hash keys) whether found through reverse_nat or through
// backend_to_vip and conntrack, the control plane's unique → shared transition keeps every
// session working, the per-service, per-backend and drop counters count what went through, and
// the session table keeps, shares and evicts bucket entries as designed.

import {
  BACKEND_1,
  BACKEND_2,
  BACKEND_3,
  CLIENT_1,
  CLIENT_1_NEW,
  CLIENT_2,
  CLIENT_2_NEW,
  CLIENT_3,
  VIP_1,
  VIP_2,
} from '../../fixtures/addresses';
import { icmpEcho, ipBytes, ipv4, parsePacket, tcp, udp } from '../../fixtures/packets';
import {
  decodeConntrackValue,
  decodeReverseNatValue,
  encodeFlowKey,
  F_BACKEND_ACTIVE,
  F_CT_SRC_REWRITTEN,
  IPPROTO,
  SESSION_FORWARD,
  SESSION_REVERSE,
  SESSION_WAYS,
} from '../../../src/lbrp/dataplane/map-layouts';
import { slotForFlow } from '../../../src/lbrp/dataplane/flow-hash';
import { sessionBucketOf, sessionEntries } from '../../../src/lbrp/dataplane/session-table';
import {
  B1,
  B1_ALT,
  B2,
  rewriteConfig,
  standardConfig,
  SVC_ALT,
  SVC_DNS,
  SVC_PING,
  SVC_WEB,
  TABLE,
  withBackendVips,
} from './lbrp-config';
import { describeKernel } from './describe-kernel';
import {
  BackendSpec,
  DataplaneConfig,
  Hook,
  LbrpUnderTest,
  PortDevices,
  PORTS,
  ServiceSpec,
} from './lbrp-harness';

const B6: BackendSpec = { id: 6, ip: BACKEND_3, port: 8081, flags: F_BACKEND_ACTIVE };
const THREE = [B1.id, B2.id, B6.id];
const spread = (svc: ServiceSpec): ServiceSpec => ({
  ...svc,
  slots: Array.from({ length: TABLE }, (_, i) => THREE[i % 3]),
});
const BY_ID = new Map([B1, B2, B6].map((b) => [b.id, b]));
/** Both ways a reply finds its session: reverse_nat entries, or backend_to_vip and conntrack. */
const REPLY_PATHS: Array<[string, () => DataplaneConfig]> = [
  ['reverse_nat', standardConfig],
  ['backend_to_vip', () => withBackendVips(standardConfig())],
];

/** A session table of 4 buckets, and a client whose flows to VIP_1:80 fill it. */
const BUCKETS = 4;
const CLIENT = '10.0.9.9';
/** The conntrack key of CLIENT:sport → VIP_1:80. */
const keyOf = (sport: number): Buffer =>
  encodeFlowKey({ saddr: CLIENT, daddr: VIP_1, sport, dport: 80, proto: IPPROTO.TCP });

/** A deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describeKernel('kernel: lbrp sessions and counters', () => {
  let devices: PortDevices;
  beforeAll(() => {
    devices = new PortDevices();
  });
  afterAll(() => devices?.cleanup());

  describe.each(['tc', 'xdp'] as Hook[])('%s', (hook) => {
    let lb: LbrpUnderTest;
    beforeAll(async () => {
      lb = await LbrpUnderTest.load(hook, 'single', devices);
    });
    afterAll(() => lb?.close());

    // A new flow goes to maglev_slots[slot_base + hash(5-tuple) % table_size], the slot the TS
    // mirror of the hash computes, for TCP, UDP and ICMP echo alike.
    it('new flows go to the backend of the slot the hash mirror names', () => {
      lb.configure(
        standardConfig({
          services: [spread(SVC_WEB), spread(SVC_DNS), spread(SVC_PING)],
          backends: [B1, B2, B6],
        }),
      );
      const rand = prng(0x5eed);
      const seen = new Set<number>();
      for (let i = 0; i < 300; i++) {
        const client = `10.0.${1 + Math.floor(rand() * 200)}.${1 + Math.floor(rand() * 250)}`;
        const sport = 1024 + Math.floor(rand() * 60000);
        const kind = i % 3;
        const svc = [SVC_WEB, SVC_DNS, SVC_PING][kind];
        const frame =
          kind === 0
            ? tcp(client, VIP_1, 80, { sport, syn: true })
            : kind === 1
              ? udp(client, VIP_1, 53, { sport })
              : icmpEcho(client, VIP_1, { id: sport });
        const flow = {
          saddr: client,
          daddr: VIP_1,
          sport,
          dport: kind === 2 ? 0 : svc.vport,
          proto: svc.proto,
        };
        const want = BY_ID.get(
          spread(svc).slots[slotForFlow(flow, svc.slotBase, TABLE) - svc.slotBase],
        ) as BackendSpec;
        const r = lb.run(frame, PORTS.frontend);
        const layers = parsePacket(r.data);
        expect({ i, verdict: r.verdict, dst: layers[1].fields.dst }).toEqual({
          i,
          verdict: 'redirect',
          dst: want.ip,
        });
        if (kind < 2) expect(layers[2].fields.dport).toBe(want.port);
        seen.add(want.id);
      }
      expect(seen.size).toBe(3);
    });

    // The forward entry is keyed by the client's full 5-tuple and names the backend and the
    // client's rewritten address; the reverse entry is keyed by the reply's full 5-tuple.
    it('a new session writes the conntrack and reverse_nat entries of the design', () => {
      lb.configure(rewriteConfig());
      expect(lb.run(tcp(CLIENT_1, VIP_1, 80, { syn: true }), PORTS.frontend).verdict).toBe('redirect');
      expect(lb.run(icmpEcho(CLIENT_2, VIP_1, { id: 77 }), PORTS.frontend).verdict).toBe('redirect');
      const ct = (key: Buffer) => lb.session('conntrack', key);
      const rn = (key: Buffer) => lb.session('reverse_nat', key);
      const tcpCt = ct(
        encodeFlowKey({ saddr: CLIENT_1, daddr: VIP_1, sport: 40000, dport: 80, proto: IPPROTO.TCP }),
      );
      expect(tcpCt && decodeConntrackValue(tcpCt)).toEqual({
        backendIp: BACKEND_1,
        backendPort: 8080,
        flags: F_CT_SRC_REWRITTEN,
        backendId: B1.id,
        serviceId: SVC_WEB.id,
        natSaddr: CLIENT_1_NEW,
      });
      const tcpRn = rn(
        encodeFlowKey({
          saddr: BACKEND_1,
          daddr: CLIENT_1_NEW,
          sport: 8080,
          dport: 40000,
          proto: IPPROTO.TCP,
        }),
      );
      expect(tcpRn && decodeReverseNatValue(tcpRn)).toEqual({
        vip: VIP_1,
        vport: 80,
        flags: 0,
        clientIp: CLIENT_1,
        serviceId: SVC_WEB.id,
        backendId: B1.id,
      });
      const pingCt = ct(
        encodeFlowKey({ saddr: CLIENT_2, daddr: VIP_1, sport: 77, dport: 0, proto: IPPROTO.ICMP }),
      );
      expect(pingCt && decodeConntrackValue(pingCt)).toMatchObject({
        backendIp: BACKEND_1,
        backendPort: 0,
        serviceId: SVC_PING.id,
      });
      const pingRn = rn(
        encodeFlowKey({ saddr: BACKEND_1, daddr: '20.0.0.2', sport: 0, dport: 77, proto: IPPROTO.ICMP }),
      );
      expect(pingRn && decodeReverseNatValue(pingRn)).toMatchObject({
        vip: VIP_1,
        vport: 0,
        clientIp: CLIENT_2,
      });
      expect([lb.sessions('conntrack'), lb.sessions('reverse_nat')]).toEqual([2, 2]);
    });

    // Through a F_BACKEND_UNIQUE backend a session is its conntrack entry alone, the same entry
    // as with a reverse one; the replies still come back (found through backend_to_vip).
    it('a new session through a unique backend writes the same conntrack entry and no reverse_nat entry', () => {
      lb.configure(withBackendVips(rewriteConfig()));
      expect(lb.run(tcp(CLIENT_1, VIP_1, 80, { syn: true }), PORTS.frontend).verdict).toBe('redirect');
      expect(lb.run(udp(CLIENT_2, VIP_1, 53, { sport: 5000 }), PORTS.frontend).verdict).toBe('redirect');
      expect(lb.run(icmpEcho(CLIENT_2, VIP_1, { id: 77 }), PORTS.frontend).verdict).toBe('redirect');
      const tcpCt = lb.session(
        'conntrack',
        encodeFlowKey({ saddr: CLIENT_1, daddr: VIP_1, sport: 40000, dport: 80, proto: IPPROTO.TCP }),
      );
      expect(tcpCt && decodeConntrackValue(tcpCt)).toEqual({
        backendIp: BACKEND_1,
        backendPort: 8080,
        flags: F_CT_SRC_REWRITTEN,
        backendId: B1.id,
        serviceId: SVC_WEB.id,
        natSaddr: CLIENT_1_NEW,
      });
      expect([lb.sessions('conntrack'), lb.sessions('reverse_nat')]).toEqual([3, 0]);
      const replies: Array<[Buffer, string]> = [
        [tcp(BACKEND_1, CLIENT_1_NEW, 40000, { sport: 8080, ack: true }), CLIENT_1],
        [udp(BACKEND_1, CLIENT_2_NEW, 5000, { sport: 5353 }), CLIENT_2],
        [icmpEcho(BACKEND_1, CLIENT_2_NEW, { id: 77, reply: true }), CLIENT_2],
      ];
      for (const [frame, client] of replies) {
        const ip = parsePacket(lb.run(frame, PORTS.backend).data)[1].fields;
        expect({ src: ip.src, dst: ip.dst }).toEqual({ src: VIP_1, dst: client });
      }
    });

    // Sessions are keyed by full tuples (Polycube keyed them by a 32-bit hash, bug 1): a backend
    // packet that differs from a session's reply in any one field is not translated — also when
    // the session is found through backend_to_vip, whose entries here name SVC_WEB for other
    // backend addresses too (BACKEND_2:8080, BACKEND_1:8081, and UDP at BACKEND_1:8080). The
    // entries lack F_BACKEND_VIP_UNIQUE here: with it, a reply without a session is translated
    // statelessly by design (lbrp-session-state.test.ts).
    it.each(REPLY_PATHS)('only the exact reply tuple of a session is reverse-NATed (%s)', (_path, cfg) => {
      const c = cfg();
      const web = { vip: VIP_1, vport: 80, flags: 0, serviceId: SVC_WEB.id };
      lb.configure({
        ...c,
        backendVips: c.backendVips && [
          ...c.backendVips.map((e) => ({ ...e, service: { ...e.service, flags: 0 } })),
          { backend: { ip: BACKEND_2, port: 8080, proto: IPPROTO.TCP }, service: web },
          { backend: { ip: BACKEND_1, port: 8081, proto: IPPROTO.TCP }, service: web },
          { backend: { ip: BACKEND_1, port: 8080, proto: IPPROTO.UDP }, service: web },
        ],
      });
      lb.run(tcp(CLIENT_1, VIP_1, 80, { syn: true }), PORTS.frontend);
      expect(lb.sessions('reverse_nat')).toBe(c.backendVips ? 0 : 1);
      const near = [
        tcp(BACKEND_2, CLIENT_1, 40000, { sport: 8080, ack: true }),
        tcp(BACKEND_1, CLIENT_3, 40000, { sport: 8080, ack: true }),
        tcp(BACKEND_1, CLIENT_1, 40001, { sport: 8080, ack: true }),
        tcp(BACKEND_1, CLIENT_1, 40000, { sport: 8081, ack: true }),
        udp(BACKEND_1, CLIENT_1, 40000, { sport: 8080 }),
        tcp(BACKEND_1, CLIENT_1_NEW, 40000, { sport: 8080, ack: true }),
      ];
      for (const frame of near) {
        const r = lb.run(frame, PORTS.backend);
        expect({ frame: parsePacket(frame)[1].fields, changed: !r.data.equals(frame) }).toEqual({
          frame: parsePacket(frame)[1].fields,
          changed: false,
        });
      }
      const exact = lb.run(tcp(BACKEND_1, CLIENT_1, 40000, { sport: 8080, ack: true }), PORTS.backend);
      expect(exact.data.subarray(26, 30).equals(ipBytes(VIP_1))).toBe(true);
    });

    // The control plane's unique → shared transition, step by step: a session opened while its
    // backend address served one service keeps working through backend_to_vip (kept, still
    // naming the first service) after a second service shares the address and the flag is
    // cleared; new sessions of both services get reverse_nat entries and their replies find
    // them; the old session's packets still go to its backend.
    it('unique → shared: old sessions keep working, new ones get reverse_nat entries', () => {
      lb.configure(withBackendVips(standardConfig()));
      const reply = (cport: number): Buffer =>
        lb.run(tcp(BACKEND_1, CLIENT_1, cport, { sport: 8080, ack: true }), PORTS.backend).data;
      const srcPort = (frame: Buffer): string => {
        const l = parsePacket(frame);
        return `${String(l[1].fields.src)}:${String(l[2].fields.sport)}`;
      };
      lb.run(tcp(CLIENT_1, VIP_1, 80, { sport: 1001, syn: true }), PORTS.frontend);
      expect([lb.sessions('conntrack'), lb.sessions('reverse_nat')]).toEqual([1, 0]);
      expect(srcPort(reply(1001))).toBe(`${VIP_1}:80`);

      // The second service arrives: its backend exists before its table, B1 loses the flag.
      lb.setBackend(B1_ALT);
      lb.addService(SVC_ALT);
      lb.setBackend({ ...B1, flags: F_BACKEND_ACTIVE });

      expect(srcPort(reply(1001))).toBe(`${VIP_1}:80`);
      const old = lb.run(tcp(CLIENT_1, VIP_1, 80, { sport: 1001, ack: true }), PORTS.frontend);
      expect(parsePacket(old.data)[1].fields.dst).toBe(BACKEND_1);
      lb.run(tcp(CLIENT_1, VIP_1, 80, { sport: 1002, syn: true }), PORTS.frontend);
      lb.run(tcp(CLIENT_1, VIP_2, 8000, { sport: 1003, syn: true }), PORTS.frontend);
      expect([lb.sessions('conntrack'), lb.sessions('reverse_nat')]).toEqual([3, 2]);
      expect([reply(1001), reply(1002), reply(1003)].map(srcPort)).toEqual([
        `${VIP_1}:80`,
        `${VIP_1}:80`,
        `${VIP_2}:8000`,
      ]);
    });

    // Per-CPU counters: a service and its backend count packets, bytes and new sessions of both
    // directions (the reply found through reverse_nat, or through backend_to_vip and conntrack);
    // drops count their reason.
    it.each(REPLY_PATHS)('service, backend and drop counters count what went through (%s)', (_path, cfg) => {
      lb.configure(cfg());
      const svcBefore = lb.counters('service_stats', SVC_WEB.id);
      const beBefore = lb.counters('backend_stats', B1.id);
      const fragBefore = lb.drops('FRAGMENT');
      const frames = [
        [tcp(CLIENT_1, VIP_1, 80, { sport: 999, syn: true }), PORTS.frontend],
        [tcp(CLIENT_1, VIP_1, 80, { sport: 999, ack: true, payload: 'GET /' }), PORTS.frontend],
        [tcp(BACKEND_1, CLIENT_1, 999, { sport: 8080, ack: true, payload: '200 OK' }), PORTS.backend],
      ] as const;
      for (const [f, port] of frames) expect(lb.run(f, port).verdict).toBe('redirect');
      expect(
        lb.run(ipv4(CLIENT_1, VIP_1, 6, Buffer.alloc(16), { fragOffset: 2 }), PORTS.frontend).verdict,
      ).toBe('drop');
      const bytes = BigInt(frames.reduce((n, [f]) => n + f.length, 0));
      const svc = lb.counters('service_stats', SVC_WEB.id);
      const be = lb.counters('backend_stats', B1.id);
      expect({
        packets: svc.packets - svcBefore.packets,
        bytes: svc.bytes - svcBefore.bytes,
        sessions: svc.newSessions - svcBefore.newSessions,
      }).toEqual({
        packets: 3n,
        bytes,
        sessions: 1n,
      });
      expect({
        packets: be.packets - beBefore.packets,
        bytes: be.bytes - beBefore.bytes,
        sessions: be.newSessions - beBefore.newSessions,
      }).toEqual({
        packets: 3n,
        bytes,
        sessions: 1n,
      });
      expect(lb.drops('FRAGMENT') - fragBefore).toBe(1n);
    });

    // The session table (session_table.h) on a small program (4 buckets, so flows collide):
    // every entry lives in the bucket the TS mirror names, a session's conntrack and reverse NAT
    // entries share one bucket, a full bucket evicts the way used longest ago (a packet keeps its
    // entry young), and an evicted flow's next packet is a new session on the same backend.
    describe('session table', () => {
      let small: LbrpUnderTest;
      beforeAll(async () => {
        small = await LbrpUnderTest.load(hook, 'single', devices, { MAX_SESSIONS: BUCKETS * SESSION_WAYS });
      });
      afterAll(() => small?.close());
      // Half the slots to each backend, so a re-selected flow could land on either.
      const slots = Array.from({ length: TABLE }, (_, i) => (i % 2 ? B2.id : B1.id));
      const shared = () => standardConfig({ services: [{ ...SVC_WEB, slots }], backends: [B1, B2] });
      /** Backends that serve one service: a session is its conntrack entry alone. */
      const unique = () => withBackendVips(shared());
      afterEach(() => small.unconfigure());

      it("keeps every entry in the bucket the TS mirror names, a session's two entries in one", () => {
        small.configure(shared());
        // Three sessions per bucket (six entries in eight ways: nothing is evicted).
        const ports: number[] = [];
        for (let b = 0; b < BUCKETS; b++) {
          let n = 0;
          for (let sport = 20000; n < 3 && sport < 30000; sport++)
            if (sessionBucketOf(keyOf(sport), BUCKETS) === b) {
              ports.push(sport);
              n++;
            }
        }
        expect(ports).toHaveLength(3 * BUCKETS);
        for (const sport of ports)
          expect(small.run(tcp(CLIENT, VIP_1, 80, { sport, syn: true }), PORTS.frontend).verdict).toBe(
            'redirect',
          );
        const dump = small.map('sessions').dump();
        expect(dump).toHaveLength(BUCKETS);
        for (const [k, bucket] of dump) {
          const entries = sessionEntries([bucket]);
          for (const e of entries) expect(sessionBucketOf(e.key, BUCKETS)).toBe(k.readUInt32LE(0));
          // Each conntrack entry's reverse NAT entry is in the same bucket (no src-ip-rewrite here):
          // the client port is the forward key's sport and the reverse key's dport.
          const clientPorts = (kind: number, at: number): number[] =>
            entries
              .filter((e) => e.kind === kind)
              .map((e) => e.key.readUInt16BE(at))
              .sort();
          expect(clientPorts(SESSION_FORWARD, 8)).toHaveLength(3);
          expect(clientPorts(SESSION_REVERSE, 10)).toEqual(clientPorts(SESSION_FORWARD, 8));
        }
        expect(ports.every((p) => small.session('conntrack', keyOf(p)))).toBe(true);
        expect([small.sessions('conntrack'), small.sessions('reverse_nat')]).toEqual([
          ports.length,
          ports.length,
        ]);
      });

      it('evicts the way used longest ago from a full bucket; its flow comes back on the same backend', async () => {
        small.configure(unique());
        // SESSION_WAYS + 1 client ports whose flows share bucket 0.
        const ports: number[] = [];
        for (let sport = 30000; ports.length < SESSION_WAYS + 1 && sport < 40000; sport++)
          if (sessionBucketOf(keyOf(sport), BUCKETS) === 0) ports.push(sport);
        expect(ports).toHaveLength(SESSION_WAYS + 1);
        const backendOf = new Map<number, string>();
        for (const sport of ports.slice(0, SESSION_WAYS)) {
          const r = small.run(tcp(CLIENT, VIP_1, 80, { sport, syn: true }), PORTS.frontend);
          expect(r.verdict).toBe('redirect');
          backendOf.set(sport, parsePacket(r.data)[1].fields.dst as string);
        }
        expect(ports.slice(0, SESSION_WAYS).every((p) => small.session('conntrack', keyOf(p)))).toBe(true);
        // Let the session clock (jiffies >> 8: up to 2.6 s a tick) tick, as a flow in another bucket
        // sees it, then use one old flow: it is now the youngest.
        const lastSeen = (sport: number): number =>
          small.sessionEntries('conntrack').find((e) => e.key.equals(keyOf(sport)))?.lastSeen ?? -1;
        const inserted = Math.max(...ports.slice(0, SESSION_WAYS).map(lastSeen));
        let probe = 40000;
        while (sessionBucketOf(keyOf(probe), BUCKETS) === 0) probe++;
        for (let i = 0; i < 100 && lastSeen(probe) <= inserted; i++) {
          await new Promise((r) => setTimeout(r, 50));
          small.run(tcp(CLIENT, VIP_1, 80, { sport: probe, ack: true }), PORTS.frontend);
        }
        expect(lastSeen(probe)).toBeGreaterThan(inserted);
        const kept = ports[0];
        expect(small.run(tcp(CLIENT, VIP_1, 80, { sport: kept, ack: true }), PORTS.frontend).verdict).toBe(
          'redirect',
        );
        // One more flow: the bucket is full; the least recently used way (ports[1], inserted second,
        // as old as the other six but in a lower way) makes room.
        const newcomer = ports[SESSION_WAYS];
        expect(
          small.run(tcp(CLIENT, VIP_1, 80, { sport: newcomer, syn: true }), PORTS.frontend).verdict,
        ).toBe('redirect');
        const evicted = ports[1];
        expect(small.session('conntrack', keyOf(kept))).toBeDefined();
        expect(small.session('conntrack', keyOf(newcomer))).toBeDefined();
        expect(small.session('conntrack', keyOf(evicted))).toBeUndefined();
        expect(ports.filter((p) => small.session('conntrack', keyOf(p))).length).toBe(SESSION_WAYS);
        // The evicted flow's next packet (not a SYN) is a new session, on the backend it had.
        const before = small.counters('service_stats', SVC_WEB.id).newSessions;
        const r = small.run(tcp(CLIENT, VIP_1, 80, { sport: evicted, ack: true }), PORTS.frontend);
        expect(r.verdict).toBe('redirect');
        expect(parsePacket(r.data)[1].fields.dst).toBe(backendOf.get(evicted));
        expect(small.counters('service_stats', SVC_WEB.id).newSessions - before).toBe(1n);
        expect(small.session('conntrack', keyOf(evicted))).toBeDefined();
      });
    });
  });
});
