// Turns the rounds into the result: per peer and metric the median over rounds and the median of
// the per-round ratio to `none` (measured in the same round), the issue's goals checked against
// them, a Markdown table for stdout and the README, and the JSON written to bench/results/.

import { METRICS, type Measurement, type MetricKey } from './measure';
import type { BenchConfig, PeerName, TopologyName } from './config';

/** One peer in one round: its figures, or why it failed. */
export interface RoundRecord {
  round: number;
  peer: PeerName;
  measurement?: Measurement;
  /** Measurements thrown away because other work took too much CPU during them (config.remeasures). */
  discarded?: number;
  error?: string;
}

/** A metric of one peer over all rounds. */
export interface MetricSummary {
  median: number;
  /** Median over rounds of (this peer / `none`, same round). */
  ratio: number;
  values: number[];
  ratios: number[];
}

/** One peer over the run. */
export interface PeerSummary {
  status: 'measured' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  note?: string;
  metrics?: Record<MetricKey, MetricSummary>;
  httpErrors?: number;
  /** Median share of machine CPU taken by other work during this peer's measurements, %. */
  foreignCpuPct?: number;
}

/** A goal of the issue and how this run fared. */
export interface GoalResult {
  goal: string;
  /** The measured factor, compared against `target`; undefined when not measurable here. */
  measured: number | undefined;
  target: number;
  /** `>=` (measured must reach target) or `<=`. */
  sense: '>=' | '<=';
  met: boolean | undefined;
  note: string;
}

