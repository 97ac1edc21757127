// Where both launchers print the daemon's 'log' events: stdout, and with polycubed's --logfile
// appended to that file too (timestamped). polycubed's --loglevel hides the daemon's own messages
// below it; cube messages keep following each cube's `loglevel`. --quiet hides cube messages.

import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { levelIndex, type LogEvent, type LogLevel } from './core/types';

/** What the log sink needs from the flags. */
export interface LogSinkOptions {
  quiet: boolean;
  /** Lowest level of the daemon's own messages that is printed. */
  loglevel: LogLevel;
  /** File the lines are appended to as well (created with its directory). */
  logfile?: string;
}

/** A line of an event as printed: `[cube] LEVEL message`, or `LEVEL message` for the daemon. */
export function logLine(ev: LogEvent): string {
  return `${ev.cube ? `[${ev.cube}] ` : ''}${ev.level} ${ev.message}`;
}

/** A 'log' listener printing to `out` (and the log file) what the options let through. */
export function logSink(
  opts: LogSinkOptions,
  out: (line: string) => void = console.log,
): (ev: LogEvent) => void {
  if (opts.logfile) mkdirSync(dirname(opts.logfile), { recursive: true });
  return (ev) => {
    if (ev.cube ? opts.quiet : levelIndex(ev.level) < levelIndex(opts.loglevel)) return;
    const line = logLine(ev);
    out(line);
    if (opts.logfile) appendFileSync(opts.logfile, `${new Date().toISOString()} ${line}\n`);
  };
}
