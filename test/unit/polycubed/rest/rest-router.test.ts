// The REST router and the generated-resource handler over a recording fake daemon (no kernel, no
// socket): which ConfigOp each request hands to `execute`, and how each ConfigResult becomes the
// status, content type and GET shape of REST spec §4–§6 (null for empty lists, `_links`, base
// booleans as strings, 204/201/200 per resource kind, 405 with Allow, the cube-name redirect, a
// handler failure as a 500 naming it).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRouteTable, loadModuleFromText, type IrModule, type RouteRow } from 'yang-ts-codegen';
import type { ConfigOp, ConfigResult } from '../../../../src/polycubed/core/types';
import { parseTarget } from '../../../../src/polycubed/rest/request-path';
import { buildConfigRequest } from '../../../../src/polycubed/rest/config-request';
import { helpRequest, withRequiredMembers } from '../../../../src/polycubed/rest/help-handler';
import { resultError, successStatus } from '../../../../src/polycubed/rest/resource-handler';
import type { RestDaemon } from '../../../../src/polycubed/rest/rest-context';
import { RestRouter } from '../../../../src/polycubed/rest/rest-router';
import type { Reply } from '../../../../src/polycubed/rest/reply';

const REPO = join(__dirname, '../../../..');
const YANG = readFileSync(join(REPO, 'datamodel/lbrp.yang'), 'utf8');
const LBRP: IrModule = (() => {
  const r = loadModuleFromText(YANG, join(REPO, 'datamodel/lbrp.yang'), {
    searchPath: [join(REPO, 'datamodel')],
  });
  if (!r.module) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.module;
})();
const P = '/polycube/v1';
const H = '//127.0.0.1:9000/polycube/v1';
const YANG_JSON = 'application/yang.data+json; charset=utf-8';

/** A daemon holding cube lb0 of lbrp, whose `execute` records each op and answers `answer(op)`. */
function fakeDaemon(answer: (op: ConfigOp) => ConfigResult): { daemon: RestDaemon; ops: ConfigOp[] } {
  const ops: ConfigOp[] = [];
  const service = { name: 'lbrp', module: LBRP };
  const base = { name: 'lb0', uuid: 'u', 'service-name': 'lbrp', type: 'TC', loglevel: 'INFO' };
  const daemon = {
    services: () => [service],
    service: (n: string) => (n === 'lbrp' ? service : undefined),
    cubes: (s?: string) => (s === undefined || s === 'lbrp' ? [{ name: 'lb0', service: 'lbrp' }] : []),
    cube: (n: string) => (n === 'lb0' ? { name: 'lb0', service: 'lbrp' } : undefined),
    cubeBase: (n: string) => (n === 'lb0' ? base : undefined),
    netdevs: () => [],
    execute: async (op: ConfigOp) => {
      ops.push(op);
      return answer(op);
    },
    connectPeers: async () => ({ code: 'GENERIC_ERROR' }),
    disconnectPeers: async () => ({ code: 'GENERIC_ERROR' }),
  } as unknown as RestDaemon;
  return { daemon, ops };
}

function routerWith(answer: (op: ConfigOp) => ConfigResult): { router: RestRouter; ops: ConfigOp[] } {
  const { daemon, ops } = fakeDaemon(answer);
  return {
    router: new RestRouter(daemon, { authority: '127.0.0.1:9000', maxJsonDepth: 32, version: 'v' }),
    ops,
  };
}

const send = (
  router: RestRouter,
  method: string,
  path: string,
  body = '',
  headers: Record<string, string> = {},
): Promise<Reply> => router.handle({ method, target: parseTarget(path), headers, body });

const ok = (body?: unknown): ConfigResult =>
  ({ code: 'OK', ...(body === undefined ? {} : { body }) }) as ConfigResult;

describe('successStatus (REST spec §6.2)', () => {
  const kinds: RouteRow['kind'][] = ['service', 'cube', 'container', 'element', 'list', 'leaf', 'action'];
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
  it('answers each kind and method with its status', () => {
    const table = Object.fromEntries(
      kinds.map((k) => [k, methods.map((m) => successStatus(k, m)).join(' ')]),
    );
    expect(table).toEqual({
      service: '200 201 200 200 200',
      cube: '200 201 201 200 200',
      container: '200 201 201 201 204',
      element: '200 201 201 201 204',
      list: '200 201 201 201 200',
      leaf: '200 200 200 200 200',
      action: '200 200 200 200 200',
    });
  });
});

