// `npm run demo:cluster`: three lbrp nodes behind a BIRD router with ECMP (the topology of
// test/fixtures/cluster/cluster-net.ts). Shows the router's multipath route and traffic spread
// over the nodes, fails one node (daemons killed, links down) while 30 long-lived connections
// and 50 new connections a second run, shows the route shrink and the long-lived connections
// survive, brings the node back. Then session sync: a backend is added after connections opened
// and node1 fails again, once without lbrp-sync (connections of node1 that Maglev now sends to the
// new backend are lost) and once with it (none is). Removes everything at the end or on Ctrl-C.
// DEMO_STEP_SECONDS (default 5) sets how long each phase runs.

import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Child } from '../../test/fixtures/lbrp/e2e-stack';
import {
  ClusterNet,
  VIP,
  VPORT,
  waitSynced,
  type ClusterNode,
} from '../../test/fixtures/cluster/cluster-net';

const STEP = Number(process.env.DEMO_STEP_SECONDS ?? 5) * 1000;
const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const c = new ClusterNet();
let cleaning: Promise<void> | undefined;
const cleanup = (): Promise<void> => (cleaning ??= c.cleanup());
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    console.log(`\n${sig}: removing everything…`);
    void cleanup().finally(() => process.exit(130));
  });

async function packets(n: ClusterNode): Promise<number> {
  const r = await n.stack
    .rest('GET', `lbrp/${c.cube}/service/${VIP}/${VPORT}/TCP/packets/`)
    .catch(() => undefined);
  return r && r.status === 200 ? Number(r.json) : NaN;
}

/** Prints, once a second for `ms`, the router's next hops and packets per node per second. */
async function watch(ms: number): Promise<void> {
  let last = await Promise.all(c.nodes.map(packets));
  for (let t = 0; t < ms; t += 1000) {
    await sleep(1000);
    const now = await Promise.all(c.nodes.map(packets));
    const rates = now.map((p, i) => (Number.isNaN(p) ? '   down' : String(p - last[i]).padStart(7)));
    const hops = c.vipNextHops().map((h) => `node${c.nodes.findIndex((n) => n.upIp === h) + 1}`);
    console.log(
      `  router → ${VIP}: via ${(hops.join(' ') || 'nothing').padEnd(17)} packets/s per node: ${rates.join(' ')}`,
    );
    last = now.map((p, i) => (Number.isNaN(p) ? last[i] : p));
  }
}

async function main(): Promise<void> {
  console.log(
    bold('lbrp cluster demo') + ': client → router (BIRD, ECMP) → 3 lbrp nodes (lbrp + BIRD) → 3 backends',
  );
  // What it makes is named after these, so a leftover is easy to find (and the test checks none is).
  console.log(`names: namespaces and links ${c.net.id}*, pins /sys/fs/bpf/lbrp-e2e-${process.pid}-*`);
  c.build();
  console.log(
    "starting the backends, the two routers' BIRD, and on each node polycubed, lbrp, BIRD and lbrp-announce…",
  );
  await c.start();
  await c.waitNextHops(
    c.nodes.map((n) => n.upIp),
    60000,
  );
  console.log(
    bold('\nthe router learned the VIP from every node over BGP and installed one multipath route:'),
  );
  console.log(c.net.exec(c.router, ['ip', 'route', 'show', `${VIP}/32`]).trimEnd());

  console.log(bold('\n30 long-lived connections and 50 new connections a second from the client:'));
  const load = c.startLoad(30, 50);
  await load.waitLine(/^ready /, 60000);
  await watch(STEP);

  const victim = c.nodes[0];
  console.log(
    bold(
      '\nnode1 fails: its daemons are killed and its links go down (BFD tells both routers within ≈ 0.3 s)',
    ),
  );
  await c.failNode(victim);
  await watch(STEP);

  console.log(
    bold('\nnode1 comes back: links up, daemons restarted (the pinned cube is adopted), BGP re-established'),
  );
  await c.restoreNode(victim);
  await c
    .waitNextHops(
      c.nodes.map((n) => n.upIp),
      60000,
    )
    .catch(() => console.log('  (node1 not re-announced yet)'));
  await watch(STEP);

  const from = load.lines.length;
  load.kill('SIGTERM');
  const res = JSON.parse(await load.waitLine(/^\{/, 20000, from)) as {
    long: Array<{ alive: boolean }>;
    fresh: Array<{ ok: boolean; at: number }>;
  };
  const failed = res.fresh.filter((f) => !f.ok);
  console.log(bold('\nresult:'));
  console.log(
    `  long-lived connections alive at the end: ${res.long.filter((l) => l.alive).length}/${res.long.length}`,
  );
  console.log(
    `  new connections: ${res.fresh.length - failed.length}/${res.fresh.length} answered` +
      (failed.length
        ? `; the failed ones within ${failed[failed.length - 1].at - failed[0].at} ms around the failure`
        : ''),
  );
  await syncAct();
}

/** Node1 fails after a backend was added, without and with lbrp-sync on every node. */
async function syncAct(): Promise<void> {
  const added = c.backends[2];
  console.log(
    bold(
      `\nsession sync: ${added.ip} is drained, 30 connections open, ${added.ip} is added back, node1 fails`,
    ),
  );
  console.log(
    "  (the other nodes' Maglev tables now send some of node1's flows to the added backend, which never saw them)",
  );
  const keyFile = join(c.nodes[0].dir, 'demo-cluster.key');
  writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  const basePort = 20000 + randomInt(20000);
  await c.setBackendWeight(added.ip, 0);
  for (const sync of [false, true]) {
    const agents: Child[] = [];
    if (sync) for (const n of c.nodes) agents.push(await c.startSync(n, keyFile, basePort));
    const { victimSessions, result } = await c.failAfterBackendAdded(
      added.ip,
      async () => {
        if (!sync) return;
        await waitSynced(agents.slice(1), c.cube, 2); // node1's sessions reached the others
        await sleep(1000);
        agents[0].kill('SIGKILL'); // node1's agent dies with it
      },
      30,
    );
    for (const a of agents) a.kill('SIGTERM');
    const alive = result.long.filter((l) => l.alive).length;
    console.log(
      `  lbrp-sync ${sync ? 'on ' : 'off'}: ${alive}/${result.long.length} long-lived connections survived` +
        // With sync on, node1's table also holds its peers' copies.
        (sync ? '' : ` (node1 carried ${victimSessions} of them)`),
    );
  }
}

main()
  .catch((e: Error) => {
    console.error(`demo failed: ${e.message}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    console.log('removing namespaces, daemons and pins…');
    await cleanup();
  });
