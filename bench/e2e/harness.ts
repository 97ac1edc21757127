// The end-to-end bench as a function: builds the topology, checks which peers can run, measures
// them round by round (A B C A B C …), with `--profile` runs one more unmeasured pass under perf
// (profilePass), and always tears everything down (finally; and `cleanupNow` for signal and exit
// handlers). run.ts is the command line around it; the smoke test
// (test/e2e/bench-e2e-smoke.test.ts) calls it in a minimal mode.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadavg, release } from 'node:os';
import type { BenchConfig, PeerName } from './config';
import { LbrpStack } from './lbrp-stack';
import { measurePeer, type Measurement } from './measure';
import { makePeers, type Peer } from './peers';
import { Profiler } from './profile';
import { formatProfileMarkdown } from './profile-report';
import { checkGoals, summarize, type BenchResult, type RoundRecord } from './report';
import { run } from './shell';
import { BenchTopology, removeStaleRuns } from './topology';

/** Synchronous cleanups of the runs in progress (for SIGINT/SIGTERM/exit handlers). */
const active = new Set<() => void>();

/** Kills and removes everything of every run in progress, synchronously. Never throws. */
export function cleanupNow(): void {
  for (const c of [...active]) c();
}

/** Names of the run in progress, for tests that check nothing is left behind. */
export interface RunHandle {
  id: string;
  namespaces: string[];
}

/**
 * Runs the bench with `cfg`; resolves to the result (also written to `cfg.output` when set).
 * `onStart` receives the run's names as soon as they exist.
 */
