// polycubed's process flags as the launchers apply them: --version prints and stops the start,
// --pidfile is written then removed by the cleanup, --cubes-dump-clean-init removes the saved
// cubes; and the log sink: --loglevel filters the daemon's own lines, --logfile gets them too.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DAEMON_FLAG_OPTIONS, daemonFlags, VERSION_LINE } from '../../../src/polycubed/daemon-flags';
import { applyLaunchFlags } from '../../../src/polycubed/launch-flags';
import { logSink } from '../../../src/polycubed/log-sink';

const parse = (args: string[]) => daemonFlags(parseArgs({ args, options: DAEMON_FLAG_OPTIONS }).values);

describe('launch flags', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fi-launch-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--version prints the version and stops the start', () => {
    const out: string[] = [];
    expect(applyLaunchFlags(parse(['--version']), (l) => out.push(l))).toBeUndefined();
    expect(out).toEqual([VERSION_LINE]);
  });

  it('--pidfile holds the process id until the cleanup', () => {
    const pidfile = join(dir, 'run', 'polycubed.pid');
    const cleanup = applyLaunchFlags(parse([`--pidfile=${pidfile}`, `--state-file=${join(dir, 's.json')}`]));
    expect(readFileSync(pidfile, 'utf8')).toBe(`${process.pid}\n`);
    cleanup?.();
    expect(existsSync(pidfile)).toBe(false);
  });

  it('--cubes-dump-clean-init removes the saved cubes, and only with the flag', () => {
    const state = join(dir, 'cubes.json');
    writeFileSync(state, '{}');
    applyLaunchFlags(parse([`--cubes-dump-file=${state}`]))?.();
    expect(existsSync(state)).toBe(true);
    applyLaunchFlags(parse([`--cubes-dump-file=${state}`, '--cubes-dump-clean-init']))?.();
    expect(existsSync(state)).toBe(false);
  });
});

describe('log sink', () => {
  it("--loglevel hides the daemon's lines below it; cube lines follow --quiet only", () => {
    const out: string[] = [];
    const sink = logSink(parse(['--loglevel=warn']), (l) => out.push(l));
    sink({ level: 'INFO', message: 'started' });
    sink({ level: 'WARN', message: 'late' });
    sink({ cube: 'lb0', level: 'DEBUG', message: 'new session' });
    expect(out).toEqual(['WARN late', '[lb0] DEBUG new session']);
    const quiet: string[] = [];
    logSink(parse(['--quiet']), (l) => quiet.push(l))({ cube: 'lb0', level: 'INFO', message: 'x' });
    expect(quiet).toEqual([]);
  });

  it('--logfile appends each printed line, timestamped, creating its directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fi-log-'));
    try {
      const file = join(dir, 'log', 'polycubed.log');
      const sink = logSink(parse([`--logfile=${file}`]), () => undefined);
      sink({ level: 'INFO', message: 'one' });
      sink({ level: 'DEBUG', message: 'hidden' });
      sink({ cube: 'lb0', level: 'TRACE', message: 'two' });
      const lines = readFileSync(file, 'utf8').split('\n');
      expect(lines.map((l) => l.replace(/^\S+ /, ''))).toEqual(['INFO one', '[lb0] TRACE two', '']);
      expect(Number.isNaN(Date.parse(lines[0].split(' ')[0]))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
