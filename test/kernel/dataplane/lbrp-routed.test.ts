// ROUTED port mode (issue 22) through BPF_PROG_TEST_RUN: the TC ingress program DNATs client
// packets to a VIP and hands the rest up the stack untouched; the TC egress program reverse-NATs
// replies and lets the host's own traffic leave untouched. The backend here is an address on the
// host itself (127.0.0.2): the FIB answers "local", so the DNATed frame goes up the stack (RX_OK)
// whatever the test machine's routes are; FIB redirects to other hosts are covered in
// test/e2e/lbrp-routed.test.ts, where the routes are the test's own.

import {
  encodeU32,
  F_BACKEND_ACTIVE,
  IPPROTO,
  LOG_LEVEL,
  PCN,
  RX,
  sumU64,
} from '../../../src/lbrp/dataplane/map-layouts';
import { loadObject } from '../../../src/polycubed/runtime/bpf-object';
import { BpfProgType } from '../../../src/polycubed/runtime/bpf-types';
import { buildSkbCtx, testRun } from '../../../src/polycubed/runtime/prog-test-run';
import { CLIENT_1, VIP_1, VIP_2 } from '../../fixtures/addresses';
import { arp, icmpEcho, ipv6, tcp, udp, verifyChecksums } from '../../fixtures/packets';
import { describeKernel } from './describe-kernel';
import {
  compileLbrp,
  LbrpUnderTest,
  PortDevices,
  PORTS,
  variantDefines,
  type BackendSpec,
} from './lbrp-harness';

const LOCAL_BACKEND = '127.0.0.2';
const HOST_ADDR = '10.0.0.254';
const B_WEB: BackendSpec = { id: 1, ip: LOCAL_BACKEND, port: 8080, flags: F_BACKEND_ACTIVE };
const B_DNS: BackendSpec = { id: 2, ip: LOCAL_BACKEND, port: 5353, flags: F_BACKEND_ACTIVE };
const B_PING: BackendSpec = { id: 3, ip: LOCAL_BACKEND, port: 0, flags: F_BACKEND_ACTIVE };
const fill = (id: number): number[] => new Array<number>(13).fill(id);
const ROUTED = { ROUTED_MODE: 1, BACKEND_PORT: -1 };
const TC_ACT_OK = 0;

/** Addresses and ports of a frame's IPv4 and L4 headers. */
function flow(frame: Buffer): { src: string; dst: string; sport: number; dport: number; ttl: number } {
  const ip = frame.subarray(14);
  const ihl = (ip[0] & 0xf) * 4;
  const a = (o: number): string => [...ip.subarray(o, o + 4)].join('.');
  const proto = ip[9];
  const l4 = ip.subarray(ihl);
  const ports =
    proto === IPPROTO.ICMP
      ? { sport: l4.readUInt16BE(4), dport: 0 }
      : { sport: l4.readUInt16BE(0), dport: l4.readUInt16BE(2) };
  return { src: a(12), dst: a(16), ...ports, ttl: ip[8] };
}

/** The frame with IHL 4 (< 5): a header the parser refuses (DROP_BAD_IP_HEADER in SINGLE/MULTI). */
function badIhl(frame: Buffer): Buffer {
  const f = Buffer.from(frame);
  f[14] = 0x44;
  return f;
}

