// The runnable examples end to end: every examples/*/run.sh and a short `npm run demo` build
// their namespaces, start polycubed and the lbrp service, send real traffic through the cubes,
// and leave nothing behind (namespaces, devices, processes, files, pins). Needs root (skipped with the reason printed otherwise, which `npm test` counts as a
// failure).

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { chiSquarePValue } from '../fixtures/chi-square';
import { leftovers } from '../fixtures/leftovers';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';

const REPO = join(__dirname, '../..');

/**
 * When a still-running example is stopped (its trap cleans up). Alone each takes 30–50 s; on a
 * busy 2-core host (other suites, tsx compiling) well over a minute, so this is only a backstop.
 */
const KILL_AFTER_MS = 240_000;
/**
 * Examples run two at a time (each in namespaces of its own EX_ID; they mostly wait on daemons
 * and traffic, so two share the 2 cores well). A test's own timeout covers its wait for a slot.
 */
const AT_ONCE = 2;
const TEST_TIMEOUT_MS = 5 * (KILL_AFTER_MS + 30_000);

let running = 0;
const waiting: Array<() => void> = [];
/** Runs `fn` once fewer than AT_ONCE examples are running. */
async function inTurn<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= AT_ONCE) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

interface Run {
  code: number | null;
  out: string;
}

/**
 * Runs an example script with a unique EX_ID when its turn comes; kills it (and its trap cleans
 * up) after `timeoutMs`.
 */
