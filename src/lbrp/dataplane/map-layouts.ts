// TS mirror of dataplane/lbrp/lbrp_structs.h and lbrp_consts.h (and the runtime's pcn_api.h
// constants): encoders/decoders for every map key and value, and the F_*/DROP_*/STAT_* values.
// A test compiles dataplane/lbrp/layout_check.c and compares its BTF with STRUCT_LAYOUTS and
// LAYOUT_CONSTANTS below, so the two sides cannot drift. Pure: no I/O, no kernel.

import { struct, writeIpv4, type Ipv4, type StructLayout } from './struct-codec';

export { readIpv4, writeIpv4, type Ipv4, type StructLayout } from './struct-codec';

/** IP protocol numbers the dataplane handles. */
export const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17 } as const;

/** backend_value.flags: the backend may receive new sessions (cleared = drained or removed). */
export const F_BACKEND_ACTIVE = 0x1;
/**
 * backend_value.flags: backend_to_vip[{ip, port, proto}] names this backend's service, so a new
 * session through it writes only its conntrack entry (no reverse_nat entry); its replies are
 * found through backend_to_vip. Set only while that entry exists and names this service.
 */
export const F_BACKEND_UNIQUE = 0x2;
/**
 * backend_vip_value.flags: the entry's address serves only the entry's service, so a reply from it
 * without a session is reverse-translated statelessly (set and cleared as F_BACKEND_UNIQUE is).
 */
export const F_BACKEND_VIP_UNIQUE = 0x1;
/** conntrack_value.flags: the client's source address was rewritten (src-ip-rewrite). */
export const F_CT_SRC_REWRITTEN = 0x1;
/** Session history bits of conntrack_value.flags and reverse_nat_value.flags (equal in both). */
export const F_CT_SEEN_CLIENT_ACK = 0x2;
export const F_CT_SEEN_BACKEND = 0x4;
export const F_CT_FIN_CLIENT = 0x8;
export const F_CT_FIN_BACKEND = 0x10;
/**
 * Session state: bits CT_STATE_MASK of conntrack_value.flags and reverse_nat_value.flags, equal in
 * a session's two entries (bits 0-7 are per-entry F_CT_* flags).
 */
export const CT_STATE_SHIFT = 8;
export const CT_STATE_MASK = 0x0300;
/** The bits a session's two entries share (history and state). */
export const F_CT_SESSION_BITS =
  F_CT_SEEN_CLIENT_ACK | F_CT_SEEN_BACKEND | F_CT_FIN_CLIENT | F_CT_FIN_BACKEND | CT_STATE_MASK;
export const CT_STATE = { NEW: 0, ESTABLISHED: 1, CLOSING: 2, CLOSED: 3 } as const;
/** The CT_STATE of an entry's flags. */
export const ctStateOf = (flags: number): number => (flags & CT_STATE_MASK) >> CT_STATE_SHIFT;
/** session_config.timeout[] slots (idle timeouts in session clock units; 0 = never). */
export const TIMEOUT = { TCP_NEW: 0, TCP_ESTABLISHED: 1, TCP_CLOSING: 2, UDP: 3, ICMP: 4 } as const;
export const TIMEOUT_MAX = 5;
/** session_events slots (per-CPU u64). */
export const EV = {
  ADMISSION_REFUSED: 0,
  EVICT_EXPIRED: 1,
  EVICT_UNESTABLISHED: 2,
  EVICT_ESTABLISHED: 3,
  TABLE_FULL: 4,
  STATELESS_REPLY: 5,
  FRAG_TRANSLATED: 6,
} as const;
export const EV_MAX = 8;
/** frag_key.dir: the side a fragment arrived from (a FRONTEND port, or the BACKEND port). */
export const FRAG_FROM_CLIENT = 0;
export const FRAG_FROM_BACKEND = 1;
/** frag_track entries (LRU hash; -D MAX_FRAG_TRACK): datagrams in flight whose first fragment was translated. */
export const MAX_FRAG_TRACK = 1024;
/** affinity entries (LRU hash; -D MAX_AFFINITY): clients of session-affinity services, all services together. */
export const MAX_AFFINITY = 8192;
/** Health probes through the BACKEND port (probe.h): TCP source ports PROBE_PORT_MIN ..
 * PROBE_PORT_MIN + PROBE_PORT_COUNT - 1 and the ICMP echo identifier, trapped when sent to -D PROBE_SRC. */
