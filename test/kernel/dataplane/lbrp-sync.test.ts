// Session sync (src/cluster/sync-*.ts) between two loaded lbrp programs, through two SyncAgents
// over loopback TCP: node A creates sessions from real SYNs (BPF_PROG_TEST_RUN); node B has
// other backend ids, another service id, another secret and one more backend that takes most of
// its Maglev table (the backend set changed). After sync, each synced flow's mid-flow packet on B
// goes to A's backend, not to B's Maglev choice (predicted with the TS flow-hash mirror and
// checked on a flow that was not synced), its entry sits at the bucket B's secret gives, the
// backend's reply is reverse-NATed on B, and a session B had of its own is left alone.

import { randomInt } from 'node:crypto';
import { BACKEND_1, BACKEND_2, BACKEND_3, VIP_1 } from '../../fixtures/addresses';
import { parsePacket, tcp } from '../../fixtures/packets';
import {
  decodeConntrackValue,
  encodeFlowKey,
  F_BACKEND_ACTIVE,
  IPPROTO,
} from '../../../src/lbrp/dataplane/map-layouts';
import { slotForFlow } from '../../../src/lbrp/dataplane/flow-hash';
import { decodeSessionBucket, sessionBucketOf } from '../../../src/lbrp/dataplane/session-table';
import { sessionClock } from '../../../src/lbrp/dataplane/session-clock';
import type { CubeMaps } from '../../../src/cluster/sync-apply';
import { SyncAgent } from '../../../src/cluster/sync-agent';
import { standardConfig, SVC_WEB, TABLE } from './lbrp-config';
import { describeKernel } from './describe-kernel';
import { BackendSpec, LbrpUnderTest, PortDevices, PORTS } from './lbrp-harness';

const A1: BackendSpec = { id: 1, ip: BACKEND_1, port: 8080, flags: F_BACKEND_ACTIVE };
const A2: BackendSpec = { id: 2, ip: BACKEND_2, port: 8080, flags: F_BACKEND_ACTIVE };
// B: the same two backends under other ids, plus BACKEND_3 added (most of the table).
const B1: BackendSpec = { id: 21, ip: BACKEND_1, port: 8080, flags: F_BACKEND_ACTIVE };
const B2: BackendSpec = { id: 22, ip: BACKEND_2, port: 8080, flags: F_BACKEND_ACTIVE };
const B3: BackendSpec = { id: 23, ip: BACKEND_3, port: 8080, flags: F_BACKEND_ACTIVE };
const SLOTS_A = Array.from({ length: TABLE }, (_, i) => (i % 2 ? A2.id : A1.id));
const SLOTS_B = Array.from({ length: TABLE }, (_, i) => (i === 0 ? B1.id : i === 1 ? B2.id : B3.id));
const SVC_B = { ...SVC_WEB, id: 5, slotBase: 200, slots: SLOTS_B };
const FLOWS = 30;
const client = (i: number): string => `10.0.9.${1 + i}`;
const flow = (i: number) => ({ saddr: client(i), daddr: VIP_1, sport: 5000, dport: 80, proto: IPPROTO.TCP });
const secret = (): [number, number, number, number] => [
  randomInt(2 ** 32),
  randomInt(2 ** 32),
  randomInt(2 ** 32),
  randomInt(2 ** 32),
];

const mapsOf = (lb: LbrpUnderTest): CubeMaps => ({
  sessions: lb.map('sessions'),
  session_config: lb.map('session_config'),
  services: lb.map('services'),
  maglev_slots: lb.map('maglev_slots'),
  backends: lb.map('backends'),
});

/** B's Maglev choice for flow i (the address). */
const maglevB = (i: number): string => {
  const id = SLOTS_B[slotForFlow(flow(i), 0, TABLE)];
  return [B1, B2, B3].find((b) => b.id === id)?.ip as string;
};

