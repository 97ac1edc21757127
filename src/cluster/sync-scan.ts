// Session sync's reader of the local session table: walks the `sessions` array map a bounded
// number of buckets per tick (a cursor that wraps), compares each bucket with what it held at the
// previous visit and returns the records of what changed: a new entry, a changed one (state,
// flags, backend), an active one whose last_seen moved into a new refresh period (so a peer's
// copy of a long-lived session does not expire while the session is in use here), and a CLOSED
// record for an entry that left the bucket. Entries peers sent (AppliedSet) are not sent back.
// Memory: one record per session the table holds (about 200 bytes with its map entry) and a
// fingerprint (320 bytes) per non-empty bucket.

import { decodeSessionBucket } from '../lbrp/dataplane/session-table';
import { SESSION_WAYS, STRUCT_LAYOUTS } from '../lbrp/dataplane/map-layouts';
import type { AppliedSet } from './sync-queue';
import { OP_CLOSED, recordOf, withOp } from './sync-record';

/** The session map operations sync uses (BpfMap has them). */
export interface SessionsMap {
  readonly maxEntries: number;
  lookupRange(first: number, count: number): Buffer;
  lookup(key: Buffer): Buffer | undefined;
  update(key: Buffer, value: Buffer): void;
}

export interface ScanOptions {
  /** Buckets read per tick (bounds the work and, with the tick interval, how late a change is seen). */
  bucketsPerTick: number;
  /** An active entry is sent again once per this many session clock units (≥ 1). */
  refreshUnits: number;
}

const WAY_BYTES = STRUCT_LAYOUTS.session_entry.size;
const BUCKET_BYTES = WAY_BYTES * SESSION_WAYS;
const LAST_SEEN_OFF = STRUCT_LAYOUTS.session_entry.fields.last_seen.offset;
const EMPTY = Buffer.alloc(BUCKET_BYTES);

interface Known {
  sig: string;
  rec: Buffer;
}

export class SessionScanner {
  private cursor = 0;
  private readonly known = new Map<number, Map<string, Known>>();
  /** Per non-empty bucket, its fingerprint at the last visit. */
  private readonly prints = new Map<number, Buffer>();
  private readonly scratch = Buffer.alloc(BUCKET_BYTES);
  private entries = 0;

  constructor(
    private readonly sessions: SessionsMap,
    private readonly opts: ScanOptions,
    private readonly applied: AppliedSet,
  ) {}

  /** Sessions known from the buckets visited so far. */
  get size(): number {
    return this.entries;
  }

  /** True once every bucket was visited at least once. */
  fullPass = false;

  /** Reads the next bucketsPerTick buckets; the records of what changed there. */
  tick(): Buffer[] {
    const total = this.sessions.maxEntries;
    let left = Math.min(this.opts.bucketsPerTick, total);
    const out: Buffer[] = [];
    while (left > 0) {
      const count = Math.min(left, total - this.cursor);
      const raw = this.sessions.lookupRange(this.cursor, count);
      const bytes = raw.length / count;
      for (let i = 0; i < count; i++)
        this.diff(this.cursor + i, raw.subarray(i * bytes, (i + 1) * bytes), out);
      this.cursor = (this.cursor + count) % total;
      if (this.cursor === 0) this.fullPass = true;
      left -= count;
    }
    return out;
  }

  /** Every session known, as UPSERT records: the bulk a newly connected peer gets (lazy). */
  *all(): Generator<Buffer> {
    for (const m of this.known.values()) for (const k of m.values()) yield k.rec;
  }

  /**
   * Writes into `scratch` the bucket's bytes with each last_seen replaced by its refresh period:
   * equal to the previous visit's exactly when nothing a peer needs changed (the common case,
   * decided by one compare, without allocating).
   */
  private fingerprint(bucket: Buffer): Buffer {
    const f = this.scratch;
    bucket.copy(f, 0, 0, BUCKET_BYTES);
    for (let at = LAST_SEEN_OFF; at < BUCKET_BYTES; at += WAY_BYTES)
      f.writeUInt32LE(Math.floor(f.readUInt32LE(at) / this.opts.refreshUnits), at);
    return f;
  }

  private diff(idx: number, bucket: Buffer, out: Buffer[]): void {
    if (bucket.length < BUCKET_BYTES) return;
    const print = this.fingerprint(bucket);
    const before = this.prints.get(idx);
    if (before ? before.equals(print) : print.equals(EMPTY)) return;
    if (print.equals(EMPTY)) this.prints.delete(idx);
    else if (before) print.copy(before);
    else this.prints.set(idx, Buffer.from(print));
    const prev = this.known.get(idx);
    let cur: Map<string, Known> | undefined;
    for (const e of decodeSessionBucket(bucket)) {
      const key = e.key.toString('hex');
      if (this.applied.isPeerCopy(key, e.lastSeen)) continue;
      const rec = recordOf(e);
      const sig = `${rec.toString('hex', 1)}/${Math.floor(e.lastSeen / this.opts.refreshUnits)}`;
      cur ??= new Map();
      const old = prev?.get(key);
      if (old?.sig === sig) {
        cur.set(key, old);
        continue;
      }
      cur.set(key, { sig, rec });
      out.push(rec);
    }
    if (prev) for (const [key, old] of prev) if (!cur?.has(key)) out.push(withOp(old.rec, OP_CLOSED));
    this.entries += (cur?.size ?? 0) - (prev?.size ?? 0);
    if (cur) this.known.set(idx, cur);
    else this.known.delete(idx);
  }
}
