// Session sync's portable record: one session table entry (conntrack or reverse NAT) as another
// node can use it. Kernel backend and service ids are node-local (they follow the order a node was
// configured in), so a record names the service by vip:vport/proto and the backend by address and
// port; the receiver translates both to its own ids (TranslationIndex) and drops what it does not
// know. The bucket is not sent either: the receiver's secret chooses it. Pure: no I/O.
//
// RECORD_BYTES bytes, addresses and ports as the kernel holds them (network order):
//   0 op (OP_UPSERT / OP_CLOSED)   1 kind   2 proto   3 pad (0)
//   4 key saddr  8 key daddr  12 key sport  14 key dport
//  16 flags (u16 LE: F_CT_* and state)
//  18 backend ip  22 backend port   24 vip  28 vport
//  30 forward: nat_saddr; reverse: client_ip

import {
  IPPROTO,
  SESSION_FORWARD,
  SESSION_REVERSE,
  STRUCT_LAYOUTS,
  decodeBackendValue,
  decodeServiceValue,
  encodeU32,
} from '../lbrp/dataplane/map-layouts';
import type { SessionEntry } from '../lbrp/dataplane/session-table';

export const RECORD_BYTES = 34;
/** The entry exists (new, or its state changed, or a periodic refresh of an active session). */
export const OP_UPSERT = 1;
/** The entry left the sender's table (closed and expired, evicted or purged). */
export const OP_CLOSED = 2;

const KEY = STRUCT_LAYOUTS.flow_key.fields;
const CT = STRUCT_LAYOUTS.conntrack_value.fields;
const RN = STRUCT_LAYOUTS.reverse_nat_value.fields;
const KEY_BYTES = STRUCT_LAYOUTS.flow_key.size;
const VALUE_BYTES = STRUCT_LAYOUTS.conntrack_value.size;
const PROTOS = new Set<number>([IPPROTO.ICMP, IPPROTO.TCP, IPPROTO.UDP]);

/** Record field offsets. */
const R = { op: 0, kind: 1, proto: 2, addrs: 4, flags: 16, backend: 18, vip: 24, extra: 30 } as const;

/** The record of a used way of the local table. */
export function recordOf(e: SessionEntry, op: number = OP_UPSERT): Buffer {
  const r = Buffer.alloc(RECORD_BYTES);
  const k = e.key;
  const v = e.value;
  r[R.op] = op;
  r[R.kind] = e.kind;
  r[R.proto] = k[KEY.proto.offset];
  k.copy(r, R.addrs, 0, KEY.proto.offset); // saddr, daddr, sport, dport
  if (e.kind === SESSION_REVERSE) {
    r.writeUInt16LE(v.readUInt16LE(RN.flags.offset), R.flags);
    k.copy(r, R.backend, KEY.saddr.offset, KEY.saddr.offset + 4);
    k.copy(r, R.backend + 4, KEY.sport.offset, KEY.sport.offset + 2);
    v.copy(r, R.vip, RN.vip.offset, RN.vip.offset + 6); // vip, vport
    v.copy(r, R.extra, RN.client_ip.offset, RN.client_ip.offset + 4);
  } else {
    r.writeUInt16LE(v.readUInt16LE(CT.flags.offset), R.flags);
    v.copy(r, R.backend, CT.backend_ip.offset, CT.backend_ip.offset + 6); // ip, port
    k.copy(r, R.vip, KEY.daddr.offset, KEY.daddr.offset + 4);
    k.copy(r, R.vip + 4, KEY.dport.offset, KEY.dport.offset + 2);
    v.copy(r, R.extra, CT.nat_saddr.offset, CT.nat_saddr.offset + 4);
  }
  return r;
}

export const recordOp = (r: Buffer): number => r[R.op];

/** A copy of record `r` with another op. */
export function withOp(r: Buffer, op: number): Buffer {
  const c = Buffer.from(r);
  c[R.op] = op;
  return c;
}

/** The flow_key bytes a record names (kind included): the same on every node. */
export function recordKey(r: Buffer): Buffer {
  const k = Buffer.alloc(KEY_BYTES);
  r.copy(k, 0, R.addrs, R.addrs + KEY.proto.offset);
  k[KEY.proto.offset] = r[R.proto];
  k[KEY.kind.offset] = r[R.kind];
  return k;
}

/** Why a record was not usable here. */
export type DropReason = 'malformed' | 'unknown-service' | 'unknown-backend';

