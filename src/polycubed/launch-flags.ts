// What both launchers do with polycubed's process flags before the daemon starts: --version
// (print and exit), --cubes-dump-clean-init (forget the saved cubes), --pidfile (written now,
// removed by the returned cleanup at exit).

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
  const stateFile = 'stateFile' in flags.daemon ? flags.daemon.stateFile : DEFAULT_OPTIONS.stateFile;
  if (flags.cleanInit && stateFile) rmSync(stateFile, { force: true });
  const pidfile = flags.pidfile;
  if (pidfile) {
    mkdirSync(dirname(pidfile), { recursive: true });
    writeFileSync(pidfile, `${process.pid}\n`);
  }
  return () => {
    if (pidfile) rmSync(pidfile, { force: true });
  };
}
