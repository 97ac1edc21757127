// The closing summary of `npm test`: counts per project and in total, and a run that skipped,
// failed, could not load a file or ran nothing fails. The last case runs real jest on a small
// suite with a root-style `describe.skip` gate and `it.todo`, and the summary script on its report.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCounts, summarize, type JestReport } from '../../../scripts/test-summary';

const REPO = join(__dirname, '../../..');

/** A report with these counts and, for skips, one named pending test each. */
function report(passed: number, failed = 0, pending = 0, todo = 0, runtimeErrors = 0): JestReport {
  const skipped = [
    ...Array.from({ length: pending }, (_, i) => ({ fullName: `gate t${i}`, status: 'pending' })),
    ...Array.from({ length: todo }, (_, i) => ({ fullName: `later t${i}`, status: 'todo' })),
  ];
  return {
    numPassedTests: passed,
    numFailedTests: failed,
    numPendingTests: pending,
    numTodoTests: todo,
    numRuntimeErrorTestSuites: runtimeErrors,
    testResults: [{ name: 'a.test.ts', assertionResults: skipped }],
  };
}

describe('npm test summary', () => {
  // The closing line keeps its historical form and grows ", N skipped" only when needed.
  it('prints "N passed, N failed" and appends skips only when there are some', () => {
    expect(formatCounts({ passed: 3, failed: 0, skipped: 0 })).toBe('3 passed, 0 failed');
    expect(formatCounts({ passed: 3, failed: 1, skipped: 2 })).toBe('3 passed, 1 failed, 2 skipped');
  });

  // A full clean run passes, with one line per project and the total last.
  it('passes a run where every project ran tests and none failed or skipped', () => {
    const s = summarize(['unit', 'kernel'], { unit: report(10), kernel: report(5) });
    expect(s.problems).toEqual([]);
    expect(s.lines).toEqual([
      'unit: 10 passed, 0 failed',
      'kernel: 5 passed, 0 failed',
      '15 passed, 0 failed',
    ]);
  });

  // Skipped and todo tests count as skipped, fail the run and are listed by name.
  it('fails a run with skipped or todo tests and names them', () => {
    const s = summarize(['unit', 'e2e'], { unit: report(10, 0, 0, 1), e2e: report(2, 0, 3) });
    expect(s.lines.at(-1)).toBe('12 passed, 0 failed, 4 skipped');
    expect(s.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^unit: 1 skipped/),
        expect.stringMatching(/^e2e: 3 skipped/),
        '  unit: later t0',
        '  e2e: gate t2',
      ]),
    );
  });

  // A project that ran nothing, wrote no report, failed a test or could not load a file fails.
  it('fails on an empty project, a missing report, failures and files that could not run', () => {
    const s = summarize(['unit', 'kernel', 'e2e'], { unit: report(0), e2e: report(4, 1, 0, 0, 2) });
    expect(s.problems).toEqual([
      'unit: ran no test',
      'kernel: jest wrote no report (it did not run or crashed)',
      'e2e: 1 failed',
      'e2e: 2 test file(s) could not run',
    ]);
    expect(s.lines).toEqual([
      'unit: 0 passed, 0 failed',
      'kernel: no report',
      'e2e: 4 passed, 1 failed',
      '4 passed, 1 failed',
    ]);
  });

  // The real thing: jest's own report of a gated describe and a todo makes the script exit 1.
  it('fails on the report real jest writes for a describe.skip gate and an it.todo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'test-summary-'));
    try {
      writeFileSync(
        join(dir, 'gated.test.js'),
        `describe('runs', () => { it('passes', () => expect(1).toBe(1)); });
         describe.skip('needs root', () => { it('a', () => {}); it('b', () => {}); });
         it.todo('later');`,
      );
      writeFileSync(join(dir, 'jest.config.js'), `module.exports = { testEnvironment: 'node' };`);
      const jest = join(REPO, 'node_modules/.bin/jest');
      // jest itself exits 0 on skips: that is the silence the summary exists to break.
      execFileSync(jest, ['--rootDir', dir, '--ci', '--json', '--outputFile', join(dir, 'unit.json')], {
        cwd: dir,
        stdio: 'pipe',
      });
      const run = spawnSync(
        join(REPO, 'node_modules/.bin/tsx'),
        [join(REPO, 'scripts/test-summary.ts'), dir, 'unit'],
        {
          encoding: 'utf8',
        },
      );
      expect(run.status).toBe(1);
      expect(run.stdout.trim().split('\n').at(-1)).toBe('1 passed, 0 failed, 3 skipped');
      expect(run.stderr).toContain('unit: needs root a');
      expect(run.stderr).toContain('unit: later');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