describe('resultError', () => {
  it('maps each failing result code to its catalogue error', () => {
    const e = (r: Partial<ConfigResult>) => resultError(r as ConfigResult, '/lbrp/service');
    expect(e({ code: 'DATA_EXISTS' } as never)).toEqual({
      code: 'CUBE_ERR_DATA_EXISTS',
      message: '/lbrp/service already exists',
    });
    expect(e({ code: 'NOT_SUPPORTED' } as never).code).toBe('CUBE_ERR_OPERATION_NOT_SUPPORTED');
    expect(e({ code: 'GENERIC_ERROR', message: 'boom' } as never)).toMatchObject({
      code: 'CUBE_ERR_SERVICE_FAILED',
      message: 'boom',
    });
    expect(e({ code: 'UNAVAILABLE' } as never)).toMatchObject({
      code: 'CUBE_ERR_SERVICE_UNAVAILABLE',
      message: 'service unavailable',
    });
    expect(e({ code: 'UNAVAILABLE', message: 'restarting' } as never).message).toBe('restarting');
    expect(e({ code: 'GENERIC_ERROR' } as never).message).toBe('');
    expect(e({ code: 'WHAT' } as never)).toMatchObject({
      code: 'CUBE_ERR_INTERNAL',
      message: 'internal error: unknown result code WHAT',
    });
  });

  // error-info comes from errorInfo; a refused value's reason becomes the error-message detail,
  // for bad-attribute and bad-element only.
  it('keeps errorInfo as info and the message as detail of a refused value', () => {
    const e = (r: object) => resultError(r as ConfigResult, '/lbrp');
    expect(e({ code: 'BAD_ATTRIBUTE', errorInfo: 'name', message: 'too long' })).toMatchObject({
      info: 'name',
      detail: 'too long',
    });
    expect(e({ code: 'BAD_ELEMENT', message: 'bad key' }).detail).toBe('bad key');
    expect(e({ code: 'BAD_ATTRIBUTE' }).detail).toBeUndefined();
    expect(e({ code: 'INVALID_VALUE', errorInfo: 'foo', message: 'x' })).not.toHaveProperty('detail');
    expect(e({ code: 'INVALID_VALUE' })).not.toHaveProperty('info');
  });
});

