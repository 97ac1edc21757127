// The mutation summary: Stryker's per-file report regrouped by folder, with Stryker's score
// (killed + timeout over everything that ran or had no test) and the goal flagged.

import { formatScores, scoreByFolder, type MutationReport } from '../../../scripts/mutation-summary';

const mutants = (...statuses: string[]): { mutants: { status: string }[] } => ({
  mutants: statuses.map((status) => ({ status })),
});

describe('mutation summary', () => {
  // Files of one folder add up; compile errors and ignored mutants do not count either way.
  it('scores each folder over its files, leaving out mutants that never ran', () => {
    const report: MutationReport = {
      files: {
        'src/a/x.ts': mutants('Killed', 'Killed', 'Survived', 'CompileError'),
        'src/a/y.ts': mutants('Timeout', 'NoCoverage', 'Ignored'),
        'src/b/z.ts': mutants('Killed', 'Survived', 'Survived', 'Survived'),
      },
    };
    expect(scoreByFolder(report)).toEqual([
      { folder: 'src/a', killed: 2, timeout: 1, survived: 1, noCoverage: 1, excluded: 2, score: 60 },
      { folder: 'src/b', killed: 1, timeout: 0, survived: 3, noCoverage: 0, excluded: 0, score: 25 },
    ]);
  });

  // A folder whose mutants were all excluded has no score rather than 0 % or 100 %.
  it('gives no score to a folder with no counted mutant', () => {
    const [row] = scoreByFolder({ files: { 'src/c/w.ts': mutants('Ignored') } });
    expect(row?.score).toBeNaN();
    expect(formatScores([row!])).toContain('| `src/c` | n/a |');
  });

  // The table names every folder once, and only those under the goal carry the flag.
  it('flags folders under the 75 % goal in the table', () => {
    const table = formatScores(
      scoreByFolder({
        files: {
          'src/a/x.ts': mutants('Killed', 'Killed', 'Killed', 'Survived'),
          'src/b/z.ts': mutants('Survived'),
        },
      }),
    );
    expect(table.split('\n')).toEqual([
      '| folder | score | killed | timeout | survived | no coverage | not counted |',
      '|---|---:|---:|---:|---:|---:|---:|',
      '| `src/a` | 75.0 % | 3 | 0 | 1 | 0 | 0 |',
      '| `src/b` | 0.0 % (goal 75 %) | 0 | 0 | 1 | 0 | 0 |',
    ]);
  });

  // --by-file: one row per file, for a folder mutated file by file.
  it('scores each file on its own with byFile', () => {
    const report: MutationReport = {
      files: {
        'src/a/x.ts': mutants('Killed', 'Survived'),
        'src/a/y.ts': mutants('Timeout', 'Ignored'),
      },
    };
    expect(scoreByFolder(report, true)).toEqual([
      { folder: 'src/a/x.ts', killed: 1, timeout: 0, survived: 1, noCoverage: 0, excluded: 0, score: 50 },
      { folder: 'src/a/y.ts', killed: 0, timeout: 1, survived: 0, noCoverage: 0, excluded: 1, score: 100 },
    ]);
  });
});
