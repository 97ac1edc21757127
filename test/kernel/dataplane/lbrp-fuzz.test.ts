// Fuzzes the lbrp dataplane through BPF_PROG_TEST_RUN, TC and XDP, SINGLE and MULTI: valid
// frames with random fields, mutations of them (byte flips, random IHL, fragment bits, protocol,
// truncation, extension) and random bytes, on every port. Checks: the kernel never refuses a
// frame it should take, every verdict is drop or redirect to a real port, frames never change
// length, a frame is rewritten only if it is addressed to a VIP / belongs to a session (or to the
// src-ip-rewrite range), and checksums that were right stay right. The same corpus then runs
// through a program whose backends are F_BACKEND_UNIQUE with backend_to_vip populated (replies
// found through backend_to_vip and conntrack, no reverse_nat entries) in lockstep with the
// reverse_nat-only program: every frame must come out the same. Seeded: set LBRP_FUZZ_SEED to
// replay; the seed is printed.

import {
  BACKEND_1,
  BACKEND_2,
  BACKEND_3,
  CLIENT_1,
  CLIENT_2,
  CLIENT_3,
  CLIENT_OUTSIDE,
  ROUTER_BACKEND_SIDE,
  SERVER_PLAIN,
  VIP_1,
  VIP_2,
} from '../../fixtures/addresses';
import {
  arp,
  ETH_P_IP,
  ethFrame,
  icmpEcho,
  icmpError,
  ipv4,
  ipv6,
  parsePacket,
  tcp,
  udp,
  verifyChecksums,
} from '../../fixtures/packets';
import { rewriteConfig, withBackendVips } from './lbrp-config';
import { describeKernel } from './describe-kernel';
import { DataplaneConfig, Hook, LbrpUnderTest, Mode, PortDevices, PORTS } from './lbrp-harness';

const PER_VARIANT = 50_000;
const SEED = Number(process.env.LBRP_FUZZ_SEED ?? Date.now() % 0x7fffffff);

const VIPS = new Set([VIP_1, VIP_2]);
const BACKENDS = new Set([BACKEND_1, BACKEND_2, BACKEND_3]);
/** 20.0.0.1 and 20.0.0.3 are also CLIENT_1's and CLIENT_3's rewritten addresses; 20.0.0.201 is a
 * client in the new range whose 10.0.0.201 never is one (see unambiguous). */
const CLIENTS = [CLIENT_1, CLIENT_2, CLIENT_3, CLIENT_OUTSIDE, '20.0.0.1', '20.0.0.3', '20.0.0.201'];
const SERVERS = [VIP_1, VIP_2, SERVER_PLAIN, BACKEND_1, BACKEND_2, CLIENT_1];
const PORT_POOL = [80, 53, 443, 0, 40000, 40001, 8080, 5353, 22];
const inNewRange = (ip: string): boolean => ip.startsWith('20.0.0.');

type Rand = () => number;

function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const randIp = (r: Rand): string => `${int(r, 256)}.${int(r, 256)}.${int(r, 256)}.${int(r, 256)}`;
const anyPort = (r: Rand): number => (r() < 0.8 ? pick(r, PORT_POOL) : int(r, 65536));

/** Which side a generated frame comes from (its natural ingress port). */
interface Generated {
  frame: Buffer;
  fromClient: boolean;
}

/** A well-formed frame of a random kind, from a client or from the backend side. */
function validFrame(r: Rand): Generated {
  const fromClient = r() < 0.6;
  return { frame: validFrameFrom(r, fromClient), fromClient };
}

