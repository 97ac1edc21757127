// Session purge (src/lbrp/sync/session-purge.ts) on the real session table, TC and XDP: sessions
// created by real frames through BPF_PROG_TEST_RUN, then a backend's sessions purged through a
// CubeHost over the program's maps: its conntrack and reverse NAT entries are gone, the other
// backends' sessions are untouched and keep their backend, and a purged flow's next packet is
// balanced again (to another backend once the purged one is drained and out of the table).

import { VIP_1 } from '../../fixtures/addresses';
import { tcp, parsePacket } from '../../fixtures/packets';
import { decodeConntrackValue, encodeFlowKey, IPPROTO } from '../../../src/lbrp/dataplane/map-layouts';
import type { CubeHost } from '../../../src/lbrp/sync/cube-host';
import { purgeBackendSessions } from '../../../src/lbrp/sync/session-purge';
import { B1, B2, SVC_WEB, standardConfig, TABLE, withBackendVips } from './lbrp-config';
import { describeKernel } from './describe-kernel';
import { DataplaneConfig, Hook, LbrpUnderTest, PortDevices, PORTS } from './lbrp-harness';

const BOTH = (): DataplaneConfig =>
  standardConfig({
    services: [{ ...SVC_WEB, slots: Array.from({ length: TABLE }, (_, i) => (i % 2 ? B2.id : B1.id)) }],
    backends: [B1, B2],
  });
const FLOWS = 40;
const client = (i: number): string => `10.0.7.${1 + i}`;

/** A CubeHost whose maps are the loaded program's (only what the purge uses). */
function hostOver(lb: LbrpUnderTest): CubeHost {
  const fail = (): never => {
    throw new Error('not used by the purge');
  };
  return {
    loadDataplane: fail,
    sendPacket: fail,
    getCube: fail,
    readMaps: async (_cube, map, keys) => {
      const m = lb.map(map);
      if (!keys || keys.length === 0) return m.dump().map(([key, value]) => ({ key, value, perCpu: [] }));
      return keys.flatMap((key) => {
        const value = m.lookup(key);
        return value ? [{ key, value, perCpu: [] }] : [];
      });
    },
    writeMaps: async (_cube, ops) => {
      for (const op of ops) lb.map(op.map).update(op.key, op.value as Buffer);
      return ops.length;
    },
  };
}

describeKernel('kernel: lbrp session purge', () => {
  let devices: PortDevices;
  beforeAll(() => {
    devices = new PortDevices();
  });
  afterAll(() => devices?.cleanup());

  describe.each([
    ['tc', 'reverse_nat'],
    ['xdp', 'reverse_nat'],
    ['tc', 'backend_to_vip'],
  ] as Array<[Hook, string]>)('%s %s', (hook, replies) => {
    let lb: LbrpUnderTest;
    beforeAll(async () => {
      lb = await LbrpUnderTest.load(hook, 'single', devices);
    });
    afterAll(() => lb?.close());

    const config = (): DataplaneConfig => (replies === 'backend_to_vip' ? withBackendVips(BOTH()) : BOTH());
    const backendOf = (i: number): string | undefined => {
      const v = lb.session(
        'conntrack',
        encodeFlowKey({ saddr: client(i), daddr: VIP_1, sport: 5000, dport: 80, proto: IPPROTO.TCP }),
      );
      return v && decodeConntrackValue(v).backendIp;
    };

    it("removes both entries of the backend's sessions and nothing else", async () => {
      lb.configure(config());
      for (let i = 0; i < FLOWS; i++)
        expect(lb.run(tcp(client(i), VIP_1, 80, { sport: 5000, syn: true }), PORTS.frontend).verdict).toBe(
          'redirect',
        );
      const before = Array.from({ length: FLOWS }, (_, i) => backendOf(i));
      const onB1 = before.filter((b) => b === B1.ip).length;
      expect(onB1).toBeGreaterThan(5);
      expect(FLOWS - onB1).toBeGreaterThan(5);
      const reverseBefore = lb.sessions('reverse_nat');

      const r = await purgeBackendSessions(hostOver(lb), 'cube', [{ id: B1.id, ip: B1.ip, port: B1.port }]);

      expect(r.forward).toBe(onB1);
      // With backend_to_vip the backends are F_BACKEND_UNIQUE: no reverse entries were written.
      expect(r.reverse).toBe(replies === 'backend_to_vip' ? 0 : onB1);
      expect(lb.sessions('conntrack')).toBe(FLOWS - onB1);
      expect(lb.sessions('reverse_nat')).toBe(reverseBefore - r.reverse);
      const after = Array.from({ length: FLOWS }, (_, i) => backendOf(i));
      expect(after).toEqual(before.map((b) => (b === B1.ip ? undefined : b)));
      expect(lb.sessionEntries('reverse_nat').every((e) => e.value.readUInt32LE(16) !== B1.id)).toBe(true);

      // B1 drained and out of the table: a purged flow's next (mid-flow) packet goes to B2.
      lb.setBackendActive(B1, false);
      for (let s = 0; s < TABLE; s++) lb.setSlot(SVC_WEB.slotBase + s, B2.id);
      const i = before.indexOf(B1.ip);
      const res = lb.run(tcp(client(i), VIP_1, 80, { sport: 5000, ack: true }), PORTS.frontend);
      expect(res.verdict).toBe('redirect');
      expect(parsePacket(res.data)[1].fields.dst).toBe(B2.ip);
      expect(backendOf(i)).toBe(B2.ip);
    });
  });
});
