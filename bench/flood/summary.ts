// Summaries of the flood bench's rounds: one result per peer whose every number is the median of
// that number over the peer's measured rounds (a counter missing in a round counts 0 there).
// Pure: used by harness.ts for the JSON and by report.ts for the table.

import type { PeerFloodResult } from './harness';

/**
 * The median of `xs`, the lower of the middle two for an even count (so it is always a value that
 * was measured: counts stay whole); 0 when empty.
 */
export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1];
}

/** Median of every numeric leaf over `values` (objects alike in shape); other leaves from the first. */
function medianTree(values: unknown[]): unknown {
  const first = values[0];
  if (typeof first === 'number') return median(values.map((v) => (typeof v === 'number' ? v : 0)));
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return first;
  const keys = new Set(values.flatMap((v) => (v && typeof v === 'object' ? Object.keys(v) : [])));
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const vs = values.map((v) => (v as Record<string, unknown>)[k]);
    const shape = vs.find((v) => v !== undefined);
    out[k] = medianTree(
      typeof shape === 'number' ? vs.map((v) => v ?? 0) : vs.filter((v) => v !== undefined),
    );
  }
  return out;
}

/**
 * One result per peer, in `order`: the medians of its measured rounds, or, when none was
 * measured, its last round (skipped or failed, with the reason).
 */
export function summarizeRounds(order: readonly string[], rounds: PeerFloodResult[]): PeerFloodResult[] {
  return order.flatMap((name) => {
    const mine = rounds.filter((r) => r.peer === name);
    const measured = mine.filter((r) => r.status === 'measured');
    if (measured.length === 0) return mine.slice(-1);
    const { round: _round, ...m } = medianTree(measured) as PeerFloodResult;
    return [{ ...m, peer: measured[0].peer, status: 'measured' as const, rounds: measured.length }];
  });
}
