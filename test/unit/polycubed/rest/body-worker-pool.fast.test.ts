// The body worker pool's own decisions, over a stand-in worker that loads in milliseconds and
// echoes what it was sent (test/fixtures/rest/stub-body-worker.ts): which bodies go to the worker,
// the modules sent once each and again after the worker forgot them, the queue bound, the check,
// start and idle timers, stale and error answers, close, the thread's niceness and environment,
// and the /metrics counters. The verdicts of the real worker are body-worker-pool.test.ts's.

import { join, resolve } from 'node:path';
import type { IrModule, RouteRow } from 'yang-ts-codegen';
import type { BodyCheckRequest } from '../../../../src/polycubed/rest/body-check';
import {
  BodyWorkerPool,
  DEFAULT_BODY_WORKER,
  registerRouteTable,
  type BodyWorkerOptions,
} from '../../../../src/polycubed/rest/body-worker-pool';
import { WORKER_MODULES } from '../../../../src/polycubed/rest/body-worker';
import type { StubResult } from '../../../fixtures/rest/stub-body-worker';

const STUB = join(__dirname, '../../../fixtures/rest/stub-body-worker.ts');
const NEVER_READY = join(__dirname, '../../../fixtures/rest/never-ready-body-worker.ts');

/** A module of its own (the pool knows modules by object) with one registered row. */
function moduleWithRow(n: number): { module: IrModule; row: RouteRow } {
  const module = { name: `m${n}` } as unknown as IrModule;
  const rows = [{ path: `/m${n}/a` }, { path: `/m${n}/b` }] as unknown as RouteRow[];
  registerRouteTable(module, rows);
  return { module, row: rows[1] as RouteRow };
}

const req = (text: string): BodyCheckRequest => ({
  bodyOp: 'create',
  text,
  maxJsonDepth: 9,
  own: {},
  cube: 'c',
});

let pool: BodyWorkerPool;
afterEach(async () => {
  await pool?.close();
});

function stubPool(opts: Partial<BodyWorkerOptions> = {}): BodyWorkerPool {
  pool = new BodyWorkerPool({ minChars: 0, entry: STUB, ...opts });
  return pool;
}

/**
 * The pool's answer for a check of `text` on `row`. Its rejection is marked handled at once: a
 * check awaited later may fail first (under a mutant too), and an unhandled rejection would end
 * the test process instead of failing the test.
 */
function check(row: RouteRow, text: string): Promise<StubResult> {
  const p = (async () => (await pool.readers.check(row, req(text))) as unknown as StubResult)();
  p.catch(() => undefined);
  return p;
}

