// Go `strconv` and `fmt` number semantics that the real polycubectl output depends on: Atoi,
// ParseBool, ParseFloat and ParseInt(base 0) acceptance, and the float formats %v, %f, 'g' and
// encoding/json. Pure functions; the rest of src/cli builds bodies and renders values with them.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go `strconv.Atoi`: optional sign and decimal digits within int64; undefined otherwise. */
export function goAtoi(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

// prettier-ignore
const GO_BOOLS: Record<string, boolean> = {
  '1': true, t: true, T: true, TRUE: true, true: true, True: true,
  '0': false, f: false, F: false, FALSE: false, false: false, False: false,
};

/** Go `strconv.ParseBool`; undefined when `s` is not one of its twelve spellings. */
export function goParseBool(s: string): boolean | undefined {
  return Object.prototype.hasOwnProperty.call(GO_BOOLS, s) ? GO_BOOLS[s] : undefined;
}

/** Go's `underscoreOK`: underscores only between digits (or after a base prefix). */
function underscoreOk(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1].toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1].toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const DEC_FLOAT = /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9][0-9_]*)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]((?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+))[pP]([+-]?[0-9][0-9_]*)$/;

/** Go's `special`: (±)inf, (±)infinity and nan, any case. */
function parseSpecial(s: string): number | undefined {
  const m = /^([+-]?)(inf|infinity)$/i.exec(s);
  if (m) return m[1] === '-' ? -Infinity : Infinity;
  return /^nan$/i.test(s) ? NaN : undefined;
}

function parseHexFloat(m: RegExpExecArray): number {
  const [intPart, fracPart = ''] = m[2].replace(/_/g, '').split('.');
  const mant = BigInt('0x' + (intPart + fracPart || '0'));
  const exp = Number(m[3].replace(/_/g, '')) - 4 * fracPart.length;
  let v = Number(mant);
  // Scale in steps so that intermediate powers of two never overflow on their own.
  let e = exp;
  while (e > 0 && Number.isFinite(v)) {
    const step = Math.min(e, 1000);
    v *= 2 ** step;
    e -= step;
  }
  while (e < 0 && v !== 0) {
    const step = Math.max(e, -1000);
    v *= 2 ** step;
    e -= step;
  }
  return m[1] === '-' ? -v : v;
}

/**
 * Go `strconv.ParseFloat(s, 64)`: decimal and hexadecimal literals (with Go's underscore rules),
 * inf/infinity/nan. Returns undefined on a syntax error and on overflow (Go's ErrRange).
 */
export function goParseFloat(s: string): number | undefined {
  const special = parseSpecial(s);
  if (special !== undefined) return special;
  const hex = HEX_FLOAT.exec(s);
  if (hex) {
    if (!/[0-9a-fA-F]/.test(hex[2]) || (s.includes('_') && !underscoreOk(s))) return undefined;
    const v = parseHexFloat(hex);
    return Number.isFinite(v) ? v : undefined;
  }
  if (!DEC_FLOAT.test(s) || !/[0-9]/.test(s.split(/[eE]/)[0])) return undefined;
  if (s.includes('_') && !underscoreOk(s)) return undefined;
  const v = Number(s.replace(/_/g, ''));
  return Number.isFinite(v) ? v : undefined;
}

/** Go `strconv.ParseInt(s, 0, 64)` (prefixes 0x 0o 0b and leading-0 octal). */
export function goParseInt0(s: string): bigint | undefined {
  const m = /^([+-]?)(.*)$/.exec(s) as RegExpExecArray;
  const mag = parseUnsigned0(m[2]);
  if (mag === undefined) return undefined;
  const v = m[1] === '-' ? -mag : mag;
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** Go `strconv.ParseUint(s, 0, 64)`. */
export function goParseUint0(s: string): bigint | undefined {
  const v = parseUnsigned0(s);
  return v === undefined || v > UINT64_MAX ? undefined : v;
}

function parseUnsigned0(s: string): bigint | undefined {
  if (s === '' || (s.includes('_') && !underscoreOk(s))) return undefined;
  const t = s.replace(/_/g, '');
  let m: RegExpExecArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(t))) return BigInt('0x' + m[1]);
  if ((m = /^0[bB]([01]+)$/.exec(t))) return BigInt('0b' + m[1]);
  if ((m = /^0[oO]?([0-7]+)$/.exec(t))) return BigInt('0o' + m[1]);
  if (/^(?:0|[1-9][0-9]*)$/.test(t)) return BigInt(t);
  return undefined;
}

/** Shortest round-trip decimal digits of |x| and the exponent of the first digit. */
function shortestDigits(x: number): { digits: string; exp: number } {
  const [mant, e] = Math.abs(x).toExponential().split('e');
  return { digits: mant.replace('.', ''), exp: Number(e) };
}

/** Go `strconv.FormatFloat(x, 'g', -1, 64)`, which is also what `%v` prints for a float64. */
export function formatGoG(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return sign + '0';
  const { digits, exp } = shortestDigits(x);
  // Go switches to %e when the exponent is < -4 or >= 6 for the shortest representation.
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  return sign + String(Math.abs(x));
}

/** Decomposes a finite double into an integer mantissa and a power-of-two exponent. */
function decompose(x: number): { mant: bigint; exp2: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  if (biased === 0) return { mant: frac, exp2: -1074 };
  return { mant: frac | (1n << 52n), exp2: biased - 1075 };
}

/** Go `fmt.Sprintf("%f", x)`: exactly six decimals, exact decimal value, ties to even. */
export function formatGoFixed6(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const { mant, exp2 } = decompose(x);
  let scaled: bigint;
  if (exp2 >= 0) {
    scaled = (mant << BigInt(exp2)) * 1000000n;
  } else {
    const den = 1n << BigInt(-exp2);
    const num = mant * 1000000n;
    scaled = num / den;
    const twiceRem = 2n * (num % den);
    if (twiceRem > den || (twiceRem === den && scaled % 2n === 1n)) scaled += 1n;
  }
  const s = scaled.toString().padStart(7, '0');
  return `${sign}${s.slice(0, -6)}.${s.slice(-6)}`;
}

/** What Go's encoding/json writes for a float64 (same thresholds as JS, but keeps "-0"). */
export function formatGoJsonFloat(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/**
 * The real client's `formatValue` for a JSON number (decoded as float64): `%v`, and when that
 * is not an integer literal but parses as a float, `%f` (so 1.5 → "1.500000", 1e6 →
 * "1000000.000000").
 */
export function formatPrettyNumber(x: number): string {
  const v = formatGoG(x);
  if (goAtoi(v) !== undefined) return v;
  const f = goParseFloat(v);
  return f === undefined ? v : formatGoFixed6(f);
}
