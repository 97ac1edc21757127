// The per-folder figures of `npm run coverage` (scripts/coverage-summary.ts), over hand-built
// istanbul coverage: folders group their own files only, the in-process column ignores what only
// child processes covered, and folders under the goal are marked.

import { createCoverageMap, type CoverageMapData, type FileCoverageData } from 'istanbul-lib-coverage';
import { perFolder, percent, renderSummary } from '../../../scripts/coverage-summary';

const ROOT = '/repo';

/** File coverage with one statement per line (as V8 coverage has) and one two-way branch. */
function fileCov(path: string, lineHits: number[], branchHits: [number, number]): FileCoverageData {
  const loc = (line: number) => ({ start: { line, column: 0 }, end: { line, column: 10 } });
  return {
    path,
    statementMap: Object.fromEntries(lineHits.map((_, i) => [String(i), loc(i + 1)])),
    s: Object.fromEntries(lineHits.map((h, i) => [String(i), h])),
    fnMap: {},
    f: {},
    branchMap: { '0': { type: 'branch', line: 1, loc: loc(1), locations: [loc(1), loc(2)] } },
    b: { '0': branchHits },
  } as unknown as FileCoverageData;
}

const data = (...files: FileCoverageData[]): CoverageMapData =>
  Object.fromEntries(files.map((f) => [f.path, f])) as CoverageMapData;

describe('perFolder', () => {
  const inProcess = createCoverageMap(
    data(fileCov('/repo/src/a/x.ts', [1, 0, 0, 0], [1, 0]), fileCov('/repo/src/a/b/y.ts', [0, 0], [0, 0])),
  );
  const all = createCoverageMap(
    data(fileCov('/repo/src/a/x.ts', [1, 1, 1, 0], [1, 1]), fileCov('/repo/src/a/b/y.ts', [2, 0], [0, 0])),
  );
  all.addFileCoverage(fileCov('/repo/codegen/src/z.ts', [1, 1, 1, 1, 1], [1, 1]));
  const rows = perFolder(all, inProcess, ROOT);

  it('groups files by their own folder, sorted, with an "all" row last', () => {
    expect(rows.map((r) => [r.folder, r.files])).toEqual([
      ['codegen/src', 1],
      ['src/a', 1],
      ['src/a/b', 1],
      ['all', 3],
    ]);
  });

  it('counts lines and branches of the merged coverage and, apart, of in-process tests', () => {
    const a = rows.find((r) => r.folder === 'src/a');
    expect(a?.lines).toEqual({ covered: 3, total: 4 });
    expect(a?.branches).toEqual({ covered: 2, total: 2 });
    expect(a?.inProcessLines).toEqual({ covered: 1, total: 4 });
    // A file no in-process test loaded counts as uncovered in that column.
    expect(rows.find((r) => r.folder === 'codegen/src')?.inProcessLines).toEqual({ covered: 0, total: 5 });
    expect(rows[rows.length - 1].lines).toEqual({ covered: 9, total: 11 });
  });

  it('renders a Markdown table marking folders under 80 % of lines', () => {
    const md = renderSummary(rows);
    expect(md).toContain('| `src/a` ⚠ | 1 | 75.0 % (3/4) | 100.0 % (2/2) | 25.0 % (1/4) |');
    expect(md).toContain('| `src/a/b` ⚠ | 1 | 50.0 % (1/2) | 0.0 % (0/2) | 0.0 % (0/2) |');
    expect(md).toContain('| `codegen/src` | 1 | 100.0 % (5/5) |');
    expect(md).toContain('| **all** | 3 | 81.8 % (9/11) |');
    expect(md).toContain('⚠ = under 80 % of lines (2 folder(s)).');
  });
});

describe('percent', () => {
  it('rounds down to one decimal and calls an empty count complete', () => {
    expect(percent({ covered: 2, total: 3 })).toBe(66.6);
    expect(percent({ covered: 799, total: 1000 })).toBe(79.9);
    expect(percent({ covered: 0, total: 0 })).toBe(100);
  });
});