export const PROBE_PORT_MIN = 61000;
export const PROBE_PORT_COUNT = 64;
export const PROBE_ICMP_ID = 0x6c62;
/** service_value.flags: session-affinity CLIENT_IP (affinity.h); its timeout is service_affinity[id]. */
export const F_SERVICE_AFFINITY = 0x1;
/** src_rewrite_value.sense: the key is the client range (sources rewritten to the new range). */
export const FROM_FRONTEND = 0;
/** src_rewrite_value.sense: the key is the new range (backend-side destinations mapped back). */
export const FROM_BACKEND = 1;
/** Packet-in reasons (Polycube's SlowPathReason). */
export const REASON_ARP_REPLY = 0;
export const REASON_FLOODING = 1;
/** From the BACKEND port to the probe source: a health probe's reply or ARP (probe.h). */
export const REASON_PROBE_REPLY = 2;

/** Drop reasons (negative, as in C); drop_stats is indexed by -value. */
export const DROP = {
  UNKNOWN_PORT: -1,
  NO_BACKEND_PORT: -2,
  NO_FRONTEND_PORT: -3,
  NO_FRONTEND_FOR_IP: -4,
  L2_TRUNCATED: -5,
  BAD_IP_HEADER: -6,
  L4_TRUNCATED: -7,
  FRAGMENT: -8,
  NO_BACKEND: -9,
  BACKEND_INACTIVE: -10,
  SESSION_CREATE: -11,
  BAD_ARP: -12,
  ARP_REPLY_PUNTED: -13,
  FLOOD_PUNTED: -14,
  CSUM_FAILED: -15,
  /** A later fragment from a backend address without a frag_track entry (it would leak). */
  FRAGMENT_UNTRACKED: -16,
  /** An ICMP error quoting a later fragment to a backend or from a VIP (no ports to translate by). */
  ICMP_QUOTES_FRAGMENT: -17,
  /** A reply to the cube's health probes (or ARP about the probe source) handed to the service. */
  PROBE_REPLY_PUNTED: -18,
} as const;
export type DropReason = keyof typeof DROP;
/** Entries of drop_stats (index 0 unused). */
export const DROP_MAX = 19;

/** Name of a drop_stats index (1..DROP_MAX-1), e.g. 8 → "FRAGMENT". */
export function dropReasonName(index: number): DropReason | undefined {
  return (Object.keys(DROP) as DropReason[]).find((k) => -DROP[k] === index);
}

/** u64 slots of struct lbrp_counters. */
export const STAT_PACKETS = 0;
export const STAT_BYTES = 1;
export const STAT_NEW_SESSIONS = 2;
export const STAT_MAX = 3;

/**
 * Default map sizes (each overridable with -D at compile time): the defaults of the YANG size
 * leaves (a unit test compares them with the generated class).
 */
export const MAX_DEFAULTS = {
  MAX_SERVICES: 1024,
  MAX_VIPS: 1024,
  MAX_SESSIONS: 65536,
  MAX_BACKENDS: 4096,
  MAX_MAGLEV_SLOTS: 1 << 18,
  MAX_FRONTENDS: 1024,
  MAX_SRC_REWRITES: 16,
} as const;

/** Entries per bucket of the session table: MAX_SESSIONS / SESSION_WAYS buckets. */
export const SESSION_WAYS = 8;
/** flow_key.kind of a session table entry: conntrack (client → VIP) or reverse NAT (backend → client). */
export const SESSION_FORWARD = 0;
export const SESSION_REVERSE = 1;

/** The runtime's handle_rx return codes (Polycube values). */
export const RX = { OK: 0, REDIRECT: 1, DROP: 2, RECIRCULATE: 3, ERROR: 4, REDIRECTED: 5 } as const;
/** pcn_log levels (LOG_TRACE..LOG_OFF). */
export const LOG_LEVEL = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERR: 4, CRITICAL: 5, OFF: 6 } as const;
/** Runtime limits and pcn_runtime_stats slots (dataplane/runtime/pcn_api.h). */
export const PCN = {
  MAX_PORTS: 128,
  PKTIN_MAX: 2048,
  LOG_FMT_MAX: 128,
  TRACE_PORTS: 16,
  STAT_UNKNOWN_IFINDEX: 0,
  STAT_NOT_CONNECTED: 1,
  STAT_BAD_VERDICT: 2,
  STAT_LOG_LOST: 3,
  STAT_PKTIN_LOST: 4,
  STAT_MAX: 5,
} as const;