/** A node's services and their backends, resolved from addresses to its kernel ids. */
export interface TranslationIndex {
  /** service key (vip 4, vport 2, proto 1 bytes, hex) → service id and backend (ip 4, port 2 hex) → id. */
  services: Map<string, { serviceId: number; backends: Map<string, number> }>;
}

const svcKeyOf = (vipPort: Buffer, proto: number): string =>
  `${vipPort.toString('hex')}${proto.toString(16)}`;

/** The map operations the index needs (BpfMap has them). */
export interface IndexMaps {
  services: { dump(): Array<[Buffer, Buffer]> };
  maglev_slots: { lookupRange(first: number, count: number): Buffer };
  backends: { lookup(key: Buffer): Buffer | undefined };
}

/**
 * The translation index of a cube from its maps: a service's backends are the ids its Maglev
 * table names (a backend drained or out of the table on this node is unknown here: its records
 * are dropped, since this node would not send new flows to it either).
 */
export function buildTranslationIndex(m: IndexMaps): TranslationIndex {
  const services: TranslationIndex['services'] = new Map();
  const addrOf = new Map<number, string | undefined>();
  for (const [k, v] of m.services.dump()) {
    const svc = decodeServiceValue(v);
    const backends = new Map<string, number>();
    if (svc.tableSize > 0) {
      const slots = m.maglev_slots.lookupRange(svc.slotBase, svc.tableSize);
      for (let i = 0; i < svc.tableSize; i++) {
        const id = slots.readUInt32LE(i * 4);
        if (!addrOf.has(id)) {
          const raw = m.backends.lookup(encodeU32(id));
          addrOf.set(id, raw && raw.subarray(0, 6).toString('hex'));
          if (raw && decodeBackendValue(raw).ip === '0.0.0.0') addrOf.set(id, undefined);
        }
        const addr = addrOf.get(id);
        if (addr !== undefined) backends.set(addr, id);
      }
    }
    services.set(svcKeyOf(k.subarray(0, 6), k[6]), { serviceId: svc.serviceId, backends });
  }
  return { services };
}

/** The local key and value of record `r` under `index`, or why it cannot be used here. */
export function localEntryOf(
  r: Buffer,
  index: TranslationIndex,
): { key: Buffer; value: Buffer } | { drop: DropReason } {
  const kind = r[R.kind];
  if (
    r.length !== RECORD_BYTES ||
    (r[R.op] !== OP_UPSERT && r[R.op] !== OP_CLOSED) ||
    (kind !== SESSION_FORWARD && kind !== SESSION_REVERSE) ||
    !PROTOS.has(r[R.proto]) ||
    r[3] !== 0
  )
    return { drop: 'malformed' };
  const svc = index.services.get(svcKeyOf(r.subarray(R.vip, R.vip + 6), r[R.proto]));
  if (!svc) return { drop: 'unknown-service' };
  // An ICMP session's backend port is 0; the backend map holds the port it was configured with.
  let backendId = svc.backends.get(r.subarray(R.backend, R.backend + 6).toString('hex'));
  if (backendId === undefined && r[R.proto] === IPPROTO.ICMP) {
    const ip = r.subarray(R.backend, R.backend + 4).toString('hex');
    for (const [addr, id] of svc.backends) if (addr.startsWith(ip)) backendId = id;
  }
  if (backendId === undefined) return { drop: 'unknown-backend' };
  const value = Buffer.alloc(VALUE_BYTES);
  const flags = r.readUInt16LE(R.flags);
  if (kind === SESSION_REVERSE) {
    r.copy(value, RN.vip.offset, R.vip, R.vip + 6);
    value.writeUInt16LE(flags, RN.flags.offset);
    r.copy(value, RN.client_ip.offset, R.extra, R.extra + 4);
    value.writeUInt32LE(svc.serviceId, RN.service_id.offset);
    value.writeUInt32LE(backendId, RN.backend_id.offset);
  } else {
    r.copy(value, CT.backend_ip.offset, R.backend, R.backend + 6);
    value.writeUInt16LE(flags, CT.flags.offset);
    value.writeUInt32LE(backendId, CT.backend_id.offset);
    value.writeUInt32LE(svc.serviceId, CT.service_id.offset);
    r.copy(value, CT.nat_saddr.offset, R.extra, R.extra + 4);
  }
  return { key: recordKey(r), value };
}
