// The unified diff used by golden tests and gen-check: the same hunks as `diff -u`.

import { unifiedDiff } from '../../../../codegen/src/diff/unified-diff';

const lines = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i}`).join('\n') + '\n';

describe('unifiedDiff', () => {
  test('equal texts give no diff', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
  });

  // Same output as GNU `diff -u` on these inputs (checked by hand): deletions before additions,
  // three lines of context, nearby changes merged into one hunk.
  test('changes far apart make separate hunks with 3 lines of context', () => {
    const a = lines(20);
    const b = a
      .replace('line 3\n', 'line three\n')
      .replace('line 15\n', '')
      .replace('line 19\n', 'line 19\nline 20\n');
    expect(unifiedDiff(a, b, 'a', 'b')).toBe(
      [
        '--- a',
        '+++ b',
        '@@ -1,7 +1,7 @@',
        ' line 0',
        ' line 1',
        ' line 2',
        '-line 3',
        '+line three',
        ' line 4',
        ' line 5',
        ' line 6',
        '@@ -13,8 +13,8 @@',
        ' line 12',
        ' line 13',
        ' line 14',
        '-line 15',
        ' line 16',
        ' line 17',
        ' line 18',
        ' line 19',
        '+line 20',
        '',
      ].join('\n'),
    );
  });

  test('a new file diffs against the empty text', () => {
    expect(unifiedDiff('', 'a\nb\n', 'old', 'new')).toBe('--- old\n+++ new\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  });
});
