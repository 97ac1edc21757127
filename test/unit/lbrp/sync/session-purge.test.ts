// Session purge over the in-memory host: both entries of a chosen backend's sessions go, others
// stay byte for byte; the address check keeps a reused id's new backend; the idle bound; and a
// bucket changed by the datapath between the dump and the write is judged on its fresh copy.

import { encodeU32, IPPROTO, SESSION_REVERSE } from '../../../../src/lbrp/dataplane/map-layouts';
import { sessionEntries } from '../../../../src/lbrp/dataplane/session-table';
import { purgeBackendSessions, purgeBucket, purgeMatcher } from '../../../../src/lbrp/sync/session-purge';
import { FakeHost } from '../../../fixtures/lbrp/fake-host';
import { bucket, type Session } from '../../../fixtures/lbrp/session-buckets';

const CUBE = 'lb0';

const A = (sport: number, extra: Partial<Session> = {}): Session => ({
  client: '10.1.0.1',
  sport,
  backend: '192.168.0.1',
  bport: 8080,
  id: 3,
  ...extra,
});
const B = (sport: number, extra: Partial<Session> = {}): Session => ({
  client: '10.1.0.2',
  sport,
  backend: '192.168.0.2',
  bport: 8080,
  id: 4,
  ...extra,
});

/** Client ports of the conntrack entries left in the host's table, by backend id. */
async function left(host: FakeHost): Promise<Array<[number, number]>> {
  const buckets = (await host.readMaps(CUBE, 'sessions')).map((e) => e.value);
  return sessionEntries(buckets)
    .filter((e) => e.kind === 0)
    .map((e): [number, number] => [e.value.readUInt32LE(8), e.key.readUInt16BE(8)])
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

function hostWith(...buckets: Buffer[]): FakeHost {
  const host = new FakeHost();
  host.addCube(CUBE);
  buckets.forEach((b, i) => host.poke(CUBE, 'sessions', encodeU32(i), b));
  return host;
}

describe('session purge', () => {
  // A chosen backend's sessions lose both entries; the other backend's entries are untouched.
  it('removes the conntrack and reverse NAT entries of the chosen backends only', async () => {
    const host = hostWith(bucket(A(1), B(2), A(3)), bucket(B(4)), bucket(A(5, { proto: IPPROTO.UDP })));
    const before1 = host.readRaw(CUBE, 'sessions', encodeU32(1));
    const r = await purgeBackendSessions(host, CUBE, [{ id: 3 }]);
    expect(r).toEqual({ forward: 3, reverse: 3, buckets: 2 });
    expect(await left(host)).toEqual([
      [4, 2],
      [4, 4],
    ]);
    // Reverse entries of backend 4 stay too; bucket 1 was not written at all.
    const rest = sessionEntries((await host.readMaps(CUBE, 'sessions')).map((e) => e.value));
    expect(rest.filter((e) => e.kind === SESSION_REVERSE).map((e) => e.value.readUInt32LE(16))).toEqual([
      4, 4,
    ]);
    expect(host.takeWrites().map((w) => w.key.readUInt32LE(0))).toEqual([0, 2]);
    expect(host.readRaw(CUBE, 'sessions', encodeU32(1)).equals(before1)).toBe(true);
  });

  // Freed ways keep their value and last_seen: only the key changes (protocol 0 = free).
  it('frees a way by zeroing its key only', () => {
    const b = bucket(A(1));
    const p = purgeBucket(b, purgeMatcher([{ id: 3 }]));
    expect(p).toBeDefined();
    const out = (p as { bucket: Buffer }).bucket;
    expect(out.subarray(0, 16).equals(Buffer.alloc(16))).toBe(true);
    expect(out.subarray(16, 40).equals(b.subarray(16, 40))).toBe(true);
    expect(out.subarray(40, 56).equals(Buffer.alloc(16))).toBe(true);
    expect(b.subarray(0, 16).equals(Buffer.alloc(16))).toBe(false); // the input is not modified
    expect(purgeBucket(b, purgeMatcher([{ id: 9 }]))).toBeUndefined();
  });

  // With an address, an id reused by another backend keeps its sessions; the port is not
  // compared for ICMP (its sessions carry port 0).
  it('with an address, keeps sessions of another backend under the same id', async () => {
    const host = hostWith(
      bucket(A(1), A(2, { backend: '192.168.0.9' }), A(3, { bport: 9090 }), A(4, { proto: IPPROTO.ICMP })),
    );
    const r = await purgeBackendSessions(host, CUBE, [{ id: 3, ip: '192.168.0.1', port: 8080 }]);
    expect(r.forward).toBe(2);
    expect(await left(host)).toEqual([
      [3, 2],
      [3, 3],
    ]);
  });

  // With a service id, an id reused in another service keeps its sessions.
  it('with a service id, keeps sessions of another service under the same backend id', async () => {
    const host = hostWith(bucket(A(1), A(2)));
    expect(await purgeBackendSessions(host, CUBE, [{ id: 3, serviceId: 8 }])).toEqual({
      forward: 0,
      reverse: 0,
      buckets: 0,
    });
    expect(await purgeBackendSessions(host, CUBE, [{ id: 3, serviceId: 7 }])).toEqual({
      forward: 2,
      reverse: 2,
      buckets: 1,
    });
  });

  // minIdle: only entries idle longer go (u32 clock arithmetic).
  it('with an idle bound, removes only entries idle longer', async () => {
    const host = hostWith(
      bucket(A(1, { lastSeen: 10 }), A(2, { lastSeen: 95 }), A(3, { lastSeen: 0xfffffff0 })),
    );
    const r = await purgeBackendSessions(host, CUBE, [{ id: 3 }], { minIdle: 20, now: 100 });
    // idle 90 and 116 (across the wrap) go; idle 5 stays.
    expect(r).toEqual({ forward: 2, reverse: 2, buckets: 1 });
    expect(await left(host)).toEqual([[3, 2]]);
  });

  // The datapath re-created a session for another backend after the dump: the fresh copy is
  // judged, so that entry stays.
  it('judges each bucket on a fresh read before writing it', async () => {
    const host = hostWith(bucket(A(1), A(2)));
    const read = host.readMaps.bind(host);
    let calls = 0;
    host.readMaps = async (cube, map, keys) => {
      const out = await read(cube, map, keys);
      // After the dump, session 1 moves to backend 4 (same key, new value) in the kernel.
      if (calls++ === 0) host.poke(CUBE, 'sessions', encodeU32(0), bucket(A(1, { id: 4 }), A(2)));
      return out;
    };
    const r = await purgeBackendSessions(host, CUBE, [{ id: 3 }]);
    expect(r.forward).toBe(1);
    expect(await left(host)).toEqual([[4, 1]]);
  });

  it('does nothing without backends', async () => {
    const host = hostWith(bucket(A(1)));
    expect(await purgeBackendSessions(host, CUBE, [])).toEqual({ forward: 0, reverse: 0, buckets: 0 });
    expect(host.takeWrites()).toEqual([]);
  });
});
