// Large write bodies are checked in a worker thread (body-worker-pool.ts): the verdict is the one
// the in-thread path gives, byte for byte, small bodies never reach the worker, the queue is
// bounded, and a worker that hangs, exits, throws or runs out of heap fails only the request it
// was checking (a 500 through the router) while the next check gets a fresh worker.

import { join } from 'node:path';
import { buildRouteTable, type RouteRow } from 'yang-ts-codegen';
import type { ConfigOp } from '../../../../src/polycubed/core/types';
import type { BodyCheckRequest, BodyReaders } from '../../../../src/polycubed/rest/body-check';
import { BodyWorkerPool, registerRouteTable } from '../../../../src/polycubed/rest/body-worker-pool';
import { checkBodyInThread } from '../../../../src/polycubed/rest/config-request';
import type { RestDaemon } from '../../../../src/polycubed/rest/rest-context';
import { RestRouter } from '../../../../src/polycubed/rest/rest-router';
import { parseTarget } from '../../../../src/polycubed/rest/request-path';
import { lbrpModule } from '../../codegen/helpers/lbrp';

const MODULE = lbrpModule();
const ROUTES = buildRouteTable(MODULE);
registerRouteTable(MODULE, ROUTES);
const P = '/polycube/v1/lbrp';
const FAULTY = join(__dirname, '../../../fixtures/rest/faulty-body-worker.ts');

function row(template: string): RouteRow {
  const r = ROUTES.find((x) => x.path === `${P}${template}`);
  if (!r) throw new Error(`no route ${template}`);
  return r;
}

const CUBE = row('/:name');
const SERVICE = row('/:name/service/:vip/:vport/:proto');

/** `{"k0000":0,…}`: `count` unknown members. */
function manyMembers(count: number, extra = ''): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`"k${i.toString(36).padStart(4, '0')}":0`);
  return `{${extra}${parts.join(',')}}`;
}

const req = (text: string, over: Partial<BodyCheckRequest> = {}): BodyCheckRequest => ({
  bodyOp: 'create',
  text,
  maxJsonDepth: 64,
  own: {},
  cube: 'lb1',
  ...over,
});

const backends = (n: number, weight: number): string =>
  Array.from({ length: n }, (_, i) => `{"ip":"10.9.${i >> 8}.${i & 255}","port":80,"weight":${weight}}`).join(
    ',',
  );

/** [what, route, request]: every verdict kind, small and large. */
const CASES: [string, RouteRow, BodyCheckRequest][] = [
  ['a valid cube (defaults filled, enum respelled)', CUBE, req('{"loglevel":"debug","ports":[]}')],
  ['`__proto__` as a member', CUBE, req('{"__proto__":{"a":1},"loglevel":"INFO"}')],
  ['a duplicate member', CUBE, req('{"loglevel":"INFO","loglevel":"DEBUG"}')],
  ['malformed JSON', CUBE, req('{"loglevel":')],
  ['nesting past the limit', CUBE, req(`{"ports":${'['.repeat(70)}${']'.repeat(70)}}`)],
  ['an empty body on update', CUBE, req('', { bodyOp: 'update' })],
  ['an init-only member on update', CUBE, req('{"maglev-slots":7}', { bodyOp: 'update' })],
  ['100,000 unknown members', CUBE, req(manyMembers(100_000))],
  [
    'a service with 3,000 valid backends and its own keys',
    SERVICE,
    req(`{"name":"s","backend":[${backends(3000, 2)}]}`, {
      own: { vip: '10.0.0.1', vport: 80, proto: 'TCP' },
    }),
  ],
  ['a service with 3,000 bad backends', SERVICE, req(`{"name":"s","backend":[${backends(3000, -1)}]}`)],
];

/**
 * A router over a daemon holding the lbrp service and cube lb1 whose every call is recorded and
 * succeeds; `bodies` as the REST server would pass them (undefined: all in this thread).
 */
