// session-affinity CLIENT_IP in the dataplane (affinity.h), TC and XDP, SINGLE and MULTI, through
// BPF_PROG_TEST_RUN: every new flow of one client goes to one backend (without affinity the same
// flows spread by Maglev); held through table changes that keep its backend; re-picked by Maglev
// when the entry has been idle past the service's timeout, or its backend is drained, or its id
// names another address; and refreshed by the client's packets on established sessions.

import { VIP_1 } from '../../fixtures/addresses';
import { parsePacket, tcp } from '../../fixtures/packets';
import {
  decodeAffinityValue,
  encodeAffinityKey,
  encodeAffinityValue,
  encodeFlowKey,
  F_BACKEND_ACTIVE,
  IPPROTO,
} from '../../../src/lbrp/dataplane/map-layouts';
import { slotForFlow } from '../../../src/lbrp/dataplane/flow-hash';
import { B1, B2, SVC_WEB, standardConfig, TABLE } from './lbrp-config';
import { describeKernel } from './describe-kernel';
import {
  BackendSpec,
  DataplaneConfig,
  LbrpUnderTest,
  PortDevices,
  PORTS,
  ServiceSpec,
  VARIANTS,
} from './lbrp-harness';

const B7: BackendSpec = { id: 7, ip: '192.168.1.77', port: 8080, flags: F_BACKEND_ACTIVE };
const B8: BackendSpec = { id: 8, ip: '192.168.1.88', port: 8080, flags: F_BACKEND_ACTIVE };
const BY_IP = new Map([B1, B2, B7, B8].map((b) => [b.ip, b]));
/** Affinity timeout of the test service, session clock units. */
const TIMEOUT = 40;
const spreadOver = (ids: number[]): number[] => Array.from({ length: TABLE }, (_, i) => ids[i % ids.length]);
const svc = (ids: number[], affinity = true): ServiceSpec => ({
  ...SVC_WEB,
  slots: spreadOver(ids),
  ...(affinity ? { affinityTimeout: TIMEOUT } : {}),
});
const config = (s: ServiceSpec, backends = [B1, B2, B7]): DataplaneConfig =>
  standardConfig({ services: [s], backends });

