// BackendPortProber against a scripted link: the frames it sends out of the BACKEND port are
// decoded by the test's own parser (test/fixtures/packets), and the replies it is handed are
// built with the same fixtures, as the dataplane hands them up.

import { arp, icmpEcho, icmpError, parsePacket, tcp, verifyChecksums } from '../../../fixtures/packets';
import { PROBE_ICMP_ID, PROBE_PORT_COUNT, PROBE_PORT_MIN } from '../../../../src/lbrp/dataplane/map-layouts';
import { BackendPortProber } from '../../../../src/lbrp/health/probes/port-prober';
import { probeSiteOf } from '../../../../src/lbrp/health/probe-site';
import { createCube } from '../../../../src/lbrp/model/cube-rules';
import type { ProbeResult } from '../../../../src/lbrp/health/probes';

const SRC = '10.0.0.250';
const IDS = { portMin: PROBE_PORT_MIN, portCount: PROBE_PORT_COUNT, icmpId: PROBE_ICMP_ID };
const HOP = '10.0.0.254';
const BACKEND = '192.168.1.11';
const HOP_MAC = '02:00:00:00:0a:fe';
const SRC_MAC = '02:6c:0a:00:00:fa';

interface Sent {
  cube: string;
  port: string;
  frame: Buffer;
}

type Fields = Record<string, unknown>;
const layers = (f: Buffer): Fields[] => parsePacket(f).map((l) => ({ kind: l.name, ...l.fields }));

