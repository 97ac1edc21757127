// TS mirror of dataplane/lbrp/lbrp_structs.h and lbrp_consts.h (and the runtime's pcn_api.h
// constants): encoders/decoders for every map key and value, and the F_*/DROP_*/STAT_* values.
// A test compiles dataplane/lbrp/layout_check.c and compares its BTF with STRUCT_LAYOUTS and
// LAYOUT_CONSTANTS below, so the two sides cannot drift. Pure: no I/O, no kernel.

/** IPv4 address in dotted form ("10.0.0.1"). Encoded in network byte order. */
export type Ipv4 = string;

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
/** service_value.flags: session-affinity CLIENT_IP (affinity.h); its timeout is service_affinity[id]. */
export const F_SERVICE_AFFINITY = 0x1;
/** src_rewrite_value.sense: the key is the client range (sources rewritten to the new range). */
export const FROM_FRONTEND = 0;
/** src_rewrite_value.sense: the key is the new range (backend-side destinations mapped back). */
export const FROM_BACKEND = 1;
/** Packet-in reasons (Polycube's SlowPathReason). */
export const REASON_ARP_REPLY = 0;
export const REASON_FLOODING = 1;

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
} as const;
export type DropReason = keyof typeof DROP;
/** Entries of drop_stats (index 0 unused). */
export const DROP_MAX = 18;

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
  F_SERVICE_AFFINITY,
  REASON_ARP_REPLY,
  REASON_FLOODING,
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

/** Size and field offsets (bytes) of one C struct. */
export interface StructLayout {
  size: number;
  fields: Record<string, { offset: number; size: number }>;
}

/** Layout of every struct that crosses the kernel boundary, by C struct name. */
export const STRUCT_LAYOUTS: Record<string, StructLayout> = {
  service_key: layout(8, [
    ['vip', 0, 4],
    ['vport', 4, 2],
    ['proto', 6, 1],
    ['pad', 7, 1],
  ]),
  service_value: layout(16, [
    ['service_id', 0, 4],
    ['slot_base', 4, 4],
    ['table_size', 8, 4],
    ['flags', 12, 4],
  ]),
  backend_value: layout(8, [
    ['ip', 0, 4],
    ['port', 4, 2],
    ['flags', 6, 2],
  ]),
  flow_key: layout(16, [
    ['saddr', 0, 4],
    ['daddr', 4, 4],
    ['sport', 8, 2],
    ['dport', 10, 2],
    ['proto', 12, 1],
    ['kind', 13, 1],
    ['pad', 14, 2],
  ]),
  conntrack_value: layout(20, [
    ['backend_ip', 0, 4],
    ['backend_port', 4, 2],
    ['flags', 6, 2],
    ['backend_id', 8, 4],
    ['service_id', 12, 4],
    ['nat_saddr', 16, 4],
  ]),
  reverse_nat_value: layout(20, [
    ['vip', 0, 4],
    ['vport', 4, 2],
    ['flags', 6, 2],
    ['client_ip', 8, 4],
    ['service_id', 12, 4],
    ['backend_id', 16, 4],
  ]),
  session_entry: layout(40, [
    ['key', 0, 16],
    ['(anon)', 16, 20], // the union of conntrack_value ct / reverse_nat_value rn (bpftool's name)
    ['last_seen', 36, 4],
  ]),
  session_bucket: layout(40 * SESSION_WAYS, [['way', 0, 40 * SESSION_WAYS]]),
  backend_vip_key: layout(8, [
    ['ip', 0, 4],
    ['port', 4, 2],
    ['proto', 6, 1],
    ['pad', 7, 1],
  ]),
  backend_vip_value: layout(12, [
    ['vip', 0, 4],
    ['vport', 4, 2],
    ['flags', 6, 2],
    ['service_id', 8, 4],
  ]),
  src_rewrite_key: layout(8, [
    ['prefixlen', 0, 4],
    ['addr', 4, 4],
  ]),
  src_rewrite_value: layout(12, [
    ['new_net', 0, 4],
    ['host_mask', 4, 4],
    ['sense', 8, 4],
  ]),
  lbrp_counters: layout(24, [
    ['packets', 0, 8],
    ['bytes', 8, 8],
    ['new_sessions', 16, 8],
  ]),
  session_config: layout(56, [
    ['secret', 0, 16],
    ['timeout', 16, 4 * TIMEOUT_MAX],
    ['pad', 36, 4],
    ['admit_per_jiffy_q16', 40, 8],
    ['admit_burst_q16', 48, 8],
  ]),
  frag_key: layout(12, [
    ['saddr', 0, 4],
    ['daddr', 4, 4],
    ['id', 8, 2],
    ['proto', 10, 1],
    ['dir', 11, 1],
  ]),
  affinity_key: layout(8, [
    ['service_id', 0, 4],
    ['client', 4, 4],
  ]),
  affinity_value: layout(16, [
    ['backend_id', 0, 4],
    ['backend_ip', 4, 4],
    ['backend_port', 8, 2],
    ['pad', 10, 2],
    ['last_seen', 12, 4],
  ]),
  frag_value: layout(16, [
    ['saddr', 0, 4],
    ['daddr', 4, 4],
    ['service_id', 8, 4],
    ['backend_id', 12, 4],
  ]),
  admission_state: layout(16, [
    ['tokens_q16', 0, 8],
    ['last_jiffies', 8, 8],
  ]),
  pkt_metadata: layout(26, [
    ['cube_id', 0, 2],
    ['in_port', 2, 2],
    ['packet_len', 4, 4],
    ['traffic_class', 8, 4],
    ['reason', 12, 2],
    ['md', 14, 12],
  ]),
  pcn_log_record: layout(168, [
    ['type', 0, 2],
    ['id', 2, 2],
    ['level', 4, 2],
    ['len', 6, 2],
    ['args', 8, 32],
    ['fmt', 40, 128],
  ]),
  pcn_pktin_record: layout(28 + 2048, [
    ['md', 0, 26],
    ['captured_len', 26, 2],
    ['data', 28, 2048],
  ]),
  /** Written by the runtime's cube-dataplane.ts (encodePortPeer), not by lbrp. */
  pcn_port_peer: layout(8, [
    ['mac', 0, 6],
    ['on', 6, 2],
  ]),
  pcn_test_trace: layout(152, [
    ['seq', 0, 4],
    ['rx_code', 4, 4],
    ['out_port', 8, 4],
    ['out_ifindex', 12, 4],
    ['pktin_reason', 16, 4],
    ['pktin_count', 20, 4],
    ['redirects', 24, 128],
  ]),
};

