// How Go's gopkg.in/yaml.v2 (used by the real client for its config file, stdin bodies and
// `-yaml`) types a plain scalar (YAML 1.1 booleans, base-0 integers, floats, timestamps) and how it
// orders map keys when writing. Shared by the YAML reader and the YAML writer.

import { goParseFloat, goParseInt0, goParseUint0 } from './go-strconv';

/** A plain scalar after yaml.v2's `resolve`. */
export type Resolved =
  | { tag: 'str' }
  | { tag: 'null' }
  | { tag: 'bool'; value: boolean }
  | { tag: 'int'; value: bigint }
  | { tag: 'float'; value: number }
  | { tag: 'timestamp' };

const RESOLVE_MAP = new Map<string, Resolved>();
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) {
  RESOLVE_MAP.set(s, { tag: 'bool', value: true });
}
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) {
  RESOLVE_MAP.set(s, { tag: 'bool', value: false });
}
for (const s of ['', '~', 'null', 'Null', 'NULL']) RESOLVE_MAP.set(s, { tag: 'null' });
for (const s of ['.nan', '.NaN', '.NAN']) RESOLVE_MAP.set(s, { tag: 'float', value: NaN });
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']) {
  RESOLVE_MAP.set(s, { tag: 'float', value: Infinity });
}
for (const s of ['-.inf', '-.Inf', '-.INF']) RESOLVE_MAP.set(s, { tag: 'float', value: -Infinity });

/** yaml.v2's hint table: which first characters may start a non-string plain scalar. */
function hintOf(s: string): string {
  if (s === '') return 'N';
  const c = s[0];
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return '';
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** yaml.v2's `parseTimestamp`: the four layouts it accepts, with Go's date range checks. */
function isTimestamp(s: string): boolean {
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?))?$/.exec(
      s,
    );
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]) return false;
  const year = Number(m[1]);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (month === 2 && day === 29 && !leap) return false;
  const [h, mi, se] = [m[4] ?? m[7], m[5] ?? m[8], m[6] ?? m[9]].map((x) =>
    x === undefined ? 0 : Number(x),
  );
  return h < 24 && mi < 60 && se < 60;
}

/** yaml.v2 `resolve("", s)` for an untagged plain scalar. */
export function resolvePlain(s: string): Resolved {
  const hint = hintOf(s);
  if (hint === '') return { tag: 'str' };
  const known = RESOLVE_MAP.get(s);
  if (known) return known;
  if (hint === '.') {
    const f = goParseFloat(s);
    return f === undefined ? { tag: 'str' } : { tag: 'float', value: f };
  }
  if (hint === 'D' || hint === 'S') {
    if (isTimestamp(s)) return { tag: 'timestamp' };
    const plain = s.replace(/_/g, '');
    const i = goParseInt0(plain) ?? goParseUint0(plain);
    if (i !== undefined) return { tag: 'int', value: i };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = goParseFloat(plain);
      if (f !== undefined) return { tag: 'float', value: f };
    }
    const bin = /^(-?)0b([01]+)$/.exec(plain);
    if (bin) {
      const v = BigInt('0b' + bin[2]) * (bin[1] === '-' ? -1n : 1n);
      if (v >= -(2n ** 63n) && v < 2n ** 64n) return { tag: 'int', value: v };
    }
  }
  return { tag: 'str' };
}

/** yaml.v2 still quotes base-60 floats ("1:20") when writing, for older parsers. */
export function isBase60Float(s: string): boolean {
  return /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s);
}

const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isDigit = (c: string): boolean => /\p{Nd}/u.test(c);

/** yaml.v2's `keyList.Less` for string keys: letters by code point, digit runs numerically. */
export function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return (ar[i].codePointAt(0) as number) < (br[i].codePointAt(0) as number);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++)
      an = an * 10n + BigInt((ar[ai].codePointAt(0) as number) - 48);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++)
      bn = bn * 10n + BigInt((br[bi].codePointAt(0) as number) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ar[i].codePointAt(0) as number) < (br[i].codePointAt(0) as number);
  }
  return ar.length < br.length;
}

/** Sorts keys as yaml.v2 writes a map. */
export function sortYamlKeys(keys: readonly string[]): string[] {
  return [...keys].sort((x, y) => (yamlKeyLess(x, y) ? -1 : yamlKeyLess(y, x) ? 1 : 0));
}