/** Everything a run produced (the JSON file's shape). */
export interface BenchResult {
  meta: Record<string, unknown>;
  config: BenchConfig;
  peers: Partial<Record<PeerName, PeerSummary>>;
  rounds: RoundRecord[];
  goals: GoalResult[];
  /** With `--profile`: where the profile's Markdown went, or why profiling was skipped. */
  profile?: { written?: string; note?: string };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Summaries per peer from the rounds; peers listed in `skipped` keep their reason. */
export function summarize(
  peers: PeerName[],
  rounds: RoundRecord[],
  skipped: Partial<Record<PeerName, string>>,
): Partial<Record<PeerName, PeerSummary>> {
  const out: Partial<Record<PeerName, PeerSummary>> = {};
  const noneOf = (round: number): Measurement | undefined =>
    rounds.find((r) => r.round === round && r.peer === 'none')?.measurement;
  for (const peer of peers) {
    if (skipped[peer] !== undefined) {
      out[peer] = { status: 'skipped', note: skipped[peer] };
      continue;
    }
    const mine = rounds.filter((r) => r.peer === peer);
    const ok = mine.filter((r) => r.measurement && noneOf(r.round));
    const failed = mine.find((r) => r.error);
    if (ok.length === 0) {
      out[peer] = { status: 'failed', note: failed?.error ?? 'no round measured' };
      continue;
    }
    const metrics = {} as Record<MetricKey, MetricSummary>;
    for (const key of Object.keys(METRICS) as MetricKey[]) {
      const values = ok.map((r) => r.measurement!.metrics[key]);
      const ratios = ok.map((r) => r.measurement!.metrics[key] / noneOf(r.round)!.metrics[key]);
      metrics[key] = { median: median(values), ratio: median(ratios), values, ratios };
    }
    out[peer] = {
      status: 'measured',
      ...(failed ? { note: `failed in some rounds: ${failed.error}` } : {}),
      metrics,
      httpErrors: ok.reduce((a, r) => a + r.measurement!.httpErrors, 0),
      foreignCpuPct: median(ok.map((r) => r.measurement!.foreignCpuPct)),
    };
  }
  return out;
}

/** The issue's goals (issue 8; on the routed topology issue 22's), checked on per-round comparisons. */
export function checkGoals(
  rounds: RoundRecord[],
  peers: Partial<Record<PeerName, PeerSummary>>,
  topology: TopologyName = 'bump',
): GoalResult[] {
  const goals: GoalResult[] = [];
  const measured = (p: PeerName): boolean => peers[p]?.status === 'measured';
  const why = (...ps: PeerName[]): string =>
    ps
      .filter((p) => !measured(p))
      .map((p) => `${p} not measured${peers[p]?.note ? ` (${peers[p]!.note})` : ''}`)
      .join('; ');
  // Median over rounds of f(figures of each peer in that round).
  const perRound = (ps: PeerName[], f: (m: Record<string, Measurement>) => number): number => {
    const values: number[] = [];
    for (const round of new Set(rounds.map((r) => r.round))) {
      const m: Record<string, Measurement> = {};
      for (const p of ps) {
        const rec = rounds.find((r) => r.round === round && r.peer === p)?.measurement;
        if (rec) m[p] = rec;
      }
      if (ps.every((p) => m[p])) values.push(f(m));
    }
    return median(values);
  };
  const add = (
    goal: string,
    ps: PeerName[],
    target: number,
    sense: '>=' | '<=',
    f: (m: Record<string, Measurement>) => number,
  ): void => {
    if (!ps.every(measured)) {
      goals.push({ goal, measured: undefined, target, sense, met: undefined, note: why(...ps) });
      return;
    }
    const v = perRound(ps, f);
    const met = sense === '>=' ? v >= target : v <= target;
    const miss = met ? '' : `; misses by ${(Math.abs(v / target - 1) * 100).toFixed(1)}%`;
    goals.push({
      goal,
      measured: v,
      target,
      sense,
      met,
      note: `measured ${v.toFixed(3)}× (target ${sense} ${target})${miss}`,
    });
  };
  const kernelPeers = (['iptables', 'nftables'] as PeerName[]).filter(measured);
  const kernelSet: PeerName[] = kernelPeers.length ? kernelPeers : ['iptables', 'nftables'];
  if (topology === 'routed') {
    // Issue 22: lbrp ROUTED on a one-NIC host.
    for (const key of ['newconnRps', 'udpPps'] as const) {
      add(
        `lbrp-routed ≥ 1.0 × none on ${METRICS[key].label}`,
        ['lbrp-routed', 'none'],
        1,
        '>=',
        (m) => m['lbrp-routed'].metrics[key] / m.none.metrics[key],
      );
      add(
        `lbrp-routed ≥ 1.15 × the better of iptables and nftables on ${METRICS[key].label}`,
        ['lbrp-routed', ...kernelSet],
        1.15,
        '>=',
        (m) => m['lbrp-routed'].metrics[key] / Math.max(...kernelPeers.map((p) => m[p].metrics[key])),
      );
    }
    add(
      'lbrp-routed CPU per new-connection request ≤ 0.9 × the better of iptables and nftables',
      ['lbrp-routed', ...kernelSet],
      0.9,
      '<=',
      (m) =>
        m['lbrp-routed'].metrics.newconnCpu / Math.min(...kernelPeers.map((p) => m[p].metrics.newconnCpu)),
    );
    return goals;
  }
  for (const key of Object.keys(METRICS) as MetricKey[]) {
    if (!METRICS[key].throughput) continue;
    add(
      `lbrp-tc ≥ 0.95 × none on ${METRICS[key].label}`,
      ['lbrp-tc', 'none'],
      0.95,
      '>=',
      (m) => m['lbrp-tc'].metrics[key] / m.none.metrics[key],
    );
  }
  for (const key of ['newconnRps', 'udpPps'] as const) {
    const others = (['iptables', 'nftables'] as PeerName[]).filter(measured);
    add(
      `lbrp-tc ≥ 1.1 × the better of iptables and nftables on ${METRICS[key].label}`,
      others.length ? ['lbrp-tc', ...others] : ['lbrp-tc', 'iptables', 'nftables'],
      1.1,
      '>=',
      (m) => m['lbrp-tc'].metrics[key] / Math.max(...others.map((p) => m[p].metrics[key])),
    );
  }
  add(
    'lbrp-xdp-drv ≥ lbrp-tc on UDP pkt/s',
    ['lbrp-xdp-drv', 'lbrp-tc'],
    1,
    '>=',
    (m) => m['lbrp-xdp-drv'].metrics.udpPps / m['lbrp-tc'].metrics.udpPps,
  );
  add(
    'lbrp-tc CPU per new-connection request ≤ 1.1 × none',
    ['lbrp-tc', 'none'],
    1.1,
    '<=',
    (m) => m['lbrp-tc'].metrics.newconnCpu / m.none.metrics.newconnCpu,
  );
  return goals;
}

function fmt(key: MetricKey, v: number): string {
  if (!Number.isFinite(v)) return '–';
  const unit = METRICS[key].unit;
  if (unit === 'req/s' || unit === 'pkt/s')
    return v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : `${(v / 1e3).toFixed(1)}k`;
  if (unit === 'Gbit/s') return v.toFixed(2);
  if (unit === '%') return v.toFixed(2);
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

/** Markdown table: one row per metric, one column per measured peer, "value (ratio×)". */
export function formatTable(result: BenchResult): string {
  const cols = (Object.keys(result.peers) as PeerName[]).filter(
    (p) => result.peers[p]!.status === 'measured',
  );
  const lines = [`| metric | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`];
  for (const key of Object.keys(METRICS) as MetricKey[]) {
    const cells = cols.map((p) => {
      const s = result.peers[p]!.metrics![key];
      return p === 'none' || !Number.isFinite(s.ratio)
        ? fmt(key, s.median)
        : `${fmt(key, s.median)} (${s.ratio.toFixed(2)}×)`;
    });
    lines.push(`| ${METRICS[key].label.trim()} | ${cells.join(' | ')} |`);
  }
  lines.push(
    `| other work on the CPUs, % | ${cols.map((p) => (result.peers[p]!.foreignCpuPct ?? NaN).toFixed(0)).join(' | ')} |`,
  );
  const notes = (Object.keys(result.peers) as PeerName[])
    .filter((p) => result.peers[p]!.status !== 'measured' || result.peers[p]!.note)
    .map((p) => `- ${p}: ${result.peers[p]!.status}: ${result.peers[p]!.note}`);
  return [...lines, '', ...notes].join('\n');
}

/** The goals as a list, one line each. */
export function formatGoals(goals: GoalResult[]): string {
  const mark = (g: GoalResult): string => (g.met === undefined ? 'not measured' : g.met ? 'met' : 'NOT met');
  return goals.map((g) => `- ${g.goal}: ${mark(g)} — ${g.note}`).join('\n');
}