function validFrameFrom(r: Rand, fromClient: boolean): Buffer {
  const src = fromClient
    ? r() < 0.9
      ? pick(r, CLIENTS)
      : randIp(r)
    : pick(r, [...BACKENDS, ROUTER_BACKEND_SIDE]);
  const dst = fromClient ? (r() < 0.4 ? VIP_1 : r() < 0.9 ? pick(r, SERVERS) : randIp(r)) : pick(r, CLIENTS);
  // Mostly the service port when talking to the VIP, so sessions get created and hit.
  const dport = (svc: number): number => (dst === VIP_1 && r() < 0.7 ? svc : anyPort(r));
  const ip = r() < 0.15 ? { ipOptions: Buffer.alloc(4 * (1 + int(r, 10)), 1) } : {};
  switch (int(r, 9)) {
    case 0:
    case 1:
      return tcp(src, dst, anyPort(r), {
        ...ip,
        sport: anyPort(r),
        syn: r() < 0.5,
        ack: r() < 0.5,
        payload: Buffer.alloc(int(r, 40), 0x61),
      });
    case 2:
      return udp(src, dst, dport(53), { ...ip, sport: anyPort(r), noChecksum: r() < 0.2 });
    case 3:
      return icmpEcho(src, dst, { ...ip, id: anyPort(r), reply: r() < 0.4 });
    case 4: {
      const quoted =
        r() < 0.5
          ? tcp(dst, src, anyPort(r), { sport: anyPort(r), syn: true })
          : udp(dst, src, anyPort(r), { sport: anyPort(r) });
      return icmpError(src, dst, quoted, {
        type: pick(r, [3, 11, 12]),
        code: int(r, 5),
        quoteBytes: r() < 0.3 ? 28 : undefined,
      });
    }
    case 5:
      return arp(src, dst, { op: r() < 0.5 ? 'request' : 'reply' });
    case 6:
      return ipv6();
    case 7:
      return ipv4(src, dst, pick(r, [6, 17, 1, 47, 132, int(r, 256)]), Buffer.alloc(8 + int(r, 32), 0x33), {
        fragOffset: r() < 0.7 ? 1 + int(r, 100) : 0,
        moreFragments: r() < 0.5,
      });
    default:
      return ethFrame(pick(r, [0x8100, 0x88cc, int(r, 65536)]), Buffer.alloc(int(r, 60), 0x44));
  }
}

/** A valid frame damaged in one to three ways. */
function mutatedFrame(r: Rand): Generated {
  const g = validFrame(r);
  let f = Buffer.from(g.frame);
  for (let n = 1 + int(r, 3); n > 0; n--) {
    switch (int(r, 7)) {
      case 0: // flip a header byte
        f[int(r, Math.min(f.length, 80))] ^= 1 + int(r, 255);
        break;
      case 1: // random IHL
        if (f.length > 14) f[14] = (f[14] & 0xf0) | int(r, 16);
        break;
      case 2: // random fragment bits
        if (f.length > 21) f.writeUInt16BE(int(r, 65536), 20);
        break;
      case 3: // random protocol
        if (f.length > 23) f[23] = pick(r, [1, 6, 17, int(r, 256)]);
        break;
      case 4: // truncate
        f = Buffer.from(f.subarray(0, 14 + int(r, Math.max(1, f.length - 13))));
        break;
      case 5: // extend
        f = Buffer.concat([f, Buffer.from(Array.from({ length: int(r, 64) }, () => int(r, 256)))]);
        break;
      default: // random ports
        if (f.length > 37) f.writeUInt32BE(int(r, 2 ** 32), 34);
    }
  }
  return { frame: f, fromClient: g.fromClient };
}

/** Random bytes, mostly with an IPv4 or ARP EtherType. */
function randomFrame(r: Rand): Generated {
  const f = Buffer.from(Array.from({ length: 14 + int(r, 120) }, () => int(r, 256)));
  f.writeUInt16BE(r() < 0.6 ? ETH_P_IP : r() < 0.5 ? 0x0806 : int(r, 65536), 12);
  if (r() < 0.5 && f.length > 14) f[14] = 0x45;
  return { frame: f, fromClient: r() < 0.5 };
}

/** May the dataplane rewrite this frame, arriving on this port, in this mode? */
function mayRewrite(frame: Buffer, port: number, mode: Mode): boolean {
  const layers = parsePacket(frame);
  const l3 = layers[1];
  if (!l3) return false;
  const fromBackend = port === PORTS.backend;
  const fromFrontend = !fromBackend && (mode === 'multi' ? port !== -1 : port === PORTS.frontend);
  if (l3.name === 'arp') return fromBackend && l3.fields.op === 1 && inNewRange(String(l3.fields.tpa));
  if (l3.name !== 'ipv4') return false;
  const src = String(l3.fields.src);
  const dst = String(l3.fields.dst);
  if (fromFrontend) return VIPS.has(dst);
  if (fromBackend)
    return BACKENDS.has(src) || inNewRange(dst) || (l3.fields.proto === 1 && CLIENTS.includes(dst));
  return false;
}