/** Every constant layout_check.c exports, by its C name (the test compares the two). */
export const LAYOUT_CONSTANTS: Record<string, number> = {
  F_BACKEND_ACTIVE,
  F_BACKEND_UNIQUE,
  F_BACKEND_VIP_UNIQUE,
  F_CT_SRC_REWRITTEN,
  F_CT_SEEN_CLIENT_ACK,
  F_CT_SEEN_BACKEND,
  F_CT_FIN_CLIENT,
  F_CT_FIN_BACKEND,
  F_CT_SESSION_BITS,
  CT_STATE_SHIFT,
  CT_STATE_MASK,
  ...Object.fromEntries(Object.entries(CT_STATE).map(([k, v]) => [`CT_${k}`, v])),
  ...Object.fromEntries(Object.entries(TIMEOUT).map(([k, v]) => [`TIMEOUT_${k}`, v])),
  TIMEOUT_MAX,
  ...Object.fromEntries(Object.entries(EV).map(([k, v]) => [`EV_${k}`, v])),
  EV_MAX,
  FROM_FRONTEND,
  FROM_BACKEND,
  FRAG_FROM_CLIENT,
  FRAG_FROM_BACKEND,
  MAX_FRAG_TRACK,
  MAX_AFFINITY,
  PROBE_PORT_MIN,
  PROBE_PORT_COUNT,
  PROBE_ICMP_ID,
  F_SERVICE_AFFINITY,
  REASON_ARP_REPLY,
  REASON_FLOODING,
  REASON_PROBE_REPLY,
  ...Object.fromEntries(Object.entries(DROP).map(([k, v]) => [`DROP_${k}`, v])),
  DROP_MAX,
  STAT_PACKETS,
  STAT_BYTES,
  STAT_NEW_SESSIONS,
  STAT_MAX,
  ...MAX_DEFAULTS,
  SESSION_WAYS,
  SESSION_FORWARD,
  SESSION_REVERSE,
  ...Object.fromEntries(Object.entries(RX).map(([k, v]) => [`RX_${k}`, v])),
  LOG_TRACE: LOG_LEVEL.TRACE,
  LOG_OFF: LOG_LEVEL.OFF,
  ...Object.fromEntries(Object.entries(PCN).map(([k, v]) => [`PCN_${k}`, v])),
};

// ---- the kernel structs ----------------------------------------------------------------------
// Each struct of lbrp_structs.h and pcn_api.h once: its fields in declaration order, their wire
// types and the TS property each carries. Layouts, encoders and decoders all derive from these.

/** services key: vport 0 for ICMP. */
export interface ServiceKey {
  vip: Ipv4;
  /** Host order; encoded be16. */
  vport: number;
  /** IP protocol number. */
  proto: number;
}
const SERVICE_KEY = struct<ServiceKey>([
  { c: 'vip', type: 'ipv4', prop: 'vip' },
  { c: 'vport', type: 'be16', prop: 'vport' },
  { c: 'proto', type: 'u8', prop: 'proto' },
  { c: 'pad', type: 'u8' },
]);

/** services value: the service's Maglev table is maglev_slots[slotBase, slotBase + tableSize). */
export interface ServiceValue {
  serviceId: number;
  slotBase: number;
  /** 0 = no backends: traffic is forwarded untranslated. */
  tableSize: number;
  flags: number;
}
const SERVICE_VALUE = struct<ServiceValue>([
  { c: 'service_id', type: 'u32', prop: 'serviceId' },
  { c: 'slot_base', type: 'u32', prop: 'slotBase' },
  { c: 'table_size', type: 'u32', prop: 'tableSize' },
  { c: 'flags', type: 'u32', prop: 'flags' },
]);

/** backends value (key: u32 backend id). */
export interface BackendValue {
  ip: Ipv4;
  /** Host order; encoded be16. */
  port: number;
  /** F_BACKEND_* bits. */
  flags: number;
}
const BACKEND_VALUE = struct<BackendValue>([
  { c: 'ip', type: 'ipv4', prop: 'ip' },
  { c: 'port', type: 'be16', prop: 'port' },
  { c: 'flags', type: 'u16', prop: 'flags' },
]);