function layout(size: number, fields: Array<[string, number, number]>): StructLayout {
  return { size, fields: Object.fromEntries(fields.map(([n, offset, s]) => [n, { offset, size: s }])) };
}

// ---- address helpers -------------------------------------------------------------------------

/** Writes a dotted IPv4 address at `off` in network order. Throws on a malformed address. */
export function writeIpv4(buf: Buffer, ip: Ipv4, off: number): void {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new TypeError(`invalid IPv4 address ${JSON.stringify(ip)}`);
  parts.forEach((p, i) => {
    const n = Number(p);
    if (!/^\d{1,3}$/.test(p) || n > 255) throw new TypeError(`invalid IPv4 address ${JSON.stringify(ip)}`);
    buf[off + i] = n;
  });
}

/** Reads a network-order IPv4 address at `off`. */
export function readIpv4(buf: Buffer, off: number): Ipv4 {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

// ---- keys and values -------------------------------------------------------------------------

/** services key: vport 0 for ICMP. */
export interface ServiceKey {
  vip: Ipv4;
  /** Host order; encoded be16. */
  vport: number;
  /** IP protocol number. */
  proto: number;
}

export function encodeServiceKey(k: ServiceKey): Buffer {
  const b = Buffer.alloc(8);
  writeIpv4(b, k.vip, 0);
  b.writeUInt16BE(k.vport, 4);
  b.writeUInt8(k.proto, 6);
  return b;
}

export function decodeServiceKey(b: Buffer): ServiceKey {
  return { vip: readIpv4(b, 0), vport: b.readUInt16BE(4), proto: b.readUInt8(6) };
}

/** services value: the service's Maglev table is maglev_slots[slotBase, slotBase + tableSize). */
export interface ServiceValue {
  serviceId: number;
  slotBase: number;
  /** 0 = no backends: traffic is forwarded untranslated. */
  tableSize: number;
  flags: number;
}

export function encodeServiceValue(v: ServiceValue): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(v.serviceId, 0);
  b.writeUInt32LE(v.slotBase, 4);
  b.writeUInt32LE(v.tableSize, 8);
  b.writeUInt32LE(v.flags, 12);
  return b;
}

export function decodeServiceValue(b: Buffer): ServiceValue {
  return {
    serviceId: b.readUInt32LE(0),
    slotBase: b.readUInt32LE(4),
    tableSize: b.readUInt32LE(8),
    flags: b.readUInt32LE(12),
  };
}

/** backends value (key: u32 backend id). */
export interface BackendValue {
  ip: Ipv4;
  /** Host order; encoded be16. */
  port: number;
  /** F_BACKEND_* bits. */
  flags: number;
}

export function encodeBackendValue(v: BackendValue): Buffer {
  const b = Buffer.alloc(8);
  writeIpv4(b, v.ip, 0);
  b.writeUInt16BE(v.port, 4);
  b.writeUInt16LE(v.flags, 6);
  return b;
}

