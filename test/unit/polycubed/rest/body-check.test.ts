// checkBody's own decisions, called directly on lbrp's route rows: the body of a leaf reset (its
// YANG default, or missing-attribute when it has none or the default does not convert), the path's
// own keys written into an element's body only, a route without a body schema refused as a bug,
// and the in-thread readers pausing between slices (counted through setImmediate, which only the
// pauses call here).

import { buildRouteTable, type RouteRow } from 'yang-ts-codegen';
import {
  IN_THREAD_READERS,
  checkBody,
  type BodyCheckRequest,
} from '../../../../src/polycubed/rest/body-check';
import { readJsonAsync } from '../../../../src/polycubed/rest/json-reader';
import { lbrpModule } from '../../codegen/helpers/lbrp';

const ROUTES = buildRouteTable(lbrpModule());
const P = '/polycube/v1/lbrp/:name';

function row(template: string): RouteRow {
  const r = ROUTES.find((x) => x.path === `${P}${template}`);
  if (!r) throw new Error(`no route ${template}`);
  return r;
}

const req = (text: string, over: Partial<BodyCheckRequest> = {}): BodyCheckRequest => ({
  bodyOp: 'update',
  text,
  maxJsonDepth: 64,
  own: {},
  cube: 'lb1',
  ...over,
});

async function pausesOf(run: () => Promise<unknown>): Promise<number> {
  const spy = jest.spyOn(global, 'setImmediate');
  try {
    await run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe('checkBody', () => {
  it('resets a leaf without a body to its default, or names it as missing', async () => {
    expect(await checkBody(row('/loglevel'), req(''))).toEqual({ ok: true, value: 'INFO' });
    expect(await checkBody(row('/tcp-new-timeout'), req(' '))).toEqual({ ok: true, value: 60 });
    const missing = (leaf: string, path: string) => ({
      ok: false,
      errors: [
        {
          code: 'CUBE_ERR_MISSING_ATTRIBUTE',
          message: `missing member "${leaf}" at ${path}`,
          info: leaf,
        },
      ],
    });
    // A string leaf without default: undefined must not become the text "undefined".
    const name = row('/service/:vip/:vport/:proto/name');
    expect(await checkBody(name, req(''))).toEqual(missing('name', '/lbrp/service/name'));
    const port = row('/service/:vip/:vport/:proto/backend/:ip/port');
    expect(await checkBody(port, req(''))).toEqual(missing('port', '/lbrp/service/backend/port'));
    // A default that does not convert (not lbrp's YANG: a row edited here) is no value either.
    const timeout = row('/tcp-new-timeout');
    const bad = { ...timeout, node: { ...timeout.node, default: 'soon' } } as RouteRow;
    expect(await checkBody(bad, req(''))).toEqual(missing('tcp-new-timeout', '/lbrp/tcp-new-timeout'));
  });

  it('writes the path keys into an element body only, and the cube name into a cube body', async () => {
    const own = { vip: '10.0.0.1', vport: 80, proto: 'TCP' };
    const service = row('/service/:vip/:vport/:proto');
    expect(await checkBody(service, req('{"name":"s"}', { own }))).toEqual({
      ok: true,
      value: { name: 's', ...own },
    });
    // A container's body gets no keys: its `own` (none from REST) is ignored.
    const rewrite = row('/src-ip-rewrite');
    expect(await checkBody(rewrite, req('{"ip-range":"10.0.0.0/24"}', { own }))).toEqual({
      ok: true,
      value: { 'ip-range': '10.0.0.0/24' },
    });
    const cube = ROUTES.find((x) => x.path === P) as RouteRow;
    const plain = await checkBody(cube, req('{"loglevel":"debug"}', { cube: 'lbx' }));
    expect(plain).toMatchObject({ ok: true, value: { name: 'lbx', loglevel: 'DEBUG' } });
    expect(await checkBody(cube, req('{"loglevel":"debug"}', { cube: 'lbx', own }))).toStrictEqual(plain);
  });

  it('refuses a route without a body schema as a bug', async () => {
    const uuid = row('/uuid');
    expect(uuid.body).toBeUndefined();
    await expect(checkBody(uuid, req('"x"'))).rejects.toThrow(new Error(`no body schema for ${uuid.path}`));
  });
});

describe('IN_THREAD_READERS', () => {
  it('pause between slices of the text, and between members while validating', async () => {
    const many = `[${Array.from({ length: 3000 }, (_, i) => `{"ip":"10.9.${i >> 8}.${i & 255}","port":80}`).join(',')}]`;
    const backends = row('/service/:vip/:vport/:proto/backend');
    const reading = await pausesOf(() => readJsonAsync(many, 64));
    expect(reading).toBeGreaterThan(5);
    const checking = await pausesOf(() => IN_THREAD_READERS.check(backends, req(many, { bodyOp: 'create' })));
    expect(checking).toBeGreaterThan(reading);
    expect(await pausesOf(() => checkBody(backends, req(many, { bodyOp: 'create' })))).toBe(0);
    const text = `{"peer1":"${'a'.repeat(20_000)}"}`;
    expect(await pausesOf(() => IN_THREAD_READERS.object(text, 64, ['peer1']))).toBe(1);
    expect(await pausesOf(() => IN_THREAD_READERS.batch(`[${text}]`, 64))).toBe(1);
  });
});
