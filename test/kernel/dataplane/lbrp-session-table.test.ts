// The session table (dataplane/lbrp/session_table.h) on the real program: every entry lives in
// the bucket the TS mirror names, a session's conntrack and reverse NAT entries share one bucket,
// a full bucket evicts the way used longest ago (a packet keeps its entry young), and an evicted
// flow's next packet is a new session on the same backend (the Maglev table is unchanged). A
// small table (4 buckets) makes flows collide.

import { sessionBucketOf, sessionEntries } from '../../../src/lbrp/dataplane/session-table';
import {
  encodeFlowKey,
  IPPROTO,
  SESSION_FORWARD,
  SESSION_REVERSE,
  SESSION_WAYS,
} from '../../../src/lbrp/dataplane/map-layouts';
import { VIP_1 } from '../../fixtures/addresses';
import { parsePacket, tcp } from '../../fixtures/packets';
import { B1, B2, standardConfig, SVC_WEB, TABLE, withBackendVips } from './lbrp-config';
import { describeKernel } from './describe-kernel';
import { Hook, LbrpUnderTest, PortDevices, PORTS } from './lbrp-harness';

const BUCKETS = 4;
const CLIENT = '10.0.9.9';

/** The conntrack key of CLIENT:sport → VIP_1:80. */
const keyOf = (sport: number): Buffer =>
  encodeFlowKey({ saddr: CLIENT, daddr: VIP_1, sport, dport: 80, proto: IPPROTO.TCP });

describeKernel('kernel: lbrp session tables', () => {
  let devices: PortDevices;
  beforeAll(() => {
    devices = new PortDevices();
  });
  afterAll(() => devices?.cleanup());

  describe.each(['tc', 'xdp'] as Hook[])('%s', (hook) => {
    let lb: LbrpUnderTest;
    beforeAll(async () => {
      lb = await LbrpUnderTest.load(hook, 'single', devices, { MAX_SESSIONS: BUCKETS * SESSION_WAYS });
    });
    afterAll(() => lb?.close());
    // Half the slots to each backend, so a re-selected flow could land on either.
    const slots = Array.from({ length: TABLE }, (_, i) => (i % 2 ? B2.id : B1.id));
    const shared = () => standardConfig({ services: [{ ...SVC_WEB, slots }], backends: [B1, B2] });
    /** Backends that serve one service: a session is its conntrack entry alone. */
    const unique = () => withBackendVips(shared());
    afterEach(() => lb.unconfigure());

    it("keeps every entry in the bucket the TS mirror names, a session's two entries in one", () => {
      lb.configure(shared());
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
        expect(lb.run(tcp(CLIENT, VIP_1, 80, { sport, syn: true }), PORTS.frontend).verdict).toBe('redirect');
      const dump = lb.map('sessions').dump();
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
      expect(ports.every((p) => lb.session('conntrack', keyOf(p)))).toBe(true);
      expect([lb.sessions('conntrack'), lb.sessions('reverse_nat')]).toEqual([ports.length, ports.length]);
    });

    it('evicts the way used longest ago from a full bucket; its flow comes back on the same backend', async () => {
      lb.configure(unique());
      // SESSION_WAYS + 1 client ports whose flows share bucket 0.
      const ports: number[] = [];
      for (let sport = 30000; ports.length < SESSION_WAYS + 1 && sport < 40000; sport++)
        if (sessionBucketOf(keyOf(sport), BUCKETS) === 0) ports.push(sport);
      expect(ports).toHaveLength(SESSION_WAYS + 1);
      const backendOf = new Map<number, string>();
      for (const sport of ports.slice(0, SESSION_WAYS)) {
        const r = lb.run(tcp(CLIENT, VIP_1, 80, { sport, syn: true }), PORTS.frontend);
        expect(r.verdict).toBe('redirect');
        backendOf.set(sport, parsePacket(r.data)[1].fields.dst as string);
      }
      expect(ports.slice(0, SESSION_WAYS).every((p) => lb.session('conntrack', keyOf(p)))).toBe(true);
      // Let the session clock (jiffies >> 8: up to 2.6 s a tick) tick, as a flow in another bucket
      // sees it, then use one old flow: it is now the youngest.
      const lastSeen = (sport: number): number =>
        lb.sessionEntries('conntrack').find((e) => e.key.equals(keyOf(sport)))?.lastSeen ?? -1;
      const inserted = Math.max(...ports.slice(0, SESSION_WAYS).map(lastSeen));
      let probe = 40000;
      while (sessionBucketOf(keyOf(probe), BUCKETS) === 0) probe++;
      for (let i = 0; i < 100 && lastSeen(probe) <= inserted; i++) {
        await new Promise((r) => setTimeout(r, 50));
        lb.run(tcp(CLIENT, VIP_1, 80, { sport: probe, ack: true }), PORTS.frontend);
      }
      expect(lastSeen(probe)).toBeGreaterThan(inserted);
      const kept = ports[0];
      expect(lb.run(tcp(CLIENT, VIP_1, 80, { sport: kept, ack: true }), PORTS.frontend).verdict).toBe(
        'redirect',
      );
      // One more flow: the bucket is full; the least recently used way (ports[1], inserted second,
      // as old as the other six but in a lower way) makes room.
      const newcomer = ports[SESSION_WAYS];
      expect(lb.run(tcp(CLIENT, VIP_1, 80, { sport: newcomer, syn: true }), PORTS.frontend).verdict).toBe(
        'redirect',
      );
      const evicted = ports[1];
      expect(lb.session('conntrack', keyOf(kept))).toBeDefined();
      expect(lb.session('conntrack', keyOf(newcomer))).toBeDefined();
      expect(lb.session('conntrack', keyOf(evicted))).toBeUndefined();
      expect(ports.filter((p) => lb.session('conntrack', keyOf(p))).length).toBe(SESSION_WAYS);
      // The evicted flow's next packet (not a SYN) is a new session, on the backend it had.
      const before = lb.counters('service_stats', SVC_WEB.id).newSessions;
      const r = lb.run(tcp(CLIENT, VIP_1, 80, { sport: evicted, ack: true }), PORTS.frontend);
      expect(r.verdict).toBe('redirect');
      expect(parsePacket(r.data)[1].fields.dst).toBe(backendOf.get(evicted));
      expect(lb.counters('service_stats', SVC_WEB.id).newSessions - before).toBe(1n);
      expect(lb.session('conntrack', keyOf(evicted))).toBeDefined();
    });
  });
});
