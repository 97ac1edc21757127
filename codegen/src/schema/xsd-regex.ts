// XSD regular expressions (YANG `pattern`, RFC 7950 §9.4.5) → ECMAScript source for a `u`-flag
// RegExp. Part of schema/: JSON Schema `pattern` keywords are built from these translations.
// XSD patterns are implicitly anchored, treat `^`/`$` as literals and know class subtraction.

/** Result of translating one XSD pattern: ECMAScript source, or why it cannot be translated. */
export type RegexTranslation = { ok: true; source: string } | { ok: false; message: string };

/** A parsed character-class member: a fragment usable inside `[...]`, or a complement of one. */
interface ClassPart {
  /** Text valid inside an ECMAScript `u` character class. */
  fragment: string;
  /** True when the part means "any character not in [fragment]". */
  negated: boolean;
}

// XSD multi-character escapes (XML Schema Part 2, appendix F.1.1). \i and \c are the XML 1.0
// name-start and name characters, approximated with Unicode categories (Letter, Nl, digits, marks).
const MULTI_CHAR_ESCAPES: Record<string, ClassPart> = {
  s: { fragment: ' \\t\\n\\r', negated: false },
  S: { fragment: ' \\t\\n\\r', negated: true },
  d: { fragment: '\\p{Nd}', negated: false },
  D: { fragment: '\\p{Nd}', negated: true },
  w: { fragment: '\\p{P}\\p{Z}\\p{C}', negated: true },
  W: { fragment: '\\p{P}\\p{Z}\\p{C}', negated: false },
  i: { fragment: '\\p{L}\\p{Nl}_:', negated: false },
  I: { fragment: '\\p{L}\\p{Nl}_:', negated: true },
  c: { fragment: '\\p{L}\\p{Nl}\\p{Nd}\\p{Mn}\\p{Mc}\\p{Lm}._:\\-\\u00B7', negated: false },
  C: { fragment: '\\p{L}\\p{Nl}\\p{Nd}\\p{Mn}\\p{Mc}\\p{Lm}._:\\-\\u00B7', negated: true },
};

// Single-character escapes and the character each stands for.
const SINGLE_CHAR_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '\\': '\\',
  '|': '|',
  '.': '.',
  '?': '?',
  '*': '*',
  '+': '+',
  '(': '(',
  ')': ')',
  '{': '{',
  '}': '}',
  '-': '-',
  '[': '[',
  ']': ']',
  '^': '^',
};

// Unicode general categories XSD allows in \p{..}; ECMAScript knows the same names.
const CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po Z Zs Zl Zp S Sm Sc Sk So C Cc Cf Co Cn'.split(
    ' ',
  ),
);

// XSD block escapes (\p{IsX}) have no ECMAScript equivalent; the few common blocks as ranges.
const BLOCKS: Record<string, string> = {
  BasicLatin: '\\u0000-\\u007F',
  'Latin-1Supplement': '\\u0080-\\u00FF',
  'LatinExtended-A': '\\u0100-\\u017F',
  'LatinExtended-B': '\\u0180-\\u024F',
  Greek: '\\u0370-\\u03FF',
  Cyrillic: '\\u0400-\\u04FF',
};

const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/'.split(''));
const CLASS_SPECIAL = new Set('\\]^-['.split(''));

class TranslateError extends Error {}

/** Writes one code point so that it is literal outside a character class. */
function literalOutside(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return SYNTAX_CHARS.has(ch) ? '\\' + ch : ch;
}

/** Writes one code point so that it is literal inside a character class. */
function literalInside(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return CLASS_SPECIAL.has(ch) ? '\\' + ch : ch;
}

/** Renders a class from its parts: `[..]` when possible, else alternation and lookahead. */
function renderClass(parts: ClassPart[], negated: boolean, subtract?: string): string {
  const simple = parts.filter((p) => !p.negated).map((p) => p.fragment);
  const complex = parts.filter((p) => p.negated).map((p) => `[^${p.fragment}]`);
  let base: string;
  if (complex.length === 0) {
    base = `[${negated ? '^' : ''}${simple.join('')}]`;
  } else {
    const union = [...(simple.length > 0 ? [`[${simple.join('')}]`] : []), ...complex];
    const alt = union.length === 1 ? union[0] : `(?:${union.join('|')})`;
    base = negated ? `(?:(?!${alt})[\\s\\S])` : alt;
  }
  return subtract === undefined ? base : `(?:(?!${subtract})${base})`;
}

/** Recursive-descent translator over the code points of one pattern. */
class XsdTranslator {
  private pos = 0;
  private readonly cps: string[];

  constructor(pattern: string) {
    this.cps = Array.from(pattern);
  }

  translate(): string {
    const body = this.regExp();
    if (this.pos < this.cps.length) throw this.fail(`unexpected "${this.cps[this.pos]}"`);
    return `^(?:${body})$`;
  }

  private fail(message: string): TranslateError {
    return new TranslateError(`${message} at offset ${this.pos}`);
  }

