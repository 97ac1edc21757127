// The demo's live table: weight shares beside request shares, the progress bar, the session
// line, and the plain line used when the output is not a terminal.

import {
  progressBar,
  renderFrame,
  renderPlainLine,
  renderStepSummary,
  sessionAlive,
  weightShares,
  type Frame,
} from '../../../examples/demo/live-table';
import { healthSummary } from '../../../examples/demo/health-summary';

const FRAME: Frame = {
  step: 2,
  steps: 5,
  title: 'drain b1 (weight 0)',
  elapsedMs: 9500,
  totalMs: 32000,
  rows: [
    { name: 'b1', address: '192.168.1.10', weight: 0, requests: 0 },
    { name: 'b2', address: '192.168.1.11', weight: 2, requests: 40 },
    { name: 'b3', address: '192.168.1.12', weight: 3, requests: 60 },
  ],
  errors: 0,
  rate: 98.6,
  session: { backend: 'b1', lines: 47, sinceMs: 120, maxGapMs: 210, open: true },
};

// A terminal frame: header, bar, one aligned row per backend, totals and the session.
test('a frame shows requests per backend beside each weight share, aligned', () => {
  expect(renderFrame(FRAME)).toEqual([
    'step 2/5  drain b1 (weight 0)',
    '▕█████████░░░░░░░░░░░░░░░░░░░░░▏ 9.5 s / 32.0 s',
    '',
    ' backend  address         weight  weight share  requests  request share',
    ' b1       192.168.1.10         0          0.0%         0           0.0%',
    ' b2       192.168.1.11         2         40.0%        40          40.0%  ████████',
    ' b3       192.168.1.12         3         60.0%        60          60.0%  ████████████',
    '                                                       100  requests this step, 0 errors, 99/s',
    '',
    ' open session: served by b1 · 47 lines · last 0.1 s ago · longest gap 0.2 s · alive',
  ]);
});

// Without a terminal: one line per period.
test('the plain line carries the same numbers', () => {
  expect(renderPlainLine(FRAME)).toBe(
    '[9.5s/32s] step 2/5 | b1 w=0 (0.0%): 0 (0.0%) | b2 w=2 (40.0%): 40 (40.0%) | ' +
      'b3 w=3 (60.0%): 60 (60.0%) | session: served by b1 · 47 lines · last 0.1 s ago · longest gap 0.2 s · alive',
  );
});

// A removed backend has no weight and no share of the pool.
test('a backend outside the pool is shown without weight and left out of the shares', () => {
  const rows = [{ ...FRAME.rows[0], weight: undefined }, ...FRAME.rows.slice(1)];
  expect(weightShares(rows)).toEqual([0, 40, 60]);
  expect(renderStepSummary({ ...FRAME, rows })).toBe(
    '  step 2 done: b1 not in the pool: 0, b2 40 = 40.0% (weight share 40.0%), b3 60 = 60.0% (weight share 60.0%); session alive on b1',
  );
});

// A DOWN backend keeps its weight but leaves the pool's shares, and every view marks it.
test('a DOWN backend is marked and left out of the weight shares', () => {
  const rows = [{ ...FRAME.rows[0], weight: 1, health: 'down' }, ...FRAME.rows.slice(1)];
  const f = { ...FRAME, rows };
  expect(weightShares(rows)).toEqual([0, 40, 60]);
  expect(renderStepSummary(f)).toBe(
    '  step 2 done: b1 DOWN: 0, b2 40 = 40.0% (weight share 40.0%), b3 60 = 60.0% (weight share 60.0%); session alive on b1',
  );
  expect(renderFrame(f)[4]).toBe(
    ' b1       192.168.1.10         1          0.0%         0           0.0%  DOWN',
  );
  expect(renderPlainLine(f)).toContain('| b1 DOWN w=1 (0.0%): 0 (0.0%) |');
  // UP and UNKNOWN count with their weight.
  expect(weightShares([{ ...rows[0], health: 'up' }, ...rows.slice(1)])).toEqual([
    (100 * 1) / 6,
    (100 * 2) / 6,
    (100 * 3) / 6,
  ]);
});

// A session is alive only while open and recently heard from.
test.each([
  [{ open: true, sinceMs: 100 }, true],
  [{ open: true, sinceMs: 1500 }, false],
  [{ open: false, sinceMs: 100 }, false],
  [{ open: true, sinceMs: -1 }, false],
])('session %j alive: %s', (s, want) => {
  expect(sessionAlive({ ...FRAME.session, ...s })).toBe(want);
});

test('the progress bar is clamped to its width', () => {
  expect(progressBar(0, 4)).toBe('▕░░░░▏');
  expect(progressBar(0.5, 4)).toBe('▕██░░▏');
  expect(progressBar(7, 4)).toBe('▕████▏');
});

// The final line's health part: every figure of steps 7 and 8, or nothing when they did not run.
test('the health summary reports detection, failures and recovery', () => {
  const fig = {
    backend: 'b1',
    downMs: 512,
    failedBefore: 7,
    failedAfter: 0,
    newSessionsAfter: 0,
    upMs: 2410,
    recoveredRequests: 90,
    failedRecovery: 0,
  };
  expect(healthSummary(fig)).toBe(
    "; b1's server stopped: DOWN after 512 ms, 7 requests failed before detection, 0 failed after " +
      'detection; started again: UP after 2410 ms, 90 new requests to it, 0 failed',
  );
  expect(healthSummary({ ...fig, upMs: undefined })).toBe('');
  expect(healthSummary({})).toBe('');
});
