// JSON as the real polycubectl sees it: an order-preserving parser (Go's orderedmap keeps server
// member order), the gabs2 top-level-array quirk (elements re-marshalled with sorted members), and
// an encoder that writes what Go's encoding/json writes (HTML-safe escapes, float64 numbers).

/** A parsed JSON value; objects keep member order, numbers keep their source text. */
export type JsonValue =
  | { kind: 'object'; entries: Array<[string, JsonValue]> }
  | { kind: 'array'; items: JsonValue[]; goNil?: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' };

export const JSON_NULL: JsonValue = { kind: 'null' };

/** Result of {@link parseJson}: the value, or Go's error text for the first syntax error. */
export type JsonParseResult = { ok: true; value: JsonValue } | { ok: false; error: string };

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = JSON.stringify(c);
  return `'${q.slice(1, -1)}'`;
}

class SyntaxErr extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseTop(): JsonValue {
    const v = this.value('looking for beginning of value');
    this.ws();
    if (this.pos < this.text.length) this.fail('after top-level value');
    return v;
  }

  private fail(context: string): never {
    if (this.pos >= this.text.length) throw new SyntaxErr('unexpected end of JSON input');
    throw new SyntaxErr(`invalid character ${quoteChar(this.text[this.pos])} ${context}`);
  }

  private ws(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos++;
  }

  private value(context: string): JsonValue {
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { kind: 'string', value: this.string() };
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [
      ['true', { kind: 'bool', value: true }],
      ['false', { kind: 'bool', value: false }],
      ['null', JSON_NULL],
    ] as Array<[string, JsonValue]>) {
      if (c === word[0]) {
        for (let i = 1; i < word.length; i++) {
          this.pos++;
          if (this.text[this.pos] !== word[i]) this.fail(`in literal ${word} (expecting '${word[i]}')`);
        }
        this.pos++;
        return v;
      }
    }
    return this.fail(context);
  }

  private object(): JsonValue {
    this.pos++;
    const entries: Array<[string, JsonValue]> = [];
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail('after object key');
      this.pos++;
      const v = this.value('looking for beginning of value');
      // Duplicate members: the last value wins, at the last position (as Go's map + orderedmap).
      const dup = entries.findIndex(([k]) => k === key);
      if (dup >= 0) entries.splice(dup, 1);
      entries.push([key, v]);
      this.ws();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      if (this.text[this.pos] === '}') {
        this.pos++;
        return { kind: 'object', entries };
      }
      this.fail('after object key:value pair');
    }
  }

  private array(): JsonValue {
    this.pos++;
    const items: JsonValue[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value('looking for beginning of value'));
      this.ws();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      if (this.text[this.pos] === ']') {
        this.pos++;
        return { kind: 'array', items };
      }
      this.fail('after array element');
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      if (this.pos >= this.text.length) this.fail('in string literal');
      const c = this.text[this.pos];
      if (c === '"') break;
      if (c < ' ') this.fail('in string literal');
      if (c === '\\') {
        this.pos++;
        const e = this.text[this.pos];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 1, this.pos + 5))) {
            this.pos = Math.min(this.pos + 1, this.text.length);
            while (/[0-9a-fA-F]/.test(this.text[this.pos] ?? '')) this.pos++;
            this.fail('in \\u hexadecimal character escape');
          }
          this.pos += 4;
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          this.fail('in string escape code');
        }
      }
      this.pos++;
    }
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private number(): JsonValue {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos));
    if (!m || m[0] === '-') {
      this.pos++;
      this.fail('in numeric literal');
    }
    const text = (m as RegExpExecArray)[0];
    const after = this.pos + text.length;
    // A dangling decimal point or exponent ("1.", "1e+") fails at the character after it.
    if (!/[.eE]/.test(text) && this.text[after] === '.') {
      this.pos = after + 1;
      this.fail('after decimal point in numeric literal');
    }
    if (!/[eE]/.test(text) && /^[eE]/.test(this.text[after] ?? '')) {
      this.pos = after + 1;
      if (this.text[this.pos] === '+' || this.text[this.pos] === '-') this.pos++;
      this.fail('in exponent of numeric literal');
    }
    this.pos += text.length;
    return { kind: 'number', text, value: Number(text) };
  }
}

