// Entry of our `polycubectl` (bin/polycubectl.js runs it through tsx): wires process stdin,
// stdout, stderr, the terminal width and the environment into runCli.

import * as fs from 'fs';
import * as path from 'path';
import { runCli } from './run-cli';

/** The lbrp package version, printed by `polycubectl version`. */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** stdin is used as the body only when it is a non-empty regular file (`< file`), never a pipe. */
function readStdinFile(): string | undefined {
  try {
    const st = fs.fstatSync(0);
    if (st.isCharacterDevice() || !st.isFile() || st.size === 0) return undefined;
    return fs.readFileSync(0, 'utf8');
  } catch {
    return undefined;
  }
}

/** Runs the CLI with `argv` (without node and script) and resolves with the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, {
    env: process.env,
    writeStdout: (t) => void process.stdout.write(t),
    writeStderr: (t) => void process.stderr.write(t),
    terminalWidth: process.stdout.isTTY ? process.stdout.columns : -1,
    readStdin: readStdinFile,
    version: packageVersion(),
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`polycubectl: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