describeKernel('kernel: lbrp session sync', () => {
  let devices: PortDevices;
  let a: LbrpUnderTest;
  let b: LbrpUnderTest;
  const agents: SyncAgent[] = [];
  beforeAll(async () => {
    devices = new PortDevices();
    a = await LbrpUnderTest.load('tc', 'single', devices);
    b = await LbrpUnderTest.load('tc', 'single', devices);
  });
  afterAll(async () => {
    await Promise.all(agents.map((x) => x.stop()));
    a?.close();
    b?.close();
    devices?.cleanup();
  });

  it("a synced session is found on the other node at its own secret's bucket and keeps its backend", async () => {
    a.configure(standardConfig({ services: [{ ...SVC_WEB, slots: SLOTS_A }], backends: [A1, A2] }));
    b.configure(standardConfig({ services: [SVC_B], backends: [B1, B2, B3] }));
    const secretB = secret();
    a.setSessionConfig({ secret: secret() });
    b.setSessionConfig({ secret: secretB });

    // Sessions on A; flow 0 also has a session of its own on B (B's Maglev choice).
    const onA = Array.from({ length: FLOWS }, (_, i) => {
      const r = a.run(tcp(client(i), VIP_1, 80, { sport: 5000, syn: true }), PORTS.frontend);
      expect(r.verdict).toBe('redirect');
      return parsePacket(r.data)[1].fields.dst as string;
    });
    const local0 = b.run(tcp(client(0), VIP_1, 80, { sport: 5000, syn: true }), PORTS.frontend);
    expect(parsePacket(local0.data)[1].fields.dst).toBe(maglevB(0));
    // The flows where sync must make a difference: B's table would send them elsewhere.
    const moved = onA.map((_, i) => i).filter((i) => i > 0 && onA[i] !== maglevB(i));
    expect(moved.length).toBeGreaterThan(FLOWS / 2);

    const clock = await sessionClock();
    const key = Buffer.alloc(32, 0x5e);
    const common = { key, listen: { host: '127.0.0.1', port: 0 }, clock: () => clock.now(), intervalMs: 20 };
    const agentB = new SyncAgent({
      ...common,
      node: 'sy-b',
      peers: [],
      cubes: [{ name: 'sy', maps: mapsOf(b) }],
    });
    agents.push(agentB);
    await agentB.start();
    const agentA = new SyncAgent({
      ...common,
      node: 'sy-a',
      peers: [agentB.address()],
      cubes: [{ name: 'sy', maps: mapsOf(a) }],
      bucketsPerTick: 64, // 512 buckets: a full pass takes 8 ticks
    });
    agents.push(agentA);
    await agentA.start();
    const counts = agentB.stats.apply.sy;
    for (let i = 0; i < 400 && counts.inserted + counts.keptLocal < 2 * FLOWS; i++)
      await new Promise((r) => setTimeout(r, 25));
    // Both entries of every session; flow 0's forward entry is B's own (kept); its reverse entry
    // names A's backend, which B's own session (to maglevB(0)) does not, unless they agree.
    expect(counts.inserted + counts.keptLocal).toBe(2 * FLOWS);
    expect(counts.keptLocal).toBe(onA[0] === maglevB(0) ? 2 : 1);
    expect(counts).toMatchObject({ unknownBackend: 0, unknownService: 0, full: 0 });

    const sessions = b.map('sessions');
    const buckets = sessions.maxEntries;
    for (const i of moved) {
      // At the bucket B's secret gives, with B's ids.
      const k = encodeFlowKey(flow(i));
      const at = sessionBucketOf(k, buckets, secretB);
      const raw = sessions.lookupRange(at, 1);
      const e = decodeSessionBucket(raw).find((x) => x.key.equals(k));
      expect(e && decodeConntrackValue(e.value)).toMatchObject({
        backendIp: onA[i],
        backendId: onA[i] === BACKEND_1 ? B1.id : B2.id,
        serviceId: SVC_B.id,
      });
      // A mid-flow packet on B goes to A's backend, not B's choice.
      const r = b.run(tcp(client(i), VIP_1, 80, { sport: 5000, ack: true }), PORTS.frontend);
      expect(r.verdict).toBe('redirect');
      expect({ i, dst: parsePacket(r.data)[1].fields.dst }).toEqual({ i, dst: onA[i] });
      // The backend's reply is reverse-NATed on B (its reverse entry was synced too).
      const reply = b.run(tcp(onA[i], client(i), 5000, { sport: 8080, ack: true }), PORTS.backend);
      expect(reply.verdict).toBe('redirect');
      const l = parsePacket(reply.data);
      expect({ src: l[1].fields.src, sport: l[2].fields.sport }).toEqual({ src: VIP_1, sport: 80 });
    }
    // B's own session of flow 0 kept its backend.
    const own = b.run(tcp(client(0), VIP_1, 80, { sport: 5000, ack: true }), PORTS.frontend);
    expect(parsePacket(own.data)[1].fields.dst).toBe(maglevB(0));
    // Without sync: a flow A never saw goes where B's table says (the prediction above holds).
    const fresh = FLOWS + 5;
    const r = b.run(tcp(client(fresh), VIP_1, 80, { sport: 5000, syn: true }), PORTS.frontend);
    expect(parsePacket(r.data)[1].fields.dst).toBe(maglevB(fresh));
  });
});