describe('RestRouter over a fake daemon', () => {
  it('hands a GET of an element to execute as one READ and shapes the answer with _links', async () => {
    const { router, ops } = routerWith(() => ok({ name: 'svc', vip: '10.0.0.1', vport: 80, proto: 'tcp' }));
    const r = await send(router, 'GET', `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/`);
    expect(ops).toEqual([
      {
        op: 'READ',
        service: 'lbrp',
        cube: 'lb0',
        path: '/lbrp/service',
        keys: [
          { list: 'service', name: 'vip', value: '10.0.0.1' },
          { list: 'service', name: 'vport', value: '80' },
          { list: 'service', name: 'proto', value: 'TCP' },
        ],
        isCollection: false,
      },
    ]);
    expect(r.status).toBe(200);
    expect(r.headers['Content-Type']).toBe(YANG_JSON);
    const got = JSON.parse(r.body) as { _links: { rel: string; href: string }[] };
    expect(got._links[0]).toEqual({ rel: 'self', href: `${H}/lbrp/lb0/service/10.0.0.1/80/TCP/` });
    expect(got._links.map((l) => l.rel)).toContain('backend');
  });

  // Empty lists are `null` whatever the daemon says "empty" with; a list answers its elements
  // then a `_links` element; a non-array answer is passed on as is.
  it.each([
    ['undefined', undefined, 'null'],
    ['null', null, 'null'],
    ['[]', [], 'null'],
    ['an object', { odd: 1 }, '{"odd":1}'],
  ])('answers a list GET read as %s', async (_label, body, want) => {
    const { router } = routerWith(() => ({ code: 'OK', body }) as ConfigResult);
    const r = await send(router, 'GET', `${P}/lbrp/lb0/service/`);
    expect([r.status, r.body]).toEqual([200, want]);
  });

  it('answers a list collection with a trailing _links element', async () => {
    const { router, ops } = routerWith(() => ok([{ vip: '10.0.0.1', vport: 80, proto: 'tcp' }]));
    const r = await send(router, 'GET', `${P}/lbrp/lb0/service/`);
    expect(ops[0]).toMatchObject({ op: 'READ', path: '/lbrp/service', keys: [], isCollection: true });
    const got = JSON.parse(r.body) as unknown[];
    expect(got).toHaveLength(2);
    expect(got[1]).toEqual([
      '_links',
      [
        { rel: 'self', href: `${H}/lbrp/lb0/service/` },
        { rel: '10.0.0.1', href: `${H}/lbrp/lb0/service/10.0.0.1/80/tcp/` },
      ],
    ]);
  });

  // Base-model booleans of the cube itself are strings; a service leaf is the value as read.
  it('answers the cube’s shadow and span as strings, other leaves as read', async () => {
    const { router } = routerWith((op) =>
      ok(op.path === '/lbrp/port_mode' ? 'single' : op.path.endsWith('/weight') ? 3 : false),
    );
    expect((await send(router, 'GET', `${P}/lbrp/lb0/shadow/`)).body).toBe('"false"');
    expect((await send(router, 'GET', `${P}/lbrp/lb0/span/`)).body).toBe('"false"');
    expect((await send(router, 'GET', `${P}/lbrp/lb0/port_mode/`)).body).toBe('"single"');
    expect(
      (await send(router, 'GET', `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4/weight/`)).body,
    ).toBe('3');
  });

  // The cube and containers get `_links` of their child endpoints too.
  it('adds _links to the cube and to containers', async () => {
    const { router } = routerWith((op) => ok(op.path === '/lbrp' ? { name: 'lb0' } : { 'ip-range': '' }));
    const cube = JSON.parse((await send(router, 'GET', `${P}/lbrp/lb0/`)).body) as {
      _links: { rel: string }[];
    };
    expect(cube._links.slice(0, 2)).toEqual([
      { rel: 'self', href: `${H}/lbrp/lb0/` },
      { rel: 'uuid', href: `${H}/lbrp/lb0/uuid/` },
    ]);
    const container = JSON.parse(
      (await send(router, 'GET', `${P}/lbrp/lb0/src-ip-rewrite/`)).body,
    ) as unknown;
    expect(container).toEqual({
      'ip-range': '',
      _links: [
        { rel: 'self', href: `${H}/lbrp/lb0/src-ip-rewrite/` },
        { rel: 'ip-range', href: `${H}/lbrp/lb0/src-ip-rewrite/ip-range/` },
        { rel: 'new_ip_range', href: `${H}/lbrp/lb0/src-ip-rewrite/new_ip_range/` },
      ],
    });
  });

  // Only booleans of shadow and span become strings; other leaves keep their JSON type.
  it('turns only boolean shadow/span values into strings', async () => {
    const { router } = routerWith((op) => ok(op.path === '/lbrp/shadow' ? 1 : true));
    expect((await send(router, 'GET', `${P}/lbrp/lb0/shadow/`)).body).toBe('1');
    expect((await send(router, 'GET', `${P}/lbrp/lb0/port_mode/`)).body).toBe('true');
    expect(
      (await send(router, 'GET', `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4/weight/`)).body,
    ).toBe('true');
  });

  // A write's answer carries no body even when the daemon returned one (only actions answer one).
  it('answers writes without a body whatever execute returned', async () => {
    const { router } = routerWith(() => ok({ unexpected: 1 }));
    const r = await send(router, 'POST', `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/`, '{}');
    expect([r.status, r.body]).toEqual([201, '']);
  });

  // A cube listed but gone by the time its base object is read is left out, not `null`.
  it('leaves out of the service collection a cube that went away meanwhile', async () => {
    const { daemon } = fakeDaemon(() => ok());
    const base = daemon.cubeBase('lb0');
    Object.assign(daemon, {
      cubes: () => [{ name: 'lb0' }, { name: 'lbGone' }],
      cubeBase: (n: string) => (n === 'lb0' ? base : undefined),
    });
    const router = new RestRouter(daemon, { authority: '127.0.0.1:9000', maxJsonDepth: 32, version: 'v' });
    const got = JSON.parse((await send(router, 'GET', `${P}/lbrp/`)).body) as unknown[];
    expect(got).toEqual([
      base,
      [
        '_links',
        [
          { rel: 'self', href: `${H}/lbrp/` },
          { rel: 'lb0', href: `${H}/lbrp/lb0/` },
          { rel: 'lbGone', href: `${H}/lbrp/lbGone/` },
        ],
      ],
    ]);
  });

  it('answers a GET read as nothing with 200 and no body', async () => {
    const { router } = routerWith(() => ok());
    const r = await send(router, 'GET', `${P}/lbrp/lb0/port_mode/`);
    expect([r.status, r.body, r.headers['Content-Type']]).toEqual([200, '', YANG_JSON]);
  });

  it('answers NO_CONTENT with 204, errors with their catalogue answer', async () => {
    let result: ConfigResult = { code: 'NO_CONTENT' } as ConfigResult;
    const { router } = routerWith(() => result);
    let r = await send(router, 'GET', `${P}/lbrp/lb0/type/`);
    expect([r.status, r.body, r.headers['Content-Type']]).toEqual([204, '', YANG_JSON]);
    result = { code: 'GENERIC_ERROR', message: 'Cube lb0 does not exist' } as ConfigResult;
    r = await send(router, 'GET', `${P}/lbrp/lb0/`);
    expect([r.status, r.body, r.headers['Content-Type']]).toEqual([
      500,
      'Cube lb0 does not exist',
      YANG_JSON,
    ]);
    result = { code: 'DATA_MISSING' } as ConfigResult;
    r = await send(router, 'DELETE', `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/`);
    expect([r.status, r.body]).toEqual([
      409,
      '{"ietf-restconf:errors":{"error":[{"error-type":"application","error-tag":"data-missing"}]}}',
    ]);
  });

  // Writes answer their kind's success status with an empty body, after one op each.
  it.each([
    ['POST', '/lbrp/lb0/', '{}', 201, 'CREATE'],
    ['PATCH', '/lbrp/lb0/', '{}', 200, 'UPDATE'],
    ['DELETE', '/lbrp/lb0/', '', 200, 'DELETE'],
    ['POST', '/lbrp/lb0/service/10.0.0.1/80/TCP/', '{}', 201, 'CREATE'],
    ['DELETE', '/lbrp/lb0/service/10.0.0.1/80/TCP/', '', 204, 'DELETE'],
    ['DELETE', '/lbrp/lb0/service/', '', 200, 'DELETE'],
    ['PATCH', '/lbrp/lb0/loglevel/', '"DEBUG"', 200, 'UPDATE'],
  ])('%s %s answers %#', async (method, path, body, status, op) => {
    const { router, ops } = routerWith(() => ok());
    const r = await send(router, method, `${P}${path}`, body);
    expect([r.status, r.body, r.headers['Content-Type']]).toEqual([status, '', YANG_JSON]);
    expect(ops.map((o) => o.op)).toEqual([op]);
  });

  // A body the pipeline refuses never reaches the daemon.
  it('refuses an invalid body before execute', async () => {
    const { router, ops } = routerWith(() => ok());
    const r = await send(router, 'POST', `${P}/lbrp/lb0/ports/p1/`, '{"type":"NOPE"}');
    expect([r.status, r.headers['Content-Type']]).toEqual([400, YANG_JSON]);
    expect(r.body).toContain('"error-tag":"bad-attribute","error-info":"type"');
    expect(ops).toEqual([]);
  });

  // GET of the service collection lists the framework base objects, never asking the service;
  // with a body it is refused (§5.1 operation-not-supported).
  it('answers the service collection from the daemon’s own view', async () => {
    const { router, ops } = routerWith(() => ok());
    const r = await send(router, 'GET', `${P}/lbrp/`);
    expect(JSON.parse(r.body)).toEqual([
      { name: 'lb0', uuid: 'u', 'service-name': 'lbrp', type: 'TC', loglevel: 'INFO' },
      [
        '_links',
        [
          { rel: 'self', href: `${H}/lbrp/` },
          { rel: 'lb0', href: `${H}/lbrp/lb0/` },
        ],
      ],
    ]);
    const refused = await send(router, 'GET', `${P}/lbrp/`, ' {} ');
    expect([refused.status, refused.headers['Content-Type']]).toEqual([405, YANG_JSON]);
    expect(refused.body).toContain('"error-tag":"operation-not-supported"');
    expect((await send(router, 'GET', `${P}/lbrp/`, ' \n')).status).toBe(200);
    expect(ops).toEqual([]);
  });

  it('answers 405 with the allowed methods, and redirects a cube name to its service', async () => {
    const { router } = routerWith(() => ok());
    const r = await send(router, 'PATCH', `${P}/lbrp/lb0/type/`, '"TC"');
    expect([r.status, r.body, r.headers.Allow]).toEqual([405, 'Method Not Allowed', 'GET, OPTIONS']);
    const moved = await send(router, 'GET', `${P}/lb0/ports/?help=NONE&completion`);
    expect([moved.status, moved.headers.Location]).toEqual([
      308,
      `${P}/lbrp/lb0/ports/?help=NONE&completion=`,
    ]);
    const unknown = await send(router, 'GET', `${P}/nosuch/`);
    expect([unknown.status, unknown.body]).toEqual([404, 'No cube found named nosuch']);
  });

  // §1.4: a request that already followed a redirect, or a path outside the API, is not
  // redirected; leading slashes before the cube name are skipped.
  it('redirects only first requests inside the API', async () => {
    const { router } = routerWith(() => ok());
    const after = await send(router, 'GET', `${P}/lb0/ports/`, '', { referer: 'http://127.0.0.1:9000/x' });
    expect([after.status, after.body]).toEqual([404, 'Cannot find a matching route.']);
    const outside = await send(router, 'GET', '/other/lb0/');
    expect([outside.status, outside.body]).toEqual([404, 'Cannot find a matching route.']);
    const doubled = await send(router, 'GET', `${P}//lb0/ports`);
    expect([doubled.status, doubled.headers.Location]).toEqual([308, `${P}/lbrp/lb0/ports`]);
  });

  // An exception in a handler is a 500 naming it, and is counted like any answer.
  it('answers a failing daemon with a 500 naming the failure', async () => {
    const { router } = routerWith(() => {
      throw new Error('socket closed');
    });
    const r = await send(router, 'GET', `${P}/lbrp/lb0/port_mode/`);
    expect([r.status, r.body]).toEqual([500, 'internal error: socket closed']);
    const text = (await send(router, 'GET', '/metrics')).body;
    expect(text).toMatch(/polycubed_rest_requests_total\{method="GET",code="500"\} 1\n/);
  });
});

