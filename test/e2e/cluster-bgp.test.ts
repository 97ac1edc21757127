// Several lbrp nodes behind ECMP, announced by real BIRD daemons (issue 16), in namespaces (see
// test/fixtures/cluster/cluster-net.ts): every node announces the VIP while it can serve it and
// withdraws it when no backend can, when its daemon stops, when its cube is deleted and when its
// announcer is killed; the
// router spreads connections over the three nodes; and when a node fails (daemons killed, links
// down) with 100 long-lived connections open and ~200 new ones a second, every long-lived
// connection survives (the other nodes' identical Maglev tables pick the same backends) and the
// outage for new connections is measured.

import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { type Child } from '../fixtures/lbrp/e2e-stack';
import { ClusterNet, VIP, VPORT, type ClusterNode } from '../fixtures/cluster/cluster-net';

interface LoadResult {
  long: Array<{ backend: string; alive: boolean; error: string; echoed: number; maxGapMs: number }>;
  fresh: Array<{ at: number; ok: boolean; ms: number; backend: string }>;
}

describeE2e('e2e: cluster of three lbrp nodes behind BIRD and ECMP', () => {
  const c = new ClusterNet();
  const hops = (ns: ClusterNode[]) => ns.map((n) => n.upIp);
  const svc = () => `lbrp/${c.cube}/service/${VIP}/${VPORT}/TCP/`;

  async function servicePackets(n: ClusterNode): Promise<number> {
    return Number(((await n.stack.ok('GET', svc())) as { packets: number }).packets);
  }

  const startLoad = (longLived: number, perSecond: number): Child => c.startLoad(longLived, perSecond);

  async function stopLoad(load: Child): Promise<LoadResult> {
    const from = load.lines.length;
    load.kill('SIGTERM');
    const line = await load.waitLine(/^\{/, 20000, from);
    return JSON.parse(line) as LoadResult;
  }

  beforeAll(async () => {
    c.build();
    await c.start();
  }, 240000);

  afterAll(async () => {
    await c.cleanup();
  }, 60000);

  it('announces the VIP from every node: the router installs one ECMP route over all three', async () => {
    await c.waitNextHops(hops(c.nodes), 60000);
  }, 90000);

  it('spreads new connections over the three nodes and the three backends', async () => {
    const before = await Promise.all(c.nodes.map(servicePackets));
    const load = startLoad(0, 100);
    await load.waitLine(/^ready /, 15000);
    await new Promise((r) => setTimeout(r, 3000));
    const res = await stopLoad(load);
    const after = await Promise.all(c.nodes.map(servicePackets));
    const ok = res.fresh.filter((f) => f.ok);
    expect(ok.length).toBeGreaterThan(150);
    expect(ok.length).toBe(res.fresh.length);
    expect(new Set(ok.map((f) => f.backend))).toEqual(new Set(c.backends.map((b) => b.name)));
    // Each node carried a fair share (≥ 15 % of the packets; an even split is 33 %).
    const delta = after.map((a, i) => a - before[i]);
    const total = delta.reduce((s, d) => s + d, 0);
    for (const d of delta) expect(d / total).toBeGreaterThan(0.15);
  }, 60000);

  it('withdraws a node whose backends all drained, and announces it again when one is back', async () => {
    const n3 = c.nodes[2];
    for (const b of c.backends) await n3.stack.ok('PATCH', `${svc()}backend/${b.ip}/`, { weight: 0 });
    await c.waitNextHops(hops(c.nodes.slice(0, 2)));
    await n3.stack.ok('PATCH', `${svc()}backend/${c.backends[0].ip}/`, { weight: 1 });
    await c.waitNextHops(hops(c.nodes));
    for (const b of c.backends.slice(1))
      await n3.stack.ok('PATCH', `${svc()}backend/${b.ip}/`, { weight: 1 });
  }, 60000);

  it('withdraws while the daemon is stopped and announces once it is back', async () => {
    const n3 = c.nodes[2];
    await n3.stack.stopLbrp();
    await n3.stack.stopPolycubed();
    await c.waitNextHops(hops(c.nodes.slice(0, 2)));
    await n3.stack.startPolycubed();
    await n3.stack.startLbrp();
    await c.waitNextHops(hops(c.nodes), 30000);
  }, 90000);

  it('keeps every long-lived connection through a node failure; measures the outage for new ones', async () => {
    const victim = c.nodes[0];
    const load = startLoad(100, 200);
    await load.waitLine(/^ready /, 60000);
    await new Promise((r) => setTimeout(r, 2000));
    // The victim really carries some of the long-lived connections (ECMP hashed them there).
    const sessions = Number(
      ((await victim.stack.ok('GET', svc())) as { 'active-sessions': number })['active-sessions'],
    );
    expect(sessions).toBeGreaterThanOrEqual(10);
    const failAt = Date.now();
    await c.failNode(victim);
    try {
      await c.waitNextHops(hops(c.nodes.slice(1)), 15000);
      const withdrawnMs = Date.now() - failAt;
      await new Promise((r) => setTimeout(r, 4000));
      const res = await stopLoad(load);
      const failed = res.fresh.filter((f) => !f.ok);
      const outage = failed.length ? failed[failed.length - 1].at - failed[0].at : 0;
      console.log(
        `node failure: route withdrawn after ${withdrawnMs} ms; ${failed.length}/${res.fresh.length} new connections ` +
          `failed (at ${failed.map((f) => f.at).join(' ')} ms of the run), outage ${outage} ms; longest stall of a ` +
          `long-lived connection ${Math.max(...res.long.map((l) => l.maxGapMs))} ms`,
      );
      expect(res.long).toHaveLength(100);
      expect(res.long.filter((l) => !l.alive)).toEqual([]);
      // New connections fail only around the failure: the last two seconds all succeed.
      const end = res.fresh[res.fresh.length - 1].at;
      const tail = res.fresh.filter((f) => f.at > end - 2000);
      expect(tail.length).toBeGreaterThan(100);
      expect(tail.filter((f) => !f.ok)).toEqual([]);
    } finally {
      await c.restoreNode(victim);
    }
    await c.waitNextHops(hops(c.nodes), 60000);
  }, 180000);

  it('withdraws when the announcer is killed outright (SIGKILL): its liveness link dies with it', async () => {
    const n3 = c.nodes[2];
    expect(c.livenessLinks(n3)).toEqual([expect.stringMatching(/^lbrpa[0-9a-f]{8}$/)]);
    n3.announcer?.kill('SIGKILL');
    await n3.announcer?.waitExit();
    // No withdraw was written: BIRD drops the device routes because their interface vanished.
    await c.waitNextHops(hops(c.nodes.slice(0, 2)));
    expect(c.livenessLinks(n3)).toEqual([]);
    await c.startAnnouncer(n3);
    await c.waitNextHops(hops(c.nodes));
  }, 60000);

  it('withdraws when the cube is deleted', async () => {
    const n2 = c.nodes[1];
    await n2.stack.ok('DELETE', `lbrp/${c.cube}/`);
    await c.waitNextHops([c.nodes[0].upIp, c.nodes[2].upIp]);
  }, 60000);

  it('withdraws when the announcer stops', async () => {
    const n3 = c.nodes[2];
    n3.announcer?.kill('SIGTERM');
    await n3.announcer?.waitExit();
    await c.waitNextHops([c.nodes[0].upIp]);
  }, 60000);
});
