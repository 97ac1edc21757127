// The closing summary of `npm test` (scripts/test.sh): reads the JSON report jest wrote for each
// project, prints passed/failed/skipped per project and in total, and fails the run when a test
// failed, was skipped (skip, todo), a suite could not run, or a project ran no test at all.
// Usage: tsx scripts/test-summary.ts <results dir> <project>…  (the projects that must be there)

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The part of jest's `--json` report we read. */
export interface JestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numRuntimeErrorTestSuites: number;
  testResults: Array<{
    name: string;
    message?: string;
    assertionResults: Array<{ fullName: string; status: string }>;
  }>;
}

/** Counts of one project, or of the whole run. */
export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** What the run amounts to: lines to print, and why it fails (empty when it passes). */
export interface Summary {
  lines: string[];
  problems: string[];
}

/** "N passed, N failed", with ", N skipped" only when some were. */
export function formatCounts(c: Counts): string {
  return `${c.passed} passed, ${c.failed} failed` + (c.skipped > 0 ? `, ${c.skipped} skipped` : '');
}

/** How many skipped names the failure message lists before it says "and N more". */
const MAX_LISTED = 20;

/**
 * Summarises the reports of `expected` projects (`undefined` = the project wrote no report, e.g. jest
 * crashed). Never reads files; the last line is always the total.
 */
export function summarize(expected: string[], reports: Record<string, JestReport | undefined>): Summary {
  const lines: string[] = [];
  const problems: string[] = [];
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  const skippedNames: string[] = [];
  for (const project of expected) {
    const r = reports[project];
    if (r === undefined) {
      lines.push(`${project}: no report`);
      problems.push(`${project}: jest wrote no report (it did not run or crashed)`);
      continue;
    }
    const c: Counts = {
      passed: r.numPassedTests,
      failed: r.numFailedTests,
      skipped: r.numPendingTests + r.numTodoTests,
    };
    lines.push(`${project}: ${formatCounts(c)}`);
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
    if (c.failed > 0) problems.push(`${project}: ${c.failed} failed`);
    if (r.numRuntimeErrorTestSuites > 0)
      problems.push(`${project}: ${r.numRuntimeErrorTestSuites} test file(s) could not run`);
    if (c.passed + c.failed + c.skipped === 0) problems.push(`${project}: ran no test`);
    if (c.skipped > 0) {
      problems.push(`${project}: ${c.skipped} skipped (skip, todo or a root gate); a full run skips nothing`);
      for (const file of r.testResults)
        for (const a of file.assertionResults)
          if (a.status === 'pending' || a.status === 'todo' || a.status === 'skipped')
            skippedNames.push(`${project}: ${a.fullName}`);
    }
  }
  if (skippedNames.length > 0) {
    problems.push('skipped tests:');
    for (const n of skippedNames.slice(0, MAX_LISTED)) problems.push(`  ${n}`);
    if (skippedNames.length > MAX_LISTED) problems.push(`  … and ${skippedNames.length - MAX_LISTED} more`);
  }
  lines.push(formatCounts(total));
  return { lines, problems };
}

function main(argv: string[]): number {
  const [dir, ...expected] = argv;
  if (dir === undefined || expected.length === 0) {
    console.error('usage: test-summary <results dir> <project>…');
    return 2;
  }
  const reports: Record<string, JestReport | undefined> = {};
  for (const p of expected) {
    const file = join(dir, `${p}.json`);
    reports[p] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as JestReport) : undefined;
  }
  const { lines, problems } = summarize(expected, reports);
  // Problems first, so the closing line stays the last thing printed.
  for (const p of problems) console.error(p);
  for (const l of lines) console.log(l);
  return problems.length > 0 ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