describe('BodyWorkerPool over a stub worker', () => {
  it('has the documented defaults', () => {
    expect({ ...DEFAULT_BODY_WORKER, entry: undefined }).toEqual({
      minChars: 65536,
      timeoutMs: 30_000,
      maxQueue: 16,
      heapMb: 256,
      idleMs: 60_000,
      startMs: 30_000,
      nice: 10,
      entry: undefined,
    });
    expect(DEFAULT_BODY_WORKER.entry).toBe(
      resolve(__dirname, '../../../../src/polycubed/rest/body-worker.ts'),
    );
  });

  it('sends bodies of at least minChars to the worker, shorter ones stay here', async () => {
    stubPool({ minChars: 10 });
    const { row } = moduleWithRow(1);
    // 9 characters: read in this thread, where the stand-in row has no body schema.
    await expect(pool.readers.check(row, req('{"a":12}8'))).rejects.toThrow('no body schema for /m1/b');
    expect(await pool.readers.object('[1,2,3,4]', 9, [])).toEqual({ ok: false, notObject: true });
    expect(await pool.readers.batch('{"a":123}', 9)).toEqual({
      ok: false,
      notArray: true,
    });
    expect(pool.stats.started).toBe(0);
    const got = await check(row, '0123456789');
    expect(got.message).toEqual({
      kind: 'check',
      job: 1,
      module: got.modules[0],
      row: 1,
      path: '/m1/b',
      req: req('0123456789'),
    });
    expect((await pool.readers.object('{"a":12345}', 9, ['a'])) as unknown as StubResult).toMatchObject({
      modules: got.modules,
      message: { kind: 'object', job: 2, text: '{"a":12345}', maxDepth: 9, members: ['a'] },
    });
    expect((await pool.readers.batch('[123456789]', 7)) as unknown as StubResult).toMatchObject({
      message: { kind: 'batch', job: 3, text: '[123456789]', maxDepth: 7 },
    });
    expect(pool.stats).toEqual({ started: 1, failed: 0, checked: 3 });
  });

  it('runs the thread niced, without the daemon flags, with the repo tsconfig', async () => {
    stubPool({ nice: 7, heapMb: 48 });
    const got = await check(moduleWithRow(2).row, 'x');
    expect(got.nice).toBe(7);
    expect(got.heapMb).toBe(48);
    expect(got.execArgv).toEqual([]);
    expect(got.tsconfig).toBe(resolve(__dirname, '../../../../tsconfig.json'));
  });

  it('sends each module once, and again after the worker forgot it', async () => {
    stubPool();
    const first = moduleWithRow(10);
    const a = await check(first.row, 'x');
    expect(a.modules).toHaveLength(1);
    const id = a.modules[0] as number;
    expect(a.message).toMatchObject({ module: id });
    expect((await check(first.row, 'y')).modules).toEqual([id]);
    // WORKER_MODULES other modules: the first is forgotten by then (the worker's rule, mirrored).
    const others = Array.from({ length: WORKER_MODULES }, (_, n) => moduleWithRow(11 + n));
    let last: StubResult | undefined;
    for (const other of others) last = await check(other.row, 'x');
    expect(last?.modules).toHaveLength(WORKER_MODULES + 1);
    const again = await check(first.row, 'z');
    expect(again.modules).toHaveLength(WORKER_MODULES + 2);
    expect(again.modules[WORKER_MODULES + 1]).toBe(id);
    // The worker now holds the newest WORKER_MODULES: the oldest of them is not sent again, ...
    expect((await check((others[1] as { row: RouteRow }).row, 'x')).modules).toHaveLength(WORKER_MODULES + 2);
    // ... the one before it was forgotten.
    expect((await check((others[0] as { row: RouteRow }).row, 'x')).modules).toHaveLength(WORKER_MODULES + 3);
  });

  it('refuses work past the queue bound with 503, for each reader', async () => {
    stubPool({ maxQueue: 2 });
    const { row } = moduleWithRow(3);
    await check(row, 'warm');
    const running = check(row, 'slow:300');
    const queued = [check(row, 'q1'), check(row, 'q2')];
    const busy = {
      code: 'CUBE_ERR_TOO_BUSY',
      message: 'too many requests in progress (limit 2): retry later',
    };
    expect(await pool.readers.check(row, req('x'))).toEqual({ ok: false, errors: [busy] });
    expect(await pool.readers.object('{}', 9, [])).toEqual({ ok: false, busy });
    expect(await pool.readers.batch('[]', 9)).toEqual({ ok: false, busy });
    expect((await running).message).toMatchObject({ job: 2 });
    expect((await queued[0]).message).toMatchObject({ job: 3 });
    expect((await queued[1]).message).toMatchObject({ job: 4 });
    expect(pool.stats).toEqual({ started: 1, failed: 0, checked: 4 });
  });

  it('ignores an answer for another job, and passes an error answer on', async () => {
    stubPool();
    const { row } = moduleWithRow(4);
    expect((await check(row, 'stale')).message).toMatchObject({ job: 1 });
    await expect(check(row, 'error')).rejects.toThrow(/^stub refused$/);
    expect((await check(row, 'x')).message).toMatchObject({ job: 3 });
    expect(pool.stats).toEqual({ started: 1, failed: 0, checked: 3 });
  });

  it('ends a worker whose check runs too long; the next check gets a new one', async () => {
    stubPool({ timeoutMs: 400 });
    const { row } = moduleWithRow(5);
    await check(row, 'warm');
    const hung = check(row, 'hang');
    const next = check(row, 'x');
    await expect(hung).rejects.toThrow(
      /^body check failed: the body check took more than 400 ms; the body worker was restarted$/,
    );
    const got = await next;
    // A new worker: the module is sent to it again.
    expect(got.modules).toHaveLength(1);
    expect(pool.stats).toEqual({ started: 2, failed: 1, checked: 2 });
    const families = await pool.collector()();
    expect(families).toEqual([
      {
        name: 'polycubed_rest_body_worker_jobs_total',
        help: 'Request bodies read in the body worker thread',
        type: 'counter',
        samples: [{ value: 2 }],
      },
      {
        name: 'polycubed_rest_body_worker_failures_total',
        help: 'Request bodies answered 500 because the body worker hung, crashed or ran out of heap on them',
        type: 'counter',
        samples: [{ value: 1 }],
      },
      {
        name: 'polycubed_rest_body_worker_starts_total',
        help: 'Body worker threads started',
        type: 'counter',
        samples: [{ value: 2 }],
      },
    ]);
  });

  it('a check that outlives no timer is answered; one that exits fails alone', async () => {
    stubPool({ timeoutMs: 5000 });
    const { row } = moduleWithRow(6);
    expect((await check(row, 'slow:50')).message).toMatchObject({ job: 1 });
    const [exited, after] = await Promise.allSettled([check(row, 'exit'), check(row, 'x')]);
    expect(exited).toMatchObject({
      status: 'rejected',
      reason: new Error(
        'body check failed: the body worker exited with code 4; the body worker was restarted',
      ),
    });
    expect(after).toMatchObject({ status: 'fulfilled' });
    expect(pool.stats).toEqual({ started: 2, failed: 1, checked: 2 });
  });

  it('fails the first waiting check of a worker that does not get ready in time, then starts anew', async () => {
    pool = new BodyWorkerPool({ minChars: 0, entry: NEVER_READY, startMs: 300 });
    const { row } = moduleWithRow(7);
    const [first, second] = [check(row, 'a'), check(row, 'b')];
    await expect(first).rejects.toThrow(
      /^body check failed: the body worker did not start within 300 ms; the body worker was restarted$/,
    );
    await expect(second).rejects.toThrow(/did not start within 300 ms/);
    expect(pool.stats).toEqual({ started: 2, failed: 2, checked: 0 });
  });

  it('fails the first waiting check of a worker that cannot load, then starts anew', async () => {
    pool = new BodyWorkerPool({ minChars: 0, entry: join(__dirname, 'no-such-worker.ts') });
    const { row } = moduleWithRow(8);
    const [first, second] = [check(row, 'a'), check(row, 'b')];
    await expect(first).rejects.toThrow(
      /^body check failed: .*no-such-worker.*; the body worker was restarted$/s,
    );
    await expect(second).rejects.toThrow(/no-such-worker/);
    expect(pool.stats).toEqual({ started: 2, failed: 2, checked: 0 });
  });

  it('ends an idle worker after idleMs, not before', async () => {
    stubPool({ idleMs: 400 });
    const { row } = moduleWithRow(9);
    await check(row, 'x');
    await new Promise((r) => setTimeout(r, 100));
    // Still the same worker: the module is not sent again.
    expect((await check(row, 'y')).modules).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 800));
    expect((await check(row, 'z')).modules).toHaveLength(1);
    expect(pool.stats).toEqual({ started: 2, failed: 0, checked: 3 });
  });

  it('after close, fails what runs and waits, and reads in this thread', async () => {
    stubPool();
    const { row } = moduleWithRow(12);
    await check(row, 'warm');
    const running = check(row, 'slow:2000');
    const waiting = check(row, 'x');
    const settled = Promise.allSettled([running, waiting]);
    await new Promise((r) => setTimeout(r, 50));
    await pool.close();
    const [a, b] = await settled;
    expect(a).toMatchObject({
      status: 'rejected',
      reason: new Error('body check failed: the REST server is closing; the body worker was restarted'),
    });
    expect(b).toMatchObject({ status: 'rejected', reason: new Error('the REST server is closing') });
    await expect(pool.readers.check(row, req('{}'))).rejects.toThrow('no body schema for /m12/b');
    expect(pool.stats).toEqual({ started: 1, failed: 1, checked: 1 });
  });

  it('keeps the idle timer off while there is work', async () => {
    stubPool({ idleMs: 1000 });
    const { row } = moduleWithRow(13);
    await check(row, 'x');
    await new Promise((r) => setTimeout(r, 600));
    // A check 600 ms after the first: its start cancels the first idle timer, ...
    await check(row, 'y');
    await new Promise((r) => setTimeout(r, 600));
    // ... so 1200 ms after the first the worker is still there (its timer runs from 'y').
    expect((await check(row, 'z')).modules).toHaveLength(1);
    // A check queued behind another runs longer than idleMs without being stopped.
    pool.readers.check(row, req('q')).catch(() => undefined);
    expect((await check(row, 'slow:1300')).message).toMatchObject({ job: 5 });
    expect(pool.stats).toEqual({ started: 1, failed: 0, checked: 5 });
  });

  it('starts the check timer when the worker is ready, not when it is started', async () => {
    process.env.STUB_BODY_WORKER_READY_MS = '800';
    try {
      stubPool({ timeoutMs: 300 });
      expect((await check(moduleWithRow(14).row, 'x')).message).toMatchObject({ job: 1 });
    } finally {
      delete process.env.STUB_BODY_WORKER_READY_MS;
    }
    expect(pool.stats).toEqual({ started: 1, failed: 0, checked: 1 });
  });

  it('a worker that died takes its check timer with it', async () => {
    stubPool({ timeoutMs: 1200 });
    const { row } = moduleWithRow(15);
    await check(row, 'warm');
    // The next worker takes 1 s to get ready: the dead worker's timer would end at 1200 ms from
    // its job, during the next check.
    process.env.STUB_BODY_WORKER_READY_MS = '1000';
    try {
      const [exited, slow] = await Promise.allSettled([check(row, 'exit'), check(row, 'slow:500')]);
      expect(exited).toMatchObject({ status: 'rejected' });
      expect(slow).toMatchObject({ status: 'fulfilled' });
    } finally {
      delete process.env.STUB_BODY_WORKER_READY_MS;
    }
    expect(pool.stats).toEqual({ started: 2, failed: 1, checked: 2 });
  });
});
