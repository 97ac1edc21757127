// Checks a value written in YANG (a `default`) against a resolved IR type. Used by ir/ for defaults;
// a pure function of the IR, so run-time validators may share it.

import { INT_BOUNDS, decimalBounds, formatRanges, inRanges, parseNumber } from './ranges';
import type { IrPattern, IrType, NumRange } from './types';

/**
 * Returns undefined when `value` is valid for `type`, else a lower-case reason naming what was
 * expected. Leafref, identityref, instance-identifier and binary values are not checked.
 */
export function checkValue(type: IrType, value: string): string | undefined {
  switch (type.kind) {
    case 'int': {
      const n = parseNumber(value, 'integer');
      const ranges = type.range.length > 0 ? type.range : [INT_BOUNDS[type.base]];
      return n !== undefined && inRanges(n, ranges)
        ? undefined
        : `expected ${type.base} in ${formatRanges(ranges)}`;
    }
    case 'decimal64': {
      const n = parseNumber(value, 'decimal');
      const ranges = type.range.length > 0 ? type.range : [decimalBounds(type.fractionDigits)];
      const digits = value.split('.')[1]?.length ?? 0;
      const ok = n !== undefined && digits <= type.fractionDigits && inRanges(n, ranges);
      return ok
        ? undefined
        : `expected a decimal with at most ${type.fractionDigits} fraction digits in ${formatRanges(ranges)}`;
    }
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : 'expected true or false';
    case 'empty':
      return 'type empty has no value';
    case 'enumeration':
      return type.enums.some((e) => e.name === value)
        ? undefined
        : `expected one of ${type.enums.map((e) => e.name).join(', ')}`;
    case 'bits': {
      const names = value.split(/\s+/).filter((b) => b !== '');
      const bad = names.find((b) => !type.bits.some((d) => d.name === b));
      return bad === undefined ? undefined : `expected bits among ${type.bits.map((b) => b.name).join(', ')}`;
    }
    case 'string':
      return checkString(value, type.length, type.patterns);
    case 'union':
      return type.types.some((t) => checkValue(t, value) === undefined)
        ? undefined
        : 'expected a value of one of the union member types';
    default:
      return undefined;
  }
}

function checkString(value: string, length: NumRange[], patterns: IrPattern[]): string | undefined {
  const chars = [...value].length;
  if (length.length > 0 && !inRanges(chars, length)) return `expected a length in ${formatRanges(length)}`;
  for (const p of patterns) {
    const re = compileXsdPattern(p.regex);
    if (re && re.test(value) === p.invert) {
      return `expected a string ${p.invert ? 'not ' : ''}matching pattern "${p.regex}"`;
    }
  }
  return undefined;
}

/**
 * Compiles an XSD regex (implicitly anchored) to a JS RegExp when the two syntaxes agree; returns
 * undefined for constructs that differ (`^`, `$`, class subtraction, `\i`, `\c`), which are then not checked.
 */
export function compileXsdPattern(regex: string): RegExp | undefined {
  if (!sharesJsSyntax(regex)) return undefined;
  try {
    return new RegExp(`^(?:${regex})$`, 'u');
  } catch {
    return undefined;
  }
}

/** False when the XSD regex uses `^`/`$` as literals, class subtraction, or `\i`/`\c` escapes. */
function sharesJsSyntax(regex: string): boolean {
  let inClass = false;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') {
      if ('iIcC'.includes(regex[i + 1] ?? '')) return false;
      i++;
    } else if (c === '[') {
      if (inClass) return false;
      inClass = true;
      if (regex[i + 1] === '^') i++;
    } else if (c === ']') {
      inClass = false;
    } else if (c === '^' || c === '$') {
      return false;
    }
  }
  return true;
}
