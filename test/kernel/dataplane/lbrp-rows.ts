// The lbrp behaviour table: one row per behaviour of DESIGN §5, run for every hook and port mode
// it names. A row gives the configuration, frames sent first, the frame under test and the
// port it arrives on, and the verdict, out port and whole output frame it must produce.
// Shared by the kernel table suite and the dataplane bench. Not a test file itself.

import {
  BACKEND_1,
  BACKEND_2,
  CLIENT_1,
  CLIENT_1_NEW,
  CLIENT_2,
  CLIENT_3,
  CLIENT_OUTSIDE,
  MAC_BACKEND,
  ROUTER_BACKEND_SIDE,
  SERVER_PLAIN,
  VIP_1,
  VIP_2,
} from '../../fixtures/addresses';
import {
  arp,
  firstFragment,
  fragmentOf,
  icmpEcho,
  icmpError,
  ipv4,
  ipv6,
  padFrame,
  tcp,
  udp,
  withTotLen,
} from '../../fixtures/packets';
import {
  DropReason,
  F_BACKEND_ACTIVE,
  IPPROTO,
  PCN,
  REASON_ARP_REPLY,
  REASON_FLOODING,
} from '../../../src/lbrp/dataplane/map-layouts';
import {
  B1,
  B1_ALT,
  B2,
  B3,
  rewriteConfig,
  sharedConfig,
  standardConfig,
  SVC_ALT,
  SVC_WEB,
  TABLE,
  withBackendVips,
} from './lbrp-config';
import { DataplaneConfig, Hook, LbrpUnderTest, Mode, PORTS } from './lbrp-harness';

/**
 * A port by role; 'lo' = a netdev the cube does not know. In SINGLE mode there is one FRONTEND,
 * so 'frontend2' means 'frontend' there (see resolvePort).
 */
export type PortRef = keyof typeof PORTS | 'lo';

/** Port id of a role in a mode (undefined for 'lo'). */
export function resolvePort(ref: PortRef, mode: Mode): number | undefined {
  if (ref === 'lo') return undefined;
  if (ref === 'frontend2' && mode === 'single') return PORTS.frontend;
  return PORTS[ref];
}

export interface RowExpect {
  /** Port the frame under test arrives on. */
  inPort: PortRef;
  want: 'redirect' | 'drop' | 'pass';
  /** Redirect target. */
  wantPort?: PortRef;
  /** Whole output frame; 'unchanged' = the input frame. */
  wantFrame?: Buffer | 'unchanged';
  /** drop_stats reason that must count this frame. */
  wantDrop?: DropReason;
  /** pcn_runtime_stats slot that must count this frame (runtime-level drops). */
  wantRuntimeStat?: number;
  /** Packet-in reason the frame must be punted with. */
  wantPktIn?: number;
  /** Entries in conntrack and reverse_nat after the frame under test. */
  wantSessions?: { conntrack: number; reverseNat: number };
}

export interface Row extends RowExpect {
  name: string;
  hooks?: Hook[];
  modes?: Mode[];
  given?: () => DataplaneConfig;
  /** Frames sent first (each must be redirected), e.g. to open a session. */
  before?: Array<{ frame: Buffer; port: PortRef }>;
  /** Map changes between `before` and the frame under test. */
  setup?: (lb: LbrpUnderTest) => void;
  inFrame: Buffer;
  /** Per-mode differences. */
  byMode?: Partial<Record<Mode, Partial<RowExpect>>>;
}

const syn = { syn: true };
const synAck = { syn: true, ack: true, sport: 8080 };
const SYN_C1 = tcp(CLIENT_1, VIP_1, 80, syn);
const SYN_C1_AT_B1 = tcp(CLIENT_1, BACKEND_1, 8080, syn);
const openWeb = [{ frame: SYN_C1, port: 'frontend' as const }];
const payload64 = Buffer.alloc(64, 0x5a);
const allSlots = (lb: LbrpUnderTest, backendId: number): void => {
  for (let i = 0; i < TABLE; i++) lb.setSlot(SVC_WEB.slotBase + i, backendId);
};
/** Every backend address serves one service: sessions get no reverse_nat entry. */
const unique = (): DataplaneConfig => withBackendVips(standardConfig());
const uniqueRewrite = (): DataplaneConfig => withBackendVips(rewriteConfig());
/** `cfg` with every backend_to_vip entry's F_BACKEND_VIP_UNIQUE cleared: replies are translated
 * only through a session (no stateless replies). */
const sessionOnly = (cfg: DataplaneConfig): DataplaneConfig => ({
  ...cfg,
  backendVips: cfg.backendVips?.map((e) => ({ ...e, service: { ...e.service, flags: 0 } })),
});
const REPLY_C1 = tcp(BACKEND_1, CLIENT_1, 40000, synAck);
const REPLY_C1_AT_VIP = tcp(VIP_1, CLIENT_1, 40000, { ...synAck, sport: 80 });
const openDns = [{ frame: udp(CLIENT_1, VIP_1, 53, { sport: 5000 }), port: 'frontend' as const }];
const openPing = [{ frame: icmpEcho(CLIENT_1, VIP_1, { id: 77 }), port: 'frontend' as const }];
/** `unique` plus backend_to_vip entries naming SVC_WEB for BACKEND_2:8080 and BACKEND_1:8081, as
 * if they were other backends of it. */
function withOtherBackendsOfWeb(): DataplaneConfig {
  const cfg = unique();
  const service = { vip: VIP_1, vport: 80, flags: 0, serviceId: SVC_WEB.id };
  return {
    ...cfg,
    backendVips: [
      ...(cfg.backendVips ?? []),
      { backend: { ip: BACKEND_2, port: 8080, proto: IPPROTO.TCP }, service },
      { backend: { ip: BACKEND_1, port: 8081, proto: IPPROTO.TCP }, service },
    ],
  };
}

