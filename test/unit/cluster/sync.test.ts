// Session sync's parts without a kernel: the portable record and its translation to local ids,
// the authenticated frames (MAC and replay refusal), the bounded queue, the cluster key checks,
// the table scanner's diff, the applier's bucket choice and its rules (never over a live local
// entry), and two agents over loopback TCP on in-memory maps.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeConntrackValue,
  decodeReverseNatValue,
  encodeU32,
  SESSION_FORWARD,
  SESSION_REVERSE,
} from '../../../src/lbrp/dataplane/map-layouts';
import { decodeSessionBucket, sessionBucketOf } from '../../../src/lbrp/dataplane/session-table';
import { SessionApplier } from '../../../src/cluster/sync-apply';
import { MAX_INBOUND, SyncAgent } from '../../../src/cluster/sync-agent';
import { loadClusterKey } from '../../../src/cluster/sync-key';
import { AppliedSet, BoundedQueue } from '../../../src/cluster/sync-queue';
import {
  buildTranslationIndex,
  localEntryOf,
  OP_CLOSED,
  OP_UPSERT,
  RECORD_BYTES,
  recordOf,
  recordOp,
} from '../../../src/cluster/sync-record';
import { SessionScanner } from '../../../src/cluster/sync-scan';
import {
  decodeEntries,
  encodeEntries,
  FrameReader,
  FrameSealer,
  MAX_FRAME,
  MSG_ENTRIES,
  openFrame,
  ReplayGuard,
  type Frame,
} from '../../../src/cluster/sync-wire';
import { fakeCube, type FakeService } from '../../fixtures/cluster/sync-maps';
import { ways, type Session } from '../../fixtures/lbrp/session-buckets';

const KEY = Buffer.alloc(32, 7);
// The fixture's sessions are to 10.0.0.1:80/tcp, service id 7, backend ids as given.
const SVC_A: FakeService = {
  vip: '10.0.0.1',
  vport: 80,
  serviceId: 7,
  backends: [
    { id: 1, ip: '10.1.0.1', port: 8080 },
    { id: 2, ip: '10.1.0.2', port: 8080 },
  ],
};
// Another node: other ids for the same addresses, one more backend, another secret.
const SVC_B: FakeService = {
  vip: '10.0.0.1',
  vport: 80,
  serviceId: 3,
  backends: [
    { id: 9, ip: '10.1.0.3', port: 8080 },
    { id: 5, ip: '10.1.0.2', port: 8080 },
    { id: 4, ip: '10.1.0.1', port: 8080 },
  ],
};
const S1: Session = { client: '192.0.2.10', sport: 40000, backend: '10.1.0.1', bport: 8080, id: 1 };
const entryOf = (way: Buffer) => decodeSessionBucket(Buffer.concat([way, Buffer.alloc(40 * 7)]))[0];

describe('record and translation', () => {
  const index = buildTranslationIndex(fakeCube({ buckets: 8, services: [SVC_B] }));

  it('carries a conntrack entry by addresses and takes the local ids', () => {
    const [fwd] = ways(S1);
    const rec = recordOf(entryOf(fwd));
    expect(rec.length).toBe(RECORD_BYTES);
    const local = localEntryOf(rec, index);
    if ('drop' in local) throw new Error(local.drop);
    expect(local.key.equals(fwd.subarray(0, 16))).toBe(true);
    expect(decodeConntrackValue(local.value)).toEqual({
      ...decodeConntrackValue(fwd.subarray(16, 36)),
      backendId: 4,
      serviceId: 3,
    });
  });

  it('carries a reverse NAT entry the same way', () => {
    const [, rev] = ways(S1);
    const local = localEntryOf(recordOf(entryOf(rev)), index);
    if ('drop' in local) throw new Error(local.drop);
    expect(local.key[13]).toBe(SESSION_REVERSE);
    expect(decodeReverseNatValue(local.value)).toEqual({
      ...decodeReverseNatValue(rev.subarray(16, 36)),
      backendId: 4,
      serviceId: 3,
    });
  });

  it('drops what it cannot translate, and malformed records', () => {
    const [fwd] = ways({ ...S1, backend: '10.9.9.9' });
    expect(localEntryOf(recordOf(entryOf(fwd)), index)).toEqual({ drop: 'unknown-backend' });
    const other = buildTranslationIndex(fakeCube({ buckets: 8, services: [{ ...SVC_B, vport: 81 }] }));
    expect(localEntryOf(recordOf(entryOf(ways(S1)[0])), other)).toEqual({ drop: 'unknown-service' });
    const bad = recordOf(entryOf(ways(S1)[0]));
    bad[2] = 99; // protocol
    expect(localEntryOf(bad, index)).toEqual({ drop: 'malformed' });
  });
});

