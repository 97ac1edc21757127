// A YAML writer that produces what Go's yaml.v2 Marshal (libyaml's emitter: block style, indent 2,
// sequences not indented under a key, keys in yaml.v2's natural order, plain/single/double/literal
// scalar styles and folding of long lines past column 80) writes. Used for `show -yaml`.

import { formatGoG } from './go-strconv';
import { isBase60Float, resolvePlain, sortYamlKeys } from './yaml-v2-resolve';

/** A value as yaml.v2 holds it after decoding: ints stay exact. */
export type YamlValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | YamlValue[]
  | { kind: 'map'; entries: Array<[string, YamlValue]> };

/** libyaml's preferred line width. */
const BEST_WIDTH = 80;
const INDENT = 2;

type Style = 'plain' | 'single' | 'double' | 'literal';

const isBreak = (cp: number): boolean =>
  cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
const isPrintable = (cp: number): boolean =>
  cp === 0x0a ||
  (cp >= 0x20 && cp <= 0x7e) ||
  (cp >= 0xa0 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  single: boolean;
  block: boolean;
}

/** libyaml's `yaml_emitter_analyze_scalar` (block context only). */
function analyze(value: string): Analysis {
  if (value === '') return { multiline: false, blockPlain: true, single: true, block: false };
  const chars = [...value];
  let blockIndicators = value.startsWith('---') || value.startsWith('...');
  let special = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  let prevBreak = false;
  let precededByWs = true;
  chars.forEach((c, i) => {
    const next = chars[i + 1];
    const followedByWs = next === undefined || next === ' ' || next === '\t';
    const cp = c.codePointAt(0) as number;
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      if ((c === '?' || c === ':' || c === '-') && followedByWs) blockIndicators = true;
    } else if ((c === ':' && followedByWs) || (c === '#' && precededByWs)) {
      blockIndicators = true;
    }
    if (!isPrintable(cp)) special = true;
    const last = i === chars.length - 1;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (last) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(cp)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (last) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = c === ' ' || c === '\t' || isBreak(cp) || cp === 0;
  });
  let blockPlain = true;
  let single = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) block = false;
  if (breakSpace) blockPlain = single = false;
  if (spaceBreak || special) blockPlain = single = block = false;
  if (lineBreaks || blockIndicators) blockPlain = false;
  return { multiline: lineBreaks, blockPlain, single, block };
}

function selectStyle(requested: Style, value: string, simpleKey: boolean): Style {
  const a = analyze(value);
  let style = requested;
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain' && (!a.blockPlain || (value === '' && simpleKey))) style = 'single';
  if (style === 'single' && !a.single) style = 'double';
  if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
  return style;
}

/** Tracks the output column the way libyaml does (one per character written). */
class Writer {
  out = '';
  constructor(
    public column: number,
    private readonly indent: number,
  ) {}
  put(s: string): void {
    this.out += s;
    this.column += [...s].length;
  }
  newline(): void {
    this.out += '\n' + ' '.repeat(this.indent);
    this.column = this.indent;
  }
}

function escapeDouble(c: string): string {
  const cp = c.codePointAt(0) as number;
  // prettier-ignore
  const named: Record<number, string> = {
    0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r',
    0x1b: 'e', 0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
  };
  if (named[cp] !== undefined) return '\\' + named[cp];
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return '\\x' + hex.padStart(2, '0');
  if (cp <= 0xffff) return '\\u' + hex.padStart(4, '0');
  return '\\U' + hex.padStart(8, '0');
}

function writeQuoted(w: Writer, value: string, style: 'single' | 'double', allowBreaks: boolean): void {
  const chars = [...value];
  const quote = style === 'single' ? "'" : '"';
  w.put(quote);
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const cp = c.codePointAt(0) as number;
    const mustEscape = !isPrintable(cp) || cp === 0xfeff || isBreak(cp) || c === '"' || c === '\\';
    if (style === 'double' && mustEscape) {
      w.put(escapeDouble(c));
      spaces = false;
    } else if (c === ' ') {
      const inner = i > 0 && i < chars.length - 1;
      const nextSpace = chars[i + 1] === ' ';
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && inner && (style === 'double' || !nextSpace)) {
        w.newline();
        if (style === 'double' && nextSpace) w.put('\\');
      } else {
        w.put(' ');
      }
      spaces = true;
    } else {
      w.put(style === 'single' && c === "'" ? "''" : c);
      spaces = false;
    }
  }
  w.put(quote);
}

