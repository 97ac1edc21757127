// Session sync (npm run lbrp-sync) in the cluster of issue 16 (test/fixtures/cluster/cluster-net.ts,
// real BIRD and ECMP): 100 long-lived connections open through three nodes, then a backend is
// added on every node (Maglev moves some flows to it), then node 1 fails (daemons killed, links
// down). Without sync, some of node 1's connections are lost: the survivors send their next
// packets to the new table's choice. With lbrp-sync on every node (same run, same cluster), every
// connection survives: the survivors already hold node 1's sessions. The agents talk over
// loopback (they run in the host namespace, beside the pinned maps); the failed node's agent is
// killed with its daemons.

import { chmodSync, writeFileSync } from 'node:fs';
import { randomBytes, randomInt } from 'node:crypto';
import { join } from 'node:path';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import type { Child } from '../fixtures/lbrp/e2e-stack';
import {
  ClusterNet,
  syncStats,
  waitSynced,
  type ClusterNode,
  type SyncLoadResult,
} from '../fixtures/cluster/cluster-net';

describeE2e('e2e: session sync keeps connections through a node failure after a backend was added', () => {
  const c = new ClusterNet();
  const hops = (ns: ClusterNode[]) => ns.map((n) => n.upIp);
  const basePort = 20000 + randomInt(20000);
  const syncers: Child[] = [];
  let keyFile = '';

  const startSync = (n: ClusterNode): Promise<Child> => c.startSync(n, keyFile, basePort);

  const lastStats = syncStats;

  /** Opens 100 long-lived connections, adds the third backend, fails node 1; the connections' fate. */
  async function failureAfterBackendAdded(beforeFail: () => Promise<void>): Promise<SyncLoadResult> {
    const { victimSessions, result } = await c.failAfterBackendAdded(c.backends[2].ip, beforeFail);
    expect(victimSessions).toBeGreaterThanOrEqual(10);
    return result;
  }

  beforeAll(async () => {
    c.build();
    await c.start();
    keyFile = join(c.nodes[0].dir, 'sy-cluster.key');
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    await c.waitNextHops(hops(c.nodes), 60000);
    // The third backend starts drained (out of every Maglev table): adding it later moves flows.
    await c.setBackendWeight(c.backends[2].ip, 0);
  }, 240000);

  afterAll(async () => {
    for (const s of syncers) s.kill('SIGTERM');
    await c.cleanup();
  }, 60000);

  it('without sync, some connections of the failed node are lost', async () => {
    const res = await failureAfterBackendAdded(async () => undefined);
    expect(res.long).toHaveLength(100);
    const lost = res.long.filter((l) => !l.alive);
    console.log(`sync off: ${lost.length}/100 long-lived connections lost`);
    expect(lost.length).toBeGreaterThan(0);
  }, 180000);

  it('with lbrp-sync on every node, every connection survives', async () => {
    for (const n of c.nodes) syncers.push(await startSync(n));
    const res = await failureAfterBackendAdded(async () => {
      // node 1's sessions reached both other nodes (bulk on connect, then changes).
      await waitSynced(syncers.slice(1), c.cube, 20);
      for (const s of syncers.slice(1))
        expect(lastStats(s).apply[c.cube]?.inserted ?? 0).toBeGreaterThanOrEqual(20);
      syncers[0].kill('SIGKILL'); // dies with the node
    });
    expect(res.long).toHaveLength(100);
    const lost = res.long.filter((l) => !l.alive);
    console.log(
      `sync on: ${lost.length}/100 long-lived connections lost (${lost.map((l) => `${l.backend}: ${l.error}`).join('; ')}); ` +
        `survivors' sync stats: ${syncers
          .slice(1)
          .map((s) => JSON.stringify(lastStats(s)))
          .join(' ')}`,
    );
    expect(lost).toEqual([]);
  }, 180000);
});
