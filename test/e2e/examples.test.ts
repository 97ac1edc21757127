// The runnable examples end to end: examples/single/run.sh, examples/routed/run.sh and a short
// `npm run demo` build their namespaces, start polycubed and the lbrp service, send real HTTP
// traffic through the cube, and leave nothing behind (namespaces, devices, processes, files,
// pins). Needs root (skipped with the reason printed otherwise, which `npm test` counts as a
// failure).

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';

const REPO = join(__dirname, '../..');

/**
 * When a still-running example is stopped (its trap cleans up). Alone each takes 30–50 s; on a
 * busy 2-core host (other suites, tsx compiling) well over a minute, so this is only a backstop.
 */
const KILL_AFTER_MS = 240_000;

interface Run {
  code: number | null;
  out: string;
}

/** Runs an example script with a unique EX_ID; kills it (and its trap cleans up) after `timeoutMs`. */
function runExample(
  script: string,
  id: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('bash', [join(REPO, script)], {
      cwd: REPO,
      env: { ...process.env, EX_ID: id, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Everything of run `id` still on the machine (empty when the cleanup was complete). */
function leftovers(id: string): string[] {
  const found: string[] = [];
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of netns.split('\n'))
    if (line.startsWith(`${id}-`)) found.push(`netns ${line.split(' ')[0]}`);
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  for (const line of links.split('\n')) {
    const name = line.split(': ')[1]?.split('@')[0];
    if (name?.startsWith(id)) found.push(`link ${name}`);
  }
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  for (const line of ps.split('\n')) if (line.includes(id)) found.push(`process ${line.trim()}`);
  if (existsSync(`/tmp/${id}`)) found.push(`directory /tmp/${id}`);
  if (existsSync('/sys/fs/bpf')) {
    for (const e of readdirSync('/sys/fs/bpf')) if (e.includes(id)) found.push(`pin /sys/fs/bpf/${e}`);
  }
  return found;
}

/** Parses the traffic table: backend → [weight, requests]. */
function trafficTable(out: string): Map<string, [number, number]> {
  const rows = new Map<string, [number, number]>();
  for (const m of out.matchAll(/^(b\d)\s+(\d+)\s+[\d.]+%\s+(\d+)\s+[\d.]+%$/gm)) {
    rows.set(m[1], [Number(m[2]), Number(m[3])]);
  }
  return rows;
}

describeE2e('e2e: examples', () => {
  const id = `lbxe${process.pid % 100000}`;

  // The SINGLE example: real HTTP through the cube reaches every backend in proportion to its weight.
  test(
    'examples/single sends traffic to the three weighted backends and cleans up',
    async () => {
      const run = await runExample('examples/single/run.sh', `${id}s`, { REQUESTS: '240' }, KILL_AFTER_MS);
      expect({ code: run.code, tail: run.code === 0 ? '' : run.out.slice(-3000) }).toEqual({
        code: 0,
        tail: '',
      });
      expect(run.out).toMatch(/^total\s+6\s+240\/240$/m);
      const table = trafficTable(run.out);
      expect([...table.keys()]).toEqual(['b1', 'b2', 'b3']);
      for (const [name, [weight, requests]] of table) {
        const share = requests / 240;
        // Weights 1:2:3 → 1/6, 2/6, 3/6 of new sessions; 240 samples stay well within ±0.15.
        expect({ name, near: Math.abs(share - weight / 6) < 0.15 }).toEqual({ name, near: true });
      }
      expect(leftovers(`${id}s`)).toEqual([]);
    },
    KILL_AFTER_MS + 30_000,
  );

  // The ROUTED example: one interface on the LB host, backends behind /32 routes; the host's own
  // service answers too.
  test(
    'examples/routed balances over the host routes, keeps the host service and cleans up',
    async () => {
      const run = await runExample('examples/routed/run.sh', `${id}r`, { REQUESTS: '240' }, KILL_AFTER_MS);
      expect({ code: run.code, tail: run.code === 0 ? '' : run.out.slice(-3000) }).toEqual({
        code: 0,
        tail: '',
      });
      expect(run.out).toMatch(/^lbhost 10\.0\.0\.254:8022 client=10\.0\.0\.1$/m);
      expect(run.out).toMatch(/^total\s+6\s+240\/240$/m);
      const table = trafficTable(run.out);
      expect([...table.keys()]).toEqual(['b1', 'b2', 'b3']);
      for (const [name, [weight, requests]] of table) {
        const share = requests / 240;
        expect({ name, near: Math.abs(share - weight / 6) < 0.15 }).toEqual({ name, near: true });
      }
      expect(leftovers(`${id}r`)).toEqual([]);
    },
    KILL_AFTER_MS + 30_000,
  );

  // The demo, short: traffic follows every backend change and the open session survives them all.
  test(
    'npm run demo (short) keeps the open session through drain, removal, addition and a backend failing and recovering',
    async () => {
      const run = await runExample(
        'examples/demo/run.sh',
        `${id}d`,
        { DEMO_STEP_SECONDS: '1.5' },
        KILL_AFTER_MS,
      );
      expect({ code: run.code, tail: run.code === 0 ? '' : run.out.slice(-3000) }).toEqual({
        code: 0,
        tail: '',
      });
      expect(run.out).toContain('demo: OK');
      expect(run.out.match(/step \d done: .* session alive on b\d/g)).toHaveLength(8);
      // Steps 6–8: health checks on, a server stopped (DOWN, then not one failed request), started
      // again (UP, new sessions, nothing failed).
      expect(run.out).toMatch(
        /^demo: OK: .*b\d's server stopped: DOWN after \d+ ms, \d+ requests failed before detection, 0 failed after detection; started again: UP after \d+ ms, [1-9]\d* new requests to it, 0 failed$/m,
      );
      expect(run.out).toMatch(/^ {2}step 7 done: .*\bb\d DOWN: 0[,;]/m);
      expect(leftovers(`${id}d`)).toEqual([]);
    },
    KILL_AFTER_MS + 30_000,
  );
});
