// `npm run mutation` (after Stryker): reads reports/mutation/mutation.json and prints the mutation
// score per source folder, since Stryker's own table groups by file. The score counts killed and
// timed-out mutants over every mutant that ran or had no covering test (Stryker's definition).

import * as fs from 'fs';
import * as path from 'path';

/** The part of Stryker's JSON report (mutation-testing-report-schema) this script reads. */
export interface MutationReport {
  files: Record<string, { mutants: { status: string }[] }>;
}

/** Counts of one folder's mutants by outcome, and its score in percent (NaN when none is valid). */
export interface FolderScore {
  folder: string;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Mutants that did not count: compile and runtime errors, ignored (static) and pending ones. */
  excluded: number;
  score: number;
}

/** The goal of issue 21: at least this score for every mutated folder. */
export const SCORE_GOAL = 75;

/**
 * Groups the report's mutants by the folder of their file (paths as Stryker wrote them), or by
 * file with `byFile` (for the per-file table of a folder mutated file by file).
 */
export function scoreByFolder(report: MutationReport, byFile = false): FolderScore[] {
  const byFolder = new Map<string, FolderScore>();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const posix = file.split(path.sep).join('/');
    const folder = byFile ? posix : path.posix.dirname(posix);
    let row = byFolder.get(folder);
    if (row === undefined) {
      row = { folder, killed: 0, timeout: 0, survived: 0, noCoverage: 0, excluded: 0, score: NaN };
      byFolder.set(folder, row);
    }
    for (const { status } of mutants) {
      if (status === 'Killed') row.killed++;
      else if (status === 'Timeout') row.timeout++;
      else if (status === 'Survived') row.survived++;
      else if (status === 'NoCoverage') row.noCoverage++;
      else row.excluded++;
    }
  }
  const rows = [...byFolder.values()].sort((a, b) => a.folder.localeCompare(b.folder));
  for (const row of rows) {
    const detected = row.killed + row.timeout;
    const valid = detected + row.survived + row.noCoverage;
    row.score = valid === 0 ? NaN : (100 * detected) / valid;
  }
  return rows;
}

/** A Markdown table of the rows (as pasted into README.md), flagging folders under the goal. */
export function formatScores(rows: FolderScore[]): string {
  const lines = [
    '| folder | score | killed | timeout | survived | no coverage | not counted |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const score = Number.isNaN(r.score) ? 'n/a' : `${r.score.toFixed(1)} %`;
    const flag = r.score < SCORE_GOAL ? ` (goal ${SCORE_GOAL} %)` : '';
    lines.push(
      `| \`${r.folder}\` | ${score}${flag} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.excluded} |`,
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  // Several reports (runs of single folders) are merged; a file in two reports keeps the last.
  // `--by-file` prints one row per file instead of per folder.
  const byFile = process.argv.includes('--by-file');
  const args = process.argv.slice(2).filter((a) => a !== '--by-file');
  const files = args.length > 0 ? args : [path.join(__dirname, '..', 'reports', 'mutation', 'mutation.json')];
  const merged: MutationReport = { files: {} };
  for (const f of files)
    Object.assign(merged.files, (JSON.parse(fs.readFileSync(f, 'utf8')) as MutationReport).files);
  console.log(formatScores(scoreByFolder(merged, byFile)));
}