describe('frames', () => {
  const guard = new ReplayGuard();
  const sealer = new FrameSealer(KEY, guard.nonce);
  const body = encodeEntries({ cube: 'lb0', node: 'a', records: [recordOf(entryOf(ways(S1)[0]))] });
  const frames = [sealer.seal(MSG_ENTRIES, body), sealer.seal(MSG_ENTRIES, body)];
  const open = (f: Buffer, key = KEY) => openFrame(key, f.subarray(4));

  it('round-trips an ENTRIES frame split anywhere in the stream', () => {
    const stream = Buffer.concat(frames);
    const reader = new FrameReader();
    const got = [stream.subarray(0, 7), stream.subarray(7, 50), stream.subarray(50)].flatMap(
      (c) => reader.push(c) as Buffer[],
    );
    expect(got).toHaveLength(2);
    const f = openFrame(KEY, got[0] as Buffer) as Frame;
    expect(f.seq).toBe(1n);
    expect(decodeEntries(f.body)).toEqual({ cube: 'lb0', node: 'a', records: [expect.any(Buffer)] });
    expect(decodeEntries(f.body)?.records[0].equals(recordOf(entryOf(ways(S1)[0])))).toBe(true);
  });

  it('refuses a frame whose MAC does not verify: altered byte or other key', () => {
    for (const at of [4, 12, 40, frames[0].length - 1]) {
      const bad = Buffer.from(frames[0]);
      bad[at] ^= 1;
      expect(open(bad)).toEqual({ refused: 'mac' });
    }
    expect(open(frames[0], Buffer.alloc(32, 8))).toEqual({ refused: 'mac' });
  });

  it('refuses a replayed, reordered or other-connection frame', () => {
    const g = new ReplayGuard(guard.nonce);
    const [f1, f2] = frames.map((f) => open(f) as Frame);
    expect(g.check(f2)).toBe('replay'); // out of order (seq 2 before 1)
    expect(g.check(f1)).toBeUndefined();
    expect(g.check(f1)).toBe('replay');
    expect(g.check(f2)).toBeUndefined();
    expect(new ReplayGuard().check(f1)).toBe('nonce'); // recorded on another connection
  });

  it('refuses a length over the bound and a body whose lengths do not add up', () => {
    const big = Buffer.alloc(4);
    big.writeUInt32BE(MAX_FRAME + 1);
    expect(new FrameReader().push(big)).toEqual({ refused: 'too-large' });
    expect(decodeEntries(body.subarray(0, body.length - 1))).toBeUndefined();
  });
});

describe('bounded state', () => {
  it('a full queue drops its oldest items and counts them', () => {
    const q = new BoundedQueue<number>(3);
    for (let i = 1; i <= 5; i++) q.push(i);
    expect(q.dropped).toBe(2);
    expect(q.length).toBe(3);
    expect(q.take(2)).toEqual([3, 4]);
    q.push(6);
    expect(q.take(10)).toEqual([5, 6]);
    expect(q.length).toBe(0);
  });

  it('the applied set forgets its oldest keys beyond its capacity', () => {
    const s = new AppliedSet(2);
    s.set('a', 1);
    s.set('b', 1);
    s.set('c', 1);
    expect(s.size).toBe(2);
    expect(s.isPeerCopy('a', 1)).toBe(false);
    expect(s.isPeerCopy('c', 1)).toBe(true);
    expect(s.isPeerCopy('c', 2)).toBe(false);
  });
});

