// Numeric bounds of the YANG built-in types and the `range` / `length` expression parser
// (RFC 7950 §9.2.4, §9.4.4). Used by ir/resolve-type.ts and by validators of values.

import type { IntBase, NumRange } from './types';

/**
 * Bounds of each integer type. 64-bit bounds are JS numbers, so they are exact only up to 2^53;
 * values beyond that compare approximately.
 */
export const INT_BOUNDS: Readonly<Record<IntBase, NumRange>> = {
  int8: { min: -128, max: 127 },
  int16: { min: -32768, max: 32767 },
  int32: { min: -2147483648, max: 2147483647 },
  int64: { min: -(2 ** 63), max: 2 ** 63 - 1 },
  uint8: { min: 0, max: 255 },
  uint16: { min: 0, max: 65535 },
  uint32: { min: 0, max: 4294967295 },
  uint64: { min: 0, max: 2 ** 64 - 1 },
};

/** Bounds of a string or binary length: 0..2^64-1 (RFC 7950 §9.4.4). */
export const LENGTH_BOUNDS: NumRange = { min: 0, max: 2 ** 64 - 1 };

/** Bounds of a decimal64 with the given fraction-digits: ±(2^63)/10^digits. */
export function decimalBounds(fractionDigits: number): NumRange {
  const scale = 10 ** fractionDigits;
  return { min: -(2 ** 63) / scale, max: (2 ** 63 - 1) / scale };
}

/** How the bounds of one range part are written: integers only, or decimals too. */
export type NumberSyntax = 'integer' | 'decimal';

const SYNTAX: Record<NumberSyntax, RegExp> = {
  integer: /^[+-]?[0-9]+$/,
  decimal: /^[+-]?[0-9]+(\.[0-9]+)?$/,
};

/** Parses a YANG number of the given syntax; undefined when malformed. */
export function parseNumber(text: string, syntax: NumberSyntax): number | undefined {
  return SYNTAX[syntax].test(text) ? Number(text) : undefined;
}

/**
 * Parses a `range` or `length` argument ("1..10 | 20..max") against the currently allowed ranges:
 * `min`/`max` are the lowest and highest allowed values, and every part must lie inside them and be
 * ascending and disjoint. Returns the new ranges, or a lower-case reason.
 */
export function parseRangeExpr(
  text: string,
  allowed: NumRange[],
  syntax: NumberSyntax,
): { ranges: NumRange[] } | { error: string } {
  const lowest = allowed[0].min;
  const highest = allowed[allowed.length - 1].max;
  const ranges: NumRange[] = [];
  for (const part of text.split('|').map((p) => p.trim())) {
    const bounds = part.split('..').map((b) => b.trim());
    if (bounds.length > 2 || bounds.some((b) => b === '')) return { error: `malformed part "${part}"` };
    const values = bounds.map((b) => (b === 'min' ? lowest : b === 'max' ? highest : parseNumber(b, syntax)));
    const bad = bounds.find((_, i) => values[i] === undefined);
    if (bad !== undefined)
      return { error: `"${bad}" is not ${syntax === 'integer' ? 'an integer' : 'a number'}` };
    const min = values[0] as number;
    const max = values[values.length - 1] as number;
    if (min > max) return { error: `"${part}" is empty: lower bound above upper bound` };
    const prev = ranges[ranges.length - 1];
    if (prev && min <= prev.max) return { error: `"${part}" is not above the previous part` };
    if (!allowed.some((a) => a.min <= min && max <= a.max)) {
      return { error: `"${part}" is outside the allowed ${formatRanges(allowed)}` };
    }
    ranges.push({ min, max });
  }
  return { ranges };
}

/** Formats ranges the way YANG writes them: `0..10 | 20..30`. */
export function formatRanges(ranges: NumRange[]): string {
  return ranges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}..${r.max}`)).join(' | ');
}

/** True when `value` lies inside one of `ranges`. */
export function inRanges(value: number, ranges: NumRange[]): boolean {
  return ranges.some((r) => r.min <= value && value <= r.max);
}
