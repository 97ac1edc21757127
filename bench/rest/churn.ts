// Control-plane speed rows of issue 17 (`npm run bench:rest`; `-- --churn` runs only these), for
// this tree and, when BENCH_BASELINE names another checkout (e.g. the commit before issue 17,
// extracted with `git archive <commit> | tar -x -C <dir>` and a node_modules link), for that one
// too, interleaved round by round in the same run (medians of ROUNDS): one keep-alive client,
// - single backend add and delete (one add then its delete, so the size holds) on a service of 3
//   and of 1,000 backends (rate and p99), the first of each verified in the pinned kernel maps;
// - one PATCH carrying 10,000 backends into an empty service, and the same PATCH again (no change);
// - GETs of a leaf and of a backend per second (node's http client, then a lean one that measures
//   the server: lean-http-client.ts), and the slowest GET answered while that
//   10,000-backend PATCH runs;
// - apply -f of 1,000 services × 10 backends, the same apply again, a restart with it persisted
//   (apply-rows.ts; once per tree, after the rest; `-- --no-apply` skips them).
// polycubed and lbrp-service run as child processes (LbrpStack) from each tree. The big PATCH runs
// once, last (a tree whose service blocks for seconds loses its connection there).

import * as http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BpfMap } from '../../src/polycubed/runtime/bpf-map';
import { decodeBackendValue, F_BACKEND_ACTIVE } from '../../src/lbrp/dataplane/map-layouts';
import { LbrpStack } from '../../test/fixtures/lbrp/e2e-stack';
import { applyRows } from './apply-rows';
import { LeanHttpClient } from './lean-http-client';

const P = '/polycube/v1';
const CUBE = 'sp0';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Add+delete pairs per service size and round. */
const CHURN = Number(process.env.BENCH_CHURN ?? 150);
const GETS = 1500;
const BIG = 10_000;

const ipOf = (base: number, i: number): string => `10.${base}.${(i >> 8) & 255}.${i & 255}`;

interface Answer {
  status: number;
  text: string;
}