function setup(nextHop = HOP) {
  const sent: Sent[] = [];
  let fail = false;
  const prober = new BackendPortProber(async (cube, port, frame) => {
    if (fail) throw new Error('port down');
    sent.push({ cube, port, frame });
  }, IDS);
  prober.configure('lb0', { port: 'be', source: SRC, nextHop });
  return { sent, prober, failSends: () => (fail = true) };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('BackendPortProber', () => {
  it('ARPs for the next hop once, then sends a checksummed SYN from the probe source and port range', async () => {
    const { sent, prober } = setup();
    const tcpProbe = prober.prober('lb0', 'TCP');
    const done = tcpProbe?.({ ip: BACKEND, port: 8080, timeoutMs: 500 });
    await tick();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ cube: 'lb0', port: 'be' });
    expect(layers(sent[0].frame)[0]).toMatchObject({ kind: 'eth', dst: 'ff:ff:ff:ff:ff:ff', src: SRC_MAC });
    expect(layers(sent[0].frame)[1]).toMatchObject({ kind: 'arp', op: 1, spa: SRC, tpa: HOP, sha: SRC_MAC });
    prober.onPacketIn(
      'lb0',
      arp(HOP, SRC, { op: 'reply', senderMac: HOP_MAC, srcMac: HOP_MAC, targetMac: SRC_MAC }),
    );
    await tick();
    expect(sent).toHaveLength(2);
    const syn = layers(sent[1].frame);
    expect(verifyChecksums(sent[1].frame)).toEqual([]);
    expect(syn[0]).toMatchObject({ dst: HOP_MAC, src: SRC_MAC });
    expect(syn[1]).toMatchObject({ src: SRC, dst: BACKEND });
    const sport = syn[2].sport as number;
    expect(sport >= PROBE_PORT_MIN && sport < PROBE_PORT_MIN + PROBE_PORT_COUNT).toBe(true);
    expect(syn[2]).toMatchObject({ dport: 8080, flags: 'SYN' });
    // The SYN-ACK passes the probe and is answered with a RST (seq = its ack), to the same MAC.
    const seq = syn[2].seq as number;
    prober.onPacketIn(
      'lb0',
      tcp(BACKEND, SRC, sport, {
        sport: 8080,
        syn: true,
        ack: true,
        ackNum: (seq + 1) >>> 0,
        srcMac: HOP_MAC,
      }),
    );
    const r = (await done) as ProbeResult;
    expect([r.ok, r.detail]).toEqual([true, expect.stringMatching(/^TCP SYN-ACK in \d+ ms \(port be\)$/)]);
    expect(sent).toHaveLength(3);
    const rst = layers(sent[2].frame);
    expect(verifyChecksums(sent[2].frame)).toEqual([]);
    expect(rst[0]).toMatchObject({ dst: HOP_MAC });
    expect(rst[2]).toMatchObject({ sport, dport: 8080, seq: (seq + 1) >>> 0, flags: 'RST' });
    // A second probe uses the learned MAC: no ARP.
    void tcpProbe?.({ ip: BACKEND, port: 8080, timeoutMs: 50 });
    await tick();
    expect(layers(sent[3].frame)[2]).toMatchObject({ flags: 'SYN' });
    prober.stop();
  });

  it('fails at once on a RST and at the timeout on silence; a stray reply settles nothing', async () => {
    const { sent, prober } = setup();
    prober.onPacketIn('lb0', arp(HOP, SRC, { op: 'reply', senderMac: HOP_MAC, srcMac: HOP_MAC }));
    const p = prober.prober('lb0', 'TCP');
    const refused = p?.({ ip: BACKEND, port: 8080, timeoutMs: 1000 });
    await tick();
    const syn = layers(sent[0].frame)[2];
    // Wrong ack (another probe's), then the right one.
    prober.onPacketIn(
      'lb0',
      tcp(BACKEND, SRC, syn.sport as number, { sport: 8080, rst: true, ack: true, ackNum: 7 }),
    );
    prober.onPacketIn(
      'lb0',
      tcp(BACKEND, SRC, syn.sport as number, {
        sport: 8080,
        rst: true,
        ack: true,
        ackNum: ((syn.seq as number) + 1) >>> 0,
      }),
    );
    expect(await refused).toMatchObject({ ok: false, detail: expect.stringMatching(/^TCP refused \(RST\)/) });
    const t0 = Date.now();
    expect(await p?.({ ip: BACKEND, port: 8080, timeoutMs: 60 })).toEqual({
      ok: false,
      detail: 'TCP no answer in 60 ms (port be)',
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    expect(prober.outstanding).toBe(0);
  });

  it('ICMP: an echo request with the probe identifier, passed by the matching reply', async () => {
    const { sent, prober } = setup('0.0.0.0');
    // No next hop: the backend itself is asked (and learned from its ARP request for the source).
    prober.onPacketIn('lb0', arp(BACKEND, SRC, { senderMac: HOP_MAC, srcMac: HOP_MAC }));
    expect(layers(sent[0].frame)[1]).toMatchObject({
      kind: 'arp',
      op: 2,
      spa: SRC,
      tpa: BACKEND,
      tha: HOP_MAC,
    });
    expect(layers(sent[0].frame)[0]).toMatchObject({ dst: HOP_MAC, src: SRC_MAC });
    const done = prober.prober('lb0', 'ICMP')?.({ ip: BACKEND, port: 0, timeoutMs: 500 });
    await tick();
    const echo = layers(sent[1].frame);
    expect(verifyChecksums(sent[1].frame)).toEqual([]);
    expect(echo[1]).toMatchObject({ src: SRC, dst: BACKEND });
    expect(echo[2]).toMatchObject({ type: 8 });
    const rest = Buffer.from(echo[2].rest as string, 'hex');
    expect(rest.readUInt16BE(0)).toBe(PROBE_ICMP_ID);
    const seq = rest.readUInt16BE(2);
    prober.onPacketIn('lb0', icmpEcho(BACKEND, SRC, { reply: true, id: PROBE_ICMP_ID ^ 1, seq }));
    prober.onPacketIn('lb0', icmpEcho(BACKEND, SRC, { reply: true, id: PROBE_ICMP_ID, seq }));
    expect(await done).toMatchObject({ ok: true, detail: expect.stringMatching(/^ICMP echo reply in/) });
  });

  it('fails at once on an ICMP error quoting the probe', async () => {
    const { sent, prober } = setup();
    prober.onPacketIn('lb0', arp(HOP, SRC, { op: 'reply', senderMac: HOP_MAC, srcMac: HOP_MAC }));
    const done = prober.prober('lb0', 'TCP')?.({ ip: BACKEND, port: 8080, timeoutMs: 5000 });
    await tick();
    prober.onPacketIn('lb0', icmpError(HOP, SRC, sent[0].frame, { code: 1, srcMac: HOP_MAC }));
    expect(await done).toMatchObject({
      ok: false,
      detail: expect.stringMatching(
        /^TCP unreachable \(ICMP 3\/1 from 10\.0\.0\.254\) in \d+ ms \(port be\)$/,
      ),
    });
  });

  it('fails without an ARP reply, and when the packet-out fails', async () => {
    const { prober, failSends } = setup();
    expect(await prober.prober('lb0', 'ICMP')?.({ ip: BACKEND, port: 0, timeoutMs: 30 })).toEqual({
      ok: false,
      detail: `ICMP no ARP reply from ${HOP}`,
    });
    prober.onPacketIn('lb0', arp(HOP, SRC, { op: 'reply', senderMac: HOP_MAC, srcMac: HOP_MAC }));
    failSends();
    expect(await prober.prober('lb0', 'TCP')?.({ ip: BACKEND, port: 80, timeoutMs: 500 })).toEqual({
      ok: false,
      detail: 'packet-out failed: port down (port be)',
    });
  });

  it('is one prober per site; another site or none changes it', () => {
    const { prober } = setup();
    const a = prober.prober('lb0', 'TCP');
    expect(prober.prober('lb0', 'TCP')).toBe(a);
    prober.configure('lb0', { port: 'be', source: SRC, nextHop: HOP });
    expect(prober.prober('lb0', 'TCP')).toBe(a);
    prober.configure('lb0', { port: 'be', source: '10.0.0.249', nextHop: HOP });
    expect(prober.prober('lb0', 'TCP')).not.toBe(a);
    prober.configure('lb0', undefined);
    expect(prober.prober('lb0', 'TCP')).toBeUndefined();
    expect(prober.prober('lb1', 'ICMP')).toBeUndefined();
  });
});

describe('probeSiteOf', () => {
  const cube = (mode: 'SINGLE' | 'MULTI' | 'ROUTED', source: string, backendPort = true) => {
    const ports = [
      { name: 'fe', type: 'FRONTEND' as const, ...(mode === 'MULTI' ? { ip: '10.0.0.9' } : {}) },
      ...(backendPort && mode !== 'ROUTED' ? [{ name: 'be', type: 'BACKEND' as const }] : []),
    ];
    const m = createCube('lb0', {
      portMode: mode,
      ports,
      session: { probeSource: source, probeNextHop: HOP },
    });
    if (!m.ok) throw new Error(m.error.message);
    return m.value;
  };

  it('is the BACKEND port with a probe-source in SINGLE and MULTI; none otherwise', () => {
    expect(probeSiteOf(cube('SINGLE', SRC))).toEqual({ port: 'be', source: SRC, nextHop: HOP });
    expect(probeSiteOf(cube('MULTI', SRC))).toEqual({ port: 'be', source: SRC, nextHop: HOP });
    expect(probeSiteOf(cube('SINGLE', '0.0.0.0'))).toBeUndefined();
    expect(probeSiteOf(cube('SINGLE', SRC, false))).toBeUndefined();
    expect(probeSiteOf(cube('ROUTED', SRC))).toBeUndefined();
  });

  it('refuses a probe-source that is not an address, naming the leaf', () => {
    const m = createCube('lb0', { session: { probeSource: '10.0.0' } });
    expect(m.ok ? '' : m.error.info).toBe('probe-source');
  });
});
