// `npm run bench:flood`: established sessions and new connections through lbrp, iptables and
// nftables while a random-source SYN flood hits the VIP; prints a Markdown table and the goals,
// and writes bench/results/flood-latest.json. Needs root. `--help` lists the options;
// bench/flood/README.md explains the method.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultFloodConfig, FLOOD_PEERS, type FloodConfig, type FloodPeerName } from './config';
import { cleanupFloodNow, runFlood } from './harness';
import { floodGoals, formatFloodTable } from './report';

const USAGE = `usage: npm run bench:flood -- [options]
  --peers a,b,…          subset of: ${FLOOD_PEERS.join(', ')} (default lbrp-tc,iptables,nftables)
  --rounds N             rounds, each measuring every peer (figures are medians; default 1)
  --idle N               idle established connections opened before the flood (default 1000)
  --legit-rate R         legitimate new connections per second during the flood (default 150)
  --deadline MS          a legitimate connection must be answered within MS (default 3000)
  --seconds S            flood length (default 10)
  --flood-rate PPS       SYNs per second (default 0: as fast as the generator goes)
  --flood-threads N      generator processes (default 1)
  --sessions-limit N     lbrp's new-sessions-per-cpu leaf (when the cube has it; env LBRP_FLOOD_SESSIONS_LIMIT)
  --out FILE             JSON result (default bench/results/flood-latest.json)`;

function parseCli(): FloodConfig {
  const { values } = parseArgs({
    options: {
      peers: { type: 'string' },
      rounds: { type: 'string' },
      idle: { type: 'string' },
      'legit-rate': { type: 'string' },
      deadline: { type: 'string' },
      seconds: { type: 'string' },
      'flood-rate': { type: 'string' },
      'flood-threads': { type: 'string' },
      'sessions-limit': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const cfg = defaultFloodConfig();
  const num = (v: string | undefined, name: string, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: expected a number ≥ ${min}, got "${v}"`);
    return n;
  };
  if (values.peers) {
    const names = values.peers.split(',').map((s) => s.trim());
    const bad = names.filter((n) => !(FLOOD_PEERS as readonly string[]).includes(n));
    if (bad.length) throw new Error(`--peers: unknown ${bad.join(', ')} (known: ${FLOOD_PEERS.join(', ')})`);
    cfg.peers = names as FloodPeerName[];
  }
  cfg.rounds = Math.round(num(values.rounds, 'rounds', 1) ?? cfg.rounds);
  cfg.idleConnections = Math.round(num(values.idle, 'idle', 1) ?? cfg.idleConnections);
  cfg.legitRate = num(values['legit-rate'], 'legit-rate', 1) ?? cfg.legitRate;
  cfg.legitDeadlineMs = num(values.deadline, 'deadline', 100) ?? cfg.legitDeadlineMs;
  cfg.floodSeconds = num(values.seconds, 'seconds', 1) ?? cfg.floodSeconds;
  cfg.floodRate = num(values['flood-rate'], 'flood-rate', 0) ?? cfg.floodRate;
  cfg.floodThreads = Math.round(num(values['flood-threads'], 'flood-threads', 1) ?? cfg.floodThreads);
  const limit = num(values['sessions-limit'], 'sessions-limit', 0);
  if (limit !== undefined) cfg.sessionsLimit = Math.round(limit);
  if (values.out) cfg.output = values.out;
  return cfg;
}

async function main(): Promise<void> {
  const cfg = parseCli();
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces, netfilter, BPF)');
  execFileSync('bash', [join(__dirname, '../e2e/deps.sh')], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      console.error(`\nbench:flood: ${sig}: cleaning up`);
      cleanupFloodNow();
      process.exit(130);
    });
  }
  process.on('exit', cleanupFloodNow);
  const result = await runFlood(cfg);
  console.log(
    `\n## Sessions under a SYN flood (${cfg.idleConnections} idle connections, ${cfg.legitRate} new connections/s, ${cfg.floodSeconds} s flood; ${cfg.rounds > 1 ? `medians of ${cfg.rounds} rounds` : 'one round'})\n`,
  );
  console.log(formatFloodTable(result));
  console.log('\n## Goals (issue 14)\n');
  for (const g of floodGoals(result)) console.log(`- ${g.peer}: ${g.goal}: ${g.met ? 'met' : 'NOT met'}`);
  if (cfg.output) console.log(`\nwritten: ${cfg.output}`);
}

main().catch((err: unknown) => {
  console.error(`bench:flood: ${(err as Error).message}`);
  cleanupFloodNow();
  process.exit(1);
});