export function decodeBackendValue(b: Buffer): BackendValue {
  return { ip: readIpv4(b, 0), port: b.readUInt16BE(4), flags: b.readUInt16LE(6) };
}

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
  /** SESSION_FORWARD (default) or SESSION_REVERSE. */
  kind?: number;
}

export function encodeFlowKey(k: FlowKey): Buffer {
  const b = Buffer.alloc(16);
  writeIpv4(b, k.saddr, 0);
  writeIpv4(b, k.daddr, 4);
  b.writeUInt16BE(k.sport, 8);
  b.writeUInt16BE(k.dport, 10);
  b.writeUInt8(k.proto, 12);
  b.writeUInt8(k.kind ?? SESSION_FORWARD, 13);
  return b;
}

export function decodeFlowKey(b: Buffer): Required<FlowKey> {
  return {
    saddr: readIpv4(b, 0),
    daddr: readIpv4(b, 4),
    sport: b.readUInt16BE(8),
    dport: b.readUInt16BE(10),
    proto: b.readUInt8(12),
    kind: b.readUInt8(13),
  };
}

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

export function encodeConntrackValue(v: ConntrackValue): Buffer {
  const b = Buffer.alloc(20);
  writeIpv4(b, v.backendIp, 0);
  b.writeUInt16BE(v.backendPort, 4);
  b.writeUInt16LE(v.flags, 6);
  b.writeUInt32LE(v.backendId, 8);
  b.writeUInt32LE(v.serviceId, 12);
  writeIpv4(b, v.natSaddr, 16);
  return b;
}

export function decodeConntrackValue(b: Buffer): ConntrackValue {
  return {
    backendIp: readIpv4(b, 0),
    backendPort: b.readUInt16BE(4),
    flags: b.readUInt16LE(6),
    backendId: b.readUInt32LE(8),
    serviceId: b.readUInt32LE(12),
    natSaddr: readIpv4(b, 16),
  };
}

/** reverse_nat value (written by the datapath). */
export interface ReverseNatValue {
  vip: Ipv4;
  vport: number;
  /** The session's state bits (CT_STATE_MASK), as in its conntrack entry. */
  flags?: number;
  /** The client's original address (before src-ip-rewrite). */
  clientIp: Ipv4;
  serviceId: number;
  backendId: number;
}

export function encodeReverseNatValue(v: ReverseNatValue): Buffer {
  const b = Buffer.alloc(20);
  writeIpv4(b, v.vip, 0);
  b.writeUInt16BE(v.vport, 4);
  b.writeUInt16LE(v.flags ?? 0, 6);
  writeIpv4(b, v.clientIp, 8);
  b.writeUInt32LE(v.serviceId, 12);
  b.writeUInt32LE(v.backendId, 16);
  return b;
}

export function decodeReverseNatValue(b: Buffer): ReverseNatValue {
  return {
    vip: readIpv4(b, 0),
    vport: b.readUInt16BE(4),
    flags: b.readUInt16LE(6),
    clientIp: readIpv4(b, 8),
    serviceId: b.readUInt32LE(12),
    backendId: b.readUInt32LE(16),
  };
}

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

export function encodeBackendVipKey(k: BackendVipKey): Buffer {
  const b = Buffer.alloc(8);
  writeIpv4(b, k.ip, 0);
  b.writeUInt16BE(k.port, 4);
  b.writeUInt8(k.proto, 6);
  return b;
}

export function decodeBackendVipKey(b: Buffer): BackendVipKey {
  return { ip: readIpv4(b, 0), port: b.readUInt16BE(4), proto: b.readUInt8(6) };
}

/**
 * backend_to_vip value: the one service behind a backend address (written by the control plane;
 * see dataplane/README.md, "backend_to_vip", for when).
 */
export interface BackendVipValue {
  vip: Ipv4;
  /** Host order; encoded be16. 0 for ICMP. */
  vport: number;
  /** None defined yet: 0. */
  flags: number;
  /** The service's id (service_stats index). */
  serviceId: number;
}

export function encodeBackendVipValue(v: BackendVipValue): Buffer {
  const b = Buffer.alloc(12);
  writeIpv4(b, v.vip, 0);
  b.writeUInt16BE(v.vport, 4);
  b.writeUInt16LE(v.flags, 6);
  b.writeUInt32LE(v.serviceId, 8);
  return b;
}

export function decodeBackendVipValue(b: Buffer): BackendVipValue {
  return {
    vip: readIpv4(b, 0),
    vport: b.readUInt16BE(4),
    flags: b.readUInt16LE(6),
    serviceId: b.readUInt32LE(8),
  };
}

