// TS view of the dataplane's session table (dataplane/lbrp/session_table.h): the `sessions` array
// map of buckets, each SESSION_WAYS session_entry ways (flow key with its kind, 20-byte value,
// last_seen); a way with protocol 0 is free. An entry lives in the bucket named by a hash of its
// client side keyed with the cube's secret (session_config.secret): a conntrack (SESSION_FORWARD)
// key's source, a reverse NAT (SESSION_REVERSE) key's destination. Pure: no I/O.

import { flowMix } from './flow-hash';
import { SESSION_REVERSE, SESSION_WAYS, STRUCT_LAYOUTS } from './map-layouts';

/** Same seed as SESSION_HASH_SEED in session_table.h. */
const SESSION_HASH_SEED = 0x85ebca6b;
const ENTRY = STRUCT_LAYOUTS.session_entry;
const VALUE_OFF = ENTRY.fields['(anon)'].offset;
const VALUE_BYTES = ENTRY.fields['(anon)'].size;
const LAST_SEEN_OFF = ENTRY.fields.last_seen.offset;
const KEY = STRUCT_LAYOUTS.flow_key.fields;

/** One used way of a bucket. */
export interface SessionEntry {
  /** The flow_key bytes (16), kind included. */
  key: Buffer;
  /** SESSION_FORWARD or SESSION_REVERSE. */
  kind: number;
  /** The conntrack_value (forward) or reverse_nat_value (reverse) bytes (20). */
  value: Buffer;
  /** The dataplane clock (jiffies >> 8) when a packet last used the entry. */
  lastSeen: number;
}

/** The used ways of one bucket (a `sessions` map value). */
export function decodeSessionBucket(bucket: Buffer): SessionEntry[] {
  const out: SessionEntry[] = [];
  for (let w = 0; w < SESSION_WAYS; w++) {
    const at = w * ENTRY.size;
    if (bucket[at + KEY.proto.offset] === 0) continue;
    out.push({
      key: bucket.subarray(at, at + VALUE_OFF),
      kind: bucket[at + KEY.kind.offset],
      value: bucket.subarray(at + VALUE_OFF, at + VALUE_OFF + VALUE_BYTES),
      lastSeen: bucket.readUInt32LE(at + LAST_SEEN_OFF),
    });
  }
  return out;
}

/** Every used way of the table, from its buckets (e.g. a map dump's values), of one kind or all. */
export function sessionEntries(buckets: Iterable<Buffer>, kind?: number): SessionEntry[] {
  const out: SessionEntry[] = [];
  for (const b of buckets)
    for (const e of decodeSessionBucket(b)) if (kind === undefined || e.kind === kind) out.push(e);
  return out;
}

/** The all-zero secret: the unkeyed bucket hash (a cube before the control plane's first sync). */
export const UNKEYED: readonly [number, number, number, number] = [0, 0, 0, 0];

/**
 * session_bucket_index(): the bucket of an encoded flow_key in a table of `buckets` buckets, under
 * the cube's `secret` (session_config.secret, four u32 words).
 */
export function sessionBucketOf(key: Buffer, buckets: number, secret: readonly number[] = UNKEYED): number {
  const rev = key[KEY.kind.offset] === SESSION_REVERSE;
  const addr = key.readUInt32LE(rev ? KEY.daddr.offset : KEY.saddr.offset);
  const port = key.readUInt16LE(rev ? KEY.dport.offset : KEY.sport.offset);
  const proto = key[KEY.proto.offset];
  const [s0, s1, s2, s3] = secret;
  return (
    flowMix(
      (addr + s0) >>> 0,
      ((port | (proto << 16)) + s1) >>> 0,
      (((SESSION_HASH_SEED ^ s2) >>> 0) + s3) >>> 0,
    ) &
    (buckets - 1)
  );
}

/** The value of the entry with key `key` in a bucket (the one sessionBucketOf names), or undefined. */
export function findInBucket(bucket: Buffer, key: Buffer): Buffer | undefined {
  return decodeSessionBucket(bucket).find((e) => e.key.equals(key))?.value;
}
