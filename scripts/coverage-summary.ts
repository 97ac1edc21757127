// The per-folder figures of `npm run coverage`: line and branch coverage of each folder (its own
// files, not its subfolders), plus the lines covered by in-process tests alone, which shows how
// much only child processes (daemon, lbrp service, CLI) exercise. Rendered as a Markdown table.

import * as path from 'node:path';
import type { CoverageMap } from 'istanbul-lib-coverage';

/** Covered and total counts. */
export interface Count {
  covered: number;
  total: number;
}

/** One folder's figures. */
export interface FolderRow {
  /** Repository-relative folder, e.g. "src/polycubed/grpc". */
  folder: string;
  files: number;
  lines: Count;
  branches: Count;
  /** Lines covered by the in-process (jest) measurement alone. */
  inProcessLines: Count;
}

/** The goal for every folder's line coverage, in percent. */
export const LINE_GOAL = 80;

/** Percentage with one decimal; 100 for an empty count (nothing to cover). */
export function percent(c: Count): number {
  return c.total === 0 ? 100 : Math.floor((1000 * c.covered) / c.total) / 10;
}

const add = (a: Count, b: { covered: number; total: number }): Count => ({
  covered: a.covered + b.covered,
  total: a.total + b.total,
});

/** Rows per folder of the files in `all` (sorted by folder), and a final "all" row. */
export function perFolder(all: CoverageMap, inProcess: CoverageMap, root: string): FolderRow[] {
  const byFolder = new Map<string, FolderRow>();
  const zero = (): Count => ({ covered: 0, total: 0 });
  const total: FolderRow = {
    folder: 'all',
    files: 0,
    lines: zero(),
    branches: zero(),
    inProcessLines: zero(),
  };
  const inProcessFiles = new Set(inProcess.files());
  for (const file of all.files()) {
    const folder = path.relative(root, path.dirname(file)).split(path.sep).join('/');
    const row = byFolder.get(folder) ?? {
      folder,
      files: 0,
      lines: zero(),
      branches: zero(),
      inProcessLines: zero(),
    };
    const s = all.fileCoverageFor(file).toSummary();
    const own = inProcessFiles.has(file)
      ? inProcess.fileCoverageFor(file).toSummary().lines
      : { covered: 0, total: s.lines.total };
    for (const r of [row, total]) {
      r.files++;
      r.lines = add(r.lines, s.lines);
      r.branches = add(r.branches, s.branches);
      r.inProcessLines = add(r.inProcessLines, own);
    }
    byFolder.set(folder, row);
  }
  return [...[...byFolder.values()].sort((a, b) => (a.folder < b.folder ? -1 : 1)), total];
}

/** The Markdown table (folders under the line goal are marked). */
export function renderSummary(rows: FolderRow[]): string {
  const fmt = (c: Count): string => `${percent(c).toFixed(1)} % (${c.covered}/${c.total})`;
  const lines = [
    '| Folder | Files | Lines | Branches | Lines, in-process tests only |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const mark = r.folder !== 'all' && percent(r.lines) < LINE_GOAL ? ' ⚠' : '';
    const name = r.folder === 'all' ? '**all**' : `\`${r.folder}\``;
    lines.push(
      `| ${name}${mark} | ${r.files} | ${fmt(r.lines)} | ${fmt(r.branches)} | ${fmt(r.inProcessLines)} |`,
    );
  }
  const under = rows.filter((r) => r.folder !== 'all' && percent(r.lines) < LINE_GOAL).length;
  lines.push('', `⚠ = under ${LINE_GOAL} % of lines (${under} folder(s)).`, '');
  return lines.join('\n');
}
