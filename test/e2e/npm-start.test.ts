// `npm start` (src/main.ts): polycubed and the lbrp service in one process, as a child with a
// private pin root, socket, state file and REST port. Its help and a bad flag; then it serves an
// lbrp cube over REST, stops on SIGTERM leaving the cube persisted and pinned, and the next start
// adopts it. Needs root; skipped otherwise.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack, TSX, type Child } from '../fixtures/lbrp/e2e-stack';

jest.setTimeout(240_000);

/** A free TCP port on 127.0.0.1 (bound then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Signals the node process tsx started (not tsx nor the group); tsx exits with node's code. */
function signal(child: Child, sig: NodeJS.Signals): void {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.proc.pid)], { encoding: 'utf8' });
  const pids = out
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
  expect(pids).toHaveLength(1);
  process.kill(pids[0], sig);
}

describeE2e('e2e: npm start (polycubed and lbrp in one process)', () => {
  const stack = new LbrpStack();

  afterAll(() => stack.cleanup());

  const start = (extra: string[] = []): Child =>
    stack.spawn([
      TSX,
      'src/main.ts',
      '--grpc-socket',
      stack.socket,
      '--pin-root',
      stack.pinRoot,
      '--state-file',
      stack.stateFile,
      '--cache-dir',
      `${stack.dir}/cache`,
      '--port',
      String(stack.port),
      '--quiet',
      ...extra,
    ]);

  it('prints its usage for --help and refuses an unknown flag', async () => {
    const help = stack.spawn([TSX, 'src/main.ts', '--help']);
    expect(await help.waitExit(60_000)).toBe(0);
    expect(help.lines[0]).toBe(
      'usage: npm start -- [options]     (polycubed + the lbrp service in one process)',
    );
    expect(help.lines.join('\n')).toContain('--grpc-socket PATH');
    const bad = stack.spawn([TSX, 'src/main.ts', '--no-such-flag']);
    expect(await bad.waitExit(60_000)).toBe(1);
    expect(bad.lines.join('\n')).toMatch(/^lbrp: .*--no-such-flag/m);
  });

  it('serves an lbrp cube, stops on SIGTERM leaving it persisted, and adopts it on the next start', async () => {
    stack.port = await freePort();
    const first = start();
    await first.waitLine(/lbrp: service registered/, 120_000);
    expect(first.lines.join('\n')).toContain('polycubed: 0 cubes adopted, 0 waiting for their service');
    await stack.ok('POST', 'lbrp/lbs0/', { port_mode: 'SINGLE' });
    expect(await stack.ok('GET', 'lbrp/lbs0/port_mode/')).toBe('single'); // enums answer in lower case, as Polycube's do

    signal(first, 'SIGTERM');
    expect(await first.waitExit(60_000)).toBe(0);
    expect(first.lines).toContain('SIGTERM: stopping (cube dataplanes keep forwarding)');
    const saved = JSON.parse(readFileSync(stack.stateFile, 'utf8')) as Array<Record<string, unknown>>;
    expect(saved.map((c) => [c.name, c['service-name']])).toEqual([['lbs0', 'lbrp']]);

    const second = start();
    await second.waitLine(/lbrp: service registered/, 120_000);
    expect(second.lines.join('\n')).toContain('polycubed: 1 cubes adopted, 0 waiting for their service');
    expect(await stack.ok('GET', 'lbrp/lbs0/port_mode/')).toBe('single'); // enums answer in lower case, as Polycube's do
    await stack.ok('DELETE', 'lbrp/lbs0/');
    expect(JSON.stringify((await stack.ok('GET', 'lbrp/')) ?? [])).not.toContain('lbs0');
    signal(second, 'SIGINT');
    expect(await second.waitExit(60_000)).toBe(0);
    expect(second.lines).toContain('SIGINT: stopping (cube dataplanes keep forwarding)');
  });
});