describe('help (OPTIONS) over a fake daemon', () => {
  const SERVICES = [
    { vip: '10.0.0.1', vport: 80, proto: 'tcp' },
    5,
    null,
    { vip: '10.0.0.2', vport: 53, proto: 'udp' },
  ];
  const help = async (router: RestRouter, path: string): Promise<[number, unknown]> => {
    const r = await send(router, 'OPTIONS', `${P}${path}`);
    return [r.status, r.body === '' ? '' : JSON.parse(r.body)];
  };

  it('reads the help type case-insensitively, NONE by default, and the completion flag', () => {
    const q = (text: string) => helpRequest(parseTarget(`/x?${text}`).query);
    expect(q('')).toEqual({ type: 'NONE', completion: false });
    expect(q('help=set&completion')).toEqual({ type: 'SET', completion: true });
    expect(q('help=FOO')).toEqual({ type: undefined, completion: false });
  });

  // A list's elements are read live (one READ of the collection with the ancestors' keys);
  // entries that are not objects are left out.
  it('lists the live entries of a list, reading them with the ancestors’ keys', async () => {
    const { router, ops } = routerWith(() => ok(SERVICES));
    const [status, answer] = await help(router, '/lbrp/lb0/service?help=NONE');
    expect(status).toBe(200);
    expect((answer as { elements: unknown[] }).elements).toHaveLength(2);
    expect(ops).toEqual([
      { op: 'READ', service: 'lbrp', cube: 'lb0', path: '/lbrp/service', keys: [], isCollection: true },
    ]);
    ops.length = 0;
    await help(router, '/lbrp/lb0/service/10.0.0.1/80/TCP/backend?help=DEL');
    expect(ops[0]).toMatchObject({
      path: '/lbrp/service/backend',
      keys: [
        { list: 'service', name: 'vip', value: '10.0.0.1' },
        { list: 'service', name: 'vport', value: '80' },
        { list: 'service', name: 'proto', value: 'TCP' },
      ],
    });
  });

  // An ancestor key that does not parse gives no entries, without asking the daemon.
  it('lists no entries under an ancestor key that does not parse', async () => {
    const { router, ops } = routerWith(() => ok(SERVICES));
    const [status, answer] = await help(router, '/lbrp/lb0/service/10.0.0.999/80/TCP/backend?help=NONE');
    expect(status).toBe(200);
    expect((answer as { elements?: unknown[] }).elements ?? []).toEqual([]);
    expect(ops).toEqual([]);
  });

  // A failed or non-array read gives no entries rather than an error.
  it.each([
    ['a failed read', { code: 'GENERIC_ERROR', message: 'x' }],
    [
      'a failed read with entries',
      { code: 'GENERIC_ERROR', body: [{ vip: '10.0.0.1', vport: 80, proto: 'tcp' }] },
    ],
    ['a non-array read', { code: 'OK', body: { vip: '10.0.0.1' } }],
  ])('answers help without elements after %s', async (_label, result) => {
    const { router } = routerWith(() => result as ConfigResult);
    const [status, answer] = await help(router, '/lbrp/lb0/service?help=NONE');
    expect(status).toBe(200);
    expect((answer as { elements?: unknown[] }).elements ?? []).toEqual([]);
  });

  // Completion after a key prefix offers the next key of the entries matching the prefix only.
  it('completes the next key of the entries matching the keys already given', async () => {
    const { router } = routerWith(() => ok(SERVICES));
    expect(await help(router, '/lbrp/lb0/service/10.0.0.1?help=NONE&completion')).toEqual([200, ['80']]);
    expect(await help(router, '/lbrp/lb0/service/10.0.0.2?help=NONE&completion')).toEqual([200, ['53']]);
  });

  it('lists the service’s cubes without asking the service', async () => {
    const { router, ops } = routerWith(() => ok());
    const [, answer] = await help(router, '/lbrp?help=NONE');
    expect((answer as { elements: unknown }).elements).toEqual([{ name: 'lb0' }]);
    expect(ops).toEqual([]);
  });

  // Refusals are 400 with an empty body: an unknown type, a leaf asked for anything but completion.
  it('refuses unknown help types and leaf help without completion', async () => {
    const { router, ops } = routerWith(() => ok());
    expect(await help(router, '/lbrp/lb0/service?help=foo')).toEqual([400, '']);
    expect(await help(router, '/lbrp/lb0/loglevel?help=SET')).toEqual([400, '']);
    expect(await help(router, '/lbrp/lb0/loglevel?help=SET&completion')).toEqual([
      200,
      ['trace', 'debug', 'info', 'warn', 'err', 'critical', 'off'],
    ]);
    expect(await help(router, '/lbrp/lb0/src-ip-rewrite?help=ADD')).toEqual([
      200,
      { params: {}, 'optional-params': {} },
    ]);
    expect(ops).toEqual([]);
  });

  // §3.3 required members, added as {} in the documented member order; complete answers are kept.
  it('adds the members polycubectl dereferences, in order', () => {
    const full = { params: { a: {} }, 'optional-params': {} } as never;
    expect(withRequiredMembers('ADD', full)).toBe(full);
    expect(JSON.stringify(withRequiredMembers('ADD', { commands: ['x'], actions: ['y'] } as never))).toBe(
      '{"commands":["x"],"params":{},"optional-params":{},"actions":["y"]}',
    );
    expect(JSON.stringify(withRequiredMembers('SET', { commands: ['x'] } as never))).toBe(
      '{"commands":["x"],"params":{}}',
    );
    expect(
      JSON.stringify(
        withRequiredMembers('SET', { 'optional-params': { o: 1 }, elements: [{ a: 'b' }] } as never),
      ),
    ).toBe('{"params":{},"optional-params":{"o":1},"elements":[{"a":"b"}]}');
    const withElements = { elements: [{ ip: 'x' }] } as never;
    expect(withRequiredMembers('DEL', withElements)).toBe(withElements);
    expect(withRequiredMembers('DEL', { elements: [] } as never)).toEqual({ params: {}, elements: [] });
    expect(JSON.stringify(withRequiredMembers('ADD', { params: { a: {} } } as never))).toBe(
      '{"params":{"a":{}},"optional-params":{}}',
    );
    expect(JSON.stringify(withRequiredMembers('DEL', { commands: ['x'] } as never))).toBe(
      '{"commands":["x"],"params":{}}',
    );
    const show = { commands: ['x'] } as never;
    expect(withRequiredMembers('NONE', show)).toBe(show);
  });
});

