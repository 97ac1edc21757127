// The TS mirror of the session table's keyed bucket hash (src/lbrp/dataplane/session-table.ts):
// each secret word moves flows between buckets, a session's two entries share one under any
// secret, and the all-zero secret is the unkeyed hash. (The kernel's agreement with the mirror is
// checked in test/kernel/dataplane/lbrp-session-state.test.ts.)

import { flowMix } from '../../../../src/lbrp/dataplane/flow-hash';
import { encodeFlowKey, IPPROTO, SESSION_REVERSE } from '../../../../src/lbrp/dataplane/map-layouts';
import { sessionBucketOf, UNKEYED } from '../../../../src/lbrp/dataplane/session-table';

const BUCKETS = 8192;
const fwd = (sport: number): Buffer =>
  encodeFlowKey({ saddr: '10.0.0.1', daddr: '10.10.0.100', sport, dport: 80, proto: IPPROTO.TCP });
const rev = (sport: number): Buffer => {
  const k = encodeFlowKey({
    saddr: '192.168.1.10',
    daddr: '10.0.0.1',
    sport: 8080,
    dport: sport,
    proto: IPPROTO.TCP,
  });
  k[13] = SESSION_REVERSE;
  return k;
};
const PORTS = Array.from({ length: 200 }, (_, i) => 30000 + i);

describe('sessionBucketOf', () => {
  // Unkeyed: flow_mix of the client's address, port | proto << 16, and the fixed seed.
  it('with the all-zero secret is the unkeyed hash of the client side', () => {
    const k = fwd(40000);
    const want = flowMix(
      k.readUInt32LE(0),
      (40000 >> 8) | ((40000 & 0xff) << 8) | (IPPROTO.TCP << 16),
      0x85ebca6b,
    );
    expect(sessionBucketOf(k, BUCKETS, UNKEYED)).toBe(want & (BUCKETS - 1));
    expect(sessionBucketOf(k, BUCKETS)).toBe(want & (BUCKETS - 1));
  });

  // Changing any one word of the secret re-places nearly every flow (1 in 8192 stays by chance).
  it.each([0, 1, 2, 3])('secret word %i moves flows to other buckets', (word) => {
    const a = [0x11111111, 0x22222222, 0x33333333, 0x44444444];
    const b = a.map((w, i) => (i === word ? (w ^ 0x00010000) >>> 0 : w));
    const moved = PORTS.filter(
      (p) => sessionBucketOf(fwd(p), BUCKETS, a) !== sessionBucketOf(fwd(p), BUCKETS, b),
    );
    expect(moved.length).toBeGreaterThan(PORTS.length * 0.95);
  });

  // A conntrack entry and its reverse NAT entry share a bucket whatever the secret.
  it("keeps a session's two entries in one bucket under any secret", () => {
    const secret = [0xdeadbeef, 0x01234567, 0x89abcdef, 0x0badf00d];
    for (const p of PORTS)
      expect(sessionBucketOf(rev(p), BUCKETS, secret)).toBe(sessionBucketOf(fwd(p), BUCKETS, secret));
  });
});
