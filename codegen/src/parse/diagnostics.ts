// Source positions and the collected codegen error shape, shared by parse/ and ir/.
// Every stage returns a list of these instead of throwing, so one run reports every problem.

/** A position in a YANG source file; line and column are 1-based. */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

/** Stable identifiers of codegen problems; tests and tools match on these, never on wording. */
export type CodegenErrorCode =
  | 'syntax'
  | 'unterminated-string'
  | 'unterminated-comment'
  | 'invalid-escape'
  | 'unknown-statement'
  | 'unexpected-statement'
  | 'missing-statement'
  | 'too-many-statements'
  | 'invalid-argument'
  | 'unsupported'
  | 'unreadable'
  | 'missing-import'
  | 'import-cycle'
  | 'wrong-module'
  | 'unknown-prefix'
  | 'unknown-typedef'
  | 'unknown-grouping'
  | 'unknown-extension'
  | 'unknown-identity'
  | 'grouping-cycle'
  | 'typedef-cycle'
  | 'duplicate'
  | 'bad-key'
  | 'bad-unique'
  | 'bad-type'
  | 'bad-restriction'
  | 'bad-default'
  | 'bad-config'
  | 'bad-augment'
  | 'bad-refine';

/** One codegen problem. `message` is what a user sees: `file:line:col: what was wrong`. */
export interface CodegenError {
  /** What kind of problem, stable across wording changes. */
  code: CodegenErrorCode;
  /** Where the problem is: the offending keyword, argument or opening quote. */
  loc: SourceLoc;
  /** The full text, prefixed with `file:line:col: `; lower-case after the prefix. */
  message: string;
}

/** Formats a location as `file:line:col`. */
export function formatLoc(loc: SourceLoc): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

/** Builds an error whose message is `detail` prefixed with the location. */
export function makeError(code: CodegenErrorCode, loc: SourceLoc, detail: string): CodegenError {
  return { code, loc, message: `${formatLoc(loc)}: ${detail}` };
}
