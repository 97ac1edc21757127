// YANG statement parser: tokens → a tree of `{keyword, prefix?, arg?, children, loc}`, checked against
// the grammar table (parse/grammar.ts). Knows syntax only; ir/ gives the statements their meaning.

import { type CodegenError, type SourceLoc, makeError } from './diagnostics';
import { type ArgKind, GRAMMAR } from './grammar';
import { type Token, tokenizeYang } from './lexer';

/** One YANG statement. Extension statements have a `prefix`; core statements never do. */
export interface Statement {
  /** The keyword without its prefix (`container`, or `cli-example` for `polycube-base:cli-example`). */
  keyword: string;
  /** The prefix of an extension keyword, as written. */
  prefix?: string;
  /** The argument after `+` concatenation, escapes and trimming; undefined when absent. */
  arg?: string;
  /** Position of the argument's first token. */
  argLoc?: SourceLoc;
  /** Substatements in source order, extension statements included. */
  children: Statement[];
  /** Position of the keyword. */
  loc: SourceLoc;
}

/** The result of parsing one file: its single top-level `module` / `submodule` statement, if any. */
export interface ParseResult {
  /** The module or submodule statement; absent when the file holds no usable one. */
  statement?: Statement;
  /** Lexical, syntax and grammar problems, each located; the tree may still be partial. */
  errors: CodegenError[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const IDENTIFIER_REF = /^([A-Za-z_][A-Za-z0-9_.-]*:)?[A-Za-z_][A-Za-z0-9_.-]*$/;

/** What each argument kind accepts, and how a mismatch is explained. */
const ARG_CHECKS: Record<
  Exclude<ArgKind, 'none' | 'string'>,
  { test: (s: string) => boolean; want: string }
> = {
  identifier: { test: (s) => IDENTIFIER.test(s), want: 'an identifier' },
  'identifier-ref': { test: (s) => IDENTIFIER_REF.test(s), want: 'an identifier, optionally prefixed' },
  boolean: { test: (s) => s === 'true' || s === 'false', want: 'true or false' },
  'non-negative-integer': { test: (s) => /^(0|[1-9][0-9]*)$/.test(s), want: 'a non-negative integer' },
  integer: { test: (s) => /^(0|-?[1-9][0-9]*)$/.test(s), want: 'an integer' },
  'max-value': {
    test: (s) => s === 'unbounded' || /^[1-9][0-9]*$/.test(s),
    want: 'a positive integer or unbounded',
  },
  'ordered-by': { test: (s) => s === 'system' || s === 'user', want: 'system or user' },
  status: {
    test: (s) => ['current', 'deprecated', 'obsolete'].includes(s),
    want: 'current, deprecated or obsolete',
  },
  'yang-version': { test: (s) => s === '1' || s === '1.1', want: '1 or 1.1' },
  date: { test: (s) => /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(s), want: 'a date YYYY-MM-DD' },
  modifier: { test: (s) => s === 'invert-match', want: 'invert-match' },
  'fraction-digits': { test: (s) => /^([1-9]|1[0-8])$/.test(s), want: 'an integer 1..18' },
};

/** Parses and grammar-checks one YANG file; never throws, every problem lands in `errors`. */
export function parseYang(text: string, file: string): ParseResult {
  const lexed = tokenizeYang(text, file);
  const parser = new StatementParser(lexed.tokens, lexed.truncated, file);
  const top = parser.parseTopLevel();
  const errors = [...lexed.errors, ...parser.errors];
  const statement = pickTopStatement(top, file, errors);
  // A truncated file lacks its tail, so "missing" substatements there are not worth reporting.
  if (statement) checkStatement(statement, errors, !lexed.truncated);
  return { statement, errors };
}

/** Parses statements without the grammar check (for tools and tests of the raw syntax). */
export function parseStatements(
  text: string,
  file: string,
): { statements: Statement[]; errors: CodegenError[] } {
  const lexed = tokenizeYang(text, file);
  const parser = new StatementParser(lexed.tokens, lexed.truncated, file);
  const statements = parser.parseTopLevel();
  return { statements, errors: [...lexed.errors, ...parser.errors] };
}

function pickTopStatement(top: Statement[], file: string, errors: CodegenError[]): Statement | undefined {
  if (top.length === 0) {
    if (errors.length === 0)
      errors.push(makeError('syntax', { file, line: 1, col: 1 }, 'expected a module statement'));
    return undefined;
  }
  const [first, ...rest] = top;
  for (const extra of rest) {
    errors.push(
      makeError('syntax', extra.loc, `unexpected statement "${extra.keyword}" after the end of the module`),
    );
  }
  if (first.prefix !== undefined || (first.keyword !== 'module' && first.keyword !== 'submodule')) {
    errors.push(makeError('syntax', first.loc, `expected module or submodule, found "${first.keyword}"`));
    return undefined;
  }
  return first;
}

class StatementParser {
  readonly errors: CodegenError[] = [];
  private pos = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly truncated: boolean,
    private readonly file: string,
  ) {}

  parseTopLevel(): Statement[] {
    return this.parseBlock(undefined);
  }

  /** Parses statements until the closing `}` of `opener` (or end of input when `opener` is undefined). */
  private parseBlock(opener: Statement | undefined): Statement[] {
    const out: Statement[] = [];
    while (this.pos < this.tokens.length) {
      const t = this.tokens[this.pos];
      if (t.kind === 'rbrace') {
        this.pos++;
        if (opener) return out;
        this.errors.push(makeError('syntax', t.loc, 'unexpected "}"'));
      } else if (t.kind !== 'string') {
        this.pos++;
        this.errors.push(makeError('syntax', t.loc, `unexpected "${t.text}": expected a keyword`));
      } else {
        out.push(this.parseStatement());
      }
    }
    if (opener && !this.truncated) {
      this.errors.push(
        makeError(
          'syntax',
          this.endLoc(),
          `unexpected end of file: missing "}" of "${opener.keyword}" at line ${opener.loc.line}`,
        ),
      );
    }
    return out;
  }

  private parseStatement(): Statement {
    const kw = this.tokens[this.pos++];
    const stmt = this.keywordOf(kw);
    const next = this.tokens[this.pos];
    if (next?.kind === 'string') {
      stmt.argLoc = next.loc;
      stmt.arg = this.parseArgument();
    }
    const end = this.tokens[this.pos];
    if (end?.kind === 'semi') {
      this.pos++;
    } else if (end?.kind === 'lbrace') {
      this.pos++;
      stmt.children = this.parseBlock(stmt);
    } else if (end === undefined) {
      if (!this.truncated) {
        this.errors.push(
          makeError(
            'syntax',
            this.endLoc(),
            `unexpected end of file: expected ";" or "{" after "${kw.text}"`,
          ),
        );
      }
    } else {
      this.errors.push(
        makeError('syntax', end.loc, `unexpected "${end.text}": expected ";" or "{" after "${kw.text}"`),
      );
    }
    return stmt;
  }

  private keywordOf(kw: Token): Statement {
    const stmt: Statement = { keyword: kw.text, children: [], loc: kw.loc };
    if (kw.quoted || !IDENTIFIER_REF.test(kw.text)) {
      this.errors.push(makeError('syntax', kw.loc, `invalid keyword "${kw.text}": expected an identifier`));
      return stmt;
    }
    const colon = kw.text.indexOf(':');
    if (colon >= 0) {
      stmt.prefix = kw.text.slice(0, colon);
      stmt.keyword = kw.text.slice(colon + 1);
    }
    return stmt;
  }

  /** Reads one argument; quoted strings joined by `+` are concatenated (RFC 7950 §6.1.3). */
  private parseArgument(): string {
    const first = this.tokens[this.pos++];
    let value = first.text;
    if (!first.quoted) return value;
    for (;;) {
      const plus = this.tokens[this.pos];
      const after = this.tokens[this.pos + 1];
      if (plus?.kind !== 'string' || plus.quoted || plus.text !== '+') return value;
      if (after?.kind !== 'string' || !after.quoted) {
        this.errors.push(makeError('syntax', plus.loc, 'expected a quoted string after "+"'));
        // Take an unquoted word after the "+" as the intended part, so it does not start a statement.
        this.pos += after?.kind === 'string' ? 2 : 1;
        return after?.kind === 'string' ? value + after.text : value;
      }
      value += after.text;
      this.pos += 2;
    }
  }

  private endLoc(): SourceLoc {
    const last = this.tokens[this.tokens.length - 1];
    return last
      ? { ...last.loc, col: last.loc.col + last.text.length }
      : { file: this.file, line: 1, col: 1 };
  }
}

/** Checks a statement and its descendants against the grammar table. Extension statements are free-form. */
function checkStatement(stmt: Statement, errors: CodegenError[], reportMissing: boolean): void {
  const rule = GRAMMAR[stmt.keyword];
  checkArgument(stmt, rule.arg, errors);
  const counts = new Map<string, number>();
  for (const child of stmt.children) {
    if (child.prefix !== undefined) continue;
    if (!(child.keyword in GRAMMAR)) {
      errors.push(makeError('unknown-statement', child.loc, `unknown statement "${child.keyword}"`));
      continue;
    }
    const card = rule.children[child.keyword];
    if (card === undefined) {
      errors.push(
        makeError(
          'unexpected-statement',
          child.loc,
          `unexpected statement "${child.keyword}" in "${stmt.keyword}"`,
        ),
      );
      continue;
    }
    const n = (counts.get(child.keyword) ?? 0) + 1;
    counts.set(child.keyword, n);
    if (n === 2 && (card === '0..1' || card === '1')) {
      errors.push(
        makeError(
          'too-many-statements',
          child.loc,
          `too many "${child.keyword}" in "${stmt.keyword}": expected at most one`,
        ),
      );
    }
    checkStatement(child, errors, reportMissing);
  }
  for (const [keyword, card] of Object.entries(rule.children)) {
    if (reportMissing && (card === '1' || card === '1..n') && !counts.has(keyword)) {
      errors.push(makeError('missing-statement', stmt.loc, `missing "${keyword}" in "${stmt.keyword}"`));
    }
  }
}

function checkArgument(stmt: Statement, kind: ArgKind, errors: CodegenError[]): void {
  if (kind === 'none') {
    if (stmt.arg !== undefined) {
      errors.push(
        makeError('invalid-argument', stmt.argLoc ?? stmt.loc, `"${stmt.keyword}" takes no argument`),
      );
    }
    return;
  }
  if (stmt.arg === undefined) {
    errors.push(makeError('invalid-argument', stmt.loc, `missing argument of "${stmt.keyword}"`));
    return;
  }
  if (kind === 'string') return;
  const check = ARG_CHECKS[kind];
  if (!check.test(stmt.arg)) {
    errors.push(
      makeError(
        'invalid-argument',
        stmt.argLoc ?? stmt.loc,
        `invalid argument "${stmt.arg}" of "${stmt.keyword}": expected ${check.want}`,
      ),
    );
  }
}