/**
 * False for a client-side IPv4 frame from 10.0.0.h with h ≥ 128 or from 20.0.0.h with h < 128.
 * Sessions of both 10.0.0.h (rewritten to 20.0.0.h) and 20.0.0.h (not rewritten) with one source
 * port have one reply tuple: reverse_nat keeps the later one, backend_to_vip finds the rewritten
 * one first, and both are right. The lockstep comparison leaves such pairs out.
 */
function unambiguous(frame: Buffer, port: number): boolean {
  if (port === PORTS.backend || frame.length < 30 || frame.readUInt16BE(12) !== ETH_P_IP) return true;
  if (frame[27] !== 0 || frame[28] !== 0) return true;
  return !((frame[26] === 10 && frame[29] >= 128) || (frame[26] === 20 && frame[29] < 128));
}

/** BPF_PROG_TEST_RUN for TC refuses an skb whose network header is incomplete. */
function tcMayRefuse(frame: Buffer): boolean {
  const type = frame.readUInt16BE(12);
  return (type === 0x0800 && frame.length < 34) || (type === 0x86dd && frame.length < 54);
}

const VARIANTS: Array<[Hook, Mode]> = [
  ['tc', 'single'],
  ['tc', 'multi'],
  ['xdp', 'single'],
  ['xdp', 'multi'],
];

