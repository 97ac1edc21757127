// What the packet fuzz feeds the dataplane: the seed (fixed unless LBRP_FUZZ_SEED asks for
// another), a small seeded PRNG, the fuzz configuration (Maglev tables built by the control
// plane's table builder, a drained backend, and a drain mid-run) and the frames — valid ones of
// every kind (including replies and ICMP errors of sessions the model knows), damaged ones, random
// bytes. Not a test file itself.

import { randomInt } from 'node:crypto';
import {
  BACKEND_1,
  BACKEND_2,
  BACKEND_3,
  CLIENT_1,
  CLIENT_2,
  CLIENT_3,
  CLIENT_OUTSIDE,
  ROUTER_BACKEND_SIDE,
  ROUTER_CLIENT_SIDE,
  SERVER_PLAIN,
  VIP_1,
  VIP_2,
} from '../../fixtures/addresses';
import { arp, ETH_P_IP, ethFrame, icmpEcho, icmpError, ipv4, ipv6, tcp, udp } from '../../fixtures/packets';
import { F_BACKEND_ACTIVE, IPPROTO } from '../../../src/lbrp/dataplane/map-layouts';
import { buildMaglevTable, orderBackends, translateTable } from '../../../src/lbrp/maglev/maglev-table';
import { rewriteConfig } from './lbrp-config';
import { BackendSpec, DataplaneConfig, ServiceSpec } from './lbrp-harness';
import type { LbrpModel } from './lbrp-model';

/** The CI seed: fixed, so every run fuzzes the same frames. */
export const DEFAULT_SEED = 20261207;

/**
 * The seed of this run: LBRP_FUZZ_SEED unset → DEFAULT_SEED; "random" → a fresh one (printed by
 * the suite, so a failure can be replayed); a number → that one.
 */
export function fuzzSeed(env: string | undefined = process.env.LBRP_FUZZ_SEED): number {
  if (env === undefined || env === '') return DEFAULT_SEED;
  if (env === 'random') return randomInt(0x7fffffff);
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`LBRP_FUZZ_SEED must be "random" or a number ≥ 0, got "${env}"`);
  return n;
}

export type Rand = () => number;

/** mulberry32: a 32-bit state PRNG, plenty for picking frames, and replayable from its seed. */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const int = (r: Rand, n: number): number => Math.floor(r() * n);

// ---- configuration ------------------------------------------------------------------------

/** Maglev table size of the fuzz services (prime). */
const M = 13;
const WEB_1: BackendSpec = { id: 1, ip: BACKEND_1, port: 8080, flags: F_BACKEND_ACTIVE };
const WEB_2: BackendSpec = { id: 2, ip: BACKEND_2, port: 8081, flags: F_BACKEND_ACTIVE };
/** Drained from the start (weight 0): in no slot, takes no new flow. */
const WEB_3: BackendSpec = { id: 3, ip: BACKEND_3, port: 9090, flags: 0 };
const DNS_1: BackendSpec = { id: 4, ip: BACKEND_1, port: 5353, flags: F_BACKEND_ACTIVE };
const DNS_2: BackendSpec = { id: 5, ip: BACKEND_2, port: 5300, flags: F_BACKEND_ACTIVE };
const PING_1: BackendSpec = { id: 6, ip: BACKEND_1, port: 0, flags: F_BACKEND_ACTIVE };
const PING_2: BackendSpec = { id: 7, ip: BACKEND_2, port: 0, flags: F_BACKEND_ACTIVE };
/** A slot naming a backend id past MAX_BACKENDS: DROP_NO_BACKEND. */
const BAD_ID = 4000;

/** `members` (with weights) as a Maglev table of backend ids, as the control plane builds it. */
export function maglevSlots(members: Array<[BackendSpec, number]>): number[] {
  const mb = members.map(([b, weight]) => ({ id: `${b.ip}:${b.port}`, weight, kid: b.id }));
  const ids = orderBackends(mb).map((b) => b.kid);
  return [...translateTable(buildMaglevTable(mb, M), ids)];
}

const svc = (vip: string, vport: number, proto: number, id: number, slots: number[]): ServiceSpec => ({
  vip,
  vport,
  proto,
  id,
  slotBase: 16 * id,
  slots,
});

