// The indenting text writer every emitter writes through (two spaces per level, "\n" line ends,
// one trailing newline), with helpers for blocks and TSDoc comments. Knows nothing of YANG.

/** Accumulates lines of source text at the current indentation. */
export class TextWriter {
  private readonly out: string[] = [];
  private depth = 0;

  /** Writes one line at the current indentation; an empty line has no indentation. */
  line(text = ''): this {
    this.out.push(text === '' ? '' : '  '.repeat(this.depth) + text);
    return this;
  }

  /** Writes an empty line unless the output is empty or already ends with one. */
  blank(): this {
    if (this.out.length > 0 && this.out[this.out.length - 1] !== '') this.out.push('');
    return this;
  }

  /** Runs `body` one level deeper. */
  indent(body: () => void): this {
    this.depth++;
    try {
      body();
    } finally {
      this.depth--;
    }
    return this;
  }

  /** Writes `open`, then `body` indented, then `close`. */
  block(open: string, body: () => void, close = '}'): this {
    this.line(open);
    this.indent(body);
    return this.line(close);
  }

  /**
   * Writes a TSDoc comment of `paragraphs` (each may span lines; empty ones are dropped):
   * `/** text *\/` for a single short line, else one ` * ` line per text line with a blank
   * ` *` line between paragraphs. `*\/` inside the text is escaped; trailing spaces are trimmed.
   */
  doc(...paragraphs: (string | undefined)[]): this {
    const paras = paragraphs
      .filter((p): p is string => p !== undefined && p.trim() !== '')
      .map((p) =>
        p
          .replace(/\*\//g, '*\\/')
          .split('\n')
          .map((l) => l.trimEnd()),
      );
    if (paras.length === 0) return this;
    if (paras.length === 1 && paras[0].length === 1 && paras[0][0].length <= 100) {
      return this.line(`/** ${paras[0][0].trim()} */`);
    }
    this.line('/**');
    paras.forEach((lines, i) => {
      if (i > 0) this.line(' *');
      for (const l of lines) this.line(l === '' ? ' *' : ` * ${l}`);
    });
    return this.line(' */');
  }

  /** Returns the text written so far, ending in exactly one newline. */
  toString(): string {
    const lines = [...this.out];
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n') + '\n';
  }
}