describeKernel('kernel: lbrp dataplane fuzz', () => {
  let devices: PortDevices;
  beforeAll(() => {
    devices = new PortDevices();
    console.info(`lbrp fuzz seed ${SEED} (replay with LBRP_FUZZ_SEED=${SEED})`);
  });
  afterAll(() => devices?.cleanup());

  /**
   * Sends PER_VARIANT random, damaged and valid frames through `lb` (configured with `cfg`) and
   * checks each: legal verdict and port, same length, rewritten only when addressed to a VIP or
   * a session, right checksums stay right; with `reference` (its lb configured with its cfg), every
   * frame also runs through it and must come out the same. Returns the failures.
   */
  function fuzz(
    hook: Hook,
    mode: Mode,
    lb: LbrpUnderTest,
    cfg: DataplaneConfig,
    reference?: { lb: LbrpUnderTest; cfg: DataplaneConfig },
  ): string[] {
    lb.configure(cfg);
    lb.resetTrace();
    reference?.lb.configure(reference.cfg);
    const r = mulberry32(SEED ^ (hook === 'tc' ? 0x1000 : 0x2000) ^ (mode === 'single' ? 1 : 2));
    const ports = [PORTS.frontend, PORTS.backend, PORTS.frontend2, PORTS.spare, -1];
    const legalPorts: number[] =
      mode === 'single' ? [PORTS.frontend, PORTS.backend] : [PORTS.frontend, PORTS.backend, PORTS.frontend2];
    let redirects = 0;
    let rewritten = 0;
    let refused = 0;
    let compared = 0;
    const failures: string[] = [];
    for (let i = 0; i < PER_VARIANT && failures.length < 5; i++) {
      const roll = r();
      const { frame, fromClient } =
        roll < 0.4 ? validFrame(r) : roll < 0.8 ? mutatedFrame(r) : randomFrame(r);
      // Mostly the port such a frame arrives on; sometimes any port, or an unknown netdev.
      const natural = fromClient ? (r() < 0.5 ? PORTS.frontend : PORTS.frontend2) : PORTS.backend;
      const port = r() < 0.85 ? natural : pick(r, ports);
      if (reference && !unambiguous(frame, port)) continue;
      const ifindex = port === -1 ? 1 : devices.ifindex[port];
      let out;
      try {
        out = lb.runFast(frame, ifindex);
      } catch (err) {
        if (hook === 'tc' && tcMayRefuse(frame)) {
          refused++;
          continue;
        }
        failures.push(
          `#${i} port ${port}: test run failed (${(err as Error).message}) on ${frame.toString('hex')}`,
        );
        continue;
      }
      const where = `#${i} port ${port} frame ${frame.toString('hex')}`;
      if (reference) {
        const want = reference.lb.runFast(frame, ifindex);
        compared++;
        if (want.verdict !== out.verdict || !want.data.equals(out.data) || want.cb0 !== out.cb0)
          failures.push(
            `${where}: ${out.verdict} ${out.data.toString('hex')} cb0 ${out.cb0}, reverse_nat-only program: ` +
              `${want.verdict} ${want.data.toString('hex')} cb0 ${want.cb0}`,
          );
      }
      if (out.verdict !== 'drop' && out.verdict !== 'redirect')
        failures.push(`${where}: verdict ${out.verdict}`);
      if (out.verdict !== 'redirect') continue;
      redirects++;
      if (out.cb0 !== undefined && !legalPorts.includes(out.cb0 >>> 16))
        failures.push(`${where}: redirected to port ${out.cb0 >>> 16}`);
      if (out.data.length !== frame.length)
        failures.push(`${where}: length ${frame.length} → ${out.data.length}`);
      if (out.data.equals(frame)) continue;
      rewritten++;
      if (!mayRewrite(frame, port, mode)) failures.push(`${where}: rewritten to ${out.data.toString('hex')}`);
      if (verifyChecksums(frame).length === 0 && verifyChecksums(out.data).length > 0) {
        failures.push(`${where}: checksums broken: ${verifyChecksums(out.data).join('; ')}`);
      }
    }
    // The trace counts redirect attempts per out port: only peered ports, and all of them.
    const counts = lb.redirectCounts();
    expect(counts.reduce((a, b) => a + b, 0n)).toBe(BigInt(redirects));
    counts.forEach((n, p) => {
      if (!legalPorts.includes(p)) expect({ port: p, redirects: n }).toEqual({ port: p, redirects: 0n });
    });
    // Sanity: the corpus exercised translation, not just drops.
    expect(rewritten).toBeGreaterThan(PER_VARIANT / 100);
    expect(redirects).toBeGreaterThan(PER_VARIANT / 5);
    console.info(
      `${hook} ${mode}${reference ? ', backend_to_vip vs reverse_nat' : ''}: ${PER_VARIANT} frames, ` +
        `${redirects} redirected, ${rewritten} rewritten, ${refused} refused by test_run` +
        (reference ? `, ${compared} compared` : ''),
    );
    return failures;
  }

  // Random and damaged frames on every port never crash, never get an illegal verdict, never
  // change length, are rewritten only when addressed to a VIP or a session, and keep right
  // checksums right.
  it.each(VARIANTS)(`%s %s: ${PER_VARIANT} random and mutated frames (seed ${SEED})`, async (hook, mode) => {
    const lb = await LbrpUnderTest.load(hook, mode, devices);
    try {
      expect(fuzz(hook, mode, lb, rewriteConfig())).toEqual([]);
    } finally {
      lb.close();
    }
  });

  // With every backend F_BACKEND_UNIQUE and backend_to_vip populated, the same corpus is
  // translated exactly as by the reverse_nat-only program, frame by frame (sessions created,
  // replies and ICMP errors found through backend_to_vip and conntrack, unrelated frames left
  // alone), and no reverse_nat entry is ever written. Sessions fit without eviction, so both
  // programs always hold the same ones.
  it.each(VARIANTS)(
    `%s %s: ${PER_VARIANT} frames through backend_to_vip, same output as through reverse_nat (seed ${SEED})`,
    async (hook, mode) => {
      const big = { MAX_SESSIONS: 65536 };
      const lb = await LbrpUnderTest.load(hook, mode, devices, big);
      const ref = await LbrpUnderTest.load(hook, mode, devices, big);
      try {
        const cfg = withBackendVips(rewriteConfig());
        expect(cfg.backendVips?.length).toBe(3);
        expect(fuzz(hook, mode, lb, cfg, { lb: ref, cfg: rewriteConfig() })).toEqual([]);
        expect(lb.sessions('conntrack')).toBeGreaterThan(100);
        expect(lb.sessions('conntrack')).toBe(ref.sessions('conntrack'));
        expect(lb.sessions('reverse_nat')).toBe(0);
      } finally {
        ref.close();
        lb.close();
      }
    },
  );
});