describe('cluster key', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sy-key-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a 0600 key of 32 bytes and refuses a readable or short one', () => {
    const p = join(dir, 'k');
    writeFileSync(p, Buffer.alloc(32, 1), { mode: 0o600 });
    expect(loadClusterKey(p).length).toBe(32);
    chmodSync(p, 0o644);
    expect(() => loadClusterKey(p)).toThrow(/mode 644/);
    const s = join(dir, 's');
    writeFileSync(s, 'short', { mode: 0o600 });
    expect(() => loadClusterKey(s)).toThrow(/at least 32/);
  });
});

describe('scanner', () => {
  it('reports new, refreshed and closed entries and skips peer copies', () => {
    const cube = fakeCube({ buckets: 4, services: [SVC_A] });
    const applied = new AppliedSet(16);
    const scan = new SessionScanner(cube.sessions, { bucketsPerTick: 3, refreshUnits: 16 }, applied);
    const b = Buffer.alloc(320);
    ways(S1).forEach((w, i) => w.copy(b, i * 40));
    cube.sessions.update(encodeU32(2), b);
    const first = [...scan.tick(), ...scan.tick()]; // 3 + 3 buckets: wraps, all visited
    expect(first.map(recordOp)).toEqual([OP_UPSERT, OP_UPSERT]);
    expect(scan.size).toBe(2);
    expect(scan.tick().concat(scan.tick())).toEqual([]);
    b.writeUInt32LE(100 + 16, 36); // the forward entry used in a later refresh period
    cube.sessions.update(encodeU32(2), b);
    expect(scan.tick().concat(scan.tick()).map(recordOp)).toEqual([OP_UPSERT]);
    b.fill(0, 40, 56); // the reverse entry freed
    cube.sessions.update(encodeU32(2), b);
    expect(scan.tick().concat(scan.tick()).map(recordOp)).toEqual([OP_CLOSED]);
    expect([...scan.all()]).toHaveLength(1);
    applied.set(b.subarray(0, 16).toString('hex'), 116); // now a peer's untouched copy
    const fresh = new SessionScanner(cube.sessions, { bucketsPerTick: 4, refreshUnits: 16 }, applied);
    expect(fresh.tick()).toEqual([]);
  });
});

