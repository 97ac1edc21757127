// The body pipeline of REST spec §6.3 turns a routed request into the ConfigOp polycubed executes:
// path keys typed and copied into element bodies, the cube name from the path, defaults filled on
// create, enums in their YANG spelling — or the catalogue errors when anything is refused.

import { buildRouteTable, type RouteRow } from 'yang-ts-codegen';
import { buildConfigRequest } from '../../../../src/polycubed/rest/config-request';
import type { Method } from '../../../../src/polycubed/rest/route-tree';
import { lbrpModule } from '../../codegen/helpers/lbrp';

/** Defaults of lbrp's size and session policy leaves, filled into every cube create. */
const SIZE_DEFAULTS = {
  'session-table-size': 65536,
  'max-services': 1024,
  'max-backends': 4096,
  'maglev-slots': 262144,
  'tcp-new-timeout': 60,
  'tcp-established-timeout': 7200,
  'tcp-closing-timeout': 10,
  'udp-timeout': 60,
  'icmp-timeout': 30,
  'new-sessions-per-cpu': 100000,
  'sessionless-reply-nat': false,
  'probe-source': '0.0.0.0',
  'probe-next-hop': '0.0.0.0',
};

const ROUTES = buildRouteTable(lbrpModule());
const P = '/polycube/v1/lbrp';

function row(template: string): RouteRow {
  const r = ROUTES.find((x) => x.path === `${P}${template}`);
  if (!r) throw new Error(`no route ${template}`);
  return r;
}

interface Case {
  name: string;
  route: string;
  method: Method;
  params: Record<string, string>;
  body?: string;
  /** The ConfigOp expected (without `service`, always "lbrp"). */
  wantOp?: Record<string, unknown>;
  /** [code, info] of each expected error. */
  wantErr?: [string, string?][];
}