function runExample(
  script: string,
  id: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<Run> {
  return inTurn(() => spawnExample(script, id, env, timeoutMs));
}

function spawnExample(
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

/** Parses the traffic table: backend → [weight, requests]. */
function trafficTable(out: string): Map<string, [number, number]> {
  const rows = new Map<string, [number, number]>();
  for (const m of out.matchAll(/^(b\d)\s+(\d+)\s+[\d.]+%\s+(\d+)\s+[\d.]+%$/gm)) {
    rows.set(m[1], [Number(m[2]), Number(m[3])]);
  }
  return rows;
}

/** Every traffic table of a run, in order: backend → [weight, requests], closed by its total row. */
function trafficTables(out: string): Array<Map<string, [number, number]>> {
  const tables: Array<Map<string, [number, number]>> = [];
  let cur = new Map<string, [number, number]>();
  for (const line of out.split('\n')) {
    const row = /^(b\d)\s+(\d+)\s+[\d.]+%\s+(\d+)\s+[\d.]+%$/.exec(line);
    if (row) cur.set(row[1], [Number(row[2]), Number(row[3])]);
    else if (/^total\s/.test(line)) {
      tables.push(cur);
      cur = new Map();
    }
  }
  return tables;
}

/**
 * A table's requests follow its weights: a weight-0 backend got none, and the others' counts pass
 * Pearson's chi-square at p ≥ 1e-6 (a correct spread fails once in a million runs).
 */
function expectWeighted(table: Map<string, [number, number]>): void {
  const rows = [...table.entries()];
  for (const [name, [w, n]] of rows)
    if (w === 0) expect({ name, requests: n }).toEqual({ name, requests: 0 });
  const live = rows.filter(([, [w]]) => w > 0);
  const total = live.reduce((a, [, [w]]) => a + w, 0);
  const p = chiSquarePValue(
    live.map(([, [, n]]) => n),
    live.map(([, [w]]) => w / total),
  );
  expect({ table: Object.fromEntries(table), fits: p >= 1e-6 }).toEqual({
    table: Object.fromEntries(table),
    fits: true,
  });
}

/** The run ended with status 0 (else its last output, to see why). */
function expectSuccess(run: Run): void {
  expect({ code: run.code, tail: run.code === 0 ? '' : run.out.slice(-3000) }).toEqual({ code: 0, tail: '' });
}

describeE2e('e2e: examples', () => {
  const id = `lbxe${process.pid % 100000}`;

  // The SINGLE example: real HTTP through the cube reaches every backend in proportion to its weight.
  test.concurrent(
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
    TEST_TIMEOUT_MS,
  );

  // The ROUTED example: one interface on the LB host, backends behind /32 routes; the host's own
  // service answers too.
  test.concurrent(
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
    TEST_TIMEOUT_MS,
  );

  // MULTI (apply -f, applied twice: the second run changes nothing), XDP (XDP_SKB then XDP_DRV),
  // two cubes chained port to port (each balances its own VIP; nothing crosses once disconnected) and
  // src-ip-rewrite (the backends see the rewritten address; an ICMP service is pinged through it):
  // every request answered, in proportion to the weights, and nothing left behind.
  test.concurrent.each([
    ['multi', 'm', 3, /^# lbrp lb0: no changes$/m],
    ['xdp', 'x', 2, /^XDP_DRV$/m],
    [
      'chain',
      'c',
      2,
      /^lb0 total-sessions 120\n[\s\S]*^lb1 total-sessions 120\n[\s\S]*^no answer from 10\.10\.0\.200 after disconnect$/m,
    ],
    [
      'chain (XDP_DRV)',
      'k',
      2,
      /^lb0 total-sessions 120\n[\s\S]*^lb1 total-sessions 120\n[\s\S]*^no answer from 10\.10\.0\.200 after disconnect$/m,
    ],
    ['src-ip-rewrite', 'w', 1, /client=20\.0\.0\.1$[\s\S]*^3 echo replies from 10\.10\.0\.100$/m],
  ])(
    'examples/%s answers every request by weight and cleans up',
    async (label, letter, tables, marker) => {
      // EX_ID is at most 10 characters: the run's id (up to 9) and one letter.
      const tag = `${id}${letter}`;
      // "chain (XDP_DRV)": the chain example with EX_TYPE=XDP_DRV.
      const [name, type] = label.split(/ \(|\)/);
      const env: Record<string, string> = { REQUESTS: '120', ...(type ? { EX_TYPE: type } : {}) };
      const run = await runExample(`examples/${name}/run.sh`, tag, env, KILL_AFTER_MS);
      expectSuccess(run);
      expect(run.out).toMatch(marker);
      expect(run.out.match(/^total\s+\d+\s+120\/120$/gm)).toHaveLength(tables);
      const parsed = trafficTables(run.out);
      expect(parsed).toHaveLength(tables);
      parsed.forEach(expectWeighted);
      expect(leftovers(tag)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  // Polycube's own example: ALL with per-protocol backends, HTTP, UDP and ping to the VIP, a backend
  // reached directly, and the cube's TRACE lines (the first echo request's, in order).
  test.concurrent(
    'examples/polycube serves TCP, UDP and ICMP by weight, passes non-VIP traffic, prints TRACE lines and cleans up',
    async () => {
      const tag = `${id}p`;
      const run = await runExample('examples/polycube/run.sh', tag, { REQUESTS: '200' }, KILL_AFTER_MS);
      expectSuccess(run);
      expect(run.out).toMatch(/^b\d udp 0\.0\.0\.0:8080 client=10\.0\.0\.1 \(from 10\.10\.0\.100:80\)$/m);
      expect(run.out).toMatch(/^3 echo replies from 10\.10\.0\.100$/m);
      expect(run.out).toMatch(/^b1 192\.168\.1\.10:8080 client=10\.0\.0\.1$/m);
      const [table] = trafficTables(run.out);
      expect([...table.values()].map(([w]) => w)).toEqual([10, 100, 1]);
      expectWeighted(table);
      expect(run.out).toMatch(/^[1-9]\d* TRACE lines/m);
      expect(run.out).toMatch(
        /^\[lb0\] DEBUG new session to 10\.10\.0\.100:0 via backend 192\.168\.1\.1[012]\n\[lb0\] TRACE rx port 0 proto 1: 10\.0\.0\.1:\d+ > 10\.10\.0\.100:0\n\[lb0\] TRACE reply: from 10\.10\.0\.100:0 to client 10\.0\.0\.1:\d+\n\[lb0\] TRACE rx port 1 proto 1: 192\.168\.1\.1[012]:0 > 10\.0\.0\.1:\d+$/m,
      );
      expect(leftovers(tag)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  // Three cubes on one segment: only the balancing cube holds the sessions; hosts reach each other
  // through two cubes; ICMP to the VIP; a backend removed takes no new connection.
  test.concurrent(
    'examples/session-table balances through the segment with the session on one cube only, and cleans up',
    async () => {
      const tag = `${id}t`;
      const run = await runExample('examples/session-table/run.sh', tag, { REQUESTS: '100' }, KILL_AFTER_MS);
      expectSuccess(run);
      const tables = trafficTables(run.out);
      expect(tables.map((t) => [...t.values()].map(([w]) => w))).toEqual([
        [50, 1, 0],
        [50, 0, 0],
      ]);
      expectWeighted(tables[0]);
      expect(tables[1].get('b1')).toEqual([50, 20]);
      expect(run.out).toMatch(/^lb1 total-sessions 0\nlb2 total-sessions 0\nlb3 total-sessions (\d+)$/m);
      expect(Number(/^lb3 total-sessions (\d+)$/m.exec(run.out)?.[1])).toBeGreaterThanOrEqual(101);
      expect(run.out).toMatch(/^3 echo replies from 192\.168\.0\.1$/m);
      expect(leftovers(tag)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  // The demo, short: traffic follows every backend change and the open session survives them all.
  test.concurrent(
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
    TEST_TIMEOUT_MS,
  );
});