export async function runBench(cfg: BenchConfig, onStart?: (h: RunHandle) => void): Promise<BenchResult> {
  const log = (s: string): void => {
    if (cfg.verbose) console.log(s);
  };
  const stale = removeStaleRuns();
  if (stale.length) log(`removed leftovers of killed runs: ${stale.join(', ')}`);
  const peerNames: PeerName[] = cfg.peers.includes('none') ? cfg.peers : ['none', ...cfg.peers];
  const topo = new BenchTopology(cfg);
  const stack = new LbrpStack(topo);
  const cleanup = (): void => topo.cleanup();
  active.add(cleanup);
  onStart?.({ id: topo.id, namespaces: Object.values(topo.ns).flat() });
  const started = new Date();
  const load0 = loadavg()[0];
  const busy0 = busiestProcesses();
  try {
    log(`building the topology (${topo.id})`);
    await topo.build();
    const peers = makePeers(peerNames, topo, stack);
    const skipped: Partial<Record<PeerName, string>> = {};
    for (const p of peers) {
      const reason = await p.check();
      if (reason !== undefined) {
        skipped[p.name] = reason;
        log(`note: ${p.name} skipped: ${reason}`);
      }
    }
    const rounds: RoundRecord[] = [];
    const failed = new Set<PeerName>();
    for (let round = 1; round <= cfg.rounds; round++) {
      // Each round starts one peer later, so no peer always goes first: `none` measured last in its
      // rounds came out 7-10 % faster than `none` measured first (TCP 2 %), in a 4-round test.
      for (const peer of rotated(peers, round - 1)) {
        if (skipped[peer.name] !== undefined || failed.has(peer.name)) continue;
        const t0 = Date.now();
        try {
          try {
            topo.setOffloads();
            await peer.setup();
            const { measurement, discarded } = await measureUndisturbed(
              () => measurePeer(topo, peer, cfg),
              cfg,
              (pct) =>
                log(
                  `round ${round}/${cfg.rounds} ${peer.name}: other work took ${pct.toFixed(0)}% of the CPU, measuring again`,
                ),
            );
            rounds.push({ round, peer: peer.name, measurement, ...(discarded ? { discarded } : {}) });
          } finally {
            await peer.teardown(); // also after a half-done setup: the next peer starts clean
          }
          log(
            `round ${round}/${cfg.rounds} ${peer.name}: ${summaryLine(rounds[rounds.length - 1])} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
          );
        } catch (err) {
          const error = (err as Error).message.split('\n')[0];
          rounds.push({ round, peer: peer.name, error });
          log(`round ${round}/${cfg.rounds} ${peer.name}: FAILED: ${error}`);
          if (peer.name === 'none') throw new Error(`the baseline failed, nothing to compare with: ${error}`);
          failed.add(peer.name); // a broken peer would fail the same way every round
        }
      }
    }
    const profile = cfg.profile
      ? await profilePass(
          peers,
          (p) => skipped[p] ?? (failed.has(p) ? 'failed in the rounds' : undefined),
          topo,
          cfg,
          log,
        )
      : undefined;
    const summaries = summarize(peerNames, rounds, skipped);
    const result: BenchResult = {
      meta: {
        started: started.toISOString(),
        seconds: Math.round((Date.now() - started.getTime()) / 1000),
        kernel: release(),
        cpus: topo.cpuCount,
        cpuModel: cpuModel(),
        commit: gitCommit(),
        uncommittedProductFiles: uncommittedProductFiles(),
        cpuAccounting: topo.cpu.precise
          ? 'bench cgroup + ksoftirqd'
          : 'unavailable (no cgroup): CPU figures are 0',
        loadavg1Start: load0,
        loadavg1End: loadavg()[0],
        busiestProcessesStart: busy0,
        busiestProcessesEnd: busiestProcesses(),
        pinning: {
          loadGenerators: cfg.clientCpu ?? 'none',
          servers: cfg.serverCpu ?? 'none',
          nice: cfg.nice,
        },
        iptables: firstLine(['iptables', '-V']),
      },
      config: cfg,
      peers: summaries,
      rounds,
      goals: checkGoals(rounds, summaries, cfg.topology),
      ...(profile ? { profile } : {}),
    };
    if (cfg.output) {
      mkdirSync(dirname(cfg.output), { recursive: true });
      writeFileSync(cfg.output, await formatJson(result, cfg.output));
    }
    return result;
  } finally {
    await stack.stop();
    topo.cleanup();
    active.delete(cleanup);
  }
}

/**
 * The `--profile` pass: each peer once more, every load under `perf record` (profile.ts), none
 * of it measured; writes the Markdown to `cfg.profileOutput`. Peers that `excluded` names a
 * reason for are left out. Returns where it wrote, or why there is no profile.
 */
async function profilePass(
  peers: Peer[],
  excluded: (p: PeerName) => string | undefined,
  topo: BenchTopology,
  cfg: BenchConfig,
  log: (s: string) => void,
): Promise<{ written?: string; note?: string }> {
  const profiler = new Profiler(topo.tmp);
  const notes: string[] = [];
  for (const peer of peers) {
    if (profiler.note) break;
    const reason = excluded(peer.name);
    if (reason !== undefined) {
      notes.push(`${peer.name} not profiled: ${reason}`);
      continue;
    }
    const t0 = Date.now();
    try {
      try {
        topo.setOffloads();
        await peer.setup();
        await measurePeer(topo, peer, cfg, profiler.watcher(peer.name));
      } finally {
        await peer.teardown();
      }
      log(`profile ${peer.name}: done (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      const error = (err as Error).message.split('\n')[0];
      notes.push(`${peer.name} not fully profiled: ${error}`);
      log(`profile ${peer.name}: FAILED: ${error}`);
    }
  }
  const note = profiler.note;
  if (profiler.profiles.length === 0) return { note: note ?? 'no load could be profiled' };
  const meta = {
    started: new Date().toISOString(),
    commit: gitCommit(),
    kernel: release(),
    cpus: topo.cpuCount,
    uncommitted: uncommittedProductFiles(),
    notes: note ? [...notes, `profiling stopped: ${note}`] : notes,
  };
  mkdirSync(dirname(cfg.profileOutput), { recursive: true });
  writeFileSync(cfg.profileOutput, formatProfileMarkdown(profiler.profiles, meta));
  return { written: cfg.profileOutput, ...(note ? { note } : {}) };
}

/**
 * Runs `measure` until other work took at most cfg.maxOtherWorkPct of the CPU during it, at most
 * 1 + cfg.remeasures times; keeps the last measurement and says how many were thrown away.
 * `retrying(pct)` is told each time one is.
 */
export async function measureUndisturbed(
  measure: () => Promise<Measurement>,
  cfg: Pick<BenchConfig, 'maxOtherWorkPct' | 'remeasures'>,
  retrying: (otherWorkPct: number) => void,
): Promise<{ measurement: Measurement; discarded: number }> {
  let measurement = await measure();
  let discarded = 0;
  while (measurement.foreignCpuPct > cfg.maxOtherWorkPct && discarded < cfg.remeasures) {
    retrying(measurement.foreignCpuPct);
    discarded++;
    measurement = await measure();
  }
  return { measurement, discarded };
}

/** `xs` starting at index `k` (wrapping around). */
export function rotated<T>(xs: readonly T[], k: number): T[] {
  return xs.map((_, i) => xs[(i + k) % xs.length]);
}

function summaryLine(r: RoundRecord): string {
  const m = r.measurement!.metrics;
  return [
    `newconn ${(m.newconnRps / 1e3).toFixed(1)}k/s`,
    `keepalive ${(m.keepaliveRps / 1e3).toFixed(1)}k/s`,
    `tcp ${m.tcpGbps.toFixed(2)} Gbit/s`,
    `udp ${(m.udpPps / 1e3).toFixed(0)}k pkt/s (loss ${m.udpLoss.toFixed(1)}%)`,
    `other work ${r.measurement!.foreignCpuPct.toFixed(0)}%`,
  ].join(', ');
}

/** JSON text as the repository's prettier config writes it (so `npm run lint` accepts the file). */
export async function formatJson(value: unknown, path: string): Promise<string> {
  const text = JSON.stringify(value, null, 2) + '\n';
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(path)) ?? {};
    return await prettier.format(text, { ...options, parser: 'json' });
  } catch {
    return text; // prettier is a dev dependency: without it the plain text is still valid JSON
  }
}

/** The five processes with the most CPU (ps: average over each one's life), to say what else ran. */
function busiestProcesses(): string[] {
  try {
    const lines = run(['ps', '-eo', 'pcpu,etime,args', '--sort=-pcpu']).split('\n').slice(1);
    const others = lines.filter((l) => l.trim() && !/bench[/:]e2e|lbe-\d/.test(l));
    return others.slice(0, 5).map((l) => l.trim().slice(0, 160));
  } catch {
    return [];
  }
}

function firstLine(argv: string[]): string {
  try {
    return run(argv).split('\n')[0].trim();
  } catch {
    return 'not installed';
  }
}

/** Product files (src/, dataplane/) that differ from the commit: the figures measured those. */
function uncommittedProductFiles(): string[] {
  try {
    const repo = join(__dirname, '../..');
    const out = run(['git', '-C', repo, 'status', '--porcelain', '--', 'src', 'dataplane']);
    return out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.trim());
  } catch {
    return [];
  }
}

function gitCommit(): string {
  try {
    return run(['git', '-C', dirname(__dirname), 'rev-parse', '--short', 'HEAD']).trim();
  } catch {
    return 'unknown';
  }
}

function cpuModel(): string {
  const m = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m);
  return m ? m[1] : 'unknown';
}
