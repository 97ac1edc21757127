// The vendored columnize as polycubectl patched it: alignment, the notice on narrow or absent
// terminals, last-column narrowing to width-5 and word wrapping that restarts at the space.

import { columnize, TERMINAL_TOO_SMALL } from '../../../src/cli/columnize';
import { Screen } from '../../../src/cli/screen';

function format(rows: string[][], width: number, prefix = ''): { text: string; direct: string } {
  let direct = '';
  const screen = new Screen(width, (t) => (direct += t));
  return { text: columnize(rows, screen, prefix), direct };
}

describe('columnize', () => {
  // Two spaces between columns; the last column is not padded.
  test('aligns columns', () => {
    expect(
      format(
        [
          ['a', 'bb', 'c'],
          ['ddd', 'e', 'f'],
        ],
        120,
      ),
    ).toEqual({ text: 'a    bb  c\nddd  e   f', direct: '' });
  });

  // A terminal narrower than 80: the notice and its newline are printed right away (issue 18).
  test.each([1, 79])('a terminal of width %s prints the notice on its own line', (w) => {
    expect(format([['a']], w).direct).toBe(`${TERMINAL_TOO_SMALL}\n`);
  });

  // Not a terminal (a pipe or a file): no notice; the width budget is 75 as for 80 columns.
  test('without a terminal prints no notice', () => {
    expect(format([['a']], -1)).toEqual({ text: 'a', direct: '' });
  });

  // 80 columns or more: no notice.
  test('a terminal of 80 columns prints no notice', () => {
    expect(format([['a']], 80).direct).toBe('');
  });

  // The last column shrinks by the excess and wraps on words; the rest keeps its leading space.
  test('wraps the last column', () => {
    const long = 'one two three four five six seven eight nine ten eleven twelve thirteen';
    const { text } = format([['key', long]], -1);
    // widths 3 + 71 = 74 fits; a longer text shrinks to 75 - 3 = 72.
    expect(text).toBe('key  ' + long);
    const { text: wrapped } = format([['key', long + ' fourteen']], -1);
    expect(wrapped).toBe(
      'key  one two three four five six seven eight nine ten eleven twelve thirteen \n      fourteen',
    );
  });

  // A one-cell row uses the first column's width; shorter rows stop early.
  test('rows of different lengths', () => {
    expect(format([['Keyword', 'Type', 'Description'], [''], ['x', 'y', 'z']], 120).text).toBe(
      'Keyword  Type  Description\n\nx        y     z',
    );
  });

  // Wrapping that cannot progress (a leading space before a too-long word) stops instead of
  // recursing forever as the real client does.
  test('no endless wrapping', () => {
    const { text } = format([['k', ' ' + 'x'.repeat(100)]], -1);
    expect(text).toBe('k   \n   ' + ' ' + 'x'.repeat(100));
  });

  test('prefix on every line', () => {
    expect(
      format(
        [
          ['a', 'b'],
          ['c', 'd'],
        ],
        120,
        ' ',
      ).text,
    ).toBe(' a  b\n c  d');
  });
});