describeKernel('kernel: lbrp ROUTED port mode', () => {
  let devices: PortDevices;
  let lb: LbrpUnderTest;
  let egressFd: number;

  beforeAll(async () => {
    devices = new PortDevices();
    lb = await LbrpUnderTest.load('tc', 'multi', devices, ROUTED);
    egressFd = lb.obj.program('pcn_entry_tc_egress').fd;
  }, 120_000);

  afterAll(() => {
    lb?.obj.close();
    devices?.cleanup();
  });

  beforeEach(() => {
    lb.configure({
      services: [
        { vip: VIP_1, vport: 80, proto: IPPROTO.TCP, id: 1, slotBase: 0, slots: fill(B_WEB.id) },
        { vip: VIP_1, vport: 53, proto: IPPROTO.UDP, id: 2, slotBase: 16, slots: fill(B_DNS.id) },
        { vip: VIP_1, vport: 0, proto: IPPROTO.ICMP, id: 3, slotBase: 32, slots: fill(B_PING.id) },
        { vip: VIP_2, vport: 80, proto: IPPROTO.TCP, id: 4, slotBase: 48, slots: [] },
      ],
      backends: [B_WEB, B_DNS, B_PING],
      frontendIps: {},
    });
  });

  /** Runs a frame leaving netdev `ifindex` (TC egress): retval and output frame. */
  function egress(
    frame: Buffer,
    ifindex = devices.ifindex[PORTS.frontend],
  ): { retval: number; data: Buffer } {
    const res = testRun(egressFd, { data: frame, ctxIn: buildSkbCtx({ ifindex }) });
    return { retval: res.retval, data: res.data };
  }

  it('builds an ingress and an egress TC program, and refuses to build for XDP', async () => {
    expect(lb.obj.program('pcn_entry_tc').type).toBe(BpfProgType.SCHED_CLS);
    expect(lb.obj.program('pcn_entry_tc_egress').type).toBe(BpfProgType.SCHED_CLS);
    await expect(compileLbrp(variantDefines('xdp', 'multi', ROUTED))).rejects.toThrow(
      /ROUTED_MODE needs the TC hook/,
    );
    // With every TRACE and DEBUG line compiled in, both programs still pass the verifier.
    const traced = { ...ROUTED, LOG_LEVEL: LOG_LEVEL.TRACE, MAX_SESSIONS: 1024 };
    loadObject({ objPath: await compileLbrp(variantDefines('tc', 'multi', traced)) }).close();
  });

  it.each([
    ['TCP', tcp(CLIENT_1, VIP_1, 80, { syn: true, sport: 41000 }), 41000, 8080],
    ['UDP', udp(CLIENT_1, VIP_1, 53, { sport: 41001 }), 41001, 5353],
    ['ICMP echo', icmpEcho(CLIENT_1, VIP_1, { id: 0x4242 }), 0x4242, 0],
  ])(
    '%s to the VIP is DNATed to the local backend and handed to the stack; its reply leaves reverse-NATed',
    (_n, frame, sport, bport) => {
      const r = lb.run(frame, PORTS.frontend);
      expect(r.verdict).toBe('pass');
      expect(r.rxCode).toBe(RX.OK);
      const f = flow(r.data);
      expect(f).toMatchObject({ src: CLIENT_1, dst: LOCAL_BACKEND, sport });
      if (bport) expect(f.dport).toBe(bport);
      expect(f.ttl).toBe(flow(frame).ttl); // not forwarded here: the stack decrements it if it forwards
      expect(verifyChecksums(r.data)).toEqual([]);
      expect(lb.sessions('conntrack')).toBe(1);

      const reply =
        bport === 0
          ? icmpEcho(LOCAL_BACKEND, CLIENT_1, { id: 0x4242, reply: true })
          : _n === 'TCP'
            ? tcp(LOCAL_BACKEND, CLIENT_1, sport, { sport: bport, syn: true, ack: true })
            : udp(LOCAL_BACKEND, CLIENT_1, sport, { sport: bport });
      const out = egress(reply);
      expect(out.retval).toBe(TC_ACT_OK);
      const g = flow(out.data);
      expect(g).toMatchObject({ src: VIP_1, dst: CLIENT_1 });
      if (bport) expect(g).toMatchObject({ sport: bport === 8080 ? 80 : 53, dport: sport });
      expect(verifyChecksums(out.data)).toEqual([]);
    },
  );

  it.each([
    ['TCP to the host itself (ssh)', tcp(CLIENT_1, HOST_ADDR, 22, { syn: true })],
    ['TCP to a VIP port without a service', tcp(CLIENT_1, VIP_1, 443, { syn: true })],
    ['UDP to another address', udp(CLIENT_1, VIP_2, 53)],
    ['TCP to a service without backends', tcp(CLIENT_1, VIP_2, 80, { syn: true })],
    ['ARP', arp(CLIENT_1, HOST_ADDR)],
    ['IPv6', ipv6()],
    ['an IPv4 header the parser refuses (IHL 4)', badIhl(tcp(CLIENT_1, VIP_1, 80, { syn: true }))],
  ])('ingress: %s goes up the stack untouched', (_n, frame) => {
    const r = lb.run(frame, PORTS.frontend);
    expect(r.verdict).toBe('pass');
    expect(r.data.equals(frame)).toBe(true);
    expect(lb.sessions('conntrack')).toBe(0);
  });

  it.each([
    ['the host answering ssh', tcp(HOST_ADDR, CLIENT_1, 41000, { sport: 22, syn: true, ack: true })],
    [
      'a local backend port reached directly, not through the VIP',
      tcp(LOCAL_BACKEND, CLIENT_1, 41000, { sport: 9999 }),
    ],
    ['ARP', arp(HOST_ADDR, CLIENT_1)],
    ['IPv6', ipv6()],
  ])('egress: %s leaves untouched', (_n, frame) => {
    const out = egress(frame);
    expect(out.retval).toBe(TC_ACT_OK);
    expect(out.data.equals(frame)).toBe(true);
  });

  it('egress on a netdev the daemon has not mapped lets the frame go (counted)', () => {
    const stats = lb.map('pcn_runtime_stats');
    const unknown = (): bigint => sumU64(stats.lookupPerCpu(encodeU32(PCN.STAT_UNKNOWN_IFINDEX)) ?? []);
    const before = unknown();
    const frame = tcp(HOST_ADDR, CLIENT_1, 41000, { sport: 22, ack: true });
    const out = egress(frame, 1); // lo: never a port
    expect(out.retval).toBe(TC_ACT_OK);
    expect(out.data.equals(frame)).toBe(true);
    expect(unknown()).toBe(before + 1n);
  });
});
