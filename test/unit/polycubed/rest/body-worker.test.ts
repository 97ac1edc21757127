// The body worker's side (body-worker.ts), run in this thread, where Stryker can switch its mutants
// on (a worker thread loads the code without them): modules kept by id, the oldest forgotten past
// WORKER_MODULES; rows found by index and cross-checked by path; each job answered with its number;
// and the message loop of serveBodyChecks over a MessageChannel.

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { buildRouteTable, type RouteRow } from 'yang-ts-codegen';
import type { BodyCheckRequest } from '../../../../src/polycubed/rest/body-check';
import {
  BodyWorkerState,
  WORKER_MODULES,
  serveBodyChecks,
  type FromBodyWorker,
} from '../../../../src/polycubed/rest/body-worker';
import { checkBodyInThread } from '../../../../src/polycubed/rest/config-request';
import { lbrpModule } from '../../codegen/helpers/lbrp';

const MODULE = lbrpModule();
const ROUTES = buildRouteTable(MODULE);
const CUBE = ROUTES.find((x) => x.path === '/polycube/v1/lbrp/:name') as RouteRow;

const req = (text: string, over: Partial<BodyCheckRequest> = {}): BodyCheckRequest => ({
  bodyOp: 'create',
  text,
  maxJsonDepth: 64,
  own: {},
  cube: 'lb1',
  ...over,
});

describe('BodyWorkerState', () => {
  it('checks bodies on the rows of the modules it was sent, and says when it has no such row', async () => {
    const state = new BodyWorkerState();
    const index = ROUTES.indexOf(CUBE);
    const check = (job: number, module: number, path = CUBE.path) =>
      state.handle({ kind: 'check', job, module, row: index, path, req: req('{"loglevel":"debug"}') });
    expect(await check(1, 7)).toEqual({ job: 1, error: `body worker: no route ${CUBE.path} in module 7` });
    expect(await state.handle({ kind: 'module', id: 7, module: MODULE })).toBeUndefined();
    expect(await check(2, 7)).toEqual({
      job: 2,
      result: await checkBodyInThread(CUBE, req('{"loglevel":"debug"}')),
    });
    expect(await check(3, 7, '/elsewhere')).toEqual({
      job: 3,
      error: 'body worker: no route /elsewhere in module 7',
    });
    for (let id = 100; id < 100 + WORKER_MODULES; id++)
      await state.handle({ kind: 'module', id, module: MODULE });
    expect(await check(4, 7)).toMatchObject({ job: 4, error: expect.stringContaining('no route') });
    expect(await check(5, 100)).toMatchObject({ job: 5, result: { ok: true } });
  });

  it('reads framework bodies', async () => {
    const state = new BodyWorkerState();
    expect(
      await state.handle({
        kind: 'object',
        job: 1,
        text: '{"a":1,"b":[2],"c":3}',
        maxDepth: 64,
        members: ['a', 'b', 'z'],
      }),
    ).toEqual({ job: 1, result: { ok: true, value: { a: 1, b: [2] } } });
    expect(await state.handle({ kind: 'object', job: 2, text: '[]', maxDepth: 64, members: [] })).toEqual({
      job: 2,
      result: { ok: false, notObject: true },
    });
    expect(
      await state.handle({
        kind: 'batch',
        job: 3,
        text: '[{"name":"c","service-name":"lbrp","ports":[{"name":"p","peer":"v"},{"name":"q","peer":""}]},1,{"name":5}]',
        maxDepth: 64,
      }),
    ).toEqual({
      job: 3,
      result: {
        ok: true,
        entries: [
          {
            object: true,
            name: 'c',
            service: 'lbrp',
            peers: [{ port: 'p', peer: 'v' }],
            text: '{"name":"c","service-name":"lbrp","ports":[{"name":"p"},{"name":"q"}]}',
          },
          { object: false },
          { object: true, name: '', peers: [], text: '{"name":5}' },
        ],
      },
    });
    expect(await state.handle({ kind: 'batch', job: 4, text: '{"a":', maxDepth: 64 })).toMatchObject({
      job: 4,
      result: { ok: false, invalidJson: expect.stringContaining('unexpected end of the body') },
    });
  });
});

describe('serveBodyChecks', () => {
  /** The messages `port` receives, in order, and a wait for the next one. */
  function inbox(port: MessagePort): { next(): Promise<FromBodyWorker> } {
    const got: FromBodyWorker[] = [];
    const waiting: ((m: FromBodyWorker) => void)[] = [];
    port.on('message', (m: FromBodyWorker) => {
      const w = waiting.shift();
      if (w) w(m);
      else got.push(m);
    });
    return {
      next: () => {
        const m = got.shift();
        return m !== undefined ? Promise.resolve(m) : new Promise((resolve) => waiting.push(resolve));
      },
    };
  }

  it('says it is ready, answers jobs by number and nothing for a module', async () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const daemon = inbox(port2);
      serveBodyChecks(port1);
      expect(await daemon.next()).toEqual({ ready: true });
      port2.postMessage({ kind: 'module', id: 3, module: MODULE });
      port2.postMessage({
        kind: 'check',
        job: 1,
        module: 3,
        row: ROUTES.indexOf(CUBE),
        path: CUBE.path,
        req: req('{"loglevel":"debug"}'),
      });
      port2.postMessage({
        kind: 'check',
        job: 2,
        module: 3,
        row: ROUTES.length,
        path: CUBE.path,
        req: req('{}'),
      });
      port2.postMessage({ kind: 'object', job: 3, text: '{"a":1}', maxDepth: 8, members: ['a'] });
      // The module message is answered by nothing: the next message is job 1's.
      expect(await daemon.next()).toEqual({
        job: 1,
        result: await checkBodyInThread(CUBE, req('{"loglevel":"debug"}')),
      });
      expect(await daemon.next()).toEqual({
        job: 2,
        error: `body worker: no route ${CUBE.path} in module 3`,
      });
      expect(await daemon.next()).toEqual({ job: 3, result: { ok: true, value: { a: 1 } } });
    } finally {
      port1.close();
      port2.close();
    }
  });
});