function routerOver(bodies: BodyReaders | undefined): {
  router: RestRouter;
  calls: unknown[];
  send(method: string, path: string, body: string): Promise<{ status: number; body: string }>;
} {
  const calls: unknown[] = [];
  const service = { name: 'lbrp', module: MODULE };
  const daemon = {
    services: () => [service],
    service: (n: string) => (n === 'lbrp' ? service : undefined),
    cubes: () => [],
    cube: (n: string) => (n === 'lb1' ? { name: 'lb1', service: 'lbrp', ports: [] } : undefined),
    cubeBase: () => undefined,
    netdevs: () => [],
    execute: async (op: ConfigOp) => {
      calls.push(op);
      return { code: 'OK' };
    },
    connectPeers: async (a: string, b: string) => {
      calls.push(['connect', a, b]);
      return { code: 'OK' };
    },
    disconnectPeers: async (a: string, b: string) => {
      calls.push(['disconnect', a, b]);
      return { code: 'OK' };
    },
  } as unknown as RestDaemon;
  const router = new RestRouter(daemon, {
    authority: '127.0.0.1:9000',
    maxJsonDepth: 64,
    version: 'v',
    ...(bodies ? { bodies } : {}),
  });
  const send = async (
    method: string,
    path: string,
    body: string,
  ): Promise<{ status: number; body: string }> => {
    const r = await router.handle({ method, target: parseTarget(path), headers: {}, body });
    return { status: r.status, body: String(r.body) };
  };
  return { router, calls, send };
}

