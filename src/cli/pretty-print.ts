// The `show` pretty-printer (REST spec §4.4): scalars as `key: value`, then nested objects, then
// arrays as tables (one column per scalar member, first-seen order; nested arrays as `[N items]`
// or, one level deeper, as `<member> (<array>)` columns), with -hide paths and depth 1/2/3.

import { columnize } from './columnize';
import { formatPrettyNumber } from './go-strconv';
import type { JsonValue } from './go-json';
import type { Screen } from './screen';

/** Depth for -brief, default/-normal and -verbose. */
export const DEPTH = { BRIEF: 1, NORMAL: 2, VERBOSE: 3 } as const;

type Columns = Map<string, string[]>;

/** The real client's formatValue: strings verbatim, floats with %f, null as <nil>. */
export function formatScalar(v: JsonValue): string {
  switch (v.kind) {
    case 'string':
      return v.value;
    case 'number':
      return formatPrettyNumber(v.value);
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'null':
      return '<nil>';
    default:
      throw new Error(`not a scalar: ${v.kind}`);
  }
}

const isScalar = (v: JsonValue): boolean => v.kind !== 'object' && v.kind !== 'array';

function append(o: Columns, key: string, values: string[]): void {
  o.set(key, [...(o.get(key) ?? []), ...values]);
}

function objectValues(obj: JsonValue & { kind: 'object' }, deep: number): Columns {
  const o: Columns = new Map();
  if (deep === 0) return o;
  for (const [k, c] of obj.entries) if (isScalar(c)) append(o, k, [formatScalar(c)]);
  for (const [k, c] of obj.entries) {
    if (c.kind !== 'array') continue;
    if (deep > 1) {
      for (const [sub, values] of sliceValues(c, deep)) append(o, sub === '' ? k : `${sub} (${k})`, values);
    } else {
      o.set(k, [`[${c.items.length} items]`]);
    }
  }
  return o;
}

function sliceValues(arr: JsonValue & { kind: 'array' }, deep: number): Columns {
  const o: Columns = new Map();
  let size = 0;
  for (const child of arr.items) {
    const current = size;
    let delta = 0;
    const merge = (k: string, values: string[]): void => {
      const col = o.get(k) ?? [];
      while (col.length < current) col.push('');
      o.set(k, [...col, ...values]);
    };
    if (child.kind === 'object') {
      for (const [k, values] of objectValues(child, deep - 1)) {
        delta = Math.max(delta, values.length);
        merge(k, values);
      }
    } else if (child.kind === 'string') {
      merge('', [child.value]);
      delta = 1;
    }
    size += delta;
  }
  return o;
}

function toTable(
  screen: Screen,
  indent: number,
  path: string,
  hide: ReadonlySet<string>,
  o: Columns,
): string {
  const keys = [...o.keys()];
  let numRows = 0;
  for (const k of keys) if (!hide.has(path + k)) numRows = Math.max(numRows, (o.get(k) as string[]).length);
  const rows = Array.from({ length: numRows + 1 }, () => keys.map(() => ''));
  keys.forEach((k, i) => {
    if (hide.has(path + k)) return;
    rows[0][i] = k;
    (o.get(k) as string[]).forEach((v, j) => (rows[j + 1][i] = v));
  });
  return columnize(rows, screen, ' '.repeat(indent));
}

function printSlice(
  screen: Screen,
  indent: number,
  path: string,
  hide: ReadonlySet<string>,
  arr: JsonValue & { kind: 'array' },
  deep: number,
): string {
  if (deep <= 0) return '';
  return toTable(screen, indent, path, hide, sliceValues(arr, deep)) + '\n';
}

function print(
  screen: Screen,
  indent: number,
  path: string,
  hide: ReadonlySet<string>,
  v: JsonValue,
  deep: number,
): string {
  if (deep <= 0) return '';
  const pad = ' '.repeat(indent);
  if (v.kind === 'array') return printSlice(screen, indent, path, hide, v, deep);
  if (v.kind !== 'object') return `${pad}${formatScalar(v)}\n`;
  let out = '';
  for (const [k, c] of v.entries) {
    if (isScalar(c) && !hide.has(path + k)) out += `${pad}${k}: ${formatScalar(c)}\n`;
  }
  for (const [k, c] of v.entries) {
    if (c.kind === 'object')
      out += `${pad}${k}:\n` + print(screen, indent + 1, `${path}${k}.`, hide, c, deep);
  }
  for (const [k, c] of v.entries) {
    // Links are for programs, not humans; the real client skips them here.
    if (k === '_links' || c.kind !== 'array' || hide.has(path + k)) continue;
    if (deep > 1) out += `\n${pad}${k}:\n` + printSlice(screen, indent + 1, `${path}${k}.`, hide, c, deep);
    else out += `${pad}${k}: [${c.items.length} items]\n`;
  }
  return out;
}

/**
 * Renders a parsed (gabs-normalised) response body for `show` at `deep` (see {@link DEPTH}).
 * Tables print the columnize notice on `screen` as they are formatted.
 */
export function prettyPrint(screen: Screen, v: JsonValue, hide: ReadonlySet<string>, deep: number): string {
  return print(screen, 0, '', hide, v, deep);
}
