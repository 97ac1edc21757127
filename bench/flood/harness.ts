// The flood bench as a function: for each peer, a fresh topology; idle connections opened, one
// backend drained, then legitimate connections at a steady rate while the SYN generator floods
// the VIP; counters read around the flood; then every idle connection asks which backend it is
// on. run.ts is the command line around it; test/e2e/bench-flood-smoke.test.ts runs it small.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release } from 'node:os';
import { formatJson } from '../e2e/harness';
import { inNetns, run, runAsync } from '../e2e/shell';
import { removeStaleRuns } from '../e2e/topology';
import { measureGenerator } from './calibrate';
import type { CheckResult, LegitResult, OpenResult } from './client';
import { FLOOD_NET, FLOOD_PORT, type FloodConfig, type FloodPeerName } from './config';
import { makeFloodPeer, type TableReport } from './peers';
import { summarizeRounds } from './summary';
import { FLOOD_NAME_PREFIX, FloodTopology } from './topology';

/** What the generator reported. */
export interface FloodSent {
  packets: number;
  seconds: number;
  pps: number;
  errors: number;
}

/** Frames counted by the interfaces over the flood (deltas), per second of flood. */
export interface PathRates {
  /** Received by the LB stage from the client side (`lf` rx): the flood plus a little legit traffic. */
  atLbPps: number;
  /** Received by the three backends together (their `eth0` rx). */
  toBackendsPps: number;
  /** Back at the client side (client `eth0` rx): SYN-ACKs to the forged sources, mostly. */
  toClientPps: number;
  /** Dropped by the veths on the way in (`lf` rx_dropped + client `eth0` tx_dropped). */
  vethDroppedPps: number;
}

/** One peer's measurement. */
export interface PeerFloodResult {
  peer: FloodPeerName;
  /** The round (1-based) of a round's result; absent in a summary. */
  round?: number;
  /** In a summary: the measured rounds its medians are taken over. */
  rounds?: number;
  status: 'measured' | 'skipped' | 'failed';
  reason?: string;
  open?: OpenResult;
  sent?: FloodSent;
  rates?: PathRates;
  legit?: LegitResult;
  check?: CheckResult;
  /** The session table right after the flood. */
  table?: TableReport;
  /** Dataplane counters that changed over the flood (lbrp: drops and session events). */
  counterDeltas?: Record<string, number>;
  seconds?: number;
}

export interface FloodResult {
  /** SYNs per second the generator reaches on its own (onto a veth that discards), same processes. */
  generatorPps: number;
  meta: {
    started: string;
    seconds: number;
    kernel: string;
    cpus: number;
    cpuModel: string;
    commit: string;
    loadAverage: number;
  };
  config: FloodConfig;
  /** Every peer's result of every round, in the order they ran. */
  rounds: PeerFloodResult[];
  /** One per peer: the median of each figure over its measured rounds (summary.ts). */
  peers: PeerFloodResult[];
}

/** Names of the topology in progress (for tests that check nothing is left behind). */
export interface FloodHandle {
  ids: string[];
}

/** Synchronous cleanups of what is running now (a peer's topology, the generator's own measurement). */
const active = new Set<{ cleanup(): void }>();

/** Removes every topology in progress, synchronously (signal and exit handlers). Never throws. */
export function cleanupFloodNow(): void {
  for (const t of [...active]) t.cleanup();
}