/** The services the fuzz targets (VIP_1: TCP 80, UDP 53, ICMP over two backends each; VIP_2:
 * 80 without backends, 81 whose table names no backend), with src-ip-rewrite and MULTI's
 * FRONTEND IPs. `affinity`: every service has session-affinity CLIENT_IP (timeout 0: never
 * expires, so the model needs no clock). */
export function fuzzConfig(opts: { affinity?: boolean } = {}): DataplaneConfig {
  const cfg = baseFuzzConfig();
  if (!opts.affinity) return cfg;
  return { ...cfg, services: cfg.services.map((s) => ({ ...s, affinityTimeout: 0 })) };
}

function baseFuzzConfig(): DataplaneConfig {
  const base = rewriteConfig();
  return {
    ...base,
    backends: [WEB_1, WEB_2, WEB_3, DNS_1, DNS_2, PING_1, PING_2],
    services: [
      svc(
        VIP_1,
        80,
        IPPROTO.TCP,
        1,
        maglevSlots([
          [WEB_1, 1],
          [WEB_2, 1],
          [WEB_3, 0],
        ]),
      ),
      svc(
        VIP_1,
        53,
        IPPROTO.UDP,
        2,
        maglevSlots([
          [DNS_1, 1],
          [DNS_2, 1],
        ]),
      ),
      svc(
        VIP_1,
        0,
        IPPROTO.ICMP,
        3,
        maglevSlots([
          [PING_1, 1],
          [PING_2, 1],
        ]),
      ),
      svc(VIP_2, 80, IPPROTO.TCP, 4, []),
      svc(VIP_2, 81, IPPROTO.TCP, 5, new Array<number>(M).fill(BAD_ID)),
    ],
  };
}

/**
 * A change of configuration mid-run, as the control plane makes it when WEB_2's weight goes to 0:
 * first the backend loses F_BACKEND_ACTIVE while the table still names it (new flows hashed to
 * its slots drop: BACKEND_INACTIVE; its sessions go on), then the table is rebuilt without it.
 */
export function drainSteps(
  cfg: DataplaneConfig,
): Array<{ backends: BackendSpec[]; slots: Array<[number, number]> }> {
  const web = cfg.services[0];
  const web2 = cfg.backends.find((b) => b.id === WEB_2.id) ?? WEB_2;
  const rebuilt = maglevSlots([
    [WEB_1, 1],
    [WEB_2, 0],
    [WEB_3, 0],
  ]);
  return [
    { backends: [{ ...web2, flags: web2.flags & ~F_BACKEND_ACTIVE }], slots: [] },
    { backends: [], slots: rebuilt.map((id, i): [number, number] => [web.slotBase + i, id]) },
  ];
}

// ---- frames -------------------------------------------------------------------------------

const BACKENDS = [BACKEND_1, BACKEND_2, BACKEND_3];
/** 20.0.0.1 and 20.0.0.3 are also CLIENT_1's and CLIENT_3's rewritten addresses; 20.0.0.201 is a
 * client in the new range whose 10.0.0.201 never is one. */
const CLIENTS = [CLIENT_1, CLIENT_2, CLIENT_3, CLIENT_OUTSIDE, '20.0.0.1', '20.0.0.3', '20.0.0.201'];
const SERVERS = [VIP_1, VIP_2, SERVER_PLAIN, BACKEND_1, BACKEND_2, CLIENT_1];
const PORT_POOL = [80, 81, 53, 443, 0, 40000, 40001, 8080, 8081, 5353, 5300, 22];

const randIp = (r: Rand): string => `${int(r, 256)}.${int(r, 256)}.${int(r, 256)}.${int(r, 256)}`;
const anyPort = (r: Rand): number => (r() < 0.8 ? pick(r, PORT_POOL) : int(r, 65536));

/** A generated frame and the side it comes from (its natural ingress port). */
export interface Generated {
  frame: Buffer;
  fromClient: boolean;
}

/** A well-formed frame of a random kind; a third of those from the backend side belong to a
 * session the model holds (a reply, or an ICMP error about it), when there is one. */