describeKernel('kernel: lbrp session affinity', () => {
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

    /** The backend address a new flow (SYN) of client:sport to VIP_1:80 went to. */
    const open = (client: string, sport: number): string => {
      const r = lb.run(tcp(client, VIP_1, 80, { sport, syn: true }), PORTS.frontend);
      expect(r.verdict).toBe('redirect');
      return parsePacket(r.data)[1].fields.dst as string;
    };
    /** The Maglev choice of a flow under `s`. */
    const maglev = (s: ServiceSpec, client: string, sport: number): BackendSpec => {
      const flow = { saddr: client, daddr: VIP_1, sport, dport: 80, proto: IPPROTO.TCP };
      return [B1, B2, B7, B8].find(
        (b) => b.id === s.slots[slotForFlow(flow, s.slotBase, TABLE) - s.slotBase],
      ) as BackendSpec;
    };
    const akey = (client: string): Buffer => encodeAffinityKey({ serviceId: SVC_WEB.id, client });
    const entry = (client: string) => {
      const v = lb.map('affinity').lookup(akey(client));
      return v && decodeAffinityValue(v);
    };
    /** Pins `client` to `b` with last_seen `age` clock units before the client's current entry's. */
    const pin = (client: string, b: BackendSpec, age: number): void => {
      const now = (entry(client) as { lastSeen: number }).lastSeen;
      lb.map('affinity').update(
        akey(client),
        encodeAffinityValue({ backendId: b.id, backendIp: b.ip, backendPort: b.port, lastSeen: now - age }),
      );
    };
    /** A sport (from `from`) whose Maglev choice under `s` is not `b`. */
    const sportAwayFrom = (s: ServiceSpec, client: string, b: BackendSpec, from = 20000): number => {
      for (let p = from; p < from + 1000; p++) if (maglev(s, client, p).id !== b.id) return p;
      throw new Error('no such port');
    };

    it('sends 100 new flows of one client to one backend; another client may get another', () => {
      // Without affinity the same flows spread over the three backends.
      lb.configure(config(svc([B1.id, B2.id, B7.id], false)));
      expect(new Set(Array.from({ length: 100 }, (_, i) => open('10.0.5.1', 30000 + i))).size).toBe(3);

      lb.configure(config(svc([B1.id, B2.id, B7.id])));
      const got = Array.from({ length: 100 }, (_, i) => open('10.0.5.1', 30000 + i));
      expect(new Set(got).size).toBe(1);
      // The first flow's Maglev choice became the client's affinity.
      expect(got[0]).toBe(maglev(svc([B1.id, B2.id, B7.id]), '10.0.5.1', 30000).ip);
      const e = entry('10.0.5.1');
      expect(e && { id: e.backendId, ip: e.backendIp }).toEqual({ id: BY_IP.get(got[0])?.id, ip: got[0] });
      expect(lb.sessions('conntrack')).toBe(100);

      // Each of 30 other clients also sticks to one backend, not all the same one.
      const firsts = new Set<string>();
      for (let c = 2; c < 32; c++) {
        const client = `10.0.5.${c}`;
        const seen = new Set(Array.from({ length: 5 }, (_, i) => open(client, 40000 + i)));
        expect(seen.size).toBe(1);
        firsts.add([...seen][0]);
      }
      expect(firsts.size).toBeGreaterThan(1);
    });

    it('holds through table changes that keep its backend', () => {
      const s = svc([B1.id, B2.id]);
      lb.configure(config(s, [B1, B2, B7, B8]));
      const first = open('10.0.6.1', 30000);
      const pinned = BY_IP.get(first) as BackendSpec;
      const other = pinned.id === B1.id ? B2 : B1;
      // The other backend is replaced by B7 and B8: its slots move, the pinned backend keeps its own.
      const changed = svc([pinned.id, B7.id, B8.id]);
      for (let i = 0; i < TABLE; i++) lb.setSlot(SVC_WEB.slotBase + i, changed.slots[i]);
      lb.setBackendActive(other, false);
      for (let i = 1; i <= 40; i++) expect(open('10.0.6.1', 30000 + i)).toBe(pinned.ip);
    });

    it('re-picks by Maglev once the entry has been idle past the timeout', () => {
      const s = svc([B1.id, B2.id, B7.id]);
      lb.configure(config(s));
      open('10.0.7.1', 30000);
      // Pinned to B7, idle just under the timeout (the clock may tick once meanwhile): still
      // followed, even by a flow Maglev sends elsewhere.
      pin('10.0.7.1', B7, TIMEOUT - 1);
      const p1 = sportAwayFrom(s, '10.0.7.1', B7);
      expect(open('10.0.7.1', p1)).toBe(B7.ip);
      // Idle longer than the timeout: the flow goes to its Maglev choice, which is the new affinity.
      pin('10.0.7.1', B7, TIMEOUT + 2);
      const p2 = sportAwayFrom(s, '10.0.7.1', B7, p1 + 1);
      const want = maglev(s, '10.0.7.1', p2);
      expect(open('10.0.7.1', p2)).toBe(want.ip);
      expect(entry('10.0.7.1')?.backendId).toBe(want.id);
      for (let i = 1; i <= 20; i++) expect(open('10.0.7.1', p2 + 1000 + i)).toBe(want.ip);
    });

    it('re-picks when its backend is drained, or its id names another address', () => {
      const s = svc([B1.id, B2.id, B7.id]);
      lb.configure(config(s));
      open('10.0.8.1', 30000);
      pin('10.0.8.1', B7, 0);
      const p1 = sportAwayFrom(s, '10.0.8.1', B7);
      expect(open('10.0.8.1', p1)).toBe(B7.ip);
      // Drained (F_BACKEND_ACTIVE cleared) and out of the table, as the control plane does.
      lb.setBackendActive(B7, false);
      const s2 = svc([B1.id, B2.id]);
      for (let i = 0; i < TABLE; i++) lb.setSlot(SVC_WEB.slotBase + i, s2.slots[i]);
      const want = maglev(s2, '10.0.8.1', p1 + 1);
      expect(open('10.0.8.1', p1 + 1)).toBe(want.ip);
      expect(entry('10.0.8.1')?.backendId).toBe(want.id);
      // An entry whose id now has another address (the id was reused) is not followed either.
      lb.setBackend({ ...B7, ip: '192.168.1.99' });
      pin('10.0.8.1', B7, 0);
      const p3 = p1 + 2;
      expect(open('10.0.8.1', p3)).toBe(maglev(s2, '10.0.8.1', p3).ip);
    });

    it("refreshes the entry with the client's packets on its sessions", () => {
      const s = svc([B1.id, B2.id, B7.id]);
      lb.configure(config(s));
      const first = open('10.0.9.1', 30000);
      const b = BY_IP.get(first) as BackendSpec;
      // Entry and session idle (entry past the timeout); an ACK of the session renews the entry.
      pin('10.0.9.1', b, TIMEOUT + 5);
      const key = encodeFlowKey({
        saddr: '10.0.9.1',
        daddr: VIP_1,
        sport: 30000,
        dport: 80,
        proto: IPPROTO.TCP,
      });
      expect(lb.ageSession('conntrack', key, 1)).toBe(true);
      const stale = entry('10.0.9.1')?.lastSeen as number;
      const r = lb.run(tcp('10.0.9.1', VIP_1, 80, { sport: 30000, ack: true }), PORTS.frontend);
      expect(parsePacket(r.data)[1].fields.dst).toBe(b.ip);
      // Renewed to now (the clock may have ticked once since the pin).
      const renewed = ((entry('10.0.9.1')?.lastSeen as number) - stale) >>> 0;
      expect(renewed === TIMEOUT + 5 || renewed === TIMEOUT + 6).toBe(true);
      const p = sportAwayFrom(s, '10.0.9.1', b);
      expect(open('10.0.9.1', p)).toBe(b.ip);
    });
  });
});
