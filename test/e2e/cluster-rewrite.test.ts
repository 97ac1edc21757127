// Replies by per-node source rewrite (issue 16, "Replies"): each of three nodes rewrites client
// addresses into its own range (src-ip-rewrite 10.161.0.0/24 → 10.170.<i>.0/24) and announces
// that range to the backends' router over BGP, so every reply returns to the node that owns its
// session. Real BIRD, real connections: all succeed, spread over the three nodes, and each
// backend sees the client only under the three nodes' ranges.

import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { ClusterNet, CLIENT_IP } from '../fixtures/cluster/cluster-net';

describeE2e('e2e: cluster replies by per-node source rewrite', () => {
  const c = new ClusterNet('rewrite');

  beforeAll(async () => {
    c.build();
    await c.start();
  }, 240000);

  afterAll(async () => {
    await c.cleanup();
  }, 60000);

  it("answers every connection; backends see each node's range, all three used", async () => {
    await c.waitNextHops(
      c.nodes.map((n) => n.upIp),
      60000,
    );
    const load = c.startLoad(0, 100);
    await load.waitLine(/^ready /, 15000);
    await new Promise((r) => setTimeout(r, 3000));
    const from = load.lines.length;
    load.kill('SIGTERM');
    const res = JSON.parse(await load.waitLine(/^\{/, 20000, from)) as {
      fresh: Array<{ ok: boolean; seen: string }>;
    };
    expect(res.fresh.length).toBeGreaterThan(150);
    expect(res.fresh.filter((f) => !f.ok)).toEqual([]);
    const host = CLIENT_IP.split('.')[3];
    expect(new Set(res.fresh.map((f) => f.seen))).toEqual(
      new Set(c.nodes.map((n) => `10.170.${n.index}.${host}`)),
    );
  }, 60000);
});
