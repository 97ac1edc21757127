// What both launchers do with polycubed's process flags before the daemon starts: --version
// (print and exit), --daemon (start a detached copy without the flag and exit),
// --cubes-dump-clean-init (forget the saved cubes), --pidfile (written now, removed at exit,
// however the process ends, and by the returned cleanup).

import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_OPTIONS } from './core/daemon-options';
import { VERSION_LINE, type DaemonFlags } from './daemon-flags';

/** Applies the flags; undefined means "exit now" (--version printed). Else a cleanup for exit. */
export function applyLaunchFlags(
  flags: DaemonFlags,
  out: (line: string) => void = console.log,
): (() => void) | undefined {
  if (flags.version) {
    out(VERSION_LINE);
    return undefined;
  }
  if (flags.background) {
    const args = process.argv.slice(2).filter((a) => a !== '--daemon' && a !== '-d');
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    out(`polycubed: running in the background as process ${child.pid}`);
    return undefined;
  }
  const stateFile = 'stateFile' in flags.daemon ? flags.daemon.stateFile : DEFAULT_OPTIONS.stateFile;
  if (flags.cleanInit && stateFile) rmSync(stateFile, { force: true });
  const pidfile = flags.pidfile;
  const cleanup = (): void => {
    if (pidfile) rmSync(pidfile, { force: true });
  };
  if (pidfile) {
    mkdirSync(dirname(pidfile), { recursive: true });
    writeFileSync(pidfile, `${process.pid}\n`);
    // Whatever ends the process (a stop, a crash, process.exit anywhere) takes the pid file along;
    // only SIGKILL leaves it.
    process.once('exit', cleanup);
  }
  return cleanup;
}