describe('applier', () => {
  const SECRET: [number, number, number, number] = [0x1234567, 0x89abcdef, 0x5a5a5a5a, 0x0badf00d];
  const recs = (s: Session) => ways(s).map((w) => recordOf(entryOf(w)));

  it("inserts at the local secret's bucket, translated, and never over a live local entry", () => {
    const cube = fakeCube({ buckets: 64, secret: SECRET, services: [SVC_B] });
    const applied = new AppliedSet(64);
    const ap = new SessionApplier(cube, applied);
    ap.apply(recs(S1), 1000);
    expect(ap.counts).toMatchObject({ inserted: 2, keptLocal: 0 });
    const [fwd, rev] = ways(S1);
    for (const w of [fwd, rev]) {
      const key = w.subarray(0, 16);
      const at = sessionBucketOf(key, 64, SECRET);
      expect(at).not.toBe(sessionBucketOf(key, 64));
      const e = decodeSessionBucket(cube.sessions.values[at]).find((x) => x.key.equals(key));
      expect(e?.lastSeen).toBe(1000);
      expect(e?.value.readUInt32LE(e.kind === SESSION_FORWARD ? 8 : 16)).toBe(4); // local backend id
    }
    // A local packet used the forward entry: it is this node's now; a peer's record keeps off it.
    const at = sessionBucketOf(fwd.subarray(0, 16), 64, SECRET);
    const b = Buffer.from(cube.sessions.values[at]);
    const way = decodeSessionBucket(b).findIndex((x) => x.key.equals(fwd.subarray(0, 16)));
    b.writeUInt32LE(1001, way * 40 + 36);
    cube.sessions.update(encodeU32(at), b);
    // The session moved to CLOSING on the peer: the untouched reverse copy follows, the local
    // forward entry keeps its own state.
    const closing = recs(S1).map((r) => {
      const c = Buffer.from(r);
      c.writeUInt16LE(0x200, 16);
      return c;
    });
    ap.apply(closing, 1002);
    expect(ap.counts).toMatchObject({ inserted: 2, keptLocal: 1, updated: 1 });
    expect(decodeConntrackValue(cube.sessions.values[at].subarray(way * 40 + 16, way * 40 + 36)).flags).toBe(
      0x100,
    );
    const revKey = rev.subarray(0, 16);
    const revAt = sessionBucketOf(revKey, 64, SECRET);
    const revEntry = decodeSessionBucket(cube.sessions.values[revAt]).find((x) => x.key.equals(revKey));
    expect(decodeReverseNatValue(revEntry?.value as Buffer).flags).toBe(0x200);
    // CLOSED frees only the untouched peer copy (the reverse entry).
    ap.apply(
      closing.map((r) => Buffer.concat([Buffer.from([OP_CLOSED]), r.subarray(1)])),
      1003,
    );
    expect(ap.counts).toMatchObject({ closed: 1, closeIgnored: 1 });
    expect(decodeSessionBucket(cube.sessions.values[revAt]).some((x) => x.key.equals(revKey))).toBe(false);
    expect(decodeSessionBucket(cube.sessions.values[at]).some((x) => x.key.equals(fwd.subarray(0, 16)))).toBe(
      true,
    );
  });

  it("replaces a local entry of a closed connection with a peer's newer one on the same tuple", () => {
    const cube = fakeCube({ buckets: 64, secret: SECRET, services: [SVC_B] });
    const [fwd] = ways({ ...S1, id: 5, backend: '10.1.0.2' });
    const key = fwd.subarray(0, 16);
    const at = sessionBucketOf(key, 64, SECRET);
    const b = Buffer.alloc(320);
    fwd.copy(b);
    b.writeUInt16LE(0x300, 16 + 6); // CT_CLOSED
    b.writeUInt32LE(999, 36);
    cube.sessions.update(encodeU32(at), b);
    const ap = new SessionApplier(cube, new AppliedSet(8));
    ap.apply([recordOf(entryOf(ways(S1)[0]))], 1000); // ESTABLISHED, through 10.1.0.1
    expect(ap.counts).toMatchObject({ replacedEnded: 1, keptLocal: 0 });
    const e = decodeSessionBucket(cube.sessions.values[at]).find((x) => x.key.equals(key));
    expect(decodeConntrackValue(e?.value as Buffer)).toMatchObject({
      backendIp: '10.1.0.1',
      backendId: 4,
      flags: 0x100,
    });
    // It is a peer copy now: the peer's next record updates it.
    ap.apply([recordOf(entryOf(ways({ ...S1, backend: '10.1.0.2' })[0]))], 1001);
    expect(ap.counts).toMatchObject({ updated: 1 }); // the peer copy it now is
  });

  it('takes a free or expired way only, and counts a full bucket', () => {
    const cube = fakeCube({ buckets: 1, secret: SECRET, services: [SVC_B], timeouts: [10, 10, 10, 10, 10] });
    const full = Buffer.concat(
      Array.from({ length: 4 }, (_, i) =>
        ways({ ...S1, client: `192.0.2.${100 + i}`, id: 4, lastSeen: 995 }),
      ).flat(),
    );
    cube.sessions.update(encodeU32(0), full);
    const ap = new SessionApplier(cube, new AppliedSet(8));
    ap.apply([recordOf(entryOf(ways(S1)[0]))], 1000);
    expect(ap.counts).toMatchObject({ inserted: 0, full: 1 });
    ap.apply([recordOf(entryOf(ways(S1)[0]))], 1006); // 11 units idle > 10: expired ways
    expect(ap.counts).toMatchObject({ inserted: 1 });
    expect(decodeSessionBucket(cube.sessions.values[0])[0].key.equals(ways(S1)[0].subarray(0, 16))).toBe(
      true,
    );
  });
});

