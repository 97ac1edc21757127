// `npm run bench:e2e`: lbrp against no load balancer, iptables, nftables and IPVS on one
// topology of network namespaces, round by round; prints a Markdown table and the goals,
// and writes bench/results/e2e-latest.json (`--profile`: also a CPU profile of every load). Needs
// root. `--help` lists the options; bench/e2e/README.md explains the topology, the metrics, the
// pinning and the profiling.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  defaultConfig,
  PEER_NAMES,
  quickConfig,
  routedConfig,
  TOPOLOGY_PEERS,
  type BenchConfig,
  type PeerName,
} from './config';
import { cleanupNow, runBench } from './harness';
import { formatGoals, formatTable } from './report';

const USAGE = `usage: npm run bench:e2e -- [options]
  --quick            smoke run: 3 rounds, 1 s per metric (about two minutes)
  --rounds N         rounds (default 5; each figure is the median over rounds; 0 only with --profile)
  --seconds S        measured seconds per metric (default 2.5; iperf3 rounds to whole seconds)
  --warmup S         unmeasured warm-up seconds per metric (default 0.5)
  --topology T       bump (default: the LB stage in front of a router) or routed (one LB host,
                     backends behind /32 routes; result in bench/results/e2e-routed-latest.json)
  --peers a,b,…      subset of: ${PEER_NAMES.join(', ')} (none is always measured)
                     bump runs ${TOPOLOGY_PEERS.bump.join(', ')}; routed ${TOPOLOGY_PEERS.routed.join(', ')}
  --out FILE         JSON result (default bench/results/e2e-latest.json; quick: e2e-quick.json.tmp, git-ignored)
  --no-pin           do not pin load generators and servers to separate CPUs
  --nice N           run servers and load generators at nice N (-20..19; e.g. -10 on a busy machine)
  --profile          after the rounds, one unmeasured pass recording a perf CPU profile of every
                     peer and load (with --rounds 0: the profile only, no figures, no JSON)
  --profile-out FILE Markdown of the profile (default bench/results/e2e-profile.md)`;

function parseCli(): BenchConfig {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      peers: { type: 'string' },
      topology: { type: 'string' },
      out: { type: 'string' },
      'no-pin': { type: 'boolean' },
      nice: { type: 'string' },
      profile: { type: 'boolean' },
      'profile-out': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const base = values.quick ? quickConfig() : defaultConfig();
  if (values.topology !== undefined && values.topology !== 'bump' && values.topology !== 'routed')
    throw new Error(`--topology: bump or routed, got "${values.topology}"`);
  const cfg = values.topology === 'routed' ? routedConfig(base) : base;
  const num = (v: string | undefined, name: string, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: expected a number ≥ ${min}, got "${v}"`);
    return n;
  };
  cfg.profile = values.profile ?? false;
  if (values['profile-out']) cfg.profileOutput = values['profile-out'];
  cfg.rounds = Math.round(num(values.rounds, 'rounds', 0) ?? cfg.rounds);
  if (cfg.rounds === 0 && !cfg.profile) throw new Error('--rounds 0 measures nothing: it needs --profile');
  if (cfg.rounds === 0) cfg.output = undefined; // no figures: keep the last result file as it is
  cfg.metricSeconds = num(values.seconds, 'seconds', 0.5) ?? cfg.metricSeconds;
  cfg.warmupSeconds = num(values.warmup, 'warmup', 0) ?? cfg.warmupSeconds;
  if (values.peers) {
    const names = values.peers.split(',').map((s) => s.trim());
    const bad = names.filter((n) => !(PEER_NAMES as readonly string[]).includes(n));
    if (bad.length) throw new Error(`--peers: unknown ${bad.join(', ')} (known: ${PEER_NAMES.join(', ')})`);
    cfg.peers = names as PeerName[];
  }
  if (values.out) cfg.output = values.out;
  const nice = num(values.nice, 'nice', -20);
  if (nice !== undefined) cfg.nice = Math.min(19, Math.round(nice));
  if (values['no-pin']) {
    cfg.clientCpu = undefined;
    cfg.serverCpu = undefined;
  }
  return cfg;
}

async function main(): Promise<void> {
  const cfg = parseCli();
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces, netfilter, BPF)');
  execFileSync('bash', [join(__dirname, 'deps.sh')], { stdio: 'inherit' });
  // Whatever happens from here on, the namespaces, processes and cgroup go away.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      console.error(`\nbench:e2e: ${sig}: cleaning up`);
      cleanupNow();
      process.exit(130);
    });
  }
  process.on('exit', cleanupNow);
  const result = await runBench(cfg);
  if (cfg.rounds > 0) {
    console.log(
      `\n## lbrp end-to-end bench, ${cfg.topology} topology (${cfg.rounds} rounds × ${cfg.metricSeconds} s per metric; medians, ratio to none in the same round)\n`,
    );
    console.log(formatTable(result));
    console.log(`\n## Goals (issue ${cfg.topology === 'routed' ? 22 : 8})\n`);
    console.log(formatGoals(result.goals));
    if (cfg.output) console.log(`\nwritten: ${cfg.output}`);
  }
  if (result.profile?.note) console.log(`\nnote: profiling skipped: ${result.profile.note}`);
  if (result.profile?.written) console.log(`\nprofile written: ${result.profile.written}`);
}

main().catch((err: unknown) => {
  console.error(`bench:e2e: ${(err as Error).message}`);
  cleanupNow();
  process.exit(1);
});
