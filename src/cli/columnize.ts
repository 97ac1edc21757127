// Column alignment as the real client's vendored, patched `columnize` does it: two spaces between
// columns, only the last column narrowed to fit (terminal width - 5) and word-wrapped, and the
// "terminal too small" notice printed straight to stdout when stdout is not a wide terminal.

import type { Screen } from './screen';

/**
 * Printed, with a newline, each time a table is formatted on a terminal narrower than 80 columns
 * (the real client also prints it, without the newline, when stdout is a pipe or file: issue 18).
 */
export const TERMINAL_TOO_SMALL = 'Size of the terminal is too small, output could be missaligned.';

const GLUE = '  ';
const MIN_WIDTH = 80;
/** The real client subtracts 5 from the width "as a hack"; kept so wrapping matches. */
const WIDTH_MARGIN = 5;

const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8');
const runeLen = (s: string): number => [...s].length;

function padRunes(s: string, width: number): string {
  const n = runeLen(s);
  return n >= width ? s : s + ' '.repeat(width - n);
}

/** Column widths in runes; the last one shrinks so the sum fits `max`. */
function columnWidths(rows: readonly string[][], max: number): number[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      const l = runeLen(cell);
      if (widths.length <= i) widths.push(l);
      else if (widths[i] < l) widths[i] = l;
    });
  }
  const total = widths.reduce((a, b) => a + b, 0);
  if (total > max) widths[widths.length - 1] -= total - max;
  return widths;
}

/** The leading words of `s` that fit in `length` bytes, each followed by one space. */
function firstWords(s: string, length: number): string {
  let result = '';
  let current = 0;
  for (const p of s.split(' ')) {
    if (current + byteLen(p) >= length) break;
    result += p + ' ';
    current += byteLen(p) + 1;
  }
  return result;
}

function formatRow(elems: readonly string[], widths: readonly number[], prefix: string, wrap = true): string {
  let buf = prefix;
  const columns = elems.length;
  for (let i = 0; i < columns && i < widths.length; i++) {
    if (i !== columns - 1) {
      buf += padRunes(elems[i], widths[i]) + GLUE;
      continue;
    }
    const str = elems[i];
    const first = firstWords(str, widths[i]);
    if (wrap && byteLen(str) > widths[i] && first.length > 0) {
      const rest =
        byteLen(str) !== byteLen(first)
          ? Buffer.from(str, 'utf8')
              .subarray(byteLen(first) - 1)
              .toString()
          : str;
      buf += first + '\n';
      const continuation = [...elems.slice(0, -1).map(() => ''), rest];
      // The real client recurses forever when wrapping makes no progress; print the rest as is.
      buf += formatRow(continuation, widths, prefix, rest !== str);
    } else {
      buf += str + '\n';
    }
  }
  return buf;
}

/**
 * Formats `rows` as aligned columns (cells are not trimmed). Prints {@link TERMINAL_TOO_SMALL}
 * and a newline on `screen` right away when stdout is a terminal narrower than 80 columns; without
 * a terminal the width is 80, silently. The result has no trailing newline.
 */
export function columnize(rows: readonly string[][], screen: Screen, prefix = ''): string {
  let consoleSize = MIN_WIDTH;
  if (screen.terminalWidth >= MIN_WIDTH) consoleSize = screen.terminalWidth;
  else if (screen.terminalWidth >= 0) screen.direct(`${TERMINAL_TOO_SMALL}\n`);
  const widths = columnWidths(rows, consoleSize - WIDTH_MARGIN);
  let out = '';
  for (const row of rows) out += formatRow(row, widths, prefix);
  return out.endsWith('\n') ? out.slice(0, -1) : out;
}