describe('body pipeline (REST spec §5.2, §6.3) over the fake daemon', () => {
  const RC = (tag: string, info?: string): string =>
    `{"ietf-restconf:errors":{"error":[{"error-type":"application","error-tag":"${tag}"${info === undefined ? '' : `,"error-info":"${info}"`}}]}}`;
  const E = `${P}/lbrp/lb0/service/10.0.0.1`;

  // Refused before execute, with polycubed's tag: the element's own keys on a write are body
  // members (bad-attribute, also when they do not decode); ancestor keys, and own keys on DELETE,
  // are path elements (bad-element); an absent leaf body without default is a missing attribute.
  it.each([
    ['POST', `${E}/80/%FF/`, '{}', RC('bad-attribute', 'proto')],
    ['POST', `${E}/99999/TCP/`, '{}', RC('bad-attribute', 'vport')],
    ['POST', `${E}/abc/TCP/`, '{}', RC('bad-attribute', 'vport')],
    [
      'POST',
      `${P}/lbrp/lb0/service/10.0.0.999/80/TCP/backend/1.2.3.4/`,
      '{"port":1}',
      RC('bad-element', 'vip'),
    ],
    ['POST', `${P}/lbrp/lb0/service/%FF/80/TCP/backend/1.2.3.4/`, '{"port":1}', RC('bad-element', 'vip')],
    ['DELETE', `${E}/80/FOO/`, '', RC('bad-element', 'proto')],
    ['PATCH', `${P}/lbrp/lb0/ports/p1/ip/`, '', RC('missing-attribute', 'ip')],
    ['POST', `${P}/lbrp/lb0/ports/p1/`, '', RC('missing-attribute', 'type')],
    ['POST', `${P}/lbrp/lbX/`, '{"service-name":"other"}', RC('invalid-value', 'service-name')],
    ['POST', `${P}/lbrp/`, '{"name":"lbY","service-name":"x"}', RC('invalid-value', 'service-name')],
    ['POST', `${P}/lbrp/`, '{}', RC('missing-attribute', 'name')],
    ['POST', `${P}/lbrp/`, '{"name":5}', RC('bad-attribute', 'name')],
    ['POST', `${E}/80/TCP/`, '[1]', RC('invalid-value')],
    ['POST', `${E}/80/TCP/`, 'null', RC('invalid-value')],
    ['POST', `${E}/80/TCP/`, '5', RC('invalid-value')],
    ['PATCH', `${E}/80/TCP/`, '"web"', RC('invalid-value')],
  ])('%s %s %s is refused', async (method, path, body, want) => {
    const { router, ops } = routerWith(() => ok());
    const r = await send(router, method, path, body);
    expect([r.status, r.body]).toEqual([400, want]);
    expect(ops).toEqual([]);
  });

  it('refuses a cube segment that does not decode, naming why', async () => {
    const { router, ops } = routerWith(() => ok());
    const r = await send(router, 'GET', `${P}/lbrp/%FF/`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({
      'ietf-restconf:errors': {
        error: [
          {
            'error-type': 'application',
            'error-tag': 'bad-attribute',
            'error-info': 'name',
            'error-message':
              'invalid cube name: the URL segment is not valid percent-encoded UTF-8 without NUL',
          },
        ],
      },
    });
    expect(ops).toEqual([]);
  });

  const KEYS = [
    { list: 'service', name: 'vip', value: '10.0.0.1' },
    { list: 'service', name: 'vport', value: '80' },
    { list: 'service', name: 'proto', value: 'TCP' },
  ];
  // The element's own keys are copied into the body, converted and re-spelled (tcp → TCP); a
  // create also gets the service's YANG defaults.
  const SERVICE_DEFAULTS = { 'drain-timeout': 0, 'session-affinity': 'NONE', 'affinity-timeout': 10800 };
  it.each([
    ['POST', '{}', 'CREATE', { vip: '10.0.0.1', vport: 80, proto: 'TCP', ...SERVICE_DEFAULTS }],
    ['PUT', '{}', 'REPLACE', { vip: '10.0.0.1', vport: 80, proto: 'TCP', ...SERVICE_DEFAULTS }],
    ['PATCH', '{"name":"x"}', 'UPDATE', { name: 'x', vip: '10.0.0.1', vport: 80, proto: 'TCP' }],
  ])('%s of an element copies its keys into the body', async (method, body, op, want) => {
    const { router, ops } = routerWith(() => ok());
    await send(router, method, `${E}/80/tcp/`, body);
    expect(ops).toEqual([
      {
        service: 'lbrp',
        cube: 'lb0',
        path: '/lbrp/service',
        keys: KEYS,
        isCollection: false,
        op,
        body: want,
      },
    ]);
    expect(JSON.stringify(ops[0].body)).toBe(JSON.stringify(want));
  });

  // PATCH validates as an update: mandatory members may be absent and no defaults are filled.
  it('validates PATCH bodies as updates', async () => {
    const { router, ops } = routerWith(() => ok());
    const r = await send(router, 'PATCH', `${P}/lbrp/lb0/ports/p1/`, '{"ip":"10.0.0.1"}');
    expect(r.status).toBe(201);
    expect(ops.map((o) => [o.op, o.body])).toEqual([['UPDATE', { ip: '10.0.0.1', name: 'p1' }]]);
    ops.length = 0;
    await send(router, 'PATCH', `${P}/lbrp/lb0/`, '{"loglevel":"DEBUG"}');
    expect(ops.map((o) => [o.op, o.body])).toEqual([['UPDATE', { loglevel: 'DEBUG', name: 'lb0' }]]);
  });

  // The cube: name from the path (PUT creates like POST), defaults filled; through the service
  // collection the name comes from the body; an absent leaf body resets the leaf to its default.
  it('creates cubes named by the path or the body, and resets a leaf to its default', async () => {
    const { router, ops } = routerWith(() => ok());
    for (const [m, path, body] of [
      ['POST', `${P}/lbrp/lbX/`, ''],
      ['PUT', `${P}/lbrp/lbX/`, '{}'],
      ['POST', `${P}/lbrp/lbX/`, '{"service-name":"lbrp"}'],
      ['POST', `${P}/lbrp/`, '{"name":"lbY"}'],
      ['PATCH', `${P}/lbrp/lb0/loglevel/`, ''],
    ])
      expect((await send(router, m, path, body)).status).toBeLessThan(300);
    expect(ops.map((o) => [o.op, o.cube, o.path])).toEqual([
      ['CREATE', 'lbX', '/lbrp'],
      ['CREATE', 'lbX', '/lbrp'],
      ['CREATE', 'lbX', '/lbrp'],
      ['CREATE', 'lbY', '/lbrp'],
      ['UPDATE', 'lb0', '/lbrp/loglevel'],
    ]);
    const created = ops[0].body as Record<string, unknown>;
    expect(Object.keys(created).slice(0, 3)).toEqual(['name', 'type', 'loglevel']);
    expect(created).toMatchObject({ name: 'lbX', type: 'TC', loglevel: 'INFO', port_mode: 'SINGLE' });
    expect(JSON.stringify(ops[1].body)).toBe(JSON.stringify(created));
    expect(Object.keys(ops[2].body as object)[0]).toBe('service-name');
    expect(ops[4].body).toBe('INFO');
  });

  // key-prefix routes only answer OPTIONS; the pipeline refuses to build an op for them.
  it('throws for a key-prefix route or an unrouted method', async () => {
    const rows = buildRouteTable(LBRP);
    const prefix = rows.find((r) => r.kind === 'key-prefix') as RouteRow;
    const element = rows.find((r) => r.kind === 'element') as RouteRow;
    const input = { params: { name: 'lb0' }, body: '', maxJsonDepth: 32 };
    await expect(buildConfigRequest({ ...input, row: prefix, method: 'GET' }, 'lbrp')).rejects.toThrow(
      `no configuration operation for GET ${prefix.path}`,
    );
    await expect(buildConfigRequest({ ...input, row: element, method: 'OPTIONS' }, 'lbrp')).rejects.toThrow(
      /^no configuration operation for OPTIONS /,
    );
  });
});

describe('RestRouter routes follow the registered services', () => {
  /** The lbrp YANG with one description changed: a different module object and help text. */
  const LBRP2: IrModule = (() => {
    const text = YANG.replace(
      'Virtual IP (vip) of the service where clients connect to',
      'VIP, second module',
    );
    const r = loadModuleFromText(text, join(REPO, 'datamodel/lbrp.yang'), {
      searchPath: [join(REPO, 'datamodel')],
    });
    if (!r.module) throw new Error('no module');
    return r.module;
  })();
  const vipHelp = async (router: RestRouter): Promise<string> => {
    const r = await send(router, 'OPTIONS', `${P}/lbrp/lb0/service?help=ADD`);
    return r.status === 200
      ? (JSON.parse(r.body) as { params: { vip: { description: string } } }).params.vip.description
      : `${r.status}`;
  };

  // Registering, re-registering with a new module, renaming and unregistering each take effect on
  // the next request (the route tree is rebuilt whenever the set of services changed).
  it('rebuilds its routes when services come, change module, change name or go', async () => {
    let services: { name: string; module: IrModule }[] = [];
    const { daemon, ops } = fakeDaemon(() => ok());
    Object.assign(daemon, {
      services: () => services,
      service: (n: string) => services.find((x) => x.name === n),
    });
    const router = new RestRouter(daemon, { authority: 'h:1', maxJsonDepth: 32, version: 'v' });
    const unrouted = async (): Promise<[number, string]> => {
      const r = await send(router, 'GET', `${P}/lbrp/lb0/port_mode/`);
      return [r.status, r.body];
    };
    // Without the service, `lbrp` reads as a cube name (the shortcut), and there is no such cube.
    expect(await unrouted()).toEqual([404, 'No cube found named lbrp']);
    services = [{ name: 'lbrp', module: LBRP }];
    expect(await vipHelp(router)).toBe('Virtual IP (vip) of the service where clients connect to');
    services = [{ name: 'lbrp', module: LBRP2 }];
    expect(await vipHelp(router)).toBe('VIP, second module');
    // Two services, the second one's module replaced (the same paths: the later one answers).
    services = [
      { name: 'aaa', module: LBRP },
      { name: 'lbrp', module: LBRP },
    ];
    expect(await vipHelp(router)).toBe('Virtual IP (vip) of the service where clients connect to');
    services = [
      { name: 'aaa', module: LBRP },
      { name: 'lbrp', module: LBRP2 },
    ];
    expect(await vipHelp(router)).toBe('VIP, second module');
    // Renamed with the same module (and the same number of services): ops name the new service.
    services = [{ name: 'lbrp', module: LBRP2 }];
    ops.length = 0; // help read the service list live
    await send(router, 'GET', `${P}/lbrp/lb0/port_mode/`);
    services = [{ name: 'zzz', module: LBRP2 }];
    await send(router, 'GET', `${P}/lbrp/lb0/port_mode/`);
    expect(ops.map((o) => o.service)).toEqual(['lbrp', 'zzz']);
    services = [];
    expect(await unrouted()).toEqual([404, 'No cube found named lbrp']);
    expect(ops).toHaveLength(2);
  });

  it('gives handlers the route table of a registered service', () => {
    const { router } = routerWith(() => ok());
    expect(router.ctx.routesOf('lbrp')).toBe(router.ctx.routesOf('lbrp'));
    expect(router.ctx.routesOf('lbrp')?.some((r) => r.kind === 'cube')).toBe(true);
    expect(router.ctx.routesOf('nosuch')).toBeUndefined();
  });
});