/**
 * A flow's 5-tuple, and the key of a session table entry. ICMP echo: a request has sport = echo
 * id and dport = 0, a reply sport = 0 and dport = echo id.
 */
export interface FlowKey {
  saddr: Ipv4;
  daddr: Ipv4;
  sport: number;
  dport: number;
  proto: number;
  /** SESSION_FORWARD (default: 0) or SESSION_REVERSE. */
  kind?: number;
}
const FLOW_KEY = struct<FlowKey>([
  { c: 'saddr', type: 'ipv4', prop: 'saddr' },
  { c: 'daddr', type: 'ipv4', prop: 'daddr' },
  { c: 'sport', type: 'be16', prop: 'sport' },
  { c: 'dport', type: 'be16', prop: 'dport' },
  { c: 'proto', type: 'u8', prop: 'proto' },
  { c: 'kind', type: 'u8', prop: 'kind' },
  { c: 'pad', type: 'bytes', size: 2 },
]);

/** conntrack value (written by the datapath). */
export interface ConntrackValue {
  backendIp: Ipv4;
  backendPort: number;
  flags: number;
  backendId: number;
  serviceId: number;
  /** Client address after src-ip-rewrite (= the client address when not rewritten). */
  natSaddr: Ipv4;
}
const CONNTRACK_VALUE = struct<ConntrackValue>([
  { c: 'backend_ip', type: 'ipv4', prop: 'backendIp' },
  { c: 'backend_port', type: 'be16', prop: 'backendPort' },
  { c: 'flags', type: 'u16', prop: 'flags' },
  { c: 'backend_id', type: 'u32', prop: 'backendId' },
  { c: 'service_id', type: 'u32', prop: 'serviceId' },
  { c: 'nat_saddr', type: 'ipv4', prop: 'natSaddr' },
]);

/** reverse_nat value (written by the datapath). */
export interface ReverseNatValue {
  vip: Ipv4;
  vport: number;
  /** The session's state bits (CT_STATE_MASK), as in its conntrack entry (default 0). */
  flags?: number;
  /** The client's original address (before src-ip-rewrite). */
  clientIp: Ipv4;
  serviceId: number;
  backendId: number;
}
const REVERSE_NAT_VALUE = struct<ReverseNatValue>([
  { c: 'vip', type: 'ipv4', prop: 'vip' },
  { c: 'vport', type: 'be16', prop: 'vport' },
  { c: 'flags', type: 'u16', prop: 'flags' },
  { c: 'client_ip', type: 'ipv4', prop: 'clientIp' },
  { c: 'service_id', type: 'u32', prop: 'serviceId' },
  { c: 'backend_id', type: 'u32', prop: 'backendId' },
]);

/** One way of the session table (lbrp reads its parts through the layouts of flow_key and the values). */
const SESSION_ENTRY = struct<never>([
  { c: 'key', type: 'bytes', size: FLOW_KEY.layout.size, align: 4 },
  // The union of conntrack_value ct / reverse_nat_value rn (bpftool's name for it).
  { c: '(anon)', type: 'bytes', size: CONNTRACK_VALUE.layout.size, align: 4 },
  { c: 'last_seen', type: 'u32' },
]);
const SESSION_BUCKET = struct<never>([
  { c: 'way', type: 'bytes', size: SESSION_ENTRY.layout.size * SESSION_WAYS, align: 4 },
]);

/**
 * backend_to_vip key: a backend address as its replies carry it (their source address, port and
 * protocol). ICMP echo: port 0.
 */
export interface BackendVipKey {
  ip: Ipv4;
  /** Host order; encoded be16. 0 for ICMP. */
  port: number;
  /** IP protocol number. */
  proto: number;
}
const BACKEND_VIP_KEY = struct<BackendVipKey>([
  { c: 'ip', type: 'ipv4', prop: 'ip' },
  { c: 'port', type: 'be16', prop: 'port' },
  { c: 'proto', type: 'u8', prop: 'proto' },
  { c: 'pad', type: 'u8' },
]);