describe('BodyWorkerPool', () => {
  let pool: BodyWorkerPool;
  afterEach(async () => {
    await pool?.close();
  });

  it('gives the in-thread verdict for every case, large bodies through the worker', async () => {
    pool = new BodyWorkerPool({ minChars: 0 });
    for (const [what, r, q] of CASES) {
      const inThread = await checkBodyInThread(r, q);
      const viaWorker = await pool.readers.check(r, q);
      expect([what, viaWorker]).toEqual([what, inThread]);
      // Same members in the same order (toEqual does not look at the order).
      expect([what, JSON.stringify(viaWorker)]).toEqual([what, JSON.stringify(inThread)]);
    }
    expect(pool.stats).toEqual({ started: 1, failed: 0, checked: CASES.length });
    // The cases cover both verdicts and the member that must stay data.
    const proto = await pool.readers.check(CUBE, req('{"__proto__":{"a":1}}'));
    expect(proto).toMatchObject({
      ok: false,
      errors: [{ code: 'CUBE_ERR_INVALID_VALUE', info: '__proto__' }],
    });
  }, 60_000);

  it('checks bodies shorter than the threshold in this thread', async () => {
    pool = new BodyWorkerPool({ minChars: 1000 });
    const small = await pool.readers.check(CUBE, req('{"loglevel":"INFO"}'));
    expect(small.ok).toBe(true);
    expect(pool.stats.started).toBe(0);
    const large = await pool.readers.check(CUBE, req(manyMembers(200)));
    expect(large).toMatchObject({ ok: false, omitted: 180 });
    expect(pool.stats).toEqual({ started: 1, failed: 0, checked: 1 });
  }, 60_000);

  it('checks rows it has no module for in this thread', async () => {
    pool = new BodyWorkerPool({ minChars: 0 });
    const stray = buildRouteTable(lbrpModule()).find((x) => x.kind === 'cube') as RouteRow;
    expect((await pool.readers.check(stray, req('{}'))).ok).toBe(true);
    expect(pool.stats.started).toBe(0);
  });

  it.each([
    ['hang', /body check failed: the body check took more than 3000 ms; the body worker was restarted/],
    ['exit', /body check failed: the body worker exited with code 3; the body worker was restarted/],
    ['throw', /body check failed: thrown in the worker; the body worker was restarted/],
    [
      'oom',
      /body check failed: .*(out of memory|ERR_WORKER_OUT_OF_MEMORY).*; the body worker was restarted/i,
    ],
  ])(
    'a worker that does "%s" fails that check alone; the next gets a new worker',
    async (fault, why) => {
      pool = new BodyWorkerPool({
        minChars: 0,
        entry: FAULTY,
        timeoutMs: 3000,
        heapMb: 32,
      });
      expect((await pool.readers.check(CUBE, req('{"loglevel":"INFO"}'))).ok).toBe(true);
      // The faulty check and one queued behind it, sent together.
      const faulty = pool.readers.check(CUBE, req(`{"${fault}":1}`));
      const next = pool.readers.check(CUBE, req('{"loglevel":"DEBUG"}'));
      await expect(faulty).rejects.toThrow(why);
      expect(await next).toMatchObject({ ok: true, value: { loglevel: 'DEBUG' } });
      expect(pool.stats).toMatchObject({ started: 2, failed: 1 });
      // What /metrics shows of it.
      const families = await pool.collector()();
      expect(families.map((f) => [f.name, f.type, f.samples])).toEqual([
        ['polycubed_rest_body_worker_jobs_total', 'counter', [{ value: 2 }]],
        ['polycubed_rest_body_worker_failures_total', 'counter', [{ value: 1 }]],
        ['polycubed_rest_body_worker_starts_total', 'counter', [{ value: 2 }]],
      ]);
    },
    60_000,
  );

  it('refuses checks beyond the queue bound with 503 and serves the others', async () => {
    pool = new BodyWorkerPool({
      minChars: 0,
      entry: FAULTY,
      timeoutMs: 3000,
      maxQueue: 2,
    });
    // A ready worker takes the first check at once: the queue holds what comes after it.
    expect((await pool.readers.check(CUBE, req('{}'))).ok).toBe(true);
    const hung = pool.readers.check(CUBE, req('{"hang":1}'));
    const queued = [pool.readers.check(CUBE, req('{}')), pool.readers.check(CUBE, req('{"x":1}'))];
    const refused = await pool.readers.check(CUBE, req('{}'));
    expect(refused).toEqual({
      ok: false,
      errors: [
        { code: 'CUBE_ERR_TOO_BUSY', message: 'too many requests in progress (limit 2): retry later' },
      ],
    });
    await expect(hung).rejects.toThrow(/more than 3000 ms/);
    expect(await queued[0]).toMatchObject({ ok: true });
    expect(await queued[1]).toMatchObject({ ok: false, errors: [{ info: 'x' }] });
  }, 60_000);

  it('ends an idle worker and starts another for the next large body', async () => {
    pool = new BodyWorkerPool({ minChars: 0, idleMs: 50 });
    expect((await pool.readers.check(CUBE, req('{}'))).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await pool.readers.check(CUBE, req('{}'))).ok).toBe(true);
    expect(pool.stats).toEqual({ started: 2, failed: 0, checked: 2 });
  }, 60_000);

  it('after close, fails what waits and checks in this thread', async () => {
    pool = new BodyWorkerPool({ minChars: 0, entry: FAULTY, timeoutMs: 5000 });
    expect((await pool.readers.check(CUBE, req('{}'))).ok).toBe(true);
    const failed = Promise.all([
      expect(pool.readers.check(CUBE, req('{"hang":1}'))).rejects.toThrow(/the REST server is closing/),
      expect(pool.readers.check(CUBE, req('{}'))).rejects.toThrow(/^the REST server is closing$/),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await pool.close();
    await failed;
    expect((await pool.readers.check(CUBE, req('{}'))).ok).toBe(true);
    expect(pool.stats.started).toBe(1);
  }, 60_000);

  // The framework bodies too: the same answers through the worker as in this thread, and the
  // daemon asked the same things, for `/connect`, `/attach`, `POST /services` and `POST /cubes`.
  it('framework bodies get the same answers through the worker', async () => {
    pool = new BodyWorkerPool({ minChars: 0 });
    const viaWorker = routerOver(pool.readers);
    const inThread = routerOver(undefined);
    const big = manyMembers(100_000);
    const cube = (name: string, extra = ''): string =>
      `{${extra}"service-name":"lbrp","name":"${name}","ports":[{"name":"p1","type":"FRONTEND","peer":"veth1"}]}`;
    const REQUESTS: [string, string][] = [
      ['/polycube/v1/connect/', '{"peer1":"lb1:p1","peer2":"veth0"}'],
      ['/polycube/v1/connect/', big.replace('{', '{"peer1":"lb1:p1","peer2":"veth0",')],
      ['/polycube/v1/disconnect/', '{"peer1":"lb1:p1"}'],
      ['/polycube/v1/connect/', '[1]'],
      ['/polycube/v1/connect/', '{"peer1":'],
      ['/polycube/v1/connect/', '{"peer1":"a","peer1":"b"}'],
      ['/polycube/v1/attach/', '{"cube":"lb1","port":"p1","position":"auto","after":"x"}'],
      ['/polycube/v1/attach/', '{"__proto__":{"cube":"x"},"port":"p1"}'],
      ['/polycube/v1/services/', '{"name":"x","uri":"u","type":"grpc"}'],
      ['/polycube/v1/cubes/', `[${cube('c1')},${cube('c2')}]`],
      ['/polycube/v1/cubes/', `[${cube('c1')},5]`],
      ['/polycube/v1/cubes/', `[${cube('')}]`],
      ['/polycube/v1/cubes/', '[{"name":"c3"}]'],
      ['/polycube/v1/cubes/', '[{"name":"c3","service-name":"nosuch"}]'],
      ['/polycube/v1/cubes/', `[${cube('c4', big.slice(1, -1) + ',')}]`],
      ['/polycube/v1/cubes/', '{}'],
      ['/polycube/v1/cubes/', '[{"a":1,"a":2}]'],
    ];
    const statuses: number[] = [];
    for (const [path, body] of REQUESTS) {
      const what = `POST ${path} ${body.slice(0, 60)}`;
      const a = await viaWorker.send('POST', path, body);
      const b = await inThread.send('POST', path, body);
      expect([what, a]).toEqual([what, b]);
      statuses.push(a.status);
    }
    // Accepted and refused ones alike (the refusals' texts are compared above).
    expect(statuses).toEqual([
      200, 200, 400, 400, 400, 400, 400, 400, 400, 200, 400, 400, 400, 400, 400, 400, 400,
    ]);
    expect(viaWorker.calls).toEqual(inThread.calls);
    expect(viaWorker.calls.length).toBeGreaterThan(4);
    expect(pool.stats).toMatchObject({ failed: 0, checked: expect.any(Number) });
    expect(pool.stats.checked).toBeGreaterThanOrEqual(REQUESTS.length);
  }, 60_000);

  // Through the router: the failed check is a 500 naming it, the daemon never sees that request,
  // and the request after it is served as usual.
  it('a crashed check is a 500 for its request alone', async () => {
    pool = new BodyWorkerPool({ minChars: 0, entry: FAULTY });
    const { router, calls } = routerOver(pool.readers);
    const send = (body: string): Promise<{ status: number; body: string }> =>
      router.handle({ method: 'POST', target: parseTarget(`${P}/lb1/`), headers: {}, body });
    const [crashed, served] = await Promise.all([send('{"exit":1}'), send('{"loglevel":"DEBUG"}')]);
    expect(crashed.status).toBe(500);
    expect(crashed.body).toBe(
      'internal error: body check failed: the body worker exited with code 3; the body worker was restarted',
    );
    expect(served.status).toBe(201);
    expect(calls).toEqual([
      expect.objectContaining({
        op: 'CREATE',
        cube: 'lb1',
        body: expect.objectContaining({ loglevel: 'DEBUG' }),
      }),
    ]);
  }, 60_000);
});
