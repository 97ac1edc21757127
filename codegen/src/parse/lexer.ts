// YANG lexer (RFC 7950 §6): turns source text into `{ } ;` and string tokens with positions.
// First stage of codegen: parse/parser.ts builds statements from these tokens.

import { type CodegenError, type SourceLoc, makeError } from './diagnostics';

export type TokenKind = 'string' | 'lbrace' | 'rbrace' | 'semi';

/** One lexical token. Strings carry their unescaped, trimmed text. */
export interface Token {
  /** `string` for every string form; `lbrace`, `rbrace`, `semi` for `{`, `}`, `;`. */
  kind: TokenKind;
  /** The string value (escapes resolved, multi-line indentation trimmed), or the punctuation char. */
  text: string;
  /** True for single- or double-quoted strings; a quoted string is never a keyword. */
  quoted: boolean;
  /** Position of the first character of the token (the opening quote for quoted strings). */
  loc: SourceLoc;
}

/** The result of lexing one file; `truncated` is set when an unterminated string or comment ate the end. */
export interface LexResult {
  /** Every token in source order, including the (partial) text of an unterminated string. */
  tokens: Token[];
  /** Lexical problems, each located. */
  errors: CodegenError[];
  /** An unterminated string or comment consumed the rest of the file. */
  truncated: boolean;
}

/** RFC 7950 §6.1.3: a tab in stripped indentation counts as 8 spaces. */
const TAB_WIDTH = 8;

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\' };

/** Lexes YANG source text; never throws, every problem lands in `errors`. */
export function tokenizeYang(text: string, file: string): LexResult {
  return new Lexer(text, file).run();
}

class Lexer {
  private pos = 0;
  private line = 1;
  private col = 1;
  private lineStart = 0;
  private readonly tokens: Token[] = [];
  private readonly errors: CodegenError[] = [];
  private truncated = false;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  run(): LexResult {
    for (;;) {
      this.skipSpaceAndComments();
      if (this.pos >= this.text.length) break;
      const c = this.text[this.pos];
      const loc = this.loc();
      if (c === '{' || c === '}' || c === ';') {
        const kind: TokenKind = c === '{' ? 'lbrace' : c === '}' ? 'rbrace' : 'semi';
        this.tokens.push({ kind, text: c, quoted: false, loc });
        this.advance();
      } else if (c === '"') {
        this.lexDoubleQuoted(loc);
      } else if (c === "'") {
        this.lexSingleQuoted(loc);
      } else {
        this.lexUnquoted(loc);
      }
    }
    return { tokens: this.tokens, errors: this.errors, truncated: this.truncated };
  }

  private loc(): SourceLoc {
    return { file: this.file, line: this.line, col: this.col };
  }

  private advance(): void {
    if (this.text[this.pos] === '\n') {
      this.line++;
      this.col = 1;
      this.lineStart = this.pos + 1;
    } else {
      this.col++;
    }
    this.pos++;
  }

  private startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  private skipSpaceAndComments(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.advance();
      } else if (this.startsWith('//')) {
        while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.advance();
      } else if (this.startsWith('/*')) {
        const loc = this.loc();
        const end = this.text.indexOf('*/', this.pos + 2);
        const stop = end < 0 ? this.text.length : end + 2;
        while (this.pos < stop) this.advance();
        if (end < 0) {
          this.errors.push(makeError('unterminated-comment', loc, 'unterminated comment: missing "*/"'));
          this.truncated = true;
        }
      } else {
        return;
      }
    }
  }

  private lexUnquoted(loc: SourceLoc): void {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (' \t\r\n;{}"\''.includes(c) || this.startsWith('//') || this.startsWith('/*')) break;
      this.advance();
    }
    const text = this.text.slice(start, this.pos);
    const next = this.text[this.pos];
    if (next === '"' || next === "'") {
      this.errors.push(
        makeError(
          'syntax',
          this.loc(),
          `unexpected quote after unquoted string "${text}": expected whitespace`,
        ),
      );
    }
    this.tokens.push({ kind: 'string', text, quoted: false, loc });
  }

  private lexSingleQuoted(loc: SourceLoc): void {
    this.advance();
    const start = this.pos;
    while (this.pos < this.text.length && this.text[this.pos] !== "'") this.advance();
    const text = this.text.slice(start, this.pos);
    if (this.pos >= this.text.length) {
      this.unterminated(loc);
    } else {
      this.advance();
    }
    this.tokens.push({ kind: 'string', text, quoted: true, loc });
  }

  /**
   * Double-quoted string: resolves `\n \t \" \\`, strips whitespace before each line break, and strips
   * indentation of continuation lines up to and including the opening quote's column (RFC 7950 §6.1.3).
   */
  private lexDoubleQuoted(loc: SourceLoc): void {
    const quoteIndent = this.visualColumn(this.lineStart, this.pos);
    this.advance();
    let out = '';
    let pendingSpace = '';
    for (;;) {
      if (this.pos >= this.text.length) {
        this.unterminated(loc);
        break;
      }
      const c = this.text[this.pos];
      if (c === '"') {
        out += pendingSpace;
        this.advance();
        break;
      }
      if (c === '\\') {
        out += pendingSpace;
        pendingSpace = '';
        out += this.lexEscape();
      } else if (c === '\n' || (c === '\r' && this.text[this.pos + 1] === '\n')) {
        if (c === '\r') this.advance();
        this.advance();
        out += '\n';
        pendingSpace = this.skipIndent(quoteIndent);
      } else if (c === ' ' || c === '\t') {
        pendingSpace += c;
        this.advance();
      } else {
        out += pendingSpace + c;
        pendingSpace = '';
        this.advance();
      }
    }
    this.tokens.push({ kind: 'string', text: out, quoted: true, loc });
  }

  /** Consumes a backslash escape and returns its value; an unknown escape is kept verbatim. */
  private lexEscape(): string {
    const loc = this.loc();
    this.advance();
    const e = this.text[this.pos];
    if (e === undefined) return '\\';
    const value = ESCAPES[e];
    if (value === undefined) {
      this.errors.push(
        makeError(
          'invalid-escape',
          loc,
          `invalid escape "\\${e}" in double-quoted string: expected \\n \\t \\" or \\\\`,
        ),
      );
      return '\\';
    }
    this.advance();
    return value;
  }

  /** Skips the indentation of a continuation line; returns the part of a tab that reaches past the limit. */
  private skipIndent(quoteIndent: number): string {
    const limit = quoteIndent + 1;
    let col = 0;
    while (col < limit) {
      const c = this.text[this.pos];
      if (c === ' ') {
        col++;
      } else if (c === '\t') {
        col += TAB_WIDTH;
      } else {
        return '';
      }
      this.advance();
    }
    return ' '.repeat(col - limit);
  }

  /** Column (0-based) of `index` on the line starting at `from`, counting a tab as 8 spaces. */
  private visualColumn(from: number, index: number): number {
    let col = 0;
    for (let i = from; i < index; i++) col += this.text[i] === '\t' ? TAB_WIDTH : 1;
    return col;
  }

  private unterminated(loc: SourceLoc): void {
    this.errors.push(makeError('unterminated-string', loc, 'unterminated string: missing closing quote'));
    this.truncated = true;
  }
}