/**
 * backend_to_vip value: the one service behind a backend address (written by the control plane;
 * see dataplane/README.md, "backend_to_vip", for when).
 */
export interface BackendVipValue {
  vip: Ipv4;
  /** Host order; encoded be16. 0 for ICMP. */
  vport: number;
  /** F_BACKEND_VIP_UNIQUE or 0. */
  flags: number;
  /** The service's id (service_stats index). */
  serviceId: number;
}
const BACKEND_VIP_VALUE = struct<BackendVipValue>([
  { c: 'vip', type: 'ipv4', prop: 'vip' },
  { c: 'vport', type: 'be16', prop: 'vport' },
  { c: 'flags', type: 'u16', prop: 'flags' },
  { c: 'service_id', type: 'u32', prop: 'serviceId' },
]);

/** src_ip_rewrite key (LPM trie): addr must be the network address (host bits zero). */
export interface SrcRewriteKey {
  prefixLen: number;
  addr: Ipv4;
}
const SRC_REWRITE_KEY = struct<SrcRewriteKey>([
  { c: 'prefixlen', type: 'u32', prop: 'prefixLen' },
  { c: 'addr', type: 'ipv4', prop: 'addr' },
]);

/** src_ip_rewrite value: an address of the key's prefix maps to newNet | (addr & hostMask). */
export interface SrcRewriteValue {
  newNet: Ipv4;
  /** Host bits of the prefix, as an address (0.0.0.255 for a /24). */
  hostMask: Ipv4;
  /** FROM_FRONTEND or FROM_BACKEND. */
  sense: number;
}
const SRC_REWRITE_VALUE = struct<SrcRewriteValue>([
  { c: 'new_net', type: 'ipv4', prop: 'newNet' },
  { c: 'host_mask', type: 'ipv4', prop: 'hostMask' },
  { c: 'sense', type: 'u32', prop: 'sense' },
]);

/** service_stats / backend_stats value (one CPU's slot, or the sum over CPUs). */
export interface LbrpCounters {
  packets: bigint;
  bytes: bigint;
  newSessions: bigint;
}
const LBRP_COUNTERS = struct<LbrpCounters>([
  { c: 'packets', type: 'u64', prop: 'packets' },
  { c: 'bytes', type: 'u64', prop: 'bytes' },
  { c: 'new_sessions', type: 'u64', prop: 'newSessions' },
]);

/** session_config value (key u32 0): the bucket hash's key, idle timeouts, admission rate. */
export interface SessionConfig {
  /** Four u32 words; all zero = unkeyed (a cube before its first sync). */
  secret: [number, number, number, number];
  /** Idle timeouts in session clock units (jiffies >> 8), by TIMEOUT slot; 0 = never. */
  timeouts: number[];
  /** New sessions a CPU may create per jiffy, x 65536; 0n = no limit. */
  admitPerJiffyQ16: bigint;
  /** Depth of each CPU's token bucket, x 65536. */
  admitBurstQ16: bigint;
}
const SESSION_CONFIG = struct<SessionConfig>([
  { c: 'secret', type: 'u32wrap', prop: 'secret', count: 4 },
  { c: 'timeout', type: 'u32wrap', prop: 'timeouts', count: TIMEOUT_MAX },
  { c: 'pad', type: 'u32' },
  { c: 'admit_per_jiffy_q16', type: 'u64', prop: 'admitPerJiffyQ16' },
  { c: 'admit_burst_q16', type: 'u64', prop: 'admitBurstQ16' },
]);

/** admission_state value (per-CPU; written by the datapath only). */
const ADMISSION_STATE = struct<never>([
  { c: 'tokens_q16', type: 'u64' },
  { c: 'last_jiffies', type: 'u64' },
]);

/** frag_track key: a datagram's fragments as they arrive. */
export interface FragKey {
  saddr: Ipv4;
  daddr: Ipv4;
  /** The IP identification field (host order here, be16 in the map). */
  id: number;
  proto: number;
  /** FRAG_FROM_CLIENT or FRAG_FROM_BACKEND. */
  dir: number;
}
const FRAG_KEY = struct<FragKey>([
  { c: 'saddr', type: 'ipv4', prop: 'saddr' },
  { c: 'daddr', type: 'ipv4', prop: 'daddr' },
  { c: 'id', type: 'be16', prop: 'id' },
  { c: 'proto', type: 'u8', prop: 'proto' },
  { c: 'dir', type: 'u8', prop: 'dir' },
]);

