// One backend's health as a pure state machine over probe results and a clock: `fall` failures in
// a row make it DOWN, `rise` successes UP; a DOWN backend stays DOWN at least `holdMs` (so a
// flapping server cannot thrash the Maglev table faster than that), while going DOWN is never
// delayed (a dead backend must leave the table at once). UNKNOWN (never probed, or after a
// restart) counts as UP for the table unless it was out of the table before the restart (`heldOut`).

export type Health = 'UNKNOWN' | 'UP' | 'DOWN';

export interface HealthState {
  readonly health: Health;
  /** Successes / failures in a row (one of them is 0). */
  readonly okRun: number;
  readonly failRun: number;
  /** Clock (ms) of the last change of `health`, or of the state's creation. */
  readonly changedAt: number;
  /** The last probe's outcome ("" before the first). */
  readonly lastResult: string;
  /** UNKNOWN but kept out of the table until the probes decide (restored after a restart). */
  readonly heldOut: boolean;
  /** Changes to UP or DOWN so far. */
  readonly transitions: number;
}

export interface HealthRules {
  readonly rise: number;
  readonly fall: number;
  /** Minimum time a DOWN backend stays DOWN before it may come back. */
  readonly holdMs: number;
}

/** A fresh state: UNKNOWN, in the table unless `heldOut`. */
export function initialHealth(now: number, heldOut = false): HealthState {
  return { health: 'UNKNOWN', okRun: 0, failRun: 0, changedAt: now, lastResult: '', heldOut, transitions: 0 };
}

/** Whether the backend may take new sessions (is in the Maglev table). */
export function inTable(s: HealthState): boolean {
  return s.health === 'UP' || (s.health === 'UNKNOWN' && !s.heldOut);
}

/** The state after one probe result `ok` (described by `detail`) at `now`. */
export function observe(
  s: HealthState,
  ok: boolean,
  detail: string,
  now: number,
  rules: HealthRules,
): HealthState {
  const okRun = ok ? s.okRun + 1 : 0;
  const failRun = ok ? 0 : s.failRun + 1;
  let health = s.health;
  if (!ok && failRun >= rules.fall && health !== 'DOWN') health = 'DOWN';
  else if (ok && okRun >= rules.rise && health !== 'UP') {
    const held = s.health === 'DOWN' && now - s.changedAt < rules.holdMs;
    if (!held) health = 'UP';
  }
  const changed = health !== s.health;
  return {
    health,
    okRun,
    failRun,
    changedAt: changed ? now : s.changedAt,
    lastResult: detail,
    heldOut: changed ? false : s.heldOut,
    transitions: changed ? s.transitions + 1 : s.transitions,
  };
}

/** `health-detail`: the last result and when the health changed. */
export function describeHealth(s: HealthState, nowWall: number, nowClock: number): string {
  const since = new Date(nowWall - (nowClock - s.changedAt)).toISOString();
  const last = s.lastResult === '' ? 'not probed yet' : `last probe: ${s.lastResult}`;
  const held = s.heldOut ? ' (out of the table since before a restart, re-probing)' : '';
  return `${s.health} since ${since}; ${last}${held}`;
}
