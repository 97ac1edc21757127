// Ends sessions of chosen backends: removes their entries from the dataplane's session table
// (`sessions`, dataplane/lbrp/session_table.h), both kinds — the conntrack (SESSION_FORWARD) entry
// names the backend id in its value, the reverse NAT (SESSION_REVERSE) entry in its value too, and
// its key's source is the backend's address. The flow's next client packet then misses and is
// balanced again from the Maglev table (a TCP peer answers a mid-flow packet with a reset); a
// reply from the old backend finds no session (stateless reply at most). Used by drain-timeout
// and by health checks (a DOWN backend's sessions).
//
// The table is an array of buckets, so an entry cannot be deleted by key: a bucket is read,
// matching ways get a free key (protocol 0; value and last_seen kept, so a datapath reader that
// matched the old key just before still reads that session's own value) and the bucket is
// written back whole. Concurrency with the datapath: a candidate bucket is read again right
// before its write and the match is judged on that fresh copy, so an entry re-created meanwhile
// for another backend is kept. Left: the datapath changing the same bucket between that fresh read
// and the write (one WriteMaps call). Such a change is lost, with the effects the session table
// already has for two CPUs racing on a bucket: a lost new entry behaves as an eviction (its flow's
// next packet chooses again, the same backend while the table is unchanged), a lost state update
// is redone by the session's next packet of that kind, a lost last_seen refresh makes the entry
// look older by one clock unit.

import {
  IPPROTO,
  readIpv4,
  SESSION_FORWARD,
  SESSION_REVERSE,
  SESSION_WAYS,
  STRUCT_LAYOUTS,
  type Ipv4,
} from '../dataplane/map-layouts';
import type { CubeHost } from './cube-host';
import { MAPS } from './map-plan';

const ENTRY = STRUCT_LAYOUTS.session_entry;
const KEY = STRUCT_LAYOUTS.flow_key.fields;
const VALUE_OFF = ENTRY.fields['(anon)'].offset;
const LAST_SEEN_OFF = ENTRY.fields.last_seen.offset;
const CT = STRUCT_LAYOUTS.conntrack_value.fields;
const RN = STRUCT_LAYOUTS.reverse_nat_value.fields;
/** Buckets per ReadMaps / WriteMaps call (a bucket is SESSION_WAYS × 40 bytes). */
const CHUNK = 512;

/** A backend whose sessions go: its kernel backend id and, optionally, its address. */
export interface PurgeBackend {
  /** The kernel backend id (`backends` index, conntrack_value.backend_id). */
  id: number;
  /**
   * When set, only entries through this address go (backend ids are reused: an id freed by a
   * removed backend may already name a new one). The port is compared for TCP and UDP entries
   * only (ICMP sessions carry port 0).
   */
  ip?: Ipv4;
  port?: number;
  /** When set, only entries of this service id (an id freed and reused in another service). */
  serviceId?: number;
}

/** Which entries of the chosen backends go. */
export interface PurgeOptions {
  /**
   * Only entries idle more than this many session clock units at `now` (unsigned arithmetic, as
   * the datapath's). Both must be given for the bound to apply.
   */
  minIdle?: number;
  now?: number;
}

/** What a purge did. */
export interface PurgeResult {
  /** Conntrack entries removed (one per session). */
  forward: number;
  /** Reverse NAT entries removed. */
  reverse: number;
  /** Buckets written. */
  buckets: number;
}

/** Decides whether one used way goes; `at` is the way's offset in its bucket. */
type WayMatcher = (bucket: Buffer, at: number) => boolean;