const ONE_CT = { conntrack: 1, reverseNat: 0 };
/** The standard configuration with SVC_WEB under session-affinity CLIENT_IP (timeout 0: never). */
const withAffinity = (): DataplaneConfig => {
  const cfg = standardConfig();
  return {
    ...cfg,
    services: cfg.services.map((s) => (s.id === SVC_WEB.id ? { ...s, affinityTimeout: 0 } : s)),
  };
};

// A fragmented UDP datagram each way (IP id 0x0f0f): the client's to the DNS service (first
// fragment 24 bytes of IP payload, the UDP header among them), and the backend's reply.
const FRAG_ID = { id: 0x0f0f };
const fragPayload = Buffer.from(Array.from({ length: 96 }, (_, i) => i));
const dnsQuery = (src: string, dst: string, dport: number): Buffer =>
  udp(src, dst, dport, { sport: 5000, payload: fragPayload, ...FRAG_ID });
const dnsAnswer = (src: string, dst: string, sport: number): Buffer =>
  udp(src, dst, 5000, { sport, payload: fragPayload, ...FRAG_ID });
const PING_OPTS = { payload: fragPayload, ...FRAG_ID };
const QUERY = dnsQuery(CLIENT_1, VIP_1, 53);
const ANSWER = dnsAnswer(BACKEND_1, CLIENT_1, 5353);
const queryFirst = { frame: fragmentOf(QUERY, 0, 24), port: 'frontend' as const };
const answerFirst = { frame: fragmentOf(ANSWER, 0, 24), port: 'backend' as const };
/** SVC_ALT now shares B1's address: B1 loses F_BACKEND_UNIQUE, backend_to_vip keeps naming
 * SVC_WEB (the control plane's unique → shared transition). */
const shareB1 = (lb: LbrpUnderTest): void => {
  lb.setBackend(B1_ALT);
  lb.addService(SVC_ALT);
  lb.setBackend({ ...B1, flags: F_BACKEND_ACTIVE });
};