/** frag_track value: the addresses the datagram's first fragment was translated to. */
export interface FragValue {
  saddr: Ipv4;
  daddr: Ipv4;
  /** service_stats / backend_stats index of later fragments; 0xffffffff = none. */
  serviceId: number;
  backendId: number;
}
const FRAG_VALUE = struct<FragValue>([
  { c: 'saddr', type: 'ipv4', prop: 'saddr' },
  { c: 'daddr', type: 'ipv4', prop: 'daddr' },
  { c: 'service_id', type: 'u32', prop: 'serviceId' },
  { c: 'backend_id', type: 'u32', prop: 'backendId' },
]);

/** affinity key: one client of one service. */
export interface AffinityKey {
  serviceId: number;
  client: Ipv4;
}
const AFFINITY_KEY = struct<AffinityKey>([
  { c: 'service_id', type: 'u32', prop: 'serviceId' },
  { c: 'client', type: 'ipv4', prop: 'client' },
]);

/** affinity value (written by the datapath): the client's backend and when it was last used. */
export interface AffinityValue {
  backendId: number;
  backendIp: Ipv4;
  backendPort: number;
  lastSeen: number;
}
const AFFINITY_VALUE = struct<AffinityValue>([
  { c: 'backend_id', type: 'u32', prop: 'backendId' },
  { c: 'backend_ip', type: 'ipv4', prop: 'backendIp' },
  { c: 'backend_port', type: 'be16', prop: 'backendPort' },
  { c: 'pad', type: 'u16' },
  { c: 'last_seen', type: 'u32wrap', prop: 'lastSeen' },
]);

// The runtime's records (pcn_api.h): lbrp only needs their layouts checked here; the runtime
// decodes them itself.
const PKT_METADATA = struct<never>(
  [
    { c: 'cube_id', type: 'u16' },
    { c: 'in_port', type: 'u16' },
    { c: 'packet_len', type: 'u32' },
    { c: 'traffic_class', type: 'u32' },
    { c: 'reason', type: 'u16' },
    { c: 'md', type: 'u32', count: 3 },
  ],
  { packed: true },
);
const PCN_LOG_RECORD = struct<never>([
  { c: 'type', type: 'u16' },
  { c: 'id', type: 'u16' },
  { c: 'level', type: 'u16' },
  { c: 'len', type: 'u16' },
  { c: 'args', type: 'u64', count: 4 },
  { c: 'fmt', type: 'bytes', size: PCN.LOG_FMT_MAX },
]);
const PCN_PKTIN_RECORD = struct<never>(
  [
    { c: 'md', type: 'bytes', size: PKT_METADATA.layout.size },
    { c: 'captured_len', type: 'u16' },
    { c: 'data', type: 'bytes', size: PCN.PKTIN_MAX },
  ],
  { packed: true },
);
/** Written by the runtime's cube-dataplane.ts (encodePortPeer), not by lbrp. */
const PCN_PORT_PEER = struct<never>([
  { c: 'mac', type: 'bytes', size: 6 },
  { c: 'on', type: 'u16' },
]);
const PCN_TEST_TRACE = struct<never>([
  { c: 'seq', type: 'u32' },
  { c: 'rx_code', type: 'u32' },
  { c: 'out_port', type: 'u32' },
  { c: 'out_ifindex', type: 'u32' },
  { c: 'pktin_reason', type: 'u32' },
  { c: 'pktin_count', type: 'u32' },
  { c: 'redirects', type: 'u64', count: PCN.TRACE_PORTS },
]);

