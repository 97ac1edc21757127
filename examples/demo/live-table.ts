// What `npm run demo` draws: the live block (step, progress bar, requests per backend beside
// each weight's share, the long-lived session) for a terminal, one plain line for logs, and the
// per-step summary. Pure: strings in, strings out.

/** One backend as the demo sees it. */
export interface BackendRow {
  name: string;
  address: string;
  /** Configured weight; undefined when the backend is not in the service. */
  weight: number | undefined;
  /** Requests it answered during the current step. */
  requests: number;
  /** Its health when health checks run ("up", "down", "unknown"); a DOWN backend has no share. */
  health?: string;
}

/** The long-lived session, as the client reports it. */
export interface SessionState {
  /** Backend serving it ("" until the first line). */
  backend: string;
  lines: number;
  /** Time since the last line, -1 before the first. */
  sinceMs: number;
  /** Longest silence between two lines since it opened. */
  maxGapMs: number;
  open: boolean;
  error?: string;
}

/** Everything one frame shows. */
export interface Frame {
  step: number;
  steps: number;
  title: string;
  /** Time into the demo's traffic phase and its planned length. */
  elapsedMs: number;
  totalMs: number;
  rows: BackendRow[];
  errors: number;
  /** Requests per second over the current step. */
  rate: number;
  session: SessionState;
}

/** A session is alive while it is open and its last line is recent (lines come every 200 ms). */
export const ALIVE_WITHIN_MS = 1000;

/** True when the session is open and talking. */
export function sessionAlive(s: SessionState): boolean {
  return s.open && s.sinceMs >= 0 && s.sinceMs < ALIVE_WITHIN_MS;
}

/** `▕██████░░░░▏` for a fraction in [0, 1]. */
export function progressBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  return `▕${'█'.repeat(full)}${'░'.repeat(width - full)}▏`;
}

const pct = (n: number): string => `${n.toFixed(1)}%`;

/** A backend is DOWN when its health checks failed: it leaves the table like weight 0. */
export const isDown = (r: BackendRow): boolean => r.health === 'down';

/** Share of each row's weight among configured backends that are not DOWN (0 for the others). */
export function weightShares(rows: BackendRow[]): number[] {
  const eff = rows.map((r) => (isDown(r) ? 0 : (r.weight ?? 0)));
  const total = eff.reduce((s, w) => s + w, 0);
  return eff.map((w) => (total > 0 ? (100 * w) / total : 0));
}

/** Share of each row's requests in the step. */
export function requestShares(rows: BackendRow[]): number[] {
  const total = rows.reduce((s, r) => s + r.requests, 0);
  return rows.map((r) => (total > 0 ? (100 * r.requests) / total : 0));
}

/** One line about the session. */
export function describeSession(s: SessionState): string {
  if (s.lines === 0) return s.error ? `not open: ${s.error}` : 'opening…';
  const state = sessionAlive(s) ? 'alive' : s.open ? 'silent' : `closed (${s.error ?? 'ended'})`;
  return (
    `served by ${s.backend} · ${s.lines} lines · last ${(Math.max(0, s.sinceMs) / 1000).toFixed(1)} s ago · ` +
    `longest gap ${(s.maxGapMs / 1000).toFixed(1)} s · ${state}`
  );
}

/** The live block for a terminal (redrawn in place by the caller). */
export function renderFrame(f: Frame): string[] {
  const ws = weightShares(f.rows);
  const rs = requestShares(f.rows);
  const secs = (ms: number): string => (ms / 1000).toFixed(1);
  const lines = [
    `step ${f.step}/${f.steps}  ${f.title}`,
    `${progressBar(f.elapsedMs / f.totalMs, 30)} ${secs(f.elapsedMs)} s / ${secs(f.totalMs)} s`,
    '',
    ` ${'backend'.padEnd(8)} ${'address'.padEnd(15)} ${'weight'.padStart(6)}  ${'weight share'.padStart(12)}  ` +
      `${'requests'.padStart(8)}  ${'request share'.padStart(13)}`,
  ];
  f.rows.forEach((r, i) => {
    const weight = r.weight === undefined ? '—' : String(r.weight);
    const bar = '█'.repeat(Math.round(rs[i] / 5));
    lines.push(
      (
        ` ${r.name.padEnd(8)} ${r.address.padEnd(15)} ${weight.padStart(6)}  ${pct(ws[i]).padStart(12)}  ` +
        `${String(r.requests).padStart(8)}  ${pct(rs[i]).padStart(13)}  ${isDown(r) ? 'DOWN ' : ''}${bar}`
      ).trimEnd(),
    );
  });
  const total = f.rows.reduce((s, r) => s + r.requests, 0);
  lines.push(
    ` ${''.padEnd(49)}${String(total).padStart(8)}  requests this step, ${f.errors} errors, ${f.rate.toFixed(0)}/s`,
  );
  lines.push('', ` open session: ${describeSession(f.session)}`);
  return lines;
}

/** The same frame as one line, for output that is not a terminal. */
export function renderPlainLine(f: Frame): string {
  const ws = weightShares(f.rows);
  const rs = requestShares(f.rows);
  const cells = f.rows.map(
    (r, i) =>
      `${r.name}${isDown(r) ? ' DOWN' : ''} w=${r.weight ?? '—'} (${pct(ws[i])}): ${r.requests} (${pct(rs[i])})`,
  );
  const t = `${(f.elapsedMs / 1000).toFixed(1)}s/${(f.totalMs / 1000).toFixed(0)}s`;
  return `[${t}] step ${f.step}/${f.steps} | ${cells.join(' | ')} | session: ${describeSession(f.session)}`;
}

/** The permanent line left for a finished step. */
export function renderStepSummary(f: Frame): string {
  const ws = weightShares(f.rows);
  const rs = requestShares(f.rows);
  const cells = f.rows.map((r, i) =>
    r.weight === undefined
      ? `${r.name} not in the pool: ${r.requests}`
      : isDown(r)
        ? `${r.name} DOWN: ${r.requests}`
        : `${r.name} ${r.requests} = ${pct(rs[i])} (weight share ${pct(ws[i])})`,
  );
  const alive = sessionAlive(f.session) ? 'session alive' : 'SESSION LOST';
  return `  step ${f.step} done: ${cells.join(', ')}; ${alive} on ${f.session.backend || '?'}`;
}
