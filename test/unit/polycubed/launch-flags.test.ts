// polycubed's process flags as the launchers apply them: --version prints and stops the start,
// --pidfile is written then removed by the cleanup, --cubes-dump-clean-init removes the saved
// cubes; and the log sink: --loglevel filters the daemon's own lines, --logfile gets them too.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DAEMON_FLAG_OPTIONS, daemonFlags, VERSION_LINE } from '../../../src/polycubed/daemon-flags';
import { applyLaunchFlags } from '../../../src/polycubed/launch-flags';
import { logSink } from '../../../src/polycubed/log-sink';
import { runStopSteps } from '../../../src/polycubed/stop-signals';
import { REPO, TSX } from '../../fixtures/child-process';

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

  // However the process ends — a crash during the stop included — the pid file goes with it.
  it.each([
    ['an uncaught exception', "setImmediate(() => { throw new Error('boom'); });", 1],
    ['a rejected promise nobody handles', "void Promise.reject(new Error('boom'));", 1],
    ['process.exit elsewhere', 'process.exit(3);', 3],
  ])('--pidfile is removed when the process ends by %s', (_how, end, code) => {
    const pidfile = join(dir, 'p.pid');
    const script = `const { applyLaunchFlags } = require('./src/polycubed/launch-flags.ts');
const { daemonFlags, DAEMON_FLAG_OPTIONS } = require('./src/polycubed/daemon-flags.ts');
const { parseArgs } = require('node:util');
applyLaunchFlags(daemonFlags(parseArgs({ args: ['--pidfile=${pidfile}', '--state-file=${join(dir, 's.json')}'], options: DAEMON_FLAG_OPTIONS }).values));
if (!require('node:fs').existsSync('${pidfile}')) process.exit(99);
${end}`;
    const r = spawnSync(TSX, ['-e', script], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, pidfile: existsSync(pidfile) }).toEqual({ status: code, pidfile: false });
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

describe('stop steps', () => {
  it('runs every step in order, reports the ones that fail, and says so in the exit code', async () => {
    const ran: string[] = [];
    const lines: string[] = [];
    const code = await runStopSteps(
      [
        ['a', async () => void ran.push('a')],
        [
          'b',
          async () => {
            ran.push('b');
            throw new Error('socket gone');
          },
        ],
        ['c', () => (ran.push('c'), Promise.reject(new Error('busy')))],
        ['d', async () => void ran.push('d')],
      ],
      (l) => lines.push(l),
    );
    expect({ ran, lines, code }).toEqual({
      ran: ['a', 'b', 'c', 'd'],
      lines: ['stopping b failed: socket gone', 'stopping c failed: busy'],
      code: 1,
    });
    expect(await runStopSteps([['a', async () => undefined]], (l) => lines.push(l))).toBe(0);
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