export function validFrame(r: Rand, model: LbrpModel): Generated {
  const fragments = model.fragmentList();
  if (fragments.length > 0 && r() < 0.05) return laterFragmentFrame(r, pick(r, fragments));
  const fromClient = r() < 0.6;
  if (r() < 0.35) {
    const sessions = model.sessionList();
    if (sessions.length > 0) return sessionFrame(r, pick(r, sessions), fromClient);
  }
  return { frame: validFrameFrom(r, fromClient), fromClient };
}

/** A later fragment of a datagram whose first fragment the model saw translated (or, one time in
 * five, of another datagram between the same hosts: another IP id). */
function laterFragmentFrame(r: Rand, d: ReturnType<LbrpModel['fragmentList']>[number]): Generated {
  const id = r() < 0.8 ? d.id : (d.id + 1 + int(r, 65535)) % 65536;
  const frame = ipv4(d.saddr, d.daddr, d.proto, Buffer.alloc(8 + int(r, 48), 0x77), {
    id,
    ttl: 1 + int(r, 255),
    fragOffset: 1 + int(r, 100),
    moreFragments: r() < 0.5,
  });
  return { frame, fromClient: d.fromClient };
}

/** A frame of a known session: the backend's reply or an ICMP error about it (from the backend
 * side), or an ICMP error about the VIP's reply (from the client side). */
function sessionFrame(
  r: Rand,
  s: ReturnType<LbrpModel['sessionList']>[number],
  fromClient: boolean,
): Generated {
  const { key: k, ct } = s;
  const echo = k.proto === IPPROTO.ICMP;
  const ttl = 1 + int(r, 255);
  // Now and then the first fragment of a datagram (MF set): its later fragments come from
  // laterFragmentFrame. The echo builder's `id` is also the IP id, so echoes keep theirs.
  const mf = r() < 0.25;
  const frag = mf ? { moreFragments: true, id: int(r, 65536) } : {};
  const echoFrag = mf ? { moreFragments: true } : {};
  // What the backend sends back, and what it received.
  const reply = (): Buffer =>
    echo
      ? icmpEcho(ct.backendIp, ct.natSaddr, { id: k.sport, reply: true, ttl, ...echoFrag })
      : k.proto === IPPROTO.TCP
        ? tcp(ct.backendIp, ct.natSaddr, k.sport, {
            sport: ct.backendPort,
            ack: true,
            // Now and then the backend closes or resets (the session's state follows).
            fin: r() < 0.08,
            rst: r() < 0.03,
            ttl,
            payload: 'x'.repeat(int(r, 30)),
            ...frag,
          })
        : udp(ct.backendIp, ct.natSaddr, k.sport, {
            sport: ct.backendPort,
            ttl,
            noChecksum: r() < 0.2,
            ...frag,
          });
  const received = (): Buffer =>
    echo
      ? icmpEcho(ct.natSaddr, ct.backendIp, { id: k.sport })
      : k.proto === IPPROTO.TCP
        ? tcp(ct.natSaddr, ct.backendIp, ct.backendPort, { sport: k.sport, syn: true })
        : udp(ct.natSaddr, ct.backendIp, ct.backendPort, { sport: k.sport });
  const errOpts = () => ({
    type: pick(r, [3, 11, 12]),
    code: int(r, 5),
    quoteBytes: r() < 0.3 ? 28 : undefined,
    ttl,
  });
  if (!fromClient) {
    if (r() < 0.7) return { frame: reply(), fromClient: false };
    const from = r() < 0.5 ? ct.backendIp : ROUTER_BACKEND_SIDE;
    return { frame: icmpError(from, ct.natSaddr, received(), errOpts()), fromClient: false };
  }
  // More of the client's flow (a SYN again now and then: after a drain or a close it picks a new
  // backend; a FIN or RST now and then closes the session).
  if (r() < 0.5)
    return {
      frame: echo
        ? icmpEcho(k.saddr, k.daddr, { id: k.sport, ttl, ...echoFrag })
        : k.proto === IPPROTO.TCP
          ? tcp(k.saddr, k.daddr, k.dport, {
              sport: k.sport,
              syn: r() < 0.3,
              ack: r() < 0.7,
              fin: r() < 0.08,
              rst: r() < 0.03,
              ttl,
              ...frag,
            })
          : udp(k.saddr, k.daddr, k.dport, { sport: k.sport, ttl, ...frag }),
      fromClient: true,
    };
  // The VIP's reply as the client saw it, and an error about it from the client or its router.
  const vipReply = echo
    ? icmpEcho(k.daddr, k.saddr, { id: k.sport, reply: true })
    : k.proto === IPPROTO.TCP
      ? tcp(k.daddr, k.saddr, k.sport, { sport: k.dport, ack: true })
      : udp(k.daddr, k.saddr, k.sport, { sport: k.dport });
  const from = r() < 0.6 ? k.saddr : ROUTER_CLIENT_SIDE;
  return { frame: icmpError(from, k.daddr, vipReply, errOpts()), fromClient: true };
}