/** Layout of every struct that crosses the kernel boundary, by C struct name. */
export const STRUCT_LAYOUTS: Record<string, StructLayout> = Object.fromEntries(
  Object.entries({
    service_key: SERVICE_KEY,
    service_value: SERVICE_VALUE,
    backend_value: BACKEND_VALUE,
    flow_key: FLOW_KEY,
    conntrack_value: CONNTRACK_VALUE,
    reverse_nat_value: REVERSE_NAT_VALUE,
    session_entry: SESSION_ENTRY,
    session_bucket: SESSION_BUCKET,
    backend_vip_key: BACKEND_VIP_KEY,
    backend_vip_value: BACKEND_VIP_VALUE,
    src_rewrite_key: SRC_REWRITE_KEY,
    src_rewrite_value: SRC_REWRITE_VALUE,
    lbrp_counters: LBRP_COUNTERS,
    session_config: SESSION_CONFIG,
    frag_key: FRAG_KEY,
    affinity_key: AFFINITY_KEY,
    affinity_value: AFFINITY_VALUE,
    frag_value: FRAG_VALUE,
    admission_state: ADMISSION_STATE,
    pkt_metadata: PKT_METADATA,
    pcn_log_record: PCN_LOG_RECORD,
    pcn_pktin_record: PCN_PKTIN_RECORD,
    pcn_port_peer: PCN_PORT_PEER,
    pcn_test_trace: PCN_TEST_TRACE,
  }).map(([name, codec]) => [name, codec.layout]),
);

// ---- encoders and decoders (the maps' keys and values) ------------------------------------------

export const encodeServiceKey = SERVICE_KEY.encode;
export const decodeServiceKey = SERVICE_KEY.decode;
export const encodeServiceValue = SERVICE_VALUE.encode;
export const decodeServiceValue = SERVICE_VALUE.decode;
export const encodeBackendValue = BACKEND_VALUE.encode;
export const decodeBackendValue = BACKEND_VALUE.decode;
export const encodeFlowKey = FLOW_KEY.encode;
export const decodeFlowKey = FLOW_KEY.decode as (b: Buffer) => Required<FlowKey>;
export const encodeConntrackValue = CONNTRACK_VALUE.encode;
export const decodeConntrackValue = CONNTRACK_VALUE.decode;
export const encodeReverseNatValue = REVERSE_NAT_VALUE.encode;
export const decodeReverseNatValue = REVERSE_NAT_VALUE.decode;
export const encodeBackendVipKey = BACKEND_VIP_KEY.encode;
export const decodeBackendVipKey = BACKEND_VIP_KEY.decode;
export const encodeBackendVipValue = BACKEND_VIP_VALUE.encode;
export const decodeBackendVipValue = BACKEND_VIP_VALUE.decode;
export const encodeSrcRewriteKey = SRC_REWRITE_KEY.encode;
export const decodeSrcRewriteKey = SRC_REWRITE_KEY.decode;
export const encodeSrcRewriteValue = SRC_REWRITE_VALUE.encode;
export const decodeSrcRewriteValue = SRC_REWRITE_VALUE.decode;
export const decodeCounters = LBRP_COUNTERS.decode;
export const encodeSessionConfig = SESSION_CONFIG.encode;
export const decodeSessionConfig = SESSION_CONFIG.decode;
export const encodeFragKey = FRAG_KEY.encode;
export const decodeFragValue = FRAG_VALUE.decode;
export const encodeAffinityKey = AFFINITY_KEY.encode;
export const encodeAffinityValue = AFFINITY_VALUE.encode;
export const decodeAffinityValue = AFFINITY_VALUE.decode;

/** Sums per-CPU lbrp_counters slots (as returned by a per-CPU lookup). */
export function sumCounters(perCpu: Buffer[]): LbrpCounters {
  const sum: LbrpCounters = { packets: 0n, bytes: 0n, newSessions: 0n };
  for (const b of perCpu) {
    const c = decodeCounters(b);
    sum.packets += c.packets;
    sum.bytes += c.bytes;
    sum.newSessions += c.newSessions;
  }
  return sum;
}

/** Sums per-CPU u64 slots (drop_stats, pcn_runtime_stats). */
export function sumU64(perCpu: Buffer[]): bigint {
  return perCpu.reduce((acc, b) => acc + b.readBigUInt64LE(0), 0n);
}

/** A u32 map key or value in host order (ids, slot indexes, ifindexes). */
export function encodeU32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

export function decodeU32(b: Buffer): number {
  return b.readUInt32LE(0);
}

/** A u16 map value in host order (port ids). */
export function encodeU16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
}

export function decodeU16(b: Buffer): number {
  return b.readUInt16LE(0);
}

/** A be32 address key (vips, backend_ips, ip_to_frontend_port). */
export function encodeIpv4Key(ip: Ipv4): Buffer {
  const b = Buffer.alloc(4);
  writeIpv4(b, ip, 0);
  return b;
}