describe('agents over loopback', () => {
  const until = async (ok: () => boolean): Promise<void> => {
    for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  };
  const clock = async () => 500;
  const common = { key: KEY, listen: { host: '127.0.0.1', port: 0 }, clock, intervalMs: 20 };
  const put = (cube: ReturnType<typeof fakeCube>, bucket: number, s: Session) => {
    const buf = Buffer.alloc(320);
    ways(s).forEach((w, j) => w.copy(buf, j * 40));
    cube.sessions.update(encodeU32(bucket), buf);
  };

  it('follows cubes deleted and created again on either side (pins watched)', async () => {
    const [a1, a2] = [0, 1].map(() => fakeCube({ buckets: 16, services: [SVC_A] }));
    const [b1, b2] = [0, 1].map(() => fakeCube({ buckets: 16, secret: [1, 2, 3, 4], services: [SVC_B] }));
    const ids = { a: 1 as number | undefined, b: 1 as number | undefined };
    const entries = (c: ReturnType<typeof fakeCube>) =>
      c.sessions.values.flatMap((v) => decodeSessionBucket(v));
    put(a1, 0, { ...S1, sport: 1000 });
    const agentB = new SyncAgent({
      ...common,
      node: 'b',
      peers: [],
      cubes: [{ name: 'lb', maps: b1 }],
      pins: { id: () => ids.b, open: () => b2 },
      watchTicks: 1,
    });
    await agentB.start();
    const agentA = new SyncAgent({
      ...common,
      node: 'a',
      peers: [agentB.address()],
      cubes: [{ name: 'lb', maps: a1 }],
      pins: { id: () => ids.a, open: () => a2 },
      watchTicks: 1,
    });
    try {
      await agentA.start();
      await until(() => entries(b1).length >= 2);
      expect(entries(b1)).toHaveLength(2);
      // B's cube is deleted: what A sends meanwhile is refused, not written anywhere.
      ids.b = undefined;
      await until(() => agentB.stats.apply.lb === undefined || agentB.known('lb') === 0);
      put(a1, 1, { ...S1, sport: 1001 });
      await until(() => (agentB.stats.refused['cube-absent'] ?? 0) > 0);
      expect(agentB.stats.refused['cube-absent']).toBeGreaterThan(0);
      // Created again: B writes into the new table from then on.
      ids.b = 2;
      const before = agentB.stats.apply.lb;
      await until(() => agentB.stats.apply.lb !== before);
      put(a1, 2, { ...S1, sport: 1002 });
      await until(() => entries(b2).length >= 2);
      // Only the session sent after the new table appeared (the client port of its forward entry).
      const fwd = entries(b2).filter((e) => e.kind === SESSION_FORWARD);
      expect(entries(b2)).toHaveLength(2);
      expect(fwd.map((e) => e.key.readUInt16BE(8))).toEqual([1002]);
      // A's cube is created again with a session of its own: sent in bulk from the new table.
      put(a2, 3, { ...S1, sport: 3000 });
      ids.a = 2;
      await until(() => entries(b2).length >= 4);
      expect(entries(b2)).toHaveLength(4);
      expect(entries(b1)).toHaveLength(2); // the old table was never written again
    } finally {
      await Promise.all([agentA.stop(), agentB.stop()]);
    }
  }, 30000);

  it('sends the table in bulk, then changes, translated on arrival', async () => {
    const a = fakeCube({ buckets: 16, services: [SVC_A] });
    const b = fakeCube({ buckets: 16, secret: [1, 2, 3, 4], services: [SVC_B] });
    for (let i = 0; i < 5; i++) put(a, i, { ...S1, sport: 1000 + i });
    const agentB = new SyncAgent({ ...common, node: 'b', peers: [], cubes: [{ name: 'lb', maps: b }] });
    await agentB.start();
    const agentA = new SyncAgent({
      ...common,
      node: 'a',
      peers: [agentB.address()],
      cubes: [{ name: 'lb', maps: a }],
    });
    try {
      await agentA.start();
      await until(() => agentB.stats.apply.lb.inserted >= 10);
      expect(agentB.stats.apply.lb.inserted).toBe(10);
      put(a, 9, { ...S1, sport: 2000 });
      await until(() => agentB.stats.apply.lb.inserted >= 12);
      expect(agentB.stats.apply.lb.inserted).toBe(12);
      const inB = b.sessions.values.flatMap((v) => decodeSessionBucket(v));
      expect(inB).toHaveLength(12);
      expect(inB.every((e) => e.value.readUInt32LE(e.kind === SESSION_FORWARD ? 8 : 16) === 4)).toBe(true);
      // B's copies are not sent back to A (A holds nothing B could have added).
      expect(agentB.stats.sentRecords).toBe(0);
    } finally {
      await Promise.all([agentA.stop(), agentB.stop()]);
    }
  });

  it('holds at most MAX_INBOUND connections', async () => {
    const b = fakeCube({ buckets: 16, services: [SVC_B] });
    const agentB = new SyncAgent({ ...common, node: 'b', peers: [], cubes: [{ name: 'lb', maps: b }] });
    await agentB.start();
    const socks: Socket[] = [];
    try {
      for (let i = 0; i < MAX_INBOUND; i++) {
        const s = createConnection(agentB.address());
        s.on('error', () => undefined);
        await new Promise((r) => s.once('data', r)); // its HELLO: accepted
        socks.push(s);
      }
      const extra = createConnection(agentB.address());
      extra.on('error', () => undefined);
      await new Promise((r) => extra.once('close', r));
      expect(agentB.stats.refused['too-many']).toBe(1);
    } finally {
      for (const s of socks) s.destroy();
      await agentB.stop();
    }
  });

  it('refuses and counts a frame under another key and a replayed frame', async () => {
    const b = fakeCube({ buckets: 16, services: [SVC_B] });
    const agentB = new SyncAgent({ ...common, node: 'b', peers: [], cubes: [{ name: 'lb', maps: b }] });
    await agentB.start();
    const body = encodeEntries({ cube: 'lb', node: 'x', records: [recordOf(entryOf(ways(S1)[0]))] });
    // One connection: read the HELLO's nonce, send `frames(nonce)`, wait for the close.
    const session = (frames: (nonce: Buffer) => Buffer[]) =>
      new Promise<void>((resolve) => {
        const s = createConnection(agentB.address());
        const reader = new FrameReader();
        s.on('data', (chunk: Buffer) => {
          const got = reader.push(chunk);
          if (!Array.isArray(got) || got.length === 0) return;
          const hello = openFrame(KEY, got[0]) as Frame;
          for (const f of frames(hello.nonce)) s.write(f);
        });
        s.on('error', () => undefined);
        s.on('close', () => resolve());
      });
    try {
      await session((nonce) => [new FrameSealer(Buffer.alloc(32, 9), nonce).seal(MSG_ENTRIES, body)]);
      expect(agentB.stats.refused.mac).toBe(1);
      await session((nonce) => {
        const f = new FrameSealer(KEY, nonce).seal(MSG_ENTRIES, body);
        return [f, f];
      });
      expect(agentB.stats.refused.replay).toBe(1);
      await until(() => agentB.stats.apply.lb.inserted >= 1);
      expect(agentB.stats.apply.lb.inserted).toBe(1); // the first copy only
      expect(agentB.stats.receivedRecords).toBe(1);
    } finally {
      await agentB.stop();
    }
  });
});
