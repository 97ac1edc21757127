// Session sync's writer: inserts records received from peers into the local session table. Each
// record is translated to local ids (sync-record.ts), then written at the bucket the LOCAL secret
// gives (sessionBucketOf, the mirror of session_bucket_index), into a free way or one whose entry
// has expired — never over a live local entry. An existing entry with the record's key is changed
// (updated, or freed by a CLOSED record) only when it is an untouched copy this node inserted from
// a peer (AppliedSet), or when it is over (expired, or a TCP session closing or closed) and the
// peer's is not (a client reopened the same tuple); a session a local packet used is this node's
// own.
//
// Concurrency with the datapath is session-purge.ts's: a bucket is read and written back whole
// right after (one lookup and one update per bucket); a datapath change to that bucket in between
// is lost, with the effects of two CPUs racing on a bucket (a lost new entry behaves as an
// eviction; a lost refresh makes the entry look one clock unit older).

import {
  CT_STATE,
  IPPROTO,
  SESSION_WAYS,
  STRUCT_LAYOUTS,
  TIMEOUT,
  ctStateOf,
  decodeSessionConfig,
  encodeU32,
} from '../lbrp/dataplane/map-layouts';
import { sessionBucketOf } from '../lbrp/dataplane/session-table';
import type { AppliedSet } from './sync-queue';
import {
  buildTranslationIndex,
  localEntryOf,
  OP_CLOSED,
  type IndexMaps,
  type TranslationIndex,
} from './sync-record';
import type { SessionsMap } from './sync-scan';

const ENTRY = STRUCT_LAYOUTS.session_entry;
const KEY = STRUCT_LAYOUTS.flow_key.fields;
const VALUE_OFF = ENTRY.fields['(anon)'].offset;
const LAST_SEEN_OFF = ENTRY.fields.last_seen.offset;
const FLAGS_OFF = VALUE_OFF + STRUCT_LAYOUTS.conntrack_value.fields.flags.offset;

/** The maps of one cube that sync reads and writes. */
export interface CubeMaps extends IndexMaps {
  sessions: SessionsMap;
  session_config: { lookup(key: Buffer): Buffer | undefined };
}

/** What applying records did (cumulative). */
export interface ApplyCounts {
  inserted: number;
  updated: number;
  closed: number;
  /** A live local entry has the key: kept. */
  keptLocal: number;
  /** A local entry of an ended (closing, closed or expired) session had the key: replaced. */
  replacedEnded: number;
  /** No free or expired way in the bucket: not stored. */
  full: number;
  /** A CLOSED record for a key this node does not hold as a peer copy. */
  closeIgnored: number;
  unknownService: number;
  unknownBackend: number;
  malformed: number;
}

export const emptyApplyCounts = (): ApplyCounts => ({
  inserted: 0,
  updated: 0,
  closed: 0,
  keptLocal: 0,
  replacedEnded: 0,
  full: 0,
  closeIgnored: 0,
  unknownService: 0,
  unknownBackend: 0,
  malformed: 0,
});

const DROP_COUNTER = {
  malformed: 'malformed',
  'unknown-service': 'unknownService',
  'unknown-backend': 'unknownBackend',
} as const;

/** session_timeout(): the idle timeout of an entry (units, 0 = never). */
function timeoutOf(timeouts: readonly number[], proto: number, flags: number): number {
  const st = ctStateOf(flags);
  if (proto === IPPROTO.TCP)
    return st === CT_STATE.NEW
      ? timeouts[TIMEOUT.TCP_NEW]
      : st === CT_STATE.ESTABLISHED
        ? timeouts[TIMEOUT.TCP_ESTABLISHED]
        : timeouts[TIMEOUT.TCP_CLOSING];
  return proto === IPPROTO.UDP ? timeouts[TIMEOUT.UDP] : timeouts[TIMEOUT.ICMP];
}

/** session_expired(): way `at` of `bucket` (in use) is idle longer than its timeout at `now`. */
export function wayExpired(bucket: Buffer, at: number, timeouts: readonly number[], now: number): boolean {
  const age = (now - bucket.readUInt32LE(at + LAST_SEEN_OFF)) >>> 0;
  if (age === 0) return false;
  const t = timeoutOf(timeouts, bucket[at + KEY.proto.offset], bucket.readUInt16LE(at + FLAGS_OFF));
  return t !== 0 && age > t;
}

/**
 * True when the local entry at `at` is over and a peer's `value` for the same key may replace it:
 * expired, or a TCP session closing or closed (CT_CLOSING, CT_CLOSED) while the peer's is not —
 * the datapath itself lets a SYN start a new session over such an entry (session_usable_by).
 */
export function localEntryOver(
  bucket: Buffer,
  at: number,
  value: Buffer,
  timeouts: readonly number[],
  now: number,
): boolean {
  if (wayExpired(bucket, at, timeouts, now)) return true;
  if (bucket[at + KEY.proto.offset] !== IPPROTO.TCP) return false;
  const mine = ctStateOf(bucket.readUInt16LE(at + FLAGS_OFF));
  const theirs = ctStateOf(value.readUInt16LE(FLAGS_OFF - VALUE_OFF));
  return mine >= CT_STATE.CLOSING && theirs < CT_STATE.CLOSING;
}

export interface ApplierOptions {
  /** Rebuild the translation index at most this often (ms); a miss rebuilds it sooner. */
  indexMaxAgeMs?: number;
}

export class SessionApplier {
  readonly counts = emptyApplyCounts();
  private index: TranslationIndex | undefined;
  private indexAt = 0;