function validFrameFrom(r: Rand, fromClient: boolean): Buffer {
  const src = fromClient
    ? r() < 0.9
      ? pick(r, CLIENTS)
      : randIp(r)
    : pick(r, [...BACKENDS, ROUTER_BACKEND_SIDE]);
  const dst = fromClient ? (r() < 0.45 ? VIP_1 : r() < 0.9 ? pick(r, SERVERS) : randIp(r)) : pick(r, CLIENTS);
  // Mostly the service port when talking to the VIP, so sessions get created and hit.
  const dport = (svcPort: number): number =>
    dst === VIP_1 && r() < 0.7 ? svcPort : dst === VIP_2 && r() < 0.5 ? pick(r, [80, 81]) : anyPort(r);
  const ip = {
    ...(r() < 0.15 ? { ipOptions: Buffer.alloc(4 * (1 + int(r, 10)), 1) } : {}),
    ttl: 1 + int(r, 255),
    tos: r() < 0.2 ? int(r, 256) : 0,
    id: int(r, 65536),
  };
  // A few client ports, so that flows repeat (session hits, SYNs on established sessions).
  const sport = (): number => (r() < 0.5 ? 41000 + int(r, 8) : anyPort(r));
  switch (int(r, 10)) {
    case 0:
    case 1:
    case 2:
      return tcp(src, dst, dport(80), {
        ...ip,
        sport: sport(),
        syn: r() < 0.5,
        ack: r() < 0.5,
        payload: Buffer.alloc(int(r, 40), 0x61),
      });
    case 3:
      return udp(src, dst, dport(53), { ...ip, sport: sport(), noChecksum: r() < 0.2 });
    case 4:
      return icmpEcho(src, dst, { ...ip, id: sport(), reply: r() < 0.4 });
    case 5: {
      const quoted =
        r() < 0.5
          ? tcp(dst, src, anyPort(r), { sport: anyPort(r), syn: true })
          : udp(dst, src, anyPort(r), { sport: anyPort(r) });
      return icmpError(src, dst, quoted, {
        ...ip,
        type: pick(r, [3, 11, 12]),
        code: int(r, 5),
        quoteBytes: r() < 0.3 ? 28 : undefined,
      });
    }
    case 6:
      return arp(src, dst, { op: r() < 0.5 ? 'request' : 'reply' });
    case 7:
      return ipv6();
    case 8:
      return ipv4(src, dst, pick(r, [6, 17, 1, 47, 132, int(r, 256)]), Buffer.alloc(8 + int(r, 32), 0x33), {
        ...ip,
        fragOffset: r() < 0.7 ? 1 + int(r, 100) : 0,
        moreFragments: r() < 0.5,
      });
    default:
      return ethFrame(pick(r, [0x8100, 0x88cc, int(r, 65536)]), Buffer.alloc(int(r, 60), 0x44));
  }
}

/** A valid frame damaged in one to three ways. */
export function mutatedFrame(r: Rand, model: LbrpModel): Generated {
  const g = validFrame(r, model);
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
export function randomFrame(r: Rand): Generated {
  const f = Buffer.from(Array.from({ length: 14 + int(r, 120) }, () => int(r, 256)));
  f.writeUInt16BE(r() < 0.6 ? ETH_P_IP : r() < 0.5 ? 0x0806 : int(r, 65536), 12);
  if (r() < 0.5 && f.length > 14) f[14] = 0x45;
  return { frame: f, fromClient: r() < 0.5 };
}
