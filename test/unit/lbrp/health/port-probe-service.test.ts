// TCP health probes out of the BACKEND port through the lbrp service over the in-memory host: a
// cube with probe-source compiles PROBE_SRC in, its probes leave as packet-out on the BACKEND port
// (ARP for the next hop first), the replies it is handed (REASON_PROBE_REPLY) decide the health,
// and a cube without probe-source sends nothing (its probes use the host's stack).

import { ErrorCode, type ConfigAnswer, type ConfigKey } from '../../../../src/service-kit';
import { LbrpService } from '../../../../src/lbrp/service';
import { FakeHost } from '../../../fixtures/lbrp/fake-host';
import { fixedClock } from '../../../../src/lbrp/dataplane/session-clock';
import { REASON_PROBE_REPLY } from '../../../../src/lbrp/dataplane/map-layouts';
import { arp, parsePacket, tcp } from '../../../fixtures/packets';
import { configRequest, serviceKeys } from '../../../fixtures/lbrp/config-requests';

const clock = async () => fixedClock(250, async () => 1000n << 8n);
const req = configRequest;
const WEB: ConfigKey[] = serviceKeys('10.10.0.100', '80', 'tcp');
const ok = (a: ConfigAnswer): unknown =>
  a.code === undefined || a.code === ErrorCode.OK ? (a.body ?? 'ok') : `${a.code}: ${a.message}`;
const HOP_MAC = '02:00:00:00:0a:fe';

async function until<T>(what: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('health probes out of the BACKEND port (lbrp service)', () => {
  const services: LbrpService[] = [];
  afterEach(() => services.splice(0).forEach((s) => s.stop()));

  function start(): { host: FakeHost; svc: LbrpService } {
    const host = new FakeHost();
    host.addCube('lb0', [
      { name: 'fe', id: 0 },
      { name: 'be', id: 1 },
    ]);
    const svc = new LbrpService(host, { log: () => undefined, clock, statsTtlMs: 0, healthHoldMs: 0 });
    services.push(svc);
    return { host, svc };
  }
  const packetIn = (svc: LbrpService, packet: Buffer) =>
    svc.onPacketIn({
      cube: 'lb0',
      portId: 1,
      portName: 'be',
      reason: REASON_PROBE_REPLY,
      metadata: [],
      trafficClass: 0,
      packet,
    });

  it('probes through packet-out with ARP, SYN and RST; the handed-up replies make the backend UP', async () => {
    const { host, svc } = start();
    const created = await svc.onConfig(
      req('CREATE', '/lbrp', [], {
        name: 'lb0',
        ports: [
          { name: 'fe', type: 'FRONTEND' },
          { name: 'be', type: 'BACKEND' },
        ],
        'probe-source': '10.0.0.250',
        'probe-next-hop': '10.0.0.254',
      }),
    );
    expect(ok(created)).toBe('ok');
    expect(host.loads('lb0').at(-1)?.defines?.PROBE_SRC).toBe(0x0a0000fa);
    expect(
      ok(
        await svc.onConfig(
          req('CREATE', '/lbrp/service', WEB, {
            backend: [{ ip: '192.168.1.11', port: 8080 }],
            'health-check': { type: 'TCP', interval: 100, timeout: 90, rise: 1, fall: 1 },
          }),
        ),
      ),
    ).toBe('ok');
    const sent = host.sent('lb0');
    const arpReq = await until(() => sent.find((s) => parsePacket(s.packet)[1]?.name === 'arp'));
    expect(arpReq.port).toBe('be');
    expect(parsePacket(arpReq.packet)[1].fields).toMatchObject({
      op: 1,
      spa: '10.0.0.250',
      tpa: '10.0.0.254',
    });
    packetIn(svc, arp('10.0.0.254', '10.0.0.250', { op: 'reply', senderMac: HOP_MAC, srcMac: HOP_MAC }));
    const syn = await until(() => sent.find((s) => parsePacket(s.packet)[2]?.fields.flags === 'SYN'));
    const f = parsePacket(syn.packet);
    expect([syn.port, f[0].fields.dst, f[1].fields.src, f[1].fields.dst, f[2].fields.dport]).toEqual([
      'be',
      HOP_MAC,
      '10.0.0.250',
      '192.168.1.11',
      8080,
    ]);
    packetIn(
      svc,
      tcp('192.168.1.11', '10.0.0.250', f[2].fields.sport as number, {
        sport: 8080,
        syn: true,
        ack: true,
        ackNum: ((f[2].fields.seq as number) + 1) >>> 0,
        srcMac: HOP_MAC,
      }),
    );
    const health = async () =>
      ok(
        await svc.onConfig(
          req('READ', '/lbrp/service/backend/health', [
            ...WEB,
            { list: 'backend', name: 'ip', value: '192.168.1.11' },
          ]),
        ),
      );
    await until(async () => ((await health()) === 'up' ? true : undefined));
    expect(sent.some((s) => parsePacket(s.packet)[2]?.fields.flags === 'RST')).toBe(true);
    // Without replies the next probes time out: DOWN.
    await until(async () => ((await health()) === 'down' ? true : undefined));
    // probe-source 0.0.0.0: no packet-out (the host's stack probes), no PROBE_SRC.
    expect(ok(await svc.onConfig(req('UPDATE', '/lbrp/probe-source', [], '0.0.0.0')))).toBe('ok');
    expect(host.loads('lb0').at(-1)?.defines?.PROBE_SRC).toBeUndefined();
    const n = sent.length;
    await new Promise((r) => setTimeout(r, 250));
    expect(sent.length - n).toBeLessThanOrEqual(1); // at most one frame already on its way
  });

  it('refuses a probe-source that is not an IPv4 address, naming the leaf', async () => {
    const { svc } = start();
    await svc.onConfig(req('CREATE', '/lbrp', [], { name: 'lb0' }));
    expect(await svc.onConfig(req('UPDATE', '/lbrp/probe-next-hop', [], '10.0.0.300'))).toMatchObject({
      code: ErrorCode.BAD_ATTRIBUTE,
      errorInfo: 'probe-next-hop',
    });
  });
});
