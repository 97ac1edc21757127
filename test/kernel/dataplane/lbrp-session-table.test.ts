// The session tables (dataplane/lbrp/session_table.h) on the real program: every session lives in
// the bucket the TS mirror names, a full bucket evicts the way used longest ago (a packet keeps
// its entry young), and an evicted flow's next packet is a new session on the same backend (the
// Maglev table is unchanged). A small table (4 buckets) makes flows collide.

import { sessionBucketOf, sessionEntries } from '../../../src/lbrp/dataplane/session-table';
import { encodeFlowKey, IPPROTO, SESSION_WAYS } from '../../../src/lbrp/dataplane/map-layouts';
import { VIP_1 } from '../../fixtures/addresses';
import { parsePacket, tcp } from '../../fixtures/packets';
import { B1, B2, standardConfig, SVC_WEB, TABLE } from './lbrp-config';
import { describeKernel } from './describe-kernel';
import { Hook, LbrpUnderTest, PortDevices, PORTS } from './lbrp-harness';

const BUCKETS = 4;
const CLIENT = '10.0.9.9';

/** The conntrack key of CLIENT:sport → VIP_1:80. */
const keyOf = (sport: number): Buffer =>
  encodeFlowKey({ saddr: CLIENT, daddr: VIP_1, sport, dport: 80, proto: IPPROTO.TCP });

/** The session clock of session_table.h (CLOCK_MONOTONIC in 2^30 ns units), as Node reads it. */
const sessionNow = (): number => Number(process.hrtime.bigint() >> 30n);

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
    beforeEach(() => {
      // Half the slots to each backend, so a re-selected flow could land on either.
      const slots = Array.from({ length: TABLE }, (_, i) => (i % 2 ? B2.id : B1.id));
      lb.configure(standardConfig({ services: [{ ...SVC_WEB, slots }], backends: [B1, B2] }));
    });
    afterEach(() => lb.unconfigure());

    it('keeps every session in the bucket the TS mirror of the hash names', () => {
      for (let sport = 20000; sport < 20024; sport++)
        expect(lb.run(tcp(CLIENT, VIP_1, 80, { sport, syn: true }), PORTS.frontend).verdict).toBe('redirect');
      const dump = lb.map('conntrack').dump();
      expect(dump).toHaveLength(BUCKETS);
      let found = 0;
      for (const [k, bucket] of dump)
        for (const e of sessionEntries([bucket])) {
          expect(sessionBucketOf(e.key, BUCKETS)).toBe(k.readUInt32LE(0));
          found++;
        }
      // 24 flows in 4 × 8 ways: some buckets may have overflowed, and every flow still stored is
      // found by lb.session (the same bucket arithmetic).
      expect(found).toBeGreaterThan(16);
      let hits = 0;
      for (let sport = 20000; sport < 20024; sport++) if (lb.session('conntrack', keyOf(sport))) hits++;
      expect(hits).toBe(found);
    });

    it('evicts the way used longest ago from a full bucket; its flow comes back on the same backend', async () => {
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
      // Let the session clock tick, then use one old flow: it is now the youngest.
      const inserted = sessionNow();
      for (let i = 0; i < 300 && sessionNow() <= inserted; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 20)); // the kernel's coarse clock lags by a tick
      expect(sessionNow()).toBeGreaterThan(inserted);
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