/** src_ip_rewrite key (LPM trie): addr must be the network address (host bits zero). */
export interface SrcRewriteKey {
  prefixLen: number;
  addr: Ipv4;
}

export function encodeSrcRewriteKey(k: SrcRewriteKey): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(k.prefixLen, 0);
  writeIpv4(b, k.addr, 4);
  return b;
}

export function decodeSrcRewriteKey(b: Buffer): SrcRewriteKey {
  return { prefixLen: b.readUInt32LE(0), addr: readIpv4(b, 4) };
}

/** src_ip_rewrite value: an address of the key's prefix maps to newNet | (addr & hostMask). */
export interface SrcRewriteValue {
  newNet: Ipv4;
  /** Host bits of the prefix, as an address (0.0.0.255 for a /24). */
  hostMask: Ipv4;
  /** FROM_FRONTEND or FROM_BACKEND. */
  sense: number;
}

export function encodeSrcRewriteValue(v: SrcRewriteValue): Buffer {
  const b = Buffer.alloc(12);
  writeIpv4(b, v.newNet, 0);
  writeIpv4(b, v.hostMask, 4);
  b.writeUInt32LE(v.sense, 8);
  return b;
}

export function decodeSrcRewriteValue(b: Buffer): SrcRewriteValue {
  return { newNet: readIpv4(b, 0), hostMask: readIpv4(b, 4), sense: b.readUInt32LE(8) };
}

/** service_stats / backend_stats value (one CPU's slot, or the sum over CPUs). */
export interface LbrpCounters {
  packets: bigint;
  bytes: bigint;
  newSessions: bigint;
}

export function decodeCounters(b: Buffer): LbrpCounters {
  return { packets: b.readBigUInt64LE(0), bytes: b.readBigUInt64LE(8), newSessions: b.readBigUInt64LE(16) };
}

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

export function encodeSessionConfig(c: SessionConfig): Buffer {
  if (c.timeouts.length !== TIMEOUT_MAX)
    throw new RangeError(`expected ${TIMEOUT_MAX} timeouts, got ${c.timeouts.length}`);
  const b = Buffer.alloc(56);
  c.secret.forEach((w, i) => b.writeUInt32LE(w >>> 0, 4 * i));
  c.timeouts.forEach((t, i) => b.writeUInt32LE(t >>> 0, 16 + 4 * i));
  b.writeBigUInt64LE(c.admitPerJiffyQ16, 40);
  b.writeBigUInt64LE(c.admitBurstQ16, 48);
  return b;
}

export function decodeSessionConfig(b: Buffer): SessionConfig {
  return {
    secret: [b.readUInt32LE(0), b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12)],
    timeouts: Array.from({ length: TIMEOUT_MAX }, (_, i) => b.readUInt32LE(16 + 4 * i)),
    admitPerJiffyQ16: b.readBigUInt64LE(40),
    admitBurstQ16: b.readBigUInt64LE(48),
  };
}

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

export function encodeFragKey(k: FragKey): Buffer {
  const b = Buffer.alloc(12);
  writeIpv4(b, k.saddr, 0);
  writeIpv4(b, k.daddr, 4);
  b.writeUInt16BE(k.id, 8);
  b[10] = k.proto;
  b[11] = k.dir;
  return b;
}

/** frag_track value: the addresses the datagram's first fragment was translated to. */
export interface FragValue {
  saddr: Ipv4;
  daddr: Ipv4;
  /** service_stats / backend_stats index of later fragments; 0xffffffff = none. */
  serviceId: number;
  backendId: number;
}

export function decodeFragValue(b: Buffer): FragValue {
  return {
    saddr: readIpv4(b, 0),
    daddr: readIpv4(b, 4),
    serviceId: b.readUInt32LE(8),
    backendId: b.readUInt32LE(12),
  };
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

/** affinity key: one client of one service. */
export interface AffinityKey {
  serviceId: number;
  client: Ipv4;
}

export function encodeAffinityKey(k: AffinityKey): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(k.serviceId, 0);
  writeIpv4(b, k.client, 4);
  return b;
}

/** affinity value (written by the datapath): the client's backend and when it was last used. */
export interface AffinityValue {
  backendId: number;
  backendIp: Ipv4;
  backendPort: number;
  lastSeen: number;
}

export function encodeAffinityValue(v: AffinityValue): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(v.backendId, 0);
  writeIpv4(b, v.backendIp, 4);
  b.writeUInt16BE(v.backendPort, 8);
  b.writeUInt32LE(v.lastSeen >>> 0, 12);
  return b;
}

export function decodeAffinityValue(b: Buffer): AffinityValue {
  return {
    backendId: b.readUInt32LE(0),
    backendIp: readIpv4(b, 4),
    backendPort: b.readUInt16BE(8),
    lastSeen: b.readUInt32LE(12),
  };
}