function writePlain(w: Writer, value: string, allowBreaks: boolean): void {
  const chars = [...value];
  let spaces = false;
  chars.forEach((c, i) => {
    if (c === ' ') {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && chars[i + 1] !== ' ') w.newline();
      else w.put(' ');
      spaces = true;
    } else {
      w.put(c);
      spaces = false;
    }
  });
}

/** `|` block: chomping indicator from the trailing breaks, indentation hint on a leading space. */
function writeLiteral(value: string, indent: number): string {
  const chars = [...value];
  const cps = chars.map((c) => c.codePointAt(0) as number);
  let hints = chars.length > 0 && (chars[0] === ' ' || isBreak(cps[0])) ? String(INDENT) : '';
  const n = cps.length;
  if (n === 0 || !isBreak(cps[n - 1])) hints += '-';
  else if (n === 1 || isBreak(cps[n - 2])) hints += '+';
  let out = '|' + hints + '\n';
  let atLineStart = true;
  for (const c of chars) {
    if (isBreak(c.codePointAt(0) as number)) {
      out += '\n';
      atLineStart = true;
    } else {
      if (atLineStart) out += ' '.repeat(indent);
      out += c;
      atLineStart = false;
    }
  }
  return atLineStart ? out.slice(0, -1) : out;
}

/** Writes one scalar starting at `column`; continuation lines use `indent`. No final newline. */
function scalar(v: YamlValue, column: number, indent: number, simpleKey: boolean): string {
  let text: string;
  let requested: Style = 'plain';
  if (v === null) text = 'null';
  else if (typeof v === 'boolean') text = v ? 'true' : 'false';
  else if (typeof v === 'bigint') text = v.toString();
  else if (typeof v === 'number') {
    text = formatGoG(v);
    text = text === '+Inf' ? '.inf' : text === '-Inf' ? '-.inf' : text === 'NaN' ? '.nan' : text;
  } else {
    text = v as string;
    const canPlain = resolvePlain(text).tag === 'str' && !isBase60Float(text);
    requested = text.includes('\n') ? 'literal' : canPlain ? 'plain' : 'double';
  }
  const style = selectStyle(requested, text, simpleKey);
  if (style === 'literal') return writeLiteral(text, indent);
  const w = new Writer(column, indent);
  if (style === 'plain') writePlain(w, text, !simpleKey);
  else writeQuoted(w, text, style, !simpleKey);
  return w.out;
}

const isMap = (v: YamlValue): v is { kind: 'map'; entries: Array<[string, YamlValue]> } =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A map or sequence value after `key:` or `-`: empty ones stay on the line as {} or []. */
function nested(v: YamlValue, indent: number, inMapping: boolean): string | undefined {
  if (Array.isArray(v))
    return v.length === 0 ? ' []\n' : '\n' + sequence(v, inMapping ? indent : indent + INDENT);
  if (isMap(v)) return v.entries.length === 0 ? ' {}\n' : '\n' + mapping(v, indent + INDENT);
  return undefined;
}

function mapping(m: { entries: Array<[string, YamlValue]> }, indent: number): string {
  const byKey = new Map(m.entries);
  let out = '';
  for (const key of sortYamlKeys([...byKey.keys()])) {
    const head = ' '.repeat(indent) + scalar(key, indent, indent + INDENT, true) + ':';
    const v = byKey.get(key) as YamlValue;
    const inner = nested(v, indent, true);
    out += head + (inner ?? ' ' + scalar(v, [...head].length + 1, indent + INDENT, false) + '\n');
  }
  return out;
}

function sequence(items: YamlValue[], indent: number): string {
  let out = '';
  for (const v of items) {
    const pad = ' '.repeat(indent);
    if ((Array.isArray(v) && v.length > 0) || (isMap(v) && v.entries.length > 0)) {
      const body = Array.isArray(v) ? sequence(v, indent + INDENT) : mapping(v, indent + INDENT);
      out += pad + '- ' + body.slice(indent + INDENT);
    } else {
      out +=
        pad +
        '-' +
        (nested(v, indent, false) ?? ' ' + scalar(v, indent + INDENT, indent + INDENT, false) + '\n');
    }
  }
  return out;
}

/** The document yaml.v2 Marshal writes for `v`, ending with a newline. */
export function emitYamlV2(v: YamlValue): string {
  if (Array.isArray(v)) return v.length === 0 ? '[]\n' : sequence(v, 0);
  if (isMap(v)) return v.entries.length === 0 ? '{}\n' : mapping(v, 0);
  return scalar(v, 0, INDENT, false) + '\n';
}