/** Runs the bench; resolves to the result (also written to `cfg.output` when set). */
export async function runFlood(cfg: FloodConfig, handle: FloodHandle = { ids: [] }): Promise<FloodResult> {
  const log = (s: string): void => {
    if (cfg.verbose) console.log(s);
  };
  const stale = removeStaleRuns(FLOOD_NAME_PREFIX);
  if (stale.length) log(`removed leftovers of killed runs: ${stale.join(', ')}`);
  const started = new Date();
  const load = loadavg()[0];
  let calibration: { cleanup(): void } | undefined;
  const generatorPps = await measureGenerator(Math.max(1, cfg.floodThreads), (id, cleanup) => {
    handle.ids.push(id);
    calibration = { cleanup };
    active.add(calibration);
  });
  if (calibration) active.delete(calibration);
  log(`generator alone: ${generatorPps} SYNs/s (${cfg.floodThreads} processes)`);
  const rounds: PeerFloodResult[] = [];
  for (let round = 1; round <= cfg.rounds; round++) {
    // Each round starts one peer later, so no peer always runs first (A B C, B C A, …).
    for (const name of rotated(cfg.peers, round - 1)) {
      const r = await runPeer(
        name,
        cfg,
        handle,
        cfg.rounds > 1 ? `round ${round}/${cfg.rounds} ${name}` : name,
        log,
      );
      rounds.push({ ...r, round });
    }
  }
  const result: FloodResult = {
    generatorPps,
    meta: {
      started: started.toISOString(),
      seconds: Math.round((Date.now() - started.getTime()) / 1000),
      kernel: release(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      commit: gitCommit(),
      loadAverage: Number(load.toFixed(2)),
    },
    config: cfg,
    rounds,
    peers: summarizeRounds(cfg.peers, rounds),
  };
  if (cfg.output) {
    mkdirSync(dirname(cfg.output), { recursive: true });
    writeFileSync(cfg.output, await formatJson(result, cfg.output));
  }
  return result;
}

/** One peer, once, on a topology of its own that is gone when this resolves. */
async function runPeer(
  name: FloodPeerName,
  cfg: FloodConfig,
  handle: FloodHandle,
  label: string,
  log: (s: string) => void,
): Promise<PeerFloodResult> {
  const t0 = Date.now();
  const topo = new FloodTopology();
  active.add(topo);
  handle.ids.push(topo.id);
  const peer = makeFloodPeer(name, topo, cfg);
  try {
    const why = peer.check();
    if (why !== undefined) {
      log(`${label}: skipped: ${why}`);
      return { peer: name, status: 'skipped', reason: why };
    }
    log(`${label}: building the topology (${topo.id})`);
    await topo.build();
    await peer.setup();
    const r = await measure(topo, peer, cfg, (s) => log(`${label}: ${s}`));
    return { peer: name, status: 'measured', ...r, seconds: Math.round((Date.now() - t0) / 1000) };
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    log(`${label}: FAILED: ${reason}`);
    return { peer: name, status: 'failed', reason };
  } finally {
    await peer.teardown().catch(() => undefined);
    topo.cleanup();
    active.delete(topo);
  }
}

/** `xs` rotated left by `k`. */
function rotated<T>(xs: readonly T[], k: number): T[] {
  const n = xs.length;
  return n === 0 ? [] : xs.map((_x, i) => xs[(i + k) % n]);
}

type Measured = Omit<PeerFloodResult, 'peer' | 'status' | 'reason' | 'seconds' | 'round' | 'rounds'>;

async function measure(
  topo: FloodTopology,
  peer: ReturnType<typeof makeFloodPeer>,
  cfg: FloodConfig,
  log: (s: string) => void,
): Promise<Measured> {
  const target = { vip: FLOOD_NET.vip, port: FLOOD_PORT, src: FLOOD_NET.client };
  const open = await topo.ask<OpenResult>({
    cmd: 'open',
    ...target,
    n: cfg.idleConnections,
    concurrency: 32,
    timeoutMs: 5000,
  });
  log(`${open.opened} idle connections open (${fmtCounts(open.byBackend)}), ${open.failed} failed`);
  if (open.opened === 0) throw new Error(`no idle connection could be opened (${fmtCounts(open.errors)})`);
  await peer.drain(cfg.drainedBackend);
  // The idle connections are idle from here on: a table that evicts idle entries shows it.
  await sleep(1000);
  const before = snapshot(topo);
  const counters0 = (await peer.table()).counters;
  const legit = topo.ask<LegitResult>({
    cmd: 'legit',
    ...target,
    rate: cfg.legitRate,
    seconds: cfg.floodSeconds,
    deadlineMs: cfg.legitDeadlineMs,
  });
  const sent = await flood(topo, cfg);
  const after = snapshot(topo);
  const table = await peer.table();
  log(`flood sent ${sent.packets} SYNs in ${sent.seconds.toFixed(1)} s (${Math.round(sent.pps)}/s)`);
  const legitResult = await legit;
  const check = await topo.ask<CheckResult>({ cmd: 'check', timeoutMs: 5000 });
  log(
    `idle connections kept ${check.kept}/${check.total} (moved ${check.moved}, broken ${check.broken}); ` +
      `legit ${legitResult.succeeded}/${legitResult.attempted}; table ${table.sessions}/${table.capacity}`,
  );
  const counterDeltas: Record<string, number> = {};
  for (const [k, v] of Object.entries(table.counters)) {
    const d = v - (counters0[k] ?? 0);
    if (d !== 0 && /^(drop|event)\./.test(k)) counterDeltas[k] = d;
  }
  const per = (d: number): number => Math.round(d / sent.seconds);
  return {
    open,
    sent,
    rates: {
      atLbPps: per(after.lfRx - before.lfRx),
      toBackendsPps: per(after.backendsRx - before.backendsRx),
      toClientPps: per(after.clientRx - before.clientRx),
      vethDroppedPps: per(after.dropped - before.dropped),
    },
    legit: legitResult,
    check,
    table,
    counterDeltas,
  };
}

/** Runs the generator(s) in the client namespace for the flood's length; sums what they sent. */
async function flood(topo: FloodTopology, cfg: FloodConfig): Promise<FloodSent> {
  const mac = topo.mac(topo.ns.router, 'ry');
  const threads = Math.max(1, cfg.floodThreads);
  const argv = (i: number): string[] =>
    inNetns(topo.ns.client, [
      ...[topo.synflood, '-i', 'eth0', '-m', mac, '-d', FLOOD_NET.vip, '-p', `${FLOOD_PORT}`],
      ...['-s', FLOOD_NET.floodSources, '-t', `${cfg.floodSeconds}`, '-S', `${i + 1}`],
      ...(cfg.floodRate > 0 ? ['-r', `${cfg.floodRate / threads}`] : []),
    ]);
  const runs = await Promise.all(
    Array.from({ length: threads }, (_x, i) => runAsync(argv(i), (cfg.floodSeconds + 30) * 1000)),
  );
  const sent: FloodSent = { packets: 0, seconds: 0, pps: 0, errors: 0 };
  for (const r of runs) {
    const m = r.stdout.match(/sent (\d+) seconds ([\d.]+) pps ([\d.]+) errors (\d+)/);
    if (r.code !== 0 || !m)
      throw new Error(`synflood failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
    sent.packets += Number(m[1]);
    sent.seconds = Math.max(sent.seconds, Number(m[2]));
    sent.errors += Number(m[4]);
  }
  sent.pps = sent.seconds > 0 ? sent.packets / sent.seconds : 0;
  return sent;
}

/** Interface counters of the path. */
interface PathSnapshot {
  lfRx: number;
  backendsRx: number;
  clientRx: number;
  dropped: number;
}

function snapshot(topo: FloodTopology): PathSnapshot {
  const lf = linkStats(topo.ns.lb, 'lf');
  const client = linkStats(topo.ns.client, 'eth0');
  return {
    lfRx: lf.rx.packets,
    backendsRx: topo.ns.backends.reduce((a, ns) => a + linkStats(ns, 'eth0').rx.packets, 0),
    clientRx: client.rx.packets,
    dropped: lf.rx.dropped + client.tx.dropped,
  };
}

interface LinkStats {
  rx: { packets: number; dropped: number };
  tx: { packets: number; dropped: number };
}

function linkStats(ns: string, dev: string): LinkStats {
  const [link] = JSON.parse(run(['ip', '-j', '-s', '-n', ns, 'link', 'show', 'dev', dev])) as {
    stats64: LinkStats;
  }[];
  return link.stats64;
}

function fmtCounts(m: Record<string, number>): string {
  return Object.entries(m)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
