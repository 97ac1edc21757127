// `npm run bench:cluster`: failover of the three-node cluster (test/fixtures/cluster/cluster-net.ts)
// under 100 long-lived connections and 200 new connections a second. Each round fails one node
// (daemons SIGKILLed, links down), then brings it back. Per round:
//   withdraw   failure → the router's VIP route no longer names the node (BFD 100 ms × 3)
//   failover   failure → start of the first new connection from which every attempt succeeds
//   lost       long-lived connections that did not survive (no session sync: the backend set
//              is unchanged, so identical Maglev tables keep every flow on its backend)
//   failed     new connections that failed (1 s connect-and-greet limit)
// Baseline: one node alone has nothing to fail over to; every connection through it is lost.
// Prints a table and the medians. ROUNDS (default 3).

import { ClusterNet } from '../../test/fixtures/cluster/cluster-net';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
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
  const c = new ClusterNet();
  const stop = () => void c.cleanup().finally(() => process.exit(130));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const rows: Row[] = [];
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
  } finally {
    await c.cleanup();
  }
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
