// Markdown of the `--profile` pass (bench/results/e2e-profile.md by default): per load, the areas
// of every peer side by side, then one section per peer with its top leaf symbols per load. Input
// is what profile.ts collected; nothing here runs a command.

import type { PeerName } from './config';
import { LOAD_WORK, type LoadName } from './measure';
import { areaOf, AREAS, INCLUSIVE, PERF_FREQ, type LoadProfile, type ProfileSummary } from './profile';

/** Leaf symbols listed per peer and load. */
const TOP_SYMBOLS = 25;
/** Commands listed per peer and load. */
const TOP_COMMS = 6;
/** Callers of the interrupts-back-on points listed per peer and load. */
const TOP_CALLERS = 8;

/** CPU time per unit of work: µs for requests and MB, ns for packets (a few hundred ns each). */
const PER_UNIT: Record<LoadName, { label: string; scale: number }> = {
  newconn: { label: 'µs/request', scale: 1e6 },
  keepalive: { label: 'µs/request', scale: 1e6 },
  tcp: { label: 'µs/MB', scale: 1e6 },
  udp: { label: 'ns/packet', scale: 1e9 },
};

const LOAD_TITLE: Record<LoadName, string> = {
  newconn: 'HTTP, new connection per request',
  keepalive: 'HTTP keep-alive',
  tcp: 'TCP stream (iperf3)',
  udp: 'UDP 60-byte frames',
};

/** Where the profile came from, for the file's header. */
export interface ProfileMeta {
  started: string;
  commit: string;
  kernel: string;
  cpus: number;
  /** Product files that differ from the commit (the profile ran those). */
  uncommitted: string[];
  /** Peers not profiled, and why; perf's own failure. */
  notes: string[];
}

/** The whole Markdown file. Pure. */
export function formatProfileMarkdown(profiles: LoadProfile[], meta: ProfileMeta): string {
  const peers = [...new Set(profiles.map((p) => p.peer))];
  const loads = (Object.keys(LOAD_WORK) as LoadName[]).filter((l) => profiles.some((p) => p.load === l));
  const out = [
    '# lbrp end-to-end bench: CPU profiles',
    '',
    'Written by `npm run bench:e2e -- --profile` (bench/e2e/README.md, "Profiling"): one extra,',
    'unmeasured pass over the peers. While each load runs,',
    `\`perf record -e cpu-clock -F ${PERF_FREQ} -a -g\` samples every CPU; each sample is counted at its`,
    'leaf symbol (where the CPU was).',
    "Busy samples are the bench's own work: its load generators, servers, iperf3 and softirq work",
    '(ksoftirqd, or `swapper` when it interrupted an idle CPU); idle CPUs, perf and other work on',
    'the machine are counted apart. Percentages are of busy samples. CPU per unit is busy samples',
    `÷ ${PERF_FREQ} Hz ÷ the units of work of the load's whole run (warm-up included). Areas group`,
    'leaf symbols by name; "incl." rows count a frame anywhere in the stack (the function and all',
    'it calls), so they overlap the areas. Without hardware counters cpu-clock cannot sample while',
    'interrupts are off: that time lands on the point where they come back on',
    '(`_raw_spin_unlock_irqrestore`, …; each section names the callers of those), or on',
    '`handle_softirqs` / `irqentry_exit_to_user_mode`.',
    '',
    `- started ${meta.started}, commit ${meta.commit}, kernel ${meta.kernel}, ${meta.cpus} CPUs`,
    ...(meta.uncommitted.length ? [`- uncommitted product files: ${meta.uncommitted.join(', ')}`] : []),
    ...meta.notes.map((n) => `- note: ${n}`),
    '',
    '## By area, peers side by side',
  ];
  for (const load of loads) out.push('', ...formatAreaTable(load, peers, profiles));
  for (const peer of peers) {
    out.push('', `## ${peer}`);
    for (const p of profiles.filter((x) => x.peer === peer)) out.push('', ...formatPeerLoad(p));
  }
  return out.join('\n') + '\n';
}

/** CPU per unit of work of `samples` busy samples in `p`, in PER_UNIT's scale. */
function perUnit(p: LoadProfile, samples: number): number {
  return (samples / PERF_FREQ / p.work) * PER_UNIT[p.load].scale;
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '–';
}

function num(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function formatAreaTable(load: LoadName, peers: PeerName[], profiles: LoadProfile[]): string[] {
  const cols = peers
    .map((peer) => profiles.find((p) => p.peer === peer && p.load === load))
    .filter((p): p is LoadProfile => p !== undefined);
  const unit = PER_UNIT[load].label;
  const row = (label: string, count: (s: ProfileSummary) => number): string =>
    `| ${label} | ${cols
      .map((p) => `${pct(count(p.summary), p.summary.busy)} | ${num(perUnit(p, count(p.summary)))}`)
      .join(' | ')} |`;
  return [
    `### ${LOAD_TITLE[load]} (per ${LOAD_WORK[load]})`,
    '',
    `| area | ${cols.map((p) => `${p.peer} % | ${p.peer} ${unit}`).join(' | ')} |`,
    `|---|${cols.map(() => '---:|---:').join('|')}|`,
    row('**busy, all**', (s) => s.busy),
    ...AREAS.map(([area]) => row(area, (s) => s.areas[area])),
    ...INCLUSIVE.map(([label]) => row(`incl. ${label}`, (s) => s.inclusive[label])),
    `| other work on the machine, % of all samples | ${cols
      .map((p) => `${pct(p.summary.other, p.summary.total)} | –`)
      .join(' | ')} |`,
  ];
}

function formatPeerLoad(p: LoadProfile): string[] {
  const s = p.summary;
  const unit = PER_UNIT[p.load].label;
  const comms = s.comms
    .slice(0, TOP_COMMS)
    .map((c) => `${c.name} ${pct(c.samples, s.busy)}`)
    .join(', ');
  const incl = INCLUSIVE.filter(([label]) => s.inclusive[label] > 0)
    .map(([label]) => `${label} ${pct(s.inclusive[label], s.busy)}`)
    .join(', ');
  const irqOn = s.irqOnCallers.reduce((a, c) => a + c.samples, 0);
  const irqCallers = s.irqOnCallers
    .slice(0, TOP_CALLERS)
    .map((c) => `${c.name} ${pct(c.samples, s.busy)}`)
    .join(', ');
  const others = s.otherComms
    .slice(0, TOP_COMMS)
    .map((c) => `${c.name} ${c.samples}`)
    .join(', ');
  return [
    `### ${p.peer}: ${LOAD_TITLE[p.load]}`,
    '',
    `${s.total} samples over ${p.seconds} s: idle ${s.idle} (${pct(s.idle, s.total)}), perf ${s.profiler}, ` +
      `other work ${s.other} (${pct(s.other, s.total)}${others ? `: ${others}` : ''}), busy ${s.busy}; ` +
      `work ${num(p.work)} (${LOAD_WORK[p.load]}) → ${num(perUnit(p, s.busy))} ${unit} of busy CPU.`,
    `Busy by command: ${comms || '–'}. Inclusive: ${incl || '–'}.`,
    ...(irqOn ? [`Interrupts back on (${pct(irqOn, s.busy)}), by caller: ${irqCallers}.`] : []),
    '',
    '| # | leaf symbol | area | samples | % busy |',
    '|---:|---|---|---:|---:|',
    ...s.symbols
      .slice(0, TOP_SYMBOLS)
      .map(
        (c, i) =>
          `| ${i + 1} | \`${c.name}\` | ${areaOf(c.name)} | ${c.samples} | ${pct(c.samples, s.busy)} |`,
      ),
  ];
}