const CASES: Case[] = [
  {
    name: "an element's own keys are typed and copied into the body; enum keys take their YANG spelling",
    route: '/:name/service/:vip/:vport/:proto',
    method: 'POST',
    params: { name: 'lb0', vip: '10.0.0.1', vport: '80', proto: 'tcp' },
    body: '{"name":"svc"}',
    wantOp: {
      op: 'CREATE',
      cube: 'lb0',
      path: '/lbrp/service',
      keys: [
        { list: 'service', name: 'vip', value: '10.0.0.1' },
        { list: 'service', name: 'vport', value: '80' },
        { list: 'service', name: 'proto', value: 'TCP' },
      ],
      isCollection: false,
      body: {
        name: 'svc',
        vip: '10.0.0.1',
        vport: 80,
        proto: 'TCP',
        'drain-timeout': 0,
        'session-affinity': 'NONE',
        'affinity-timeout': 10800,
      },
    },
  },
  {
    name: 'cube create: name from the path overrides the body, defaults filled, enums re-spelled',
    route: '/:name',
    method: 'PUT',
    params: { name: 'lb0' },
    body: '{"name":"other","loglevel":"debug"}',
    wantOp: {
      op: 'CREATE',
      cube: 'lb0',
      path: '/lbrp',
      keys: [],
      isCollection: false,
      body: {
        name: 'lb0',
        loglevel: 'DEBUG',
        type: 'TC',
        shadow: false,
        span: false,
        port_mode: 'SINGLE',
        ...SIZE_DEFAULTS,
      },
    },
  },
  {
    name: 'service collection POST takes the cube name from the body',
    route: '',
    method: 'POST',
    params: {},
    body: '{"name":"lb7"}',
    wantOp: {
      op: 'CREATE',
      cube: 'lb7',
      path: '/lbrp',
      keys: [],
      isCollection: false,
      body: {
        name: 'lb7',
        type: 'TC',
        loglevel: 'INFO',
        shadow: false,
        span: false,
        port_mode: 'SINGLE',
        ...SIZE_DEFAULTS,
      },
    },
  },
  {
    name: 'leaf PATCH with an empty body resets the leaf to its default',
    route: '/:name/port_mode',
    method: 'PATCH',
    params: { name: 'lb0' },
    body: '',
    wantOp: {
      op: 'UPDATE',
      cube: 'lb0',
      path: '/lbrp/port_mode',
      keys: [],
      isCollection: false,
      body: 'SINGLE',
    },
  },
  {
    name: 'reads carry keys (ancestors included, decoded) and no body',
    route: '/:name/ports/:ports_name/peer',
    method: 'GET',
    params: { name: 'lb0', ports_name: 'p%201' },
    wantOp: {
      op: 'READ',
      cube: 'lb0',
      path: '/lbrp/ports/peer',
      keys: [{ list: 'ports', name: 'name', value: 'p 1' }],
      isCollection: false,
    },
  },
  {
    name: 'DELETE of a whole list is a collection operation',
    route: '/:name/service',
    method: 'DELETE',
    params: { name: 'lb0' },
    wantOp: { op: 'DELETE', cube: 'lb0', path: '/lbrp/service', keys: [], isCollection: true },
  },
  {
    name: 'the cube name is percent-decoded like a key (URL and body forms address one cube)',
    route: '/:name/span',
    method: 'GET',
    params: { name: 'lb%200' },
    wantOp: { op: 'READ', cube: 'lb 0', path: '/lbrp/span', keys: [], isCollection: false },
  },
  {
    name: 'ancestor keys failing their type are bad-element, before the body is looked at',
    route: '/:name/service/:vip/:vport/:proto/backend/:ip',
    method: 'POST',
    params: { name: 'lb0', vip: '10.0.0.999', vport: 'x', proto: 'TCP', ip: '1.2.3.4' },
    body: '{',
    wantErr: [
      ['CUBE_ERR_BAD_ELEMENT', 'vip'],
      ['CUBE_ERR_BAD_ELEMENT', 'vport'],
    ],
  },
  {
    name: 'own keys of a write are validated as body members (bad-attribute)',
    route: '/:name/service/:vip/:vport/:proto',
    method: 'POST',
    params: { name: 'lb0', vip: '10.0.0.1', vport: '70000', proto: 'FOO' },
    body: '{}',
    wantErr: [
      ['CUBE_ERR_BAD_ATTRIBUTE', 'vport'],
      ['CUBE_ERR_BAD_ATTRIBUTE', 'proto'],
    ],
  },
  {
    name: 'service collection PATCH needs the cube name in the body',
    route: '',
    method: 'PATCH',
    params: {},
    body: '{"loglevel":"INFO"}',
    wantErr: [['CUBE_ERR_MISSING_ATTRIBUTE', 'name']],
  },
  {
    name: 'invalid JSON is a malformed body',
    route: '/:name/src-ip-rewrite',
    method: 'PATCH',
    params: { name: 'lb0' },
    body: '{"ip-range":',
    wantErr: [['CUBE_ERR_MALFORMED_BODY']],
  },
];

describe('buildConfigRequest', () => {
  it.each(CASES)('$name', async (c) => {
    const got = await buildConfigRequest(
      { row: row(c.route), method: c.method, params: c.params, body: c.body ?? '', maxJsonDepth: 64 },
      'lbrp',
    );
    if (c.wantErr) {
      expect(got.ok).toBe(false);
      if (!got.ok)
        expect(got.errors.map((e) => (e.info === undefined ? [e.code] : [e.code, e.info]))).toEqual(
          c.wantErr,
        );
    } else {
      expect(got).toEqual({ ok: true, op: { service: 'lbrp', ...c.wantOp } });
      // Member order of bodies is what services and the persisted dump see.
      if (got.ok && c.wantOp?.body !== undefined)
        expect(JSON.stringify(got.op.body)).toBe(JSON.stringify(c.wantOp.body));
    }
  });
});