export const ROWS: Row[] = [
  // -- client → VIP ------------------------------------------------------------------------------
  {
    name: 'TCP SYN to a VIP is DNATed to the Maglev-chosen backend and sent out of the BACKEND port',
    inFrame: SYN_C1,
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: SYN_C1_AT_B1,
  },
  {
    name: 'a VIP packet with IP options (IHL 7) is DNATed with the L4 header found after the options',
    inFrame: tcp(CLIENT_1, VIP_1, 80, { ...syn, ipOptions: Buffer.from([1, 1, 1, 1, 0x44, 4, 5, 0]) }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1, BACKEND_1, 8080, {
      ...syn,
      ipOptions: Buffer.from([1, 1, 1, 1, 0x44, 4, 5, 0]),
    }),
  },
  {
    name: 'a VIP packet with the largest IP header (IHL 15) is DNATed',
    inFrame: tcp(CLIENT_1, VIP_1, 80, { ...syn, ipOptions: Buffer.alloc(40, 1) }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1, BACKEND_1, 8080, { ...syn, ipOptions: Buffer.alloc(40, 1) }),
  },
  {
    name: 'UDP to a VIP is DNATed to the backend port with a correct checksum',
    inFrame: udp(CLIENT_1, VIP_1, 53, { sport: 5000 }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: udp(CLIENT_1, BACKEND_1, 5353, { sport: 5000 }),
  },
  {
    name: 'UDP without a checksum (0) to a VIP keeps checksum 0 after DNAT',
    inFrame: udp(CLIENT_1, VIP_1, 53, { sport: 5000, noChecksum: true }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: udp(CLIENT_1, BACKEND_1, 5353, { sport: 5000, noChecksum: true }),
  },
  {
    name: 'ICMP echo request to a VIP is DNATed by echo id, id and ICMP checksum untouched',
    inFrame: icmpEcho(CLIENT_1, VIP_1, { id: 77 }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: icmpEcho(CLIENT_1, BACKEND_1, { id: 77 }),
  },
  {
    name: 'the first fragment of a UDP datagram to a VIP is DNATed (checksum of the whole datagram kept right)',
    inFrame: firstFragment(udp(CLIENT_1, VIP_1, 53, { sport: 5000, payload: payload64 }), 24),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: firstFragment(udp(CLIENT_1, BACKEND_1, 5353, { sport: 5000, payload: payload64 }), 24),
  },
  {
    name: 'a client on the second FRONTEND port (MULTI) is balanced like one on the first',
    inFrame: tcp(CLIENT_2, VIP_1, 80, syn),
    inPort: 'frontend2',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_2, BACKEND_1, 8080, syn),
  },
  // -- not a VIP service -------------------------------------------------------------------------
  {
    name: 'traffic to an address that is no VIP is forwarded unchanged to the BACKEND port',
    inFrame: tcp(CLIENT_1, SERVER_PLAIN, 80, syn),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: 'unchanged',
  },
  {
    name: 'a VIP with an unconfigured port is forwarded unchanged',
    inFrame: tcp(CLIENT_1, VIP_1, 443, syn),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: 'unchanged',
  },
  {
    name: 'a service without backends is forwarded untranslated (Polycube behaviour)',
    inFrame: tcp(CLIENT_1, VIP_2, 80, syn),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: 'unchanged',
  },
  {
    name: 'another IP protocol (GRE) to a VIP is forwarded unchanged',
    inFrame: ipv4(CLIENT_1, VIP_1, 47, Buffer.alloc(24, 7)),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: 'unchanged',
  },
  {
    name: 'an ICMP echo reply to a VIP is not a service request and is forwarded unchanged',
    inFrame: icmpEcho(CLIENT_1, VIP_1, { id: 0, reply: true }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: 'unchanged',
  },
  // -- sessions ----------------------------------------------------------------------------------
  {
    name: "a backend's reply is reverse-NATed to vip:vport and sent to the client's FRONTEND port",
    before: openWeb,
    inFrame: tcp(BACKEND_1, CLIENT_1, 40000, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: tcp(VIP_1, CLIENT_1, 40000, { ...synAck, sport: 80 }),
  },
  {
    name: 'MULTI: a reply goes out of the FRONTEND port owning the client address',
    before: [{ frame: tcp(CLIENT_2, VIP_1, 80, syn), port: 'frontend2' }],
    inFrame: tcp(BACKEND_1, CLIENT_2, 40000, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend2',
    wantFrame: tcp(VIP_1, CLIENT_2, 40000, { ...synAck, sport: 80 }),
  },
  {
    name: "a backend's ICMP echo reply is reverse-NATed to the VIP",
    before: [{ frame: icmpEcho(CLIENT_1, VIP_1, { id: 77 }), port: 'frontend' }],
    inFrame: icmpEcho(BACKEND_1, CLIENT_1, { id: 77, reply: true }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpEcho(VIP_1, CLIENT_1, { id: 77, reply: true }),
  },
  {
    name: "a backend's UDP reply is reverse-NATed to vip:53",
    before: [{ frame: udp(CLIENT_1, VIP_1, 53, { sport: 5000 }), port: 'frontend' }],
    inFrame: udp(BACKEND_1, CLIENT_1, 5000, { sport: 5353, payload: 'answer' }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: udp(VIP_1, CLIENT_1, 5000, { sport: 53, payload: 'answer' }),
  },
  {
    name: 'backend traffic without a session goes unchanged to the client side (MULTI: by destination IP)',
    inFrame: tcp(BACKEND_1, CLIENT_1, 40000, { sport: 8080, ack: true }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: 'unchanged',
  },
  {
    name: 'backend traffic to an IP no FRONTEND owns is dropped in MULTI, forwarded in SINGLE',
    inFrame: tcp(BACKEND_1, CLIENT_3, 40000, { sport: 8080, ack: true }),
    inPort: 'backend',
    want: 'drop',
    wantDrop: 'NO_FRONTEND_FOR_IP',
    byMode: {
      single: { want: 'redirect', wantPort: 'frontend', wantFrame: 'unchanged', wantDrop: undefined },
    },
  },
  {
    name: 'an established flow keeps its backend when the Maglev table changes',
    before: openWeb,
    setup: (lb) => allSlots(lb, B2.id),
    inFrame: tcp(CLIENT_1, VIP_1, 80, { ack: true }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1, BACKEND_1, 8080, { ack: true }),
  },
  {
    name: 'an established flow keeps its drained backend (weight 0: no new sessions, old ones go on)',
    before: openWeb,
    setup: (lb) => {
      lb.setBackendActive(B1, false);
      allSlots(lb, B2.id);
    },
    inFrame: tcp(CLIENT_1, VIP_1, 80, { ack: true }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1, BACKEND_1, 8080, { ack: true }),
  },
  {
    name: 'a TCP SYN on a session whose backend was drained picks a new backend',
    before: openWeb,
    setup: (lb) => {
      lb.setBackendActive(B1, false);
      allSlots(lb, B2.id);
    },
    inFrame: SYN_C1,
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1, BACKEND_2, 8080, syn),
  },
  {
    name: 'a TCP SYN on a session whose backend id now has another address picks again',
    before: openWeb,
    setup: (lb) => lb.setBackendActive({ ...B1, ip: BACKEND_2 }, true),
    inFrame: SYN_C1,
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1, BACKEND_2, 8080, syn),
  },
  {
    name: 'a non-SYN packet of that session keeps the address it was set up with',
    before: openWeb,
    setup: (lb) => lb.setBackendActive({ ...B1, ip: BACKEND_2 }, true),
    inFrame: tcp(CLIENT_1, VIP_1, 80, { ack: true }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1, BACKEND_1, 8080, { ack: true }),
  },
  {
    name: 'a TCP SYN on a session whose backend still serves keeps it',
    before: openWeb,
    setup: (lb) => allSlots(lb, B2.id),
    inFrame: SYN_C1,
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: SYN_C1_AT_B1,
  },
  {
    name: "with session-affinity, a client's new flow goes to its first flow's backend, not to its slot's",
    given: withAffinity,
    before: openWeb,
    setup: (lb) => allSlots(lb, B2.id),
    inFrame: tcp(CLIENT_1, VIP_1, 80, { sport: 40001, syn: true }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1, BACKEND_1, 8080, { sport: 40001, syn: true }),
  },
  {
    name: "with session-affinity, a drained affinity backend gives the client's new flow its slot's backend",
    given: withAffinity,
    before: openWeb,
    setup: (lb) => {
      lb.setBackendActive(B1, false);
      allSlots(lb, B2.id);
    },
    inFrame: tcp(CLIENT_1, VIP_1, 80, { sport: 40001, syn: true }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1, BACKEND_2, 8080, { sport: 40001, syn: true }),
  },
  {
    name: 'a new session whose slot names a drained backend is dropped',
    setup: (lb) => allSlots(lb, B3.id),
    inFrame: SYN_C1,
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'BACKEND_INACTIVE',
  },
  {
    name: 'a new session whose slot names no backend is dropped',
    setup: (lb) => allSlots(lb, 50000),
    inFrame: SYN_C1,
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'NO_BACKEND',
  },
  // -- sessions without reverse_nat entries (backend_to_vip, F_BACKEND_UNIQUE) --------------------
  {
    name: 'unique backend: a new session writes only its conntrack entry',
    given: unique,
    inFrame: SYN_C1,
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: SYN_C1_AT_B1,
    wantSessions: ONE_CT,
  },
  {
    name: "unique backend: the backend's reply is reverse-NATed through backend_to_vip and conntrack",
    given: unique,
    before: openWeb,
    inFrame: REPLY_C1,
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: REPLY_C1_AT_VIP,
    wantSessions: ONE_CT,
  },
  {
    name: 'unique backend, MULTI: the reply goes out of the FRONTEND port owning the client address',
    given: unique,
    before: [{ frame: tcp(CLIENT_2, VIP_1, 80, syn), port: 'frontend2' }],
    inFrame: tcp(BACKEND_1, CLIENT_2, 40000, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend2',
    wantFrame: tcp(VIP_1, CLIENT_2, 40000, { ...synAck, sport: 80 }),
    wantSessions: ONE_CT,
  },
  {
    name: 'unique backend: a UDP reply without a checksum is reverse-NATed and keeps checksum 0',
    given: unique,
    before: [{ frame: udp(CLIENT_1, VIP_1, 53, { sport: 5000, noChecksum: true }), port: 'frontend' }],
    inFrame: udp(BACKEND_1, CLIENT_1, 5000, { sport: 5353, payload: 'answer', noChecksum: true }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: udp(VIP_1, CLIENT_1, 5000, { sport: 53, payload: 'answer', noChecksum: true }),
    wantSessions: ONE_CT,
  },
  {
    name: "unique backend: a backend's ICMP echo reply is reverse-NATed to the VIP",
    given: unique,
    before: openPing,
    inFrame: icmpEcho(BACKEND_1, CLIENT_1, { id: 77, reply: true }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpEcho(VIP_1, CLIENT_1, { id: 77, reply: true }),
    wantSessions: ONE_CT,
  },
  {
    name: 'unique backend: fragmentation needed from a backend-side router reaches the client, quoting client → VIP',
    given: unique,
    before: openWeb,
    inFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, SYN_C1_AT_B1, { mtu: 1280 }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, SYN_C1, { mtu: 1280 }),
    wantSessions: ONE_CT,
  },
  {
    name: 'unique backend: port unreachable from the backend itself about a UDP session comes from the VIP',
    given: unique,
    before: openDns,
    inFrame: icmpError(BACKEND_1, CLIENT_1, udp(CLIENT_1, BACKEND_1, 5353, { sport: 5000 }), {
      type: 3,
      code: 3,
    }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpError(VIP_1, CLIENT_1, udp(CLIENT_1, VIP_1, 53, { sport: 5000 }), { type: 3, code: 3 }),
    wantSessions: ONE_CT,
  },
  {
    name: 'unique backend: time exceeded about an ICMP echo session is translated',
    given: unique,
    before: openPing,
    inFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, icmpEcho(CLIENT_1, BACKEND_1, { id: 77 }), {
      type: 11,
    }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, icmpEcho(CLIENT_1, VIP_1, { id: 77 }), { type: 11 }),
    wantSessions: ONE_CT,
  },
  {
    name: 'unique backend, no stateless replies: a reply to another client port matches backend_to_vip but no session and is not translated',
    given: () => sessionOnly(unique()),
    before: openWeb,
    inFrame: tcp(BACKEND_1, CLIENT_1, 40001, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: 'unchanged',
  },
  {
    name: 'unique backend, no stateless replies: a reply to another client is not translated',
    given: () => sessionOnly(unique()),
    before: openWeb,
    inFrame: tcp(BACKEND_1, CLIENT_2, 40000, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend2',
    wantFrame: 'unchanged',
  },
  {
    name: "unique backend: a reply without a session is translated statelessly, from the service's VIP to its own destination",
    given: unique,
    before: openWeb,
    inFrame: tcp(BACKEND_1, CLIENT_1, 40001, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: tcp(VIP_1, CLIENT_1, 40001, { ...synAck, sport: 80 }),
    wantSessions: ONE_CT,
  },
  {
    name: 'src-ip-rewrite, unique backend: a stateless reply to the new range goes to the client range',
    given: uniqueRewrite,
    inFrame: tcp(BACKEND_1, CLIENT_1_NEW, 40001, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: tcp(VIP_1, CLIENT_1, 40001, { ...synAck, sport: 80 }),
    wantSessions: { conntrack: 0, reverseNat: 0 },
  },
  {
    name: 'shared backend: a reply without a session stays untranslated (its service is ambiguous)',
    given: () => withBackendVips(sharedConfig()),
    inFrame: tcp(BACKEND_1, CLIENT_1, 40001, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: 'unchanged',
  },
  {
    name: "unique backend: a reply from another backend address of the service (in backend_to_vip) is not the session's, not translated",
    given: withOtherBackendsOfWeb,
    before: openWeb,
    inFrame: tcp(BACKEND_2, CLIENT_1, 40000, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: 'unchanged',
  },
  {
    name: "unique backend: a reply from another port of the backend host (in backend_to_vip) is not the session's, not translated",
    given: withOtherBackendsOfWeb,
    before: openWeb,
    inFrame: tcp(BACKEND_1, CLIENT_1, 40000, { ...synAck, sport: 8081 }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: 'unchanged',
  },
  {
    name: 'F_BACKEND_UNIQUE without a backend_to_vip entry (a control-plane error): the reply goes out untranslated, never mistranslated',
    given: () => ({ ...unique(), backendVips: [] }),
    before: openWeb,
    inFrame: REPLY_C1,
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: 'unchanged',
    wantSessions: ONE_CT,
  },
  {
    name: 'shared backend (two services, one address): a new session writes conntrack and reverse_nat',
    given: () => withBackendVips(sharedConfig()),
    inFrame: SYN_C1,
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: SYN_C1_AT_B1,
    wantSessions: { conntrack: 1, reverseNat: 1 },
  },
  {
    name: 'shared backend: a reply of the service backend_to_vip names is reverse-NATed',
    given: () => withBackendVips(sharedConfig()),
    before: openWeb,
    inFrame: REPLY_C1,
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: REPLY_C1_AT_VIP,
    wantSessions: { conntrack: 1, reverseNat: 1 },
  },
  {
    name: 'shared backend: a reply of the other service is reverse-NATed to its VIP through reverse_nat',
    given: () => withBackendVips(sharedConfig()),
    before: [{ frame: tcp(CLIENT_1, VIP_2, 8000, syn), port: 'frontend' }],
    inFrame: REPLY_C1,
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: tcp(VIP_2, CLIENT_1, 40000, { ...synAck, sport: 8000 }),
    wantSessions: { conntrack: 1, reverseNat: 1 },
  },
  {
    name: 'unique → shared: a session opened while its backend was unique is still reverse-NATed (backend_to_vip kept)',
    given: unique,
    before: openWeb,
    setup: shareB1,
    inFrame: REPLY_C1,
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: REPLY_C1_AT_VIP,
    wantSessions: ONE_CT,
  },
  {
    name: 'unique → shared: a new session through the once-unique backend gets its reverse_nat entry',
    given: unique,
    before: openWeb,
    setup: shareB1,
    inFrame: tcp(CLIENT_1, VIP_1, 80, { ...syn, sport: 40001 }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1, BACKEND_1, 8080, { ...syn, sport: 40001 }),
    wantSessions: { conntrack: 2, reverseNat: 1 },
  },
  {
    name: 'unique → shared: a new session of the second service gets its reverse_nat entry',
    given: unique,
    before: openWeb,
    setup: shareB1,
    inFrame: tcp(CLIENT_1, VIP_2, 8000, { ...syn, sport: 40001 }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1, BACKEND_1, 8080, { ...syn, sport: 40001 }),
    wantSessions: { conntrack: 2, reverseNat: 1 },
  },
  // -- src-ip-rewrite ----------------------------------------------------------------------------
  {
    name: "src-ip-rewrite: a client's source is mapped into the new range (host bits kept) on the way to the backend",
    given: rewriteConfig,
    inFrame: SYN_C1,
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_1_NEW, BACKEND_1, 8080, syn),
  },
  {
    name: "src-ip-rewrite: the backend's reply is restored to the client's original address and the VIP",
    given: rewriteConfig,
    before: openWeb,
    inFrame: tcp(BACKEND_1, CLIENT_1_NEW, 40000, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: tcp(VIP_1, CLIENT_1, 40000, { ...synAck, sport: 80 }),
  },
  {
    name: 'src-ip-rewrite: ICMP echo source is rewritten with a correct IP checksum',
    given: rewriteConfig,
    inFrame: icmpEcho(CLIENT_1, VIP_1, { id: 9 }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: icmpEcho(CLIENT_1_NEW, BACKEND_1, { id: 9 }),
  },
  {
    name: 'src-ip-rewrite: backend traffic to the new range without a session has its destination mapped back',
    given: rewriteConfig,
    inFrame: tcp(BACKEND_1, CLIENT_1_NEW, 22, { sport: 5555, ack: true }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: tcp(BACKEND_1, CLIENT_1, 22, { sport: 5555, ack: true }),
  },
  {
    name: 'src-ip-rewrite: a client outside the range is not rewritten',
    given: rewriteConfig,
    inFrame: tcp(CLIENT_OUTSIDE, VIP_1, 80, syn),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: tcp(CLIENT_OUTSIDE, BACKEND_1, 8080, syn),
  },
  {
    name: 'src-ip-rewrite: traffic from the client range to a non-VIP is not rewritten',
    given: rewriteConfig,
    inFrame: tcp(CLIENT_1, SERVER_PLAIN, 80, syn),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: 'unchanged',
  },
  {
    name: 'src-ip-rewrite, unique backend: the reply to the rewritten address is restored through backend_to_vip',
    given: uniqueRewrite,
    before: openWeb,
    inFrame: tcp(BACKEND_1, CLIENT_1_NEW, 40000, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: REPLY_C1_AT_VIP,
    wantSessions: ONE_CT,
  },
  {
    name: 'src-ip-rewrite, unique backend: an ICMP echo reply to the rewritten address is restored',
    given: uniqueRewrite,
    before: openPing,
    inFrame: icmpEcho(BACKEND_1, CLIENT_1_NEW, { id: 77, reply: true }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpEcho(VIP_1, CLIENT_1, { id: 77, reply: true }),
    wantSessions: ONE_CT,
  },
  {
    name: 'src-ip-rewrite, unique backend: an ICMP error to the rewritten address reaches the original client',
    given: uniqueRewrite,
    before: openWeb,
    inFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1_NEW, tcp(CLIENT_1_NEW, BACKEND_1, 8080, syn)),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, SYN_C1),
    wantSessions: ONE_CT,
  },
  {
    name: "src-ip-rewrite, unique backend, no stateless replies: a reply to the client's original address is not the session's (its NATed address differs)",
    given: () => sessionOnly(uniqueRewrite()),
    before: openWeb,
    inFrame: REPLY_C1,
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: 'unchanged',
  },
  {
    name: 'src-ip-rewrite, unique backend: a client whose own address is in the new range (not rewritten) gets its replies',
    given: uniqueRewrite,
    before: [{ frame: tcp(CLIENT_1_NEW, VIP_1, 80, syn), port: 'frontend' }],
    inFrame: tcp(BACKEND_1, CLIENT_1_NEW, 40000, synAck),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: tcp(VIP_1, CLIENT_1_NEW, 40000, { ...synAck, sport: 80 }),
    wantSessions: ONE_CT,
    modes: ['single'],
  },
  // -- ARP ---------------------------------------------------------------------------------------
  {
    name: 'an ARP request from a client is forwarded unchanged to the BACKEND port',
    inFrame: arp(CLIENT_1, BACKEND_1),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: 'unchanged',
  },
  {
    name: 'an ARP request from the backend goes to the FRONTEND owning the target IP (MULTI)',
    inFrame: arp(BACKEND_1, CLIENT_2, { senderMac: MAC_BACKEND, srcMac: MAC_BACKEND }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend2',
    wantFrame: 'unchanged',
  },
  {
    name: 'an ARP request from the backend for an unknown target is dropped in MULTI',
    inFrame: arp(BACKEND_1, CLIENT_3, { senderMac: MAC_BACKEND, srcMac: MAC_BACKEND }),
    inPort: 'backend',
    want: 'drop',
    wantDrop: 'NO_FRONTEND_FOR_IP',
    byMode: {
      single: { want: 'redirect', wantPort: 'frontend', wantFrame: 'unchanged', wantDrop: undefined },
    },
  },
  {
    name: 'src-ip-rewrite: an ARP request from the backend for a new-range address asks for the client address',
    given: rewriteConfig,
    inFrame: arp(BACKEND_1, CLIENT_1_NEW, { senderMac: MAC_BACKEND, srcMac: MAC_BACKEND }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: arp(BACKEND_1, CLIENT_1, { senderMac: MAC_BACKEND, srcMac: MAC_BACKEND }),
  },
  {
    name: 'src-ip-rewrite: an ARP reply from a client in the range is punted (REASON_ARP_REPLY) and dropped',
    given: rewriteConfig,
    inFrame: arp(CLIENT_1, BACKEND_1, { op: 'reply' }),
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'ARP_REPLY_PUNTED',
    wantPktIn: REASON_ARP_REPLY,
  },
  {
    name: 'without src-ip-rewrite an ARP reply from a client is forwarded unchanged',
    inFrame: arp(CLIENT_1, BACKEND_1, { op: 'reply' }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: 'unchanged',
  },
  {
    name: 'ARP that is not Ethernet/IPv4 is dropped',
    inFrame: arp(CLIENT_1, BACKEND_1, { htype: 6 }),
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'BAD_ARP',
  },
  {
    name: 'a truncated ARP packet is dropped',
    inFrame: arp(CLIENT_1, BACKEND_1, { truncate: 30 }),
    inPort: 'backend',
    want: 'drop',
    wantDrop: 'BAD_ARP',
  },
  // -- non-IP ------------------------------------------------------------------------------------
  {
    name: 'IPv6 from a client is forwarded unchanged to the BACKEND port',
    inFrame: ipv6(),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: 'unchanged',
  },
  {
    name: 'IPv6 from the backend goes to the FRONTEND (SINGLE) or is punted for flooding and dropped (MULTI)',
    inFrame: ipv6({ srcMac: MAC_BACKEND }),
    inPort: 'backend',
    want: 'drop',
    wantDrop: 'FLOOD_PUNTED',
    wantPktIn: REASON_FLOODING,
    byMode: {
      single: {
        want: 'redirect',
        wantPort: 'frontend',
        wantFrame: 'unchanged',
        wantPktIn: undefined,
        wantDrop: undefined,
      },
    },
  },
  // -- ICMP errors -------------------------------------------------------------------------------
  {
    name: 'fragmentation needed from a backend-side router about a session reaches the client, quoting client → VIP',
    before: openWeb,
    inFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, SYN_C1_AT_B1, { mtu: 1280 }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, SYN_C1, { mtu: 1280 }),
  },
  {
    name: 'port unreachable from the backend itself about a UDP session comes from the VIP',
    before: [{ frame: udp(CLIENT_1, VIP_1, 53, { sport: 5000 }), port: 'frontend' }],
    inFrame: icmpError(BACKEND_1, CLIENT_1, udp(CLIENT_1, BACKEND_1, 5353, { sport: 5000 }), {
      type: 3,
      code: 3,
    }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpError(VIP_1, CLIENT_1, udp(CLIENT_1, VIP_1, 53, { sport: 5000 }), { type: 3, code: 3 }),
  },
  {
    name: 'time exceeded quoting only the IP header and 8 bytes (RFC 792) is translated',
    before: openWeb,
    inFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, SYN_C1_AT_B1, { type: 11, quoteBytes: 28 }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, SYN_C1, { type: 11, quoteBytes: 28 }),
  },
  {
    name: 'an ICMP error padded past its IP length (Ethernet padding) is translated, the padding untouched',
    before: openWeb,
    inFrame: padFrame(
      icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, SYN_C1_AT_B1, { type: 11, quoteBytes: 28 }),
      90,
    ),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: padFrame(icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, SYN_C1, { type: 11, quoteBytes: 28 }), 90),
  },
  {
    name: 'a padded TCP SYN to a VIP is DNATed, the padding untouched',
    inFrame: padFrame(SYN_C1, 80),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: padFrame(SYN_C1_AT_B1, 80),
  },
  {
    name: 'time exceeded about an ICMP echo session is translated',
    before: [{ frame: icmpEcho(CLIENT_1, VIP_1, { id: 77 }), port: 'frontend' }],
    inFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, icmpEcho(CLIENT_1, BACKEND_1, { id: 77 }), {
      type: 11,
    }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, icmpEcho(CLIENT_1, VIP_1, { id: 77 }), { type: 11 }),
  },
  {
    name: 'src-ip-rewrite: an ICMP error to the rewritten client address reaches the original client',
    given: rewriteConfig,
    before: openWeb,
    inFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1_NEW, tcp(CLIENT_1_NEW, BACKEND_1, 8080, syn)),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, SYN_C1),
  },
  {
    name: 'an ICMP error from a client about a VIP reply reaches the backend, quoting backend → client',
    before: openWeb,
    inFrame: icmpError(CLIENT_1, VIP_1, tcp(VIP_1, CLIENT_1, 40000, { ...synAck, sport: 80 }), {
      type: 3,
      code: 3,
    }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: icmpError(CLIENT_1, BACKEND_1, tcp(BACKEND_1, CLIENT_1, 40000, synAck), { type: 3, code: 3 }),
  },
  {
    name: 'an ICMP error about no session is forwarded unchanged',
    inFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, tcp(CLIENT_1, BACKEND_2, 8080, syn)),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: 'unchanged',
  },
  // -- fragments (frag.h) ------------------------------------------------------------------------
  {
    name: "a later fragment of a client's datagram to a VIP is DNATed as its first fragment was (addresses, IP checksum)",
    before: [queryFirst],
    inFrame: fragmentOf(QUERY, 24, 64),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: fragmentOf(dnsQuery(CLIENT_1, BACKEND_1, 5353), 24, 64),
  },
  {
    name: "the last fragment of a client's datagram to a VIP is DNATed as its first fragment was",
    before: [queryFirst, { frame: fragmentOf(QUERY, 24, 64), port: 'frontend' }],
    inFrame: fragmentOf(QUERY, 64),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: fragmentOf(dnsQuery(CLIENT_1, BACKEND_1, 5353), 64),
  },
  {
    name: 'src-ip-rewrite: a later fragment of a client datagram gets the rewritten source, as its first fragment',
    given: rewriteConfig,
    before: [queryFirst],
    inFrame: fragmentOf(QUERY, 24),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: fragmentOf(dnsQuery(CLIENT_1_NEW, BACKEND_1, 5353), 24),
  },
  {
    name: 'a later fragment to a VIP of another datagram (another IP id) than a translated first fragment is dropped',
    before: [queryFirst],
    inFrame: fragmentOf(udp(CLIENT_1, VIP_1, 53, { sport: 5000, payload: fragPayload, id: 0x0f10 }), 24),
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'FRAGMENT',
  },
  {
    name: "a later fragment of a backend's reply leaves with the VIP as source and the client as destination",
    before: [queryFirst, answerFirst],
    inFrame: fragmentOf(ANSWER, 24),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: fragmentOf(dnsAnswer(VIP_1, CLIENT_1, 53), 24),
  },
  {
    name: "unique backend: a later fragment of a backend's reply (found through backend_to_vip) leaves with the VIP source",
    given: unique,
    before: [queryFirst, answerFirst],
    inFrame: fragmentOf(ANSWER, 24),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: fragmentOf(dnsAnswer(VIP_1, CLIENT_1, 53), 24),
  },
  {
    name: 'src-ip-rewrite: a later fragment of the reply goes back to the original client address from the VIP',
    given: rewriteConfig,
    before: [
      queryFirst,
      { frame: fragmentOf(dnsAnswer(BACKEND_1, CLIENT_1_NEW, 5353), 0, 24), port: 'backend' },
    ],
    inFrame: fragmentOf(dnsAnswer(BACKEND_1, CLIENT_1_NEW, 5353), 24),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: fragmentOf(dnsAnswer(VIP_1, CLIENT_1, 53), 24),
  },
  {
    name: 'a later fragment from a backend address whose first fragment was never seen is dropped, not leaked',
    before: [queryFirst],
    inFrame: fragmentOf(ANSWER, 24),
    inPort: 'backend',
    want: 'drop',
    wantDrop: 'FRAGMENT_UNTRACKED',
  },
  {
    name: 'a later fragment from a backend whose first fragment went out untranslated (no session) goes out unchanged',
    before: [{ frame: fragmentOf(dnsAnswer(BACKEND_2, CLIENT_1, 7777), 0, 24), port: 'backend' }],
    inFrame: fragmentOf(dnsAnswer(BACKEND_2, CLIENT_1, 7777), 24),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: 'unchanged',
  },
  {
    name: 'a later fragment from a non-backend address on the backend side goes out unchanged without any state',
    inFrame: fragmentOf(dnsAnswer(SERVER_PLAIN, CLIENT_1, 7777), 24),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: 'unchanged',
  },
  {
    name: 'src-ip-rewrite: a later fragment from a non-backend address to the new range has its destination mapped back',
    given: rewriteConfig,
    inFrame: fragmentOf(dnsAnswer(SERVER_PLAIN, CLIENT_1_NEW, 7777), 24),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: fragmentOf(dnsAnswer(SERVER_PLAIN, CLIENT_1, 7777), 24),
  },
  {
    // The builder's `id` is both the echo id and the IP id (0x0f0f here).
    name: 'a later fragment of an ICMP echo request to a VIP is DNATed as its first fragment was',
    before: [
      {
        frame: fragmentOf(icmpEcho(CLIENT_1, VIP_1, PING_OPTS), 0, 32),
        port: 'frontend',
      },
    ],
    inFrame: fragmentOf(icmpEcho(CLIENT_1, VIP_1, PING_OPTS), 32),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: fragmentOf(icmpEcho(CLIENT_1, BACKEND_1, PING_OPTS), 32),
  },
  {
    name: 'a later fragment to a service without backends follows its first fragment, untranslated',
    before: [
      {
        frame: fragmentOf(tcp(CLIENT_1, VIP_2, 80, { ...syn, payload: fragPayload, ...FRAG_ID }), 0, 40),
        port: 'frontend',
      },
    ],
    inFrame: fragmentOf(tcp(CLIENT_1, VIP_2, 80, { ...syn, payload: fragPayload, ...FRAG_ID }), 40),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: 'unchanged',
  },
  {
    name: 'an ICMP error from the backend side quoting a later fragment to a backend is dropped (no ports to translate by)',
    before: [queryFirst],
    inFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, fragmentOf(dnsQuery(CLIENT_1, BACKEND_1, 5353), 24), {
      type: 11,
      code: 0,
    }),
    inPort: 'backend',
    want: 'drop',
    wantDrop: 'ICMP_QUOTES_FRAGMENT',
  },
  {
    name: 'an ICMP error from a client quoting a later fragment from a VIP is dropped (the backend never sent it)',
    inFrame: icmpError(CLIENT_1, VIP_1, fragmentOf(dnsAnswer(VIP_1, CLIENT_1, 53), 24), {
      type: 11,
      code: 0,
    }),
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'ICMP_QUOTES_FRAGMENT',
  },
  {
    name: 'an ICMP error quoting a later fragment between hosts the LB does not translate is forwarded unchanged',
    inFrame: icmpError(ROUTER_BACKEND_SIDE, CLIENT_1, fragmentOf(dnsQuery(CLIENT_1, SERVER_PLAIN, 53), 24), {
      type: 11,
      code: 0,
    }),
    inPort: 'backend',
    want: 'redirect',
    wantPort: 'frontend',
    wantFrame: 'unchanged',
  },
  // -- malformed packets -------------------------------------------------------------------------
  {
    name: 'a non-first fragment to a VIP is dropped (it has no ports to match)',
    inFrame: ipv4(CLIENT_1, VIP_1, 17, Buffer.alloc(32, 1), { fragOffset: 3 }),
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'FRAGMENT',
  },
  {
    name: 'a non-first fragment to another address is forwarded unchanged, never read as L4',
    inFrame: ipv4(CLIENT_1, SERVER_PLAIN, 6, Buffer.alloc(32, 1), { fragOffset: 3 }),
    inPort: 'frontend',
    want: 'redirect',
    wantPort: 'backend',
    wantFrame: 'unchanged',
  },
  {
    // XDP only: TC's BPF_PROG_TEST_RUN refuses (EINVAL) an skb whose IPv4 header is incomplete.
    name: 'a frame cut inside the IP header is dropped',
    hooks: ['xdp'],
    inFrame: tcp(CLIENT_1, VIP_1, 80, { ...syn, truncate: 14 + 12 }),
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'BAD_IP_HEADER',
  },
  {
    name: 'an IP header with IHL < 5 is dropped',
    inFrame: tcp(CLIENT_1, VIP_1, 80, { ...syn, ihlOverride: 4 }),
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'BAD_IP_HEADER',
  },
  {
    name: 'an IHL longer than the frame is dropped',
    inFrame: tcp(CLIENT_1, VIP_1, 80, { ...syn, ihlOverride: 15, truncate: 14 + 40 }),
    inPort: 'backend',
    want: 'drop',
    wantDrop: 'BAD_IP_HEADER',
  },
  {
    name: 'an IP total length shorter than the IP header is dropped',
    inFrame: withTotLen(SYN_C1, 16),
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'BAD_IP_HEADER',
  },
  {
    name: 'a TCP header cut short by the IP total length (the rest is padding) is dropped',
    inFrame: withTotLen(SYN_C1, 20 + 12),
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'L4_TRUNCATED',
  },
  {
    name: 'a TCP header cut short is dropped',
    inFrame: tcp(CLIENT_1, VIP_1, 80, { ...syn, truncate: 14 + 20 + 12 }),
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'L4_TRUNCATED',
  },
  {
    name: 'a UDP header cut short is dropped',
    inFrame: udp(CLIENT_1, VIP_1, 53, { truncate: 14 + 20 + 4 }),
    inPort: 'frontend',
    want: 'drop',
    wantDrop: 'L4_TRUNCATED',
  },
  // -- ports -------------------------------------------------------------------------------------
  {
    name: 'SINGLE: a frame on a port that is neither FRONTEND nor BACKEND is dropped; MULTI: it is a FRONTEND',
    inFrame: SYN_C1,
    inPort: 'spare',
    want: 'drop',
    wantDrop: 'UNKNOWN_PORT',
    byMode: {
      multi: { want: 'redirect', wantPort: 'backend', wantFrame: SYN_C1_AT_B1, wantDrop: undefined },
    },
  },
  {
    name: 'a frame from a netdev the cube does not know is dropped by the runtime',
    inFrame: SYN_C1,
    inPort: 'lo',
    want: 'drop',
    wantRuntimeStat: PCN.STAT_UNKNOWN_IFINDEX,
  },
  {
    name: 'MULTI: a frame for a FRONTEND port without a peer netdev is dropped by the runtime',
    given: () => standardConfig({ frontendIps: { [CLIENT_1]: PORTS.frontend, [CLIENT_3]: PORTS.spare } }),
    inFrame: tcp(BACKEND_1, CLIENT_3, 40000, { sport: 8080, ack: true }),
    inPort: 'backend',
    want: 'drop',
    wantRuntimeStat: PCN.STAT_NOT_CONNECTED,
    byMode: {
      single: { want: 'redirect', wantPort: 'frontend', wantFrame: 'unchanged', wantRuntimeStat: undefined },
    },
  },
];

/** The row's expectations for one mode. */
export function expectFor(row: Row, mode: Mode): RowExpect {
  return { ...pick(row), ...(row.byMode?.[mode] ?? {}) };
}

function pick(row: Row): RowExpect {
  const { inPort, want, wantPort, wantFrame, wantDrop, wantRuntimeStat, wantPktIn, wantSessions } = row;
  return { inPort, want, wantPort, wantFrame, wantDrop, wantRuntimeStat, wantPktIn, wantSessions };
}