/** The matcher for `backends` under `opts`: backend id (and address, when given) and idle time. */
export function purgeMatcher(backends: readonly PurgeBackend[], opts: PurgeOptions = {}): WayMatcher {
  const byId = new Map<number, PurgeBackend>();
  for (const b of backends) byId.set(b.id, b);
  const bounded = opts.minIdle !== undefined && opts.now !== undefined;
  return (bucket, at) => {
    const kind = bucket[at + KEY.kind.offset];
    const proto = bucket[at + KEY.proto.offset];
    const v = at + VALUE_OFF;
    const fwd = kind === SESSION_FORWARD;
    if (!fwd && kind !== SESSION_REVERSE) return false;
    const id = bucket.readUInt32LE(v + (fwd ? CT.backend_id.offset : RN.backend_id.offset));
    const want = byId.get(id);
    if (!want) return false;
    if (
      want.serviceId !== undefined &&
      bucket.readUInt32LE(v + (fwd ? CT.service_id.offset : RN.service_id.offset)) !== want.serviceId
    )
      return false;
    if (want.ip !== undefined) {
      const ip = readIpv4(bucket, fwd ? v + CT.backend_ip.offset : at + KEY.saddr.offset);
      if (ip !== want.ip) return false;
      if (want.port !== undefined && proto !== IPPROTO.ICMP) {
        const port = bucket.readUInt16BE(fwd ? v + CT.backend_port.offset : at + KEY.sport.offset);
        if (port !== want.port) return false;
      }
    }
    if (bounded) {
      const idle = ((opts.now as number) - bucket.readUInt32LE(at + LAST_SEEN_OFF)) >>> 0;
      if (idle <= (opts.minIdle as number)) return false;
    }
    return true;
  };
}

/**
 * `bucket` with the ways `match` selects freed (key zeroed; value and last_seen kept), and how
 * many of each kind went; undefined when none matched. Pure: `bucket` is not modified.
 */
export function purgeBucket(
  bucket: Buffer,
  match: WayMatcher,
): { bucket: Buffer; forward: number; reverse: number } | undefined {
  let out: Buffer | undefined;
  let forward = 0;
  let reverse = 0;
  for (let w = 0; w < SESSION_WAYS; w++) {
    const at = w * ENTRY.size;
    if (at + ENTRY.size > bucket.length) break;
    if (bucket[at + KEY.proto.offset] === 0 || !match(bucket, at)) continue;
    if (bucket[at + KEY.kind.offset] === SESSION_FORWARD) forward++;
    else reverse++;
    out ??= Buffer.from(bucket);
    out.fill(0, at, at + VALUE_OFF);
  }
  return out && { bucket: out, forward, reverse };
}

/**
 * Removes every session table entry (conntrack and reverse NAT) of the given backends from
 * `cube`'s dataplane, optionally only those idle more than `opts.minIdle` clock units. Reads the
 * whole table once, then per chunk of candidate buckets: reads them again, judges the fresh copy,
 * writes the changed ones (see the header for the race left). Throws when a read or write fails
 * (what was written stays written; calling again is safe).
 */
export async function purgeBackendSessions(
  host: CubeHost,
  cube: string,
  backends: readonly PurgeBackend[],
  opts: PurgeOptions = {},
): Promise<PurgeResult> {
  const result: PurgeResult = { forward: 0, reverse: 0, buckets: 0 };
  if (backends.length === 0) return result;
  const match = purgeMatcher(backends, opts);
  const candidates: Buffer[] = [];
  for (const e of await host.readMaps(cube, MAPS.sessions))
    if (purgeBucket(e.value, match)) candidates.push(e.key);
  for (let i = 0; i < candidates.length; i += CHUNK) {
    const fresh = await host.readMaps(cube, MAPS.sessions, candidates.slice(i, i + CHUNK));
    const writes = [];
    for (const e of fresh) {
      const p = purgeBucket(e.value, match);
      if (!p) continue;
      writes.push({ map: MAPS.sessions, key: e.key, value: p.bucket });
      result.forward += p.forward;
      result.reverse += p.reverse;
    }
    if (writes.length === 0) continue;
    await host.writeMaps(cube, writes);
    result.buckets += writes.length;
  }
  return result;
}
