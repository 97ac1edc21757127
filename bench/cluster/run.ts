// `npm run bench:cluster`: failover of the three-node cluster (test/fixtures/cluster/cluster-net.ts)
// under 100 long-lived connections and 200 new connections a second. Each round fails one node
// (daemons SIGKILLed, links down), then brings it back. Per round:
//   withdraw   failure → the router's VIP route no longer names the node (BFD 100 ms × 3)
//   failover   failure → start of the first new connection from which every attempt succeeds
//   lost       long-lived connections that did not survive (no session sync: the backend set
//              is unchanged, so identical Maglev tables keep every flow on its backend)
//   failed     new connections that failed (1 s connect-and-greet limit)
// Baseline: one node alone has nothing to fail over to; every connection through it is lost.
// Prints a table and the medians. ROUNDS (default 3). DETECT=hold turns BFD off: the router
// notices a dead node by the BGP hold timer alone (3 s, keepalive 1 s).
// Then session sync (npm run lbrp-sync): SYNC_ROUNDS (default 2) pairs of rounds in which 100
// long-lived connections open, a third backend is added on every node (Maglev moves some flows),
// and node 0 fails; long-lived connections lost without sync and with it, interleaved.

import { chmodSync, writeFileSync } from 'node:fs';
import { randomBytes, randomInt } from 'node:crypto';
import { join } from 'node:path';
import type { Child } from '../../test/fixtures/lbrp/e2e-stack';
import { ClusterNet, waitSynced } from '../../test/fixtures/cluster/cluster-net';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SYNC_ROUNDS = Number(process.env.SYNC_ROUNDS ?? 2);
const DETECT = process.env.DETECT ?? 'bfd';
if (DETECT !== 'bfd' && DETECT !== 'hold') throw new Error('DETECT: bfd or hold');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  round: number;
  withdrawMs: number;
  failoverMs: number;
  lost: number;
  failed: number;
  total: number;
}

async function main(): Promise<void> {
  const c = new ClusterNet('stateless', DETECT === 'bfd');
  console.log(`failure detection: ${DETECT === 'bfd' ? 'BFD 100 ms x 3' : 'BGP hold timer 3 s, no BFD'}`);
  const stop = () => void c.cleanup().finally(() => process.exit(130));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const rows: Row[] = [];
  const syncRows: Array<{ round: number; sync: boolean; lost: number }> = [];
  try {
    c.build();
    await c.start();
    await c.waitNextHops(
      c.nodes.map((n) => n.upIp),
      60000,
    );
    for (let round = 0; round < ROUNDS; round++) {
      const victim = c.nodes[round % c.nodes.length];
      const load = c.startLoad(100, 200);
      const t0 = Number((await load.waitLine(/^ready /, 60000)).split(' ')[1]);
      await sleep(2000);
      const failAt = Date.now();
      await c.failNode(victim);
      let withdrawMs = NaN;
      for (let i = 0; i < 1500 && Number.isNaN(withdrawMs); i++) {
        if (!c.vipNextHops().includes(victim.upIp)) withdrawMs = Date.now() - failAt;
        else await sleep(10);
      }
      await sleep(4000);
      const from = load.lines.length;
      load.kill('SIGTERM');
      const res = JSON.parse(await load.waitLine(/^\{/, 20000, from)) as {
        long: Array<{ alive: boolean }>;
        fresh: Array<{ at: number; ok: boolean }>;
      };
      const failIn = failAt - t0;
      // By start time (the results are in the order the attempts finished).
      const fresh = [...res.fresh].sort((a, b) => a.at - b.at);
      const lastFail = fresh.reduce((m, f, i) => (!f.ok ? i : m), -1);
      const firstGood = fresh.slice(lastFail + 1).find((f) => f.at >= failIn);
      rows.push({
        round,
        withdrawMs,
        failoverMs: firstGood ? Math.max(0, firstGood.at - failIn) : NaN,
        lost: res.long.filter((l) => !l.alive).length,
        failed: res.fresh.filter((f) => !f.ok).length,
        total: res.fresh.length,
      });
      console.log(`round ${round}: node${victim.index} failed: ${JSON.stringify(rows[rows.length - 1])}`);
      await c.restoreNode(victim);
      await c.waitNextHops(
        c.nodes.map((n) => n.upIp),
        60000,
      );
      await sleep(2000);
    }
    if (SYNC_ROUNDS > 0) syncRows.push(...(await syncRounds(c)));
  } finally {
    await c.cleanup();
  }
  printFailover(rows);
  if (syncRows.length > 0) {
    console.log('\n| round | sync | long-lived lost /100 (backend added before the failure) |');
    console.log('|---|---|---|');
    for (const r of syncRows) console.log(`| ${r.round} | ${r.sync ? 'on' : 'off'} | ${r.lost} |`);
    for (const on of [false, true])
      console.log(
        `| median | ${on ? 'on' : 'off'} | ${median(syncRows.filter((r) => r.sync === on).map((r) => r.lost))} |`,
      );
  }
}

/** Sync off and on, interleaved: long-lived connections lost when node 0 fails after a backend was added. */
async function syncRounds(c: ClusterNet): Promise<Array<{ round: number; sync: boolean; lost: number }>> {
  const out: Array<{ round: number; sync: boolean; lost: number }> = [];
  const added = c.backends[2].ip;
  const keyFile = join(c.nodes[0].dir, 'bench-cluster.key');
  writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  const basePort = 20000 + randomInt(20000);
  await c.setBackendWeight(added, 0);
  const agents = new Map<number, Child>();
  for (let round = 0; round < SYNC_ROUNDS; round++) {
    for (const sync of [false, true]) {
      if (sync)
        for (const n of c.nodes)
          if (!agents.has(n.index)) agents.set(n.index, await c.startSync(n, keyFile, basePort));
      if (!sync) {
        for (const a of agents.values()) a.kill('SIGTERM');
        agents.clear();
      }
      const { result } = await c.failAfterBackendAdded(added, async () => {
        if (!sync) return;
        // The survivors hold node 0's sessions before it fails (bulk on connect, then changes).
        await waitSynced(
          c.nodes.slice(1).map((n) => agents.get(n.index) as Child),
          c.cube,
          20,
        );
        agents.get(c.nodes[0].index)?.kill('SIGKILL'); // dies with the node
        agents.delete(c.nodes[0].index);
      });
      const lost = result.long.filter((l) => !l.alive).length;
      out.push({ round, sync, lost });
      console.log(
        `sync round ${round}, sync ${sync ? 'on' : 'off'}: ${lost}/${result.long.length} long-lived lost`,
      );
    }
  }
  for (const a of agents.values()) a.kill('SIGTERM');
  await c.setBackendWeight(added, 1);
  return out;
}

function printFailover(rows: Row[]): void {
  console.log('\n| round | route withdrawn (ms) | failover (ms) | long-lived lost /100 | new failed |');
  console.log('|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.round} | ${r.withdrawMs} | ${r.failoverMs} | ${r.lost} | ${r.failed}/${r.total} |`);
  console.log(
    `| median | ${median(rows.map((r) => r.withdrawMs))} | ${median(rows.map((r) => r.failoverMs))} | ` +
      `${median(rows.map((r) => r.lost))} | ${median(rows.map((r) => r.failed))} |`,
  );
}

void main();
