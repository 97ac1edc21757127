// REST bench (`npm run bench:rest`, root): requests per second through the whole northbound stack
// — HTTP → REST validation → Daemon.execute → gRPC → service → kernel map — for a cube GET and for
// backend add/delete. Keep-alive HTTP/1.1 clients on 127.0.0.1; results printed, nothing asserted
// beyond a sanity check that every backend really reached (and left) the kernel map.

import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { startRestStack, type RestStack } from '../../test/fixtures/rest/rest-stack';
import { benchHandler } from './bench-service';

const P = '/polycube/v1';
/** Requests per measurement (after WARMUP untimed ones). */
const GETS = 20_000;
const BACKENDS = 1_000;
const WARMUP = 500;
/** Concurrent keep-alive connections; the daemon runs operations one at a time anyway. */
const CONCURRENCY = [1, 8];

function request(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

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
  console.log(`${what.padEnd(64)} c=${concurrency}  ${rps.toFixed(0).padStart(6)} req/s`);
}

function expectStatus(got: number, want: number, what: string): void {
  if (got !== want) throw new Error(`${what}: HTTP ${got}, expected ${want}`);
}

async function bench(stack: RestStack): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const port = stack.port;
  const svc = `${P}/lbrp/lb0/service/10.0.0.1/80/TCP`;
  const backend = (i: number): string => `${svc}/backend/10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/`;
  const setup: [string, string, string][] = [
    ['POST', `${P}/lbrp/lb0/`, '{"port_mode":"SINGLE"}'],
    ['POST', `${P}/lbrp/lb0/ports/f/`, '{"type":"FRONTEND"}'],
    ['POST', `${P}/lbrp/lb0/ports/b/`, '{"type":"BACKEND"}'],
    ['POST', `${svc}/`, '{"name":"web"}'],
  ];
  for (const [m, p, b] of setup) expectStatus(await request(agent, port, m, p, b), 201, `${m} ${p}`);
  for (let i = 0; i < 4; i++) {
    expectStatus(
      await request(agent, port, 'POST', backend(100_000 + i), '{"port":8080,"weight":2}'),
      201,
      'backend',
    );
  }

  const gets: [string, string][] = [
    ['cube GET (/lbrp/lb0/: 2 ports, 1 service, 4 backends)', `${P}/lbrp/lb0/`],
    ['  for scale: base leaf GET (/lbrp/lb0/type/, no gRPC)', `${P}/lbrp/lb0/type/`],
    ['  for scale: framework GET (/cubes, no daemon op)', `${P}/cubes`],
  ];
  for (const [what, path] of gets) {
    const get = async (): Promise<void> =>
      expectStatus(await request(agent, port, 'GET', path), 200, `GET ${path}`);
    await rate(WARMUP, 4, get);
    for (const c of CONCURRENCY) line(what, c, await rate(GETS, c, get));
  }

  let base = 0;
  for (const c of CONCURRENCY) {
    const from = base;
    const add = await rate(BACKENDS, c, async (i) =>
      expectStatus(
        await request(agent, port, 'POST', backend(from + i), '{"port":8080,"weight":3}'),
        201,
        'add',
      ),
    );
    const inMap = (await stack.daemon.readMaps('lb0', 'backends', [])).length;
    if (inMap !== BACKENDS + 4)
      throw new Error(`backends map holds ${inMap} entries, expected ${BACKENDS + 4}`);
    const del = await rate(BACKENDS, c, async (i) =>
      expectStatus(await request(agent, port, 'DELETE', backend(from + i)), 204, 'delete'),
    );
    const left = (await stack.daemon.readMaps('lb0', 'backends', [])).length;
    if (left !== 4) throw new Error(`backends map holds ${left} entries after the deletes, expected 4`);
    line(`backend add (POST …/backend/<ip>/: 1 map write; ${BACKENDS} in a row)`, c, add);
    line(`backend delete (DELETE …/backend/<ip>/: 1 map delete)`, c, del);
    base += BACKENDS;
  }
  agent.destroy();
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('bench:rest needs root (bpffs, program load); run it as root');
    process.exit(1);
  }
  console.log('REST bench: HTTP → REST → Daemon.execute → gRPC (unix socket) → service → kernel map');
  console.log(
    'service: stand-in for lbrp (test ConfigStore + one BPF hash-map write per backend change); ' +
      'the lbrp service is not there yet — numbers exclude its Maglev work',
  );
  const stack = await startRestStack({ handler: benchHandler });
  try {
    await bench(stack);
  } finally {
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:rest: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
