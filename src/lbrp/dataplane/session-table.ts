// TS view of the dataplane's session tables (dataplane/lbrp/session_table.h): conntrack and
// reverse_nat are array maps of buckets, each SESSION_WAYS session_entry ways (flow key, 20-byte
// value, last_seen); a way with protocol 0 is free. A flow lives in bucket
// flow_hash(key) & (buckets − 1). Pure: no I/O.

import { hashFlow } from './flow-hash';
import { decodeFlowKey, SESSION_WAYS, STRUCT_LAYOUTS, type FlowKey } from './map-layouts';

const ENTRY = STRUCT_LAYOUTS.session_entry;
const VALUE_OFF = ENTRY.fields['(anon)'].offset;
const VALUE_BYTES = ENTRY.fields['(anon)'].size;
const LAST_SEEN_OFF = ENTRY.fields.last_seen.offset;
const PROTO_OFF = STRUCT_LAYOUTS.flow_key.fields.proto.offset;

/** One used way of a bucket. */
export interface SessionEntry {
  /** The flow_key bytes (16). */
  key: Buffer;
  /** The conntrack_value or reverse_nat_value bytes (20), depending on the table. */
  value: Buffer;
  /** The dataplane clock (2^30 ns units) when a packet last used the entry. */
  lastSeen: number;
}

/** Buckets of a table holding `maxSessions` entries. */
export function sessionBuckets(maxSessions: number): number {
  return maxSessions / SESSION_WAYS;
}

/** The used ways of one bucket (a conntrack or reverse_nat map value). */
export function decodeSessionBucket(bucket: Buffer): SessionEntry[] {
  const out: SessionEntry[] = [];
  for (let w = 0; w < SESSION_WAYS; w++) {
    const at = w * ENTRY.size;
    if (bucket[at + PROTO_OFF] === 0) continue;
    out.push({
      key: bucket.subarray(at, at + VALUE_OFF),
      value: bucket.subarray(at + VALUE_OFF, at + VALUE_OFF + VALUE_BYTES),
      lastSeen: bucket.readUInt32LE(at + LAST_SEEN_OFF),
    });
  }
  return out;
}

/** Every used way of a table, from its buckets (e.g. a map dump's values). */
export function sessionEntries(buckets: Iterable<Buffer>): SessionEntry[] {
  const out: SessionEntry[] = [];
  for (const b of buckets) out.push(...decodeSessionBucket(b));
  return out;
}

/** The bucket index of a flow in a table of `buckets` buckets (flow_hash & (buckets − 1)). */
export function sessionBucketOf(key: FlowKey | Buffer, buckets: number): number {
  const k = Buffer.isBuffer(key) ? decodeFlowKey(key) : key;
  return hashFlow(k) & (buckets - 1);
}

/** The value of flow `key` in a bucket (the one sessionBucketOf names), or undefined. */
export function findInBucket(bucket: Buffer, key: Buffer): Buffer | undefined {
  return decodeSessionBucket(bucket).find((e) => e.key.equals(key))?.value;
}
