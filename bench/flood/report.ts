// The flood bench's table: one column per peer (medians over rounds), the figures as rows (established sessions
// that kept their backend, legitimate connections that succeeded, the flood's rates along the
// path, the session table), plus the goals for lbrp. Pure: formats a FloodResult.

import type { FloodResult, PeerFloodResult } from './harness';

type Row = [string, (p: PeerFloodResult) => string];

const pct = (a: number, b: number): string => (b > 0 ? `${((100 * a) / b).toFixed(1)} %` : '–');
const k = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(0)} k` : `${n}`);

function rows(drainedBackend: number): Row[] {
  return [
    ['idle connections opened', (p) => `${p.open!.opened}`],
    ['… that kept their backend', (p) => `${pct(p.check!.kept, p.check!.total)} (${p.check!.kept})`],
    ['… moved to another backend', (p) => `${p.check!.moved}`],
    ['… broken (reset, timeout)', (p) => `${p.check!.broken}`],
    ['… on the drained backend: kept', (p) => drained(p, `b${drainedBackend + 1}`)],
    [
      'legitimate new connections that succeeded',
      (p) => `${pct(p.legit!.succeeded, p.legit!.attempted)} (${p.legit!.succeeded}/${p.legit!.attempted})`,
    ],
    ['… p50 / p99 connect → answer (ms)', (p) => `${p.legit!.p50Ms} / ${p.legit!.p99Ms}`],
    ['flood SYNs sent (per s)', (p) => k(Math.round(p.sent!.pps))],
    ['received at the LB stage (per s)', (p) => k(p.rates!.atLbPps)],
    ['forwarded to the backends (per s)', (p) => k(p.rates!.toBackendsPps)],
    ['received but not forwarded (per s)', (p) => k(Math.max(0, p.rates!.atLbPps - p.rates!.toBackendsPps))],
    ['… of which counted as lbrp drops (per s)', (p) => lbrpDrops(p)],
    ['replies back at the client side (per s)', (p) => k(p.rates!.toClientPps)],
    ['session table after the flood', (p) => `${k(p.table!.sessions)} / ${k(p.table!.capacity)}`],
  ];
}

/** Kept/total of the connections that were on the drained backend. */
function drained(p: PeerFloodResult, id: string): string {
  const b = p.check!.byBackend[id];
  return b ? `${pct(b.kept, b.total)} (${b.kept}/${b.total})` : '–';
}

/** lbrp: its drop counters (drop_stats) over the flood, per second; kernel peers have none. */
function lbrpDrops(p: PeerFloodResult): string {
  if (!p.peer.startsWith('lbrp')) return '–';
  const total = Object.entries(p.counterDeltas ?? {})
    .filter(([name]) => name.startsWith('drop.'))
    .reduce((a, [, v]) => a + v, 0);
  return k(Math.round(total / p.sent!.seconds));
}

/** The Markdown table of `r` (measured peers as columns; skipped and failed ones listed below). */
export function formatFloodTable(r: FloodResult): string {
  const cols = r.peers.filter((p) => p.status === 'measured');
  const lines = [
    `The generator alone: ${k(r.generatorPps)} SYNs/s (${r.config.floodThreads} processes, onto a veth that discards).`,
    '',
    `| | ${cols.map((p) => p.peer).join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
    ...rows(r.config.drainedBackend).map(([name, cell]) => `| ${name} | ${cols.map(cell).join(' | ')} |`),
  ];
  for (const p of r.peers.filter((x) => x.status !== 'measured'))
    lines.push('', `${p.peer}: ${p.status}: ${p.reason}`);
  for (const p of cols) {
    const extra = Object.entries(p.counterDeltas ?? {}).map(([n, v]) => `${n} ${v}`);
    if (extra.length) lines.push('', `${p.peer} dataplane counters over the flood: ${extra.join(', ')}`);
    if (p.table?.notes.length) lines.push('', `${p.peer}: ${p.table.notes.join('; ')}`);
  }
  return lines.join('\n');
}

/**
 * The goals for lbrp: 100 % of established sessions kept, ≥ 99 % of new connections; a
 * goal is met when every measured round of the peer meets it (not just the median).
 */
export function floodGoals(r: FloodResult): { peer: string; goal: string; met: boolean }[] {
  const out: { peer: string; goal: string; met: boolean }[] = [];
  for (const p of r.peers.filter((x) => x.status === 'measured' && x.peer.startsWith('lbrp'))) {
    const runs = r.rounds.filter((x) => x.peer === p.peer && x.status === 'measured');
    out.push({
      peer: p.peer,
      goal: 'established sessions kept their backend: 100 %',
      met: runs.every((x) => x.check!.kept === x.check!.total && x.check!.total === x.open!.opened),
    });
    out.push({
      peer: p.peer,
      goal: 'legitimate new connections succeeded: ≥ 99 %',
      met: runs.every((x) => x.legit!.succeeded >= 0.99 * x.legit!.attempted),
    });
  }
  return out;
}