  constructor(
    private readonly maps: CubeMaps,
    private readonly applied: AppliedSet,
    private readonly opts: ApplierOptions = {},
  ) {}

  /** Forces the next apply to re-read services and backends. */
  invalidateIndex(): void {
    this.index = undefined;
  }

  private currentIndex(nowMs: number): TranslationIndex {
    if (!this.index || nowMs - this.indexAt > (this.opts.indexMaxAgeMs ?? 1000)) {
      this.index = buildTranslationIndex(this.maps);
      this.indexAt = nowMs;
    }
    return this.index;
  }

  /** Applies `records` at session clock `now` (the datapath's session_now()). */
  apply(records: readonly Buffer[], now: number): void {
    const cfgRaw = this.maps.session_config.lookup(encodeU32(0));
    if (!cfgRaw) throw new Error('session_config has no entry');
    const cfg = decodeSessionConfig(cfgRaw);
    const buckets = this.maps.sessions.maxEntries;
    const nowMs = Date.now();
    let index = this.currentIndex(nowMs);
    let rebuilt = false;
    const byBucket = new Map<number, Array<{ key: Buffer; value: Buffer; closed: boolean }>>();
    for (const r of records) {
      let e = localEntryOf(r, index);
      if ('drop' in e && e.drop !== 'malformed' && !rebuilt && this.indexAt !== nowMs) {
        // Configuration may have changed since the index was read: read it once more.
        this.index = undefined;
        index = this.currentIndex(nowMs);
        rebuilt = true;
        e = localEntryOf(r, index);
      }
      if ('drop' in e) {
        this.counts[DROP_COUNTER[e.drop]]++;
        continue;
      }
      const b = sessionBucketOf(e.key, buckets, cfg.secret);
      let list = byBucket.get(b);
      if (!list) byBucket.set(b, (list = []));
      list.push({ ...e, closed: r[0] === OP_CLOSED });
    }
    for (const [b, list] of byBucket) this.applyBucket(b, list, cfg.timeouts, now);
  }

  private applyBucket(
    idx: number,
    list: Array<{ key: Buffer; value: Buffer; closed: boolean }>,
    timeouts: readonly number[],
    now: number,
  ): void {
    const k = encodeU32(idx);
    const raw = this.maps.sessions.lookup(k);
    if (!raw) return;
    const bucket = Buffer.from(raw);
    let changed = false;
    const newWays: number[] = [];
    for (const { key, value, closed } of list) {
      const hex = key.toString('hex');
      let own = -1;
      for (let w = 0; w < SESSION_WAYS && own < 0; w++)
        if (
          bucket[w * ENTRY.size + KEY.proto.offset] !== 0 &&
          bucket.subarray(w * ENTRY.size, w * ENTRY.size + VALUE_OFF).equals(key)
        )
          own = w;
      if (own >= 0) {
        const at = own * ENTRY.size;
        if (!this.applied.isPeerCopy(hex, bucket.readUInt32LE(at + LAST_SEEN_OFF))) {
          if (!closed && localEntryOver(bucket, at, value, timeouts, now)) {
            // The local entry is of a connection that ended (or expired); the peer's is a newer
            // one on the same tuple (a client reusing its port): as a SYN would, it takes over.
            value.copy(bucket, at + VALUE_OFF);
            bucket.writeUInt32LE(now >>> 0, at + LAST_SEEN_OFF);
            this.applied.set(hex, now >>> 0);
            this.counts.replacedEnded++;
            changed = true;
            continue;
          }
          if (closed) this.counts.closeIgnored++;
          else this.counts.keptLocal++;
          continue;
        }
        if (closed) {
          bucket.fill(0, at, at + VALUE_OFF); // a free way (value kept, as session-purge does)
          this.applied.delete(hex);
          this.counts.closed++;
        } else {
          value.copy(bucket, at + VALUE_OFF);
          bucket.writeUInt32LE(now >>> 0, at + LAST_SEEN_OFF);
          this.applied.set(hex, now >>> 0);
          this.counts.updated++;
        }
        changed = true;
        continue;
      }
      if (closed) {
        this.counts.closeIgnored++;
        continue;
      }
      // A free way first, else the first expired one; never a live entry.
      let way = -1;
      for (let w = 0; w < SESSION_WAYS && way < 0; w++)
        if (bucket[w * ENTRY.size + KEY.proto.offset] === 0) way = w;
      for (let w = 0; w < SESSION_WAYS && way < 0; w++)
        if (wayExpired(bucket, w * ENTRY.size, timeouts, now)) way = w;
      if (way < 0) {
        this.counts.full++;
        continue;
      }
      const at = way * ENTRY.size;
      key.copy(bucket, at);
      value.copy(bucket, at + VALUE_OFF);
      bucket.writeUInt32LE(now >>> 0, at + LAST_SEEN_OFF);
      this.applied.set(hex, now >>> 0);
      this.counts.inserted++;
      newWays.push(at);
      changed = true;
    }
    if (!changed) return;
    // The kernel copies a bucket in address order (key before value) under no lock. A new way's
    // value must be in place before its key can match (as session_store writes it): first the
    // bucket with the new ways still free (protocol 0), then with their keys.
    if (newWays.length > 0) {
      const staged = Buffer.from(bucket);
      for (const at of newWays) staged[at + KEY.proto.offset] = 0;
      this.maps.sessions.update(k, staged);
    }
    this.maps.sessions.update(k, bucket);
  }
}