function request(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function must(a: Answer, want: number, what: string): void {
  if (a.status !== want)
    throw new Error(`${what}: HTTP ${a.status} ${a.text.slice(0, 200)}, expected ${want}`);
}

const p99 = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One measured tree: a running stack and its figures per row (one value per round). */
class Subject {
  readonly rows = new Map<string, number[]>();
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  constructor(
    readonly label: string,
    readonly stack: LbrpStack,
  ) {}

  record(row: string, value: number): void {
    const list = this.rows.get(row) ?? [];
    list.push(value);
    this.rows.set(row, list);
  }

  req(method: string, path: string, body?: unknown): Promise<Answer> {
    return request(
      this.agent,
      this.stack.port,
      method,
      `${P}/${path}`,
      body === undefined ? undefined : JSON.stringify(body),
    );
  }

  /** True when backend `ip` of `vip` is active in the pinned `backends` map (the kernel). */
  inKernel(ip: string): boolean {
    const m = BpfMap.fromPinned(join(this.stack.pinRoot, CUBE, 'maps', 'backends'));
    try {
      for (const [, v] of m.dump()) {
        const b = decodeBackendValue(v);
        if (b.ip === ip && b.flags & F_BACKEND_ACTIVE) return true;
      }
      return false;
    } finally {
      m.close();
    }
  }
}

const svcPath = (vip: string): string => `lbrp/${CUBE}/service/${vip}/80/TCP/`;

async function setup(s: Subject): Promise<void> {
  must(await s.req('POST', `lbrp/${CUBE}/`, { 'max-backends': 16384, 'maglev-slots': 1 << 20 }), 201, 'cube');
  const backends = (base: number, n: number): unknown[] =>
    Array.from({ length: n }, (_, i) => ({ ip: ipOf(base, i), port: 8080 }));
  must(await s.req('POST', svcPath('10.255.0.3'), { backend: backends(1, 3) }), 201, 'service of 3');
  must(await s.req('POST', svcPath('10.255.0.4'), { backend: backends(2, 1000) }), 201, 'service of 1000');
}

/**
 * CHURN rounds of one add then its delete on `vip` (so the service keeps its size); the first add
 * and delete are checked in the kernel when their reply comes.
 */
async function churn(s: Subject, vip: string, size: number): Promise<void> {
  const times = { add: [] as number[], del: [] as number[] };
  for (let i = 0; i < CHURN; i++) {
    const ip = ipOf(200, i);
    const path = `${svcPath(vip)}backend/${ip}/`;
    for (const kind of ['add', 'del'] as const) {
      const t = performance.now();
      const a = kind === 'add' ? await s.req('POST', path, { port: 9090 }) : await s.req('DELETE', path);
      times[kind].push(performance.now() - t);
      must(a, kind === 'add' ? 201 : 204, `${kind} ${ip}`);
      // The change is in the kernel when the reply is sent.
      if (i === 0 && s.inKernel(ip) !== (kind === 'add'))
        throw new Error(`${s.label}: ${kind} ${ip} not in the kernel at the reply`);
    }
  }
  for (const kind of ['add', 'del'] as const) {
    const name = kind === 'add' ? 'add' : 'delete';
    const ms = times[kind];
    s.record(
      `single backend ${name}, service of ${size} (req/s)`,
      1000 / (ms.reduce((x, y) => x + y, 0) / ms.length),
    );
    s.record(`single backend ${name}, service of ${size} (p99 ms)`, p99(ms));
  }
}

async function gets(s: Subject): Promise<void> {
  const leaf = `${svcPath('10.255.0.3')}backend/${ipOf(1, 0)}/weight/`;
  const backend = `${svcPath('10.255.0.3')}backend/${ipOf(1, 1)}/`;
  for (const [what, path] of [
    ['GET of a leaf (req/s)', leaf],
    ['GET of a backend (req/s)', backend],
  ] as const) {
    const t = performance.now();
    for (let i = 0; i < GETS; i++) must(await s.req('GET', path), 200, what);
    s.record(what, GETS / ((performance.now() - t) / 1000));
  }
  // The same GETs from a lean client (lean-http-client.ts): what the server sustains.
  const lean = await LeanHttpClient.open(s.stack.port);
  try {
    for (const [what, path] of [
      ['GET of a leaf, lean client (req/s)', leaf],
      ['GET of a backend, lean client (req/s)', backend],
    ] as const) {
      for (let i = 0; i < 100; i++) await lean.get(`${P}/${path}`);
      const t = performance.now();
      for (let i = 0; i < GETS; i++) {
        const a = await lean.get(`${P}/${path}`);
        must({ status: a.status, text: a.body.toString() }, 200, what);
      }
      s.record(what, GETS / ((performance.now() - t) / 1000));
    }
  } finally {
    lean.close();
  }
}

/** One PATCH of BIG backends into an empty service, GETs meanwhile, the same PATCH again, delete. */
async function bigPatch(s: Subject): Promise<void> {
  const vip = '10.255.0.9';
  must(await s.req('POST', svcPath(vip), {}), 201, 'empty service');
  const body = {
    backend: Array.from({ length: BIG }, (_, i) => ({ ip: ipOf(100 + (i >> 16), i & 0xffff), port: 80 })),
  };
  let running = true;
  const leaf = `${svcPath('10.255.0.3')}backend/${ipOf(1, 0)}/weight/`;
  let worst = 0;
  let n = 0;
  let failed: string | undefined;
  const reader = (async (): Promise<void> => {
    await new Promise((r) => setTimeout(r, 5));
    while (running) {
      const t = performance.now();
      const a = await s.req('GET', leaf).catch((e: Error) => ({ status: 0, text: e.message }));
      if (a.status !== 200) {
        failed ??= `GET during PATCH: HTTP ${a.status} ${a.text.slice(0, 200)}`;
        continue;
      }
      worst = Math.max(worst, performance.now() - t);
      n++;
    }
  })();
  let t = performance.now();
  let patched: Answer;
  try {
    patched = await s.req('PATCH', svcPath(vip), body);
  } finally {
    running = false; // the reader stops even when the PATCH fails
  }
  if (patched.status !== 200 && patched.status !== 201) must(patched, 200, 'big PATCH');
  const first = performance.now() - t;
  await reader;
  if (failed) throw new Error(failed);
  s.record(`one PATCH of ${BIG} backends (ms)`, first);
  s.record('slowest GET during that PATCH (ms)', worst);
  s.record('GETs answered during that PATCH', n);
  t = performance.now();
  const again = await s.req('PATCH', svcPath(vip), body);
  if (again.status !== 200 && again.status !== 201) must(again, 200, 'same PATCH');
  s.record(`the same PATCH again (ms)`, performance.now() - t);
  must(await s.req('DELETE', svcPath(vip)), 204, 'delete big');
}

export async function benchChurn(baseline: string | undefined): Promise<void> {
  const subjects: Subject[] = [];
  try {
    if (baseline) subjects.push(new Subject('before', new LbrpStack([], baseline)));
    subjects.push(new Subject('after', new LbrpStack()));
    for (const s of subjects) {
      await s.stack.start();
      await setup(s);
    }
    const applyOnly = process.argv.includes('--apply-only');
    for (let r = 0; r < (applyOnly ? 0 : ROUNDS); r++) {
      for (const s of subjects) {
        await churn(s, '10.255.0.3', 3);
        await churn(s, '10.255.0.4', 1000);
        await gets(s);
      }
      console.log(`churn round ${r + 1}/${ROUNDS} done`);
    }
    // Last and once: a tree that cannot take it loses its service connection.
    for (const s of applyOnly ? [] : subjects) {
      try {
        await bigPatch(s);
      } catch (e) {
        console.log(`${s.label}: the ${BIG}-backend PATCH failed: ${(e as Error).message}`);
      }
    }
    if (!process.argv.includes('--no-apply'))
      for (const s of subjects) {
        try {
          await applyRows(s);
        } catch (e) {
          console.log(`${s.label}: the apply rows failed: ${(e as Error).message}`);
        }
      }
    const names = [...subjects[subjects.length - 1].rows.keys()];
    const width = Math.max(...names.map((n) => n.length));
    console.log(`control-plane speed (issue 17), medians of ${ROUNDS} rounds, one keep-alive client:`);
    console.log(`  ${''.padEnd(width)}  ${subjects.map((s) => s.label.padStart(10)).join('')}`);
    for (const name of names) {
      const cells = subjects.map((s) =>
        median(s.rows.get(name) ?? [NaN])
          .toFixed(1)
          .padStart(10),
      );
      console.log(`  ${name.padEnd(width)}  ${cells.join('')}`);
    }
  } catch (e) {
    for (const s of subjects)
      console.error(
        `${s.label} last output:\n  ${[...(s.stack.polycubed?.lines ?? []), ...(s.stack.lbrp?.lines ?? [])].slice(-12).join('\n  ')}`,
      );
    throw e;
  } finally {
    for (const s of subjects) {
      s.agent.destroy();
      await s.stack.cleanup();
    }
  }
}
