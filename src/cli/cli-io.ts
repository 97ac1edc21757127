// The process around one polycubectl run (environment, streams, terminal, version): what
// run-cli.ts and apply/ both take, in a module of its own so neither imports the other for it.

/** The process around a run. */
export interface CliIo {
  env: Record<string, string | undefined>;
  writeStdout(text: string): void;
  writeStderr(text: string): void;
  /** Columns of the terminal on stdout, -1 when stdout is not a terminal. */
  terminalWidth: number;
  /** Content of stdin when it is a regular non-empty file, else undefined. */
  readStdin(): string | undefined;
  /** Printed by `version`; also the User-Agent. */
  version: string;
}
