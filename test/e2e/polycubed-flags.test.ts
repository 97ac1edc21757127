// polycubed's own flags on a real daemon (issue 18): --pidfile names the running process and is
// removed at exit, --cubes-dump-file is where the cubes are saved, --logfile receives the log
// lines that --loglevel lets through, --configfile gives flags as polycubed.conf does, and
// --cubes-dump-clean-init starts without the saved cubes.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack, REPO, TSX, waitFor } from '../fixtures/lbrp/e2e-stack';

describeE2e("e2e: polycubed's flags", () => {
  const stack = new LbrpStack();
  const dump = join(stack.dir, 'dump', 'cubes.json');
  const pidfile = join(stack.dir, 'pid', 'polycubed.pid');
  const logfile = join(stack.dir, 'log', 'polycubed.log');

  afterAll(() => stack.cleanup());

  it('--pidfile, --cubes-dump-file, --logfile and --loglevel on a running daemon', async () => {
    // An unusable dump file makes polycubed log an ERR line at start (and start without cubes).
    mkdirSync(join(stack.dir, 'dump'), { recursive: true });
    writeFileSync(dump, 'not json');
    stack.polycubedArgs = [
      '--cubes-dump-file',
      dump,
      '--pidfile',
      pidfile,
      '--logfile',
      logfile,
      '-l',
      'err',
    ];
    await stack.start();
    const pid = Number(readFileSync(pidfile, 'utf8'));
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('src/polycubed/main.ts');
    expect(readFileSync(logfile, 'utf8')).toMatch(/^\S+ ERR state file .*cubes\.json is unusable/m);
    await stack.ok('POST', 'lbrp/fl0/', {});
    await waitFor(
      async () => existsSync(dump) && readFileSync(dump, 'utf8').includes('fl0'),
      'the dump',
      10000,
    );
    await stack.stopPolycubed();
    expect(existsSync(pidfile)).toBe(false);
  }, 120000);

  it('--configfile with loglevel off writes nothing; --cubes-dump-clean-init forgets the saved cubes', async () => {
    writeFileSync(logfile, '');
    // … given through a polycubed-style config file this time.
    const conf = join(stack.dir, 'polycubed.conf');
    writeFileSync(
      conf,
      `# polycubed configuration\nloglevel: off\nlogfile: ${logfile}\ncubes-dump-file: ${dump}\n`,
    );
    stack.polycubedArgs = ['--configfile', conf];
    writeFileSync(dump, 'not json either');
    await stack.startPolycubed();
    await stack.stopPolycubed();
    expect(readFileSync(logfile, 'utf8')).toBe('');
    writeFileSync(dump, 'not json again');
    stack.polycubedArgs = ['--cubes-dump-file', dump, '--logfile', logfile, '--cubes-dump-clean-init'];
    await stack.startPolycubed();
    // The dump was removed before it was read: no ERR line about it.
    expect(readFileSync(logfile, 'utf8')).not.toMatch(/unusable/);
    expect(JSON.stringify(await stack.ok('GET', 'cubes/'))).not.toContain('fl0');
    expect(existsSync(dump) && readFileSync(dump, 'utf8').includes('fl0')).toBe(false);
  }, 120000);

  // --daemon: the command returns at once; a detached polycubed (without the flag) keeps running,
  // writes its pid file and listens on its gRPC socket until it is stopped.
  it('--daemon leaves a detached polycubed running', async () => {
    const dir = join(stack.dir, 'bg');
    const pin = `/sys/fs/bpf/fi-bg-${process.pid}`;
    const pid = join(dir, 'bg.pid');
    const sock = join(dir, 'bg.sock');
    let bg = 0;
    try {
      const out = execFileSync(
        TSX,
        [
          'src/polycubed/main.ts',
          '--daemon',
          '--pidfile',
          pid,
          '--grpc-socket',
          sock,
          '--pin-root',
          pin,
        ].concat(['--state-file', join(dir, 'cubes.json'), '--port', '0', '--logfile', join(dir, 'bg.log')]),
        { cwd: REPO, encoding: 'utf8', timeout: 30000 },
      );
      bg = Number(/process (\d+)/.exec(out)?.[1]);
      expect(bg).toBeGreaterThan(0);
      await waitFor(async () => existsSync(pid) && existsSync(sock), 'the pid file and the socket', 30000);
      expect(Number(readFileSync(pid, 'utf8'))).toBe(bg);
      const cmdline = readFileSync(`/proc/${bg}/cmdline`, 'utf8').split('\0');
      expect(cmdline).toContain(join(REPO, 'src/polycubed/main.ts'));
      expect(cmdline).not.toContain('--daemon');
      process.kill(bg, 'SIGTERM');
      await waitFor(async () => !existsSync(pid), 'the pid file to go at exit', 15000);
      bg = 0;
    } catch (err) {
      // Why the detached daemon stopped, if it did: its own log says.
      const log = existsSync(join(dir, 'bg.log')) ? readFileSync(join(dir, 'bg.log'), 'utf8') : '(no log)';
      throw new Error(`${(err as Error).message}\n--- bg.log:\n${log.slice(-3000)}`);
    } finally {
      try {
        if (bg > 0) process.kill(bg, 'SIGKILL');
      } catch {
        // already gone: the failure above (if any) is the one to report
      }
      rmSync(pin, { recursive: true, force: true });
    }
  }, 90000);
});
