// Where the CLI's text goes. Like the real client, most output is buffered and printed once at
// exit, while a few writes (config warnings, the columnize "terminal too small" notice) go to
// stdout immediately and therefore appear before everything buffered.

/** Thrown to stop the run with an exit code; the runner flushes the buffer first. */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Output sink of one CLI run. */
export class Screen {
  private buffered = '';

  /**
   * @param terminalWidth columns of the terminal on stdout, or -1 when stdout is not a terminal.
   * @param writeStdout writes text to stdout right away.
   */
  constructor(
    readonly terminalWidth: number,
    private readonly writeStdout: (text: string) => void,
  ) {}

  /** Appends to the text printed at exit. */
  add(text: string): void {
    this.buffered += text;
  }

  /** Prints right away, ahead of the buffered text. */
  direct(text: string): void {
    this.writeStdout(text);
  }

  /** The buffered text so far. */
  get text(): string {
    return this.buffered;
  }

  /** Replaces the buffered text (the real client rewrites it before printing, see run-cli). */
  replace(text: string): void {
    this.buffered = text;
  }

  /** Prints the buffered text and empties the buffer. */
  flush(): void {
    if (this.buffered !== '') this.writeStdout(this.buffered);
    this.buffered = '';
  }
}