/** Parses JSON text, keeping member order; the error text follows Go's encoding/json. */
export function parseJson(text: string): JsonParseResult {
  try {
    return { ok: true, value: new Parser(text).parseTop() };
  } catch (e) {
    if (e instanceof SyntaxErr) return { ok: false, error: e.message };
    throw e;
  }
}

/** Go's `json.Unmarshal` into interface{} fails on numbers that do not fit a float64. */
export function findNonFiniteNumber(v: JsonValue): string | undefined {
  if (v.kind === 'number') return Number.isFinite(v.value) ? undefined : v.text;
  const children = v.kind === 'object' ? v.entries.map(([, c]) => c) : v.kind === 'array' ? v.items : [];
  for (const c of children) {
    const bad = findNonFiniteNumber(c);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** Byte-wise (UTF-8) string order, as Go's sort.Strings. */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** What a Go map round trip does to an object: members sorted, recursively. */
export function sortMembersDeep(v: JsonValue): JsonValue {
  if (v.kind === 'object') {
    const entries = v.entries.map(([k, c]): [string, JsonValue] => [k, sortMembersDeep(c)]);
    entries.sort(([a], [b]) => compareGoStrings(a, b));
    return { kind: 'object', entries };
  }
  if (v.kind === 'array') return { kind: 'array', items: v.items.map(sortMembersDeep) };
  return v;
}

/** gabs2 builds arrays by appending to a nil slice: an empty one marshals as `null`. */
function normalizeArray(v: JsonValue & { kind: 'array' }): JsonValue {
  return { kind: 'array', items: v.items.map(normalizeArrayElement), goNil: v.items.length === 0 };
}

function normalizeArrayElement(v: JsonValue): JsonValue {
  if (v.kind === 'null') return { kind: 'object', entries: [] };
  if (v.kind === 'array') return normalizeArray(v);
  return sortMembersDeep(v);
}

/**
 * gabs2.ParseJSON as vendored by polycubectl: a top-level object keeps member order; a top-level
 * array has each element re-marshalled by Go (members sorted; a null element becomes `{}`); a
 * top-level `null` becomes an empty object.
 */
export function gabsNormalize(v: JsonValue): JsonValue {
  if (v.kind === 'null') return { kind: 'object', entries: [] };
  if (v.kind === 'array') return normalizeArray(v);
  return v;
}

/** Member lookup; undefined when `v` is not an object or has no such member. */
export function getMember(v: JsonValue | undefined, key: string): JsonValue | undefined {
  if (v?.kind !== 'object') return undefined;
  const e = v.entries.find(([k]) => k === key);
  return e?.[1];
}

/** Go's encoding/json string escaping with HTML-safe escapes (the default for Marshal). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** How numbers are written: as float64 (what gabs decoded) or verbatim (pre-formatted text). */
export type NumberMode = 'float64' | 'verbatim';

function encodeNumber(v: { text: string; value: number }, mode: NumberMode): string {
  if (mode === 'verbatim') return v.text;
  return Object.is(v.value, -0) ? '-0' : String(v.value);
}

/**
 * Writes `v` as Go's json.Marshal (indent '') or json.MarshalIndent(v, "", indent) would. Never
 * fails; callers check non-finite numbers beforehand.
 */
export function encodeGoJson(v: JsonValue, indent = '', mode: NumberMode = 'float64', level = 0): string {
  const nl = indent === '' ? '' : '\n' + indent.repeat(level + 1);
  const close = indent === '' ? '' : '\n' + indent.repeat(level);
  const colon = indent === '' ? ':' : ': ';
  switch (v.kind) {
    case 'object':
      if (v.entries.length === 0) return '{}';
      return (
        '{' +
        v.entries
          .map(([k, c]) => nl + goQuote(k) + colon + encodeGoJson(c, indent, mode, level + 1))
          .join(',') +
        close +
        '}'
      );
    case 'array':
      if (v.goNil) return 'null';
      if (v.items.length === 0) return '[]';
      return '[' + v.items.map((c) => nl + encodeGoJson(c, indent, mode, level + 1)).join(',') + close + ']';
    case 'string':
      return goQuote(v.value);
    case 'number':
      return encodeNumber(v, mode);
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'null':
      return 'null';
  }
}