  private peek(offset = 0): string | undefined {
    return this.cps[this.pos + offset];
  }

  private regExp(): string {
    const branches = [this.branch()];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.branch());
    }
    return branches.join('|');
  }

  private branch(): string {
    let out = '';
    for (let ch = this.peek(); ch !== undefined && ch !== '|' && ch !== ')'; ch = this.peek()) {
      out += this.atom() + this.quantifier();
    }
    return out;
  }

  private quantifier(): string {
    const ch = this.peek();
    if (ch === '?' || ch === '*' || ch === '+') {
      this.pos++;
      return ch;
    }
    if (ch !== '{') return '';
    let text = '';
    this.pos++;
    while (this.peek() !== undefined && this.peek() !== '}') text += this.cps[this.pos++];
    if (this.peek() !== '}' || !/^\d+(,\d*)?$/.test(text)) throw this.fail('bad quantifier');
    this.pos++;
    return `{${text}}`;
  }

  private atom(): string {
    const ch = this.cps[this.pos++];
    switch (ch) {
      case '(': {
        const inner = this.regExp();
        if (this.peek() !== ')') throw this.fail('missing ")"');
        this.pos++;
        return `(?:${inner})`;
      }
      case '[':
        return this.classExpr();
      case '.':
        return '[^\\n\\r]';
      case '\\':
        return this.escapeOutside();
      case '?':
      case '*':
      case '+':
      case '{':
      case '}':
      case ']':
        throw new TranslateError(`unescaped "${ch}" at offset ${this.pos - 1}`);
      default:
        return literalOutside(ch);
    }
  }

  private escapeOutside(): string {
    const part = this.escape();
    if (typeof part === 'string') return literalOutside(part);
    return renderClass([part], false);
  }

  /** Parses the escape after a backslash: a single character or a class part. */
  private escape(): string | ClassPart {
    const ch = this.cps[this.pos++];
    if (ch === undefined) throw this.fail('trailing backslash');
    if (ch in SINGLE_CHAR_ESCAPES) return SINGLE_CHAR_ESCAPES[ch];
    if (ch in MULTI_CHAR_ESCAPES) return MULTI_CHAR_ESCAPES[ch];
    if (ch === 'p' || ch === 'P') return { fragment: this.property(), negated: ch === 'P' };
    throw this.fail(`unknown escape "\\${ch}"`);
  }

  private property(): string {
    if (this.peek() !== '{') throw this.fail('expected "{" after \\p');
    this.pos++;
    let name = '';
    while (this.peek() !== undefined && this.peek() !== '}') name += this.cps[this.pos++];
    if (this.peek() !== '}') throw this.fail('missing "}" in \\p{..}');
    this.pos++;
    if (CATEGORIES.has(name)) return `\\p{${name}}`;
    if (name.startsWith('Is') && name.slice(2) in BLOCKS) return BLOCKS[name.slice(2)];
    throw this.fail(`unsupported character property "${name}"`);
  }

  /** Parses a class expression after its "[" up to and including "]". */
  private classExpr(): string {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const parts: ClassPart[] = [];
    let subtract: string | undefined;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw this.fail('missing "]"');
      if (ch === ']' && parts.length > 0) break;
      if (ch === '-' && this.peek(1) === '[') {
        this.pos += 2;
        subtract = this.classExpr();
        if (this.peek() !== ']') throw this.fail('subtraction must end the class');
        break;
      }
      parts.push(this.classItem());
    }
    this.pos++;
    if (parts.length === 0) throw this.fail('empty character class');
    return renderClass(parts, negated, subtract);
  }

  private classItem(): ClassPart {
    const first = this.classChar();
    if (typeof first !== 'string') return first;
    const next = this.peek(1);
    if (this.peek() === '-' && next !== undefined && next !== ']' && next !== '[') {
      this.pos++;
      const last = this.classChar();
      if (typeof last !== 'string') throw this.fail('range ends in a class escape');
      if (first.codePointAt(0)! > last.codePointAt(0)!) throw this.fail('range out of order');
      return { fragment: `${literalInside(first)}-${literalInside(last)}`, negated: false };
    }
    return { fragment: literalInside(first), negated: false };
  }

  private classChar(): string | ClassPart {
    const ch = this.cps[this.pos++];
    if (ch === '\\') return this.escape();
    if (ch === '[') throw this.fail('unescaped "[" in class');
    return ch;
  }
}

/**
 * Translates an XSD regex (as written in a YANG `pattern`) into ECMAScript source for
 * `new RegExp(source, 'u')` that matches the same strings, anchored at both ends. Never throws;
 * an unsupported construct (e.g. an unknown `\p{IsBlock}`) comes back as `{ ok: false }`.
 */
export function translateXsdRegex(pattern: string): RegexTranslation {
  try {
    const source = new XsdTranslator(pattern).translate();
    new RegExp(source, 'u');
    return { ok: true, source };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, message: `cannot translate pattern '${pattern}': ${message}` };
  }
}
