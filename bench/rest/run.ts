// REST bench (`npm run bench:rest`, root): requests per second through the whole northbound stack
// — HTTP → polycubed REST → gRPC (unix socket) → the real lbrp service → kernel maps — for a cube
// GET and for backend add/delete, and the kernel memory of an empty cube. polycubed and lbrp-service run as child processes (LbrpStack:
// private pin root, socket, state file and REST port); the cube's FRONTEND/BACKEND ports sit on a
// veth pair this bench creates. Keep-alive HTTP/1.1 clients on 127.0.0.1; results printed, nothing
// asserted beyond a check that every backend really reached (and left) the kernel: the pinned
// `services`/`maglev_slots`/`backends` maps and the REST GET of the service. Everything it created
// is removed on exit, also after an error or SIGINT/SIGTERM. Last, the worst event-loop stall of
// an in-process daemon while it refuses 1 MiB hostile bodies (hostile-stall.ts).

import * as http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LbrpStack } from '../../test/fixtures/lbrp/e2e-stack';
import { kernelBackends } from '../../test/fixtures/lbrp/kernel-backends';
import { measureCubeMemory, withinTolerance } from '../../test/fixtures/kernel-memory';
import { BpfMap, numPossibleCpus } from '../../src/polycubed/runtime/bpf-map';
import { readdirSync } from 'node:fs';
import { formulaLines } from './kernel-memory';
import { TestNet } from '../../test/fixtures/netns';
import { benchHostileStall } from './hostile-stall';
import { benchBreakdown } from './breakdown';
import { benchChurn } from './churn';
import { requestStatus } from './http-status';

const P = '/polycube/v1';
const CUBE = 'lb0';
const VIP = '10.0.0.1';
/** Requests per measurement (after WARMUP untimed ones). */
const GETS = 2_000;
const BACKENDS = 200;
const WARMUP = 100;
/** Concurrent keep-alive connections; polycubed runs operations one at a time anyway. */
const CONCURRENCY = [1, 8];

/** Runs `total` jobs over `concurrency` workers; returns requests per second. */
async function rate(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await job(next++);
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

function line(what: string, concurrency: number, rps: number): void {
  console.log(`${what.padEnd(72)} c=${concurrency}  ${rps.toFixed(0).padStart(6)} req/s`);
}

function expectStatus(got: number, want: number, what: string): void {
  if (got !== want) throw new Error(`${what}: HTTP ${got}, expected ${want}`);
}

const backendIp = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** Throws unless the kernel (pinned maps) and the REST GET both hold exactly `want` (ip:port). */
async function verify(stack: LbrpStack, want: Set<string>, when: string): Promise<void> {
  const same = (got: Set<string>): boolean => got.size === want.size && [...got].every((x) => want.has(x));
  const k = kernelBackends(stack.pinRoot, CUBE, VIP, 80);
  if (!same(k.inTable))
    throw new Error(`${when}: the Maglev table names ${k.inTable.size} backends, expected ${want.size}`);
  if (!same(k.active))
    throw new Error(`${when}: ${k.active.size} active backends in the kernel, expected ${want.size}`);
  const svc = (await stack.ok('GET', `lbrp/${CUBE}/service/${VIP}/80/tcp/`)) as {
    backend?: Array<{ ip: string; port: number }>;
  };
  const rest = new Set((svc.backend ?? []).map((b) => `${b.ip}:${b.port}`));
  if (!same(rest)) throw new Error(`${when}: REST lists ${rest.size} backends, expected ${want.size}`);
}

async function bench(stack: LbrpStack, net: TestNet): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const port = stack.port;
  const svc = `${P}/lbrp/${CUBE}/service/${VIP}/80/TCP`;
  const backend = (i: number): string => `${svc}/backend/${backendIp(i)}/`;
  const veth = net.addVeth();
  const setup: [string, string, string][] = [
    [
      'POST',
      `${P}/lbrp/${CUBE}/`,
      JSON.stringify({
        port_mode: 'SINGLE',
        ports: [
          { name: 'f', type: 'FRONTEND', peer: veth.a },
          { name: 'b', type: 'BACKEND', peer: veth.b },
        ],
      }),
    ],
    ['POST', `${svc}/`, '{"name":"web"}'],
  ];
  for (const [m, p, b] of setup) expectStatus(await requestStatus(agent, port, m, p, b), 201, `${m} ${p}`);
  const base = new Set<string>();
  for (let i = 0; i < 4; i++) {
    expectStatus(
      await requestStatus(agent, port, 'POST', backend(100_000 + i), '{"port":8080,"weight":2}'),
      201,
      'backend',
    );
    base.add(`${backendIp(100_000 + i)}:8080`);
  }
  await verify(stack, base, 'after setup');

  const gets: [string, string][] = [
    [`cube GET (/lbrp/${CUBE}/: 2 ports, 1 service, 4 backends)`, `${P}/lbrp/${CUBE}/`],
    [`  for scale: base leaf GET (/lbrp/${CUBE}/type/, answered by polycubed)`, `${P}/lbrp/${CUBE}/type/`],
    ['  for scale: framework GET (/cubes, no daemon op)', `${P}/cubes`],
  ];
  for (const [what, path] of gets) {
    const get = async (): Promise<void> =>
      expectStatus(await requestStatus(agent, port, 'GET', path), 200, `GET ${path}`);
    await rate(WARMUP, 4, get);
    for (const c of CONCURRENCY) line(what, c, await rate(GETS, c, get));
  }

  let first = 0;
  for (const c of CONCURRENCY) {
    const from = first;
    const add = await rate(BACKENDS, c, async (i) =>
      expectStatus(
        await requestStatus(agent, port, 'POST', backend(from + i), '{"port":8080,"weight":3}'),
        201,
        'add',
      ),
    );
    const all = new Set(base);
    for (let i = 0; i < BACKENDS; i++) all.add(`${backendIp(from + i)}:8080`);
    await verify(stack, all, `after ${BACKENDS} adds (c=${c})`);
    const del = await rate(BACKENDS, c, async (i) =>
      expectStatus(await requestStatus(agent, port, 'DELETE', backend(from + i)), 204, 'delete'),
    );
    await verify(stack, base, `after ${BACKENDS} deletes (c=${c})`);
    line(`backend add (POST …/backend/<ip>/: Maglev update; 4 → ${BACKENDS + 4} in a row)`, c, add);
    line(`backend delete (DELETE …/backend/<ip>/: Maglev update; ${BACKENDS + 4} → 4)`, c, del);
    first += BACKENDS;
  }
  agent.destroy();
  await kernelMemory(stack);
}

/** The kernel memory of an empty cube (default size leaves): measured, the leaf, the formula. */
async function kernelMemory(stack: LbrpStack): Promise<void> {
  const url = `http://127.0.0.1:${stack.port}${P}/lbrp/km0/`;
  const post = await fetch(url, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  expectStatus(post.status, 201, 'POST km0');
  const measured = measureCubeMemory(stack.pinRoot, 'km0');
  const leaf = Number(await (await fetch(`${url}kernel-memory/`)).text());
  const goal = 8 * 1024 * 1024;
  const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(2)} MiB`;
  console.log(
    `kernel memory of an empty cube (default sizes, ${numPossibleCpus()} CPUs, bpftool bytes_memlock): ` +
      `${mib(measured)} (${measured} B; kernel-memory leaf ${leaf} B` +
      `${withinTolerance(leaf, measured) ? '' : ', NOT within tolerance'}) ` +
      `${measured <= goal ? 'ok' : 'OVER'} (goal ≤ 8 MiB)`,
  );
  const dir = join(stack.pinRoot, 'km0', 'maps');
  const maps = readdirSync(dir).map((f) => {
    const m = BpfMap.fromPinned(join(dir, f));
    m.close();
    return m;
  });
  console.log('  the same cube on N possible CPUs (map-memory.ts, as polycubed computes it):');
  for (const l of formulaLines(maps)) console.log(l);
  expectStatus((await fetch(url, { method: 'DELETE' })).status, 200, 'DELETE km0');
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('bench:rest needs root (bpffs, program load, veth pair); run it as root');
    process.exit(1);
  }
  console.log('REST bench: HTTP → polycubed REST → gRPC (unix socket) → lbrp service → kernel maps');
  console.log(
    'service: the real lbrp service (src/lbrp/main.ts) and polycubed (src/polycubed/main.ts) as child ' +
      'processes; one lbrp cube (SINGLE, FRONTEND/BACKEND on a fresh veth pair), one TCP service',
  );
  const net = new TestNet();
  const stack = new LbrpStack();
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> => (cleaned ??= stack.cleanup().finally(() => net.cleanup()));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`bench:rest: ${sig}, cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    // `-- --churn`: only the control-plane speed rows (churn.ts), against BENCH_BASELINE too.
    if (process.argv.includes('--churn')) return await benchChurn(process.env.BENCH_BASELINE);
    // `-- --breakdown`: where one add/delete's time goes (breakdown.ts, CUBE_TRACE=change).
    if (process.argv.includes('--breakdown')) return await benchBreakdown();
    await stack.start();
    // `-- --memory`: only the kernel memory row (no request rates: quick, and quiet on a busy host).
    if (process.argv.includes('--memory')) await kernelMemory(stack);
    else {
      await bench(stack, net);
      await benchHostileStall();
      await benchChurn(process.env.BENCH_BASELINE);
    }
  } catch (e) {
    const tail = [...(stack.polycubed?.lines ?? []), ...(stack.lbrp?.lines ?? [])].slice(-10);
    if (tail.length) console.error(`last child output:\n  ${tail.join('\n  ')}`);
    throw e;
  } finally {
    await cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:rest: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
