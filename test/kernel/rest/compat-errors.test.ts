// REST spec §5 replayed: the error catalogue rows polycubed itself produces (validation with
// RESTCONF documents, 404/405/409, the 308 shortcut) plus the checks the C++ server skipped
// (integer ranges, invalid JSON), the framework endpoints' 400 texts — and a rejected request
// changes nothing: the whole configuration reads back identical after every row.

import { NAME_RULE } from '../../../src/common/name-rules';
import { comparable, polycubectl } from '../../fixtures/rest/compat-client';
import { describeCompat } from '../../fixtures/rest/compat-services';
import type { RestStack } from '../../fixtures/rest/rest-stack';

const P = '/polycube/v1';
const YANG_JSON = 'application/yang.data+json; charset=utf-8';

/** A RESTCONF error document (§5.1) with one entry per [tag, info?]. */
function RC(...items: [string, string?][]): string {
  return JSON.stringify({
    'ietf-restconf:errors': {
      error: items.map(([tag, info]) =>
        info === undefined
          ? { 'error-type': 'application', 'error-tag': tag }
          : { 'error-type': 'application', 'error-tag': tag, 'error-info': info },
      ),
    },
  });
}

interface Row {
  name: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  /** Statuses in order (308 first for the cube-name shortcut). */
  want: number[];
  /** Exact final body. */
  wantBody: string;
  wantType?: string;
  wantAllow?: string;
}

const SVC = `${P}/lbrp/lb0/service/10.0.0.1/80/TCP`;

const ROWS: Row[] = [
  // §5.3, the rows polycubed produces.
  {
    name: 'lbrp add lb0 (exists)',
    method: 'POST',
    path: `${P}/lbrp/lb0/`,
    body: '{}',
    want: [409],
    wantBody: RC(['data-exists']),
    wantType: YANG_JSON,
  },
  {
    name: 'lbrp add lbE foo=1',
    method: 'POST',
    path: `${P}/lbrp/lbE/`,
    body: '{"foo":1}',
    want: [400],
    wantBody: RC(['invalid-value', 'foo']),
    wantType: YANG_JSON,
  },
  {
    name: 'lbrp add lbE port_mode=FOO',
    method: 'POST',
    path: `${P}/lbrp/lbE/`,
    body: '{"port_mode":"FOO"}',
    want: [400],
    wantBody: RC(['bad-attribute', 'port_mode']),
  },
  {
    name: 'lbrp add lbE uuid=x',
    method: 'POST',
    path: `${P}/lbrp/lbE/`,
    body: '{"uuid":"x"}',
    want: [400],
    wantBody: RC(['invalid-value', 'uuid']),
  },
  {
    name: 'lbrp add (no name)',
    method: 'POST',
    path: `${P}/lbrp/`,
    body: '{}',
    want: [400],
    wantBody: RC(['missing-attribute', 'name']),
  },
  {
    name: 'lb0 set type=XDP_SKB (init-only leaf has no PATCH)',
    method: 'PATCH',
    path: `${P}/lb0/type/`,
    body: '"XDP_SKB"',
    want: [308, 405],
    wantBody: 'Method Not Allowed',
    wantAllow: 'GET, OPTIONS',
  },
  {
    name: 'lb0 set type=XDP_SKB span=true',
    method: 'PATCH',
    path: `${P}/lb0/`,
    body: '{"span":true,"type":"XDP_SKB"}',
    want: [308, 400],
    wantBody: RC(['invalid-value', 'type']),
  },
  {
    name: 'lb0 ports add p2 (no type)',
    method: 'POST',
    path: `${P}/lb0/ports/p2/`,
    body: '{}',
    want: [308, 400],
    wantBody: RC(['missing-attribute', 'type']),
  },
  {
    name: 'lb0 ports add p2 type=FRONTEND ip=300.1.1.1',
    method: 'POST',
    path: `${P}/lb0/ports/p2/`,
    body: '{"ip":"300.1.1.1","type":"FRONTEND"}',
    want: [308, 400],
    wantBody: RC(['bad-attribute', 'ip']),
  },
  {
    name: 'duplicate port',
    method: 'POST',
    path: `${P}/lb0/ports/p1/`,
    body: '{"type":"FRONTEND"}',
    want: [308, 500],
    wantBody: 'Port p1 already exists',
  },
  {
    name: 'unknown peer',
    method: 'POST',
    path: `${P}/lb0/ports/p3/`,
    body: '{"peer":"nosuch0","type":"BACKEND"}',
    want: [308, 500],
    wantBody: 'Interface  nosuch0 does not exist or is down',
  },
  {
    name: 'lb0 service add 10.0.0.1 80 FOO (own key, POST)',
    method: 'POST',
    path: `${P}/lb0/service/10.0.0.1/80/FOO/`,
    body: '{}',
    want: [308, 400],
    wantBody: RC(['bad-attribute', 'proto']),
  },
  {
    name: 'lb0 service add 10.0.0.999 80 TCP (own key, POST)',
    method: 'POST',
    path: `${P}/lb0/service/10.0.0.999/80/TCP/`,
    body: '{}',
    want: [308, 400],
    wantBody: RC(['bad-attribute', 'vip']),
  },
  {
    name: 'lb0 service del 10.0.0.1 80 FOO (own key, DELETE)',
    method: 'DELETE',
    path: `${P}/lb0/service/10.0.0.1/80/FOO/`,
    want: [308, 400],
    wantBody: RC(['bad-element', 'proto']),
  },
  {
    name: 'lb0 service 10.0.0.999 80 TCP backend add 1.2.3.4 port=80 (ancestor key)',
    method: 'POST',
    path: `${P}/lb0/service/10.0.0.999/80/TCP/backend/1.2.3.4/`,
    body: '{"port":80}',
    want: [308, 400],
    wantBody: RC(['bad-element', 'vip']),
  },
  {
    name: 'backend without port',
    method: 'POST',
    path: `${SVC}/backend/5.6.7.8/`,
    body: '{}',
    want: [400],
    wantBody: RC(['missing-attribute', 'port']),
  },
  {
    name: 'DELETE of a non-existing element',
    method: 'DELETE',
    path: `${P}/lbrp/lb0/service/10.0.0.7/80/TCP/`,
    want: [409],
    wantBody: RC(['data-missing']),
  },
  {
    name: 'lbrp lbX show',
    method: 'GET',
    path: `${P}/lbrp/lbX/`,
    want: [500],
    wantBody: 'Cube lbX does not exist',
  },
  {
    name: 'PATCH lbrp/lbX',
    method: 'PATCH',
    path: `${P}/lbrp/lbX/`,
    body: '{}',
    want: [500],
    wantBody: 'Cube lbX does not exist',
  },
  {
    name: 'lbrp del lbX',
    method: 'DELETE',
    path: `${P}/lbrp/lbX/`,
    want: [409],
    wantBody: RC(['data-missing']),
  },
  {
    name: 'lbX show (no such cube anywhere)',
    method: 'GET',
    path: `${P}/lbX/`,
    want: [404],
    wantBody: 'No cube found named lbX',
    wantType: 'text/plain; charset=utf-8',
  },
  {
    name: 'lb0 service add (no keys: object POSTed to the collection)',
    method: 'POST',
    path: `${P}/lb0/service/`,
    body: '{}',
    want: [308, 400],
    wantBody: RC(['invalid-value']),
  },
  // Validation the C++ server skipped or answered with 500 (§5.2).
  {
    name: 'weight out of uint16 range',
    method: 'POST',
    path: `${SVC}/backend/5.6.7.8/`,
    body: '{"port":80,"weight":70000}',
    want: [400],
    wantBody: RC(['bad-attribute', 'weight']),
  },
  {
    name: 'negative port',
    method: 'POST',
    path: `${SVC}/backend/5.6.7.8/`,
    body: '{"port":-1}',
    want: [400],
    wantBody: RC(['bad-attribute', 'port']),
  },
  {
    name: 'fractional port',
    method: 'POST',
    path: `${SVC}/backend/5.6.7.8/`,
    body: '{"port":1.5}',
    want: [400],
    wantBody: RC(['bad-attribute', 'port']),
  },
  {
    name: 'huge number',
    method: 'POST',
    path: `${SVC}/backend/5.6.7.8/`,
    body: '{"port":1e400}',
    want: [400],
    wantBody: RC(['bad-attribute', 'port']),
  },
  {
    name: 'vport out of range in the path (own key)',
    method: 'POST',
    path: `${P}/lbrp/lb0/service/10.0.0.1/70000/TCP/`,
    body: '{}',
    want: [400],
    wantBody: RC(['bad-attribute', 'vport']),
  },
  {
    name: 'non-numeric vport in the path (own key, POST)',
    method: 'POST',
    path: `${P}/lbrp/lb0/service/10.0.0.1/abc/TCP/`,
    body: '{}',
    want: [400],
    wantBody: RC(['bad-attribute', 'vport']),
  },
  {
    name: 'non-numeric vport in the path (GET)',
    method: 'GET',
    path: `${P}/lbrp/lb0/service/10.0.0.1/abc/TCP/`,
    want: [400],
    wantBody: RC(['bad-element', 'vport']),
  },
  {
    // Found by the fuzzer: the raw "%00" used to reach the body and pass as an ipv4 zone.
    name: 'NUL in an own key (POST)',
    method: 'POST',
    path: `${P}/lbrp/lb0/service/10.0.0.1%00/80/TCP/`,
    body: '{}',
    want: [400],
    wantBody: RC(['bad-attribute', 'vip']),
  },
  {
    name: 'undecodable key segment',
    method: 'GET',
    path: `${P}/lbrp/lb0/service/%ZZ/80/TCP/`,
    want: [400],
    wantBody: RC(['bad-element', 'vip']),
  },
  {
    name: 'string where an integer is expected',
    method: 'POST',
    path: `${SVC}/backend/5.6.7.8/`,
    body: '{"port":80,"weight":"20"}',
    want: [400],
    wantBody: RC(['bad-attribute', 'weight']),
  },
  {
    name: 'number where a string is expected (name=1)',
    method: 'POST',
    path: `${SVC}/backend/5.6.7.8/`,
    body: '{"name":1,"port":80}',
    want: [400],
    wantBody: RC(['bad-attribute', 'name']),
  },
  {
    name: 'boolean as a string',
    method: 'POST',
    path: `${P}/lbrp/lbE/`,
    body: '{"shadow":"yes"}',
    want: [400],
    wantBody: RC(['bad-attribute', 'shadow']),
  },
  {
    name: 'service-name of another service',
    method: 'POST',
    path: `${P}/lbrp/lbE/`,
    body: '{"service-name":"other"}',
    want: [400],
    wantBody: RC(['invalid-value', 'service-name']),
  },
  {
    name: 'every error, schema children first and unknown members last',
    method: 'POST',
    path: `${P}/lbrp/lbE/`,
    body: '{"zzz":1,"port_mode":"X","aaa":2,"loglevel":7}',
    want: [400],
    wantBody: RC(
      ['bad-attribute', 'loglevel'],
      ['bad-attribute', 'port_mode'],
      ['invalid-value', 'zzz'],
      ['invalid-value', 'aaa'],
    ),
  },
  {
    name: 'invalid JSON body',
    method: 'POST',
    path: `${P}/lbrp/lbE/`,
    body: '{"port_mode":',
    want: [400],
    wantBody: JSON.stringify({
      'ietf-restconf:errors': {
        error: [
          {
            'error-type': 'application',
            'error-tag': 'malformed-message',
            'error-message': 'the body is not valid JSON: unexpected end of the body at character 13',
          },
        ],
      },
    }),
  },
  {
    name: 'array body for an element',
    method: 'POST',
    path: `${SVC}/backend/5.6.7.8/`,
    body: '[]',
    want: [400],
    wantBody: RC(['invalid-value']),
  },
  {
    name: 'null leaf body',
    method: 'PATCH',
    path: `${P}/lbrp/lb0/port_mode/`,
    body: 'null',
    want: [400],
    wantBody: RC(['missing-attribute', 'port_mode']),
  },
  {
    name: 'wrong leaf type',
    method: 'PATCH',
    path: `${SVC}/backend/1.2.3.4/weight/`,
    body: '"abc"',
    want: [400],
    wantBody: RC(['bad-attribute', 'weight']),
  },
  {
    name: 'read-only member in an update',
    method: 'PATCH',
    path: `${P}/lbrp/lb0/ports/p1/`,
    body: '{"uuid":"x"}',
    want: [400],
    wantBody: RC(['invalid-value', 'uuid']),
  },
  {
    name: 'init-only member in an update',
    method: 'PATCH',
    path: `${P}/lbrp/lb0/ports/p1/`,
    body: '{"tcubes":[]}',
    want: [400],
    wantBody: RC(['invalid-value', 'tcubes']),
  },
  {
    name: 'invalid cube name',
    method: 'POST',
    path: `${P}/lbrp/a:b/`,
    body: '{}',
    want: [400],
    wantBody: JSON.stringify({
      'ietf-restconf:errors': {
        error: [
          {
            'error-type': 'application',
            'error-tag': 'bad-attribute',
            'error-info': 'name',
            'error-message': `invalid cube name: the name holds ":"; ${NAME_RULE}`,
          },
        ],
      },
    }),
  },
  // Routing (§1.3, §1.4).
  {
    name: 'a followed redirect that still matches nothing',
    method: 'GET',
    path: `${P}/lb0/`,
    headers: { Referer: 'http://127.0.0.1/polycube/v1/lb0/' },
    want: [404],
    wantBody: 'Cannot find a matching route.',
  },
  {
    name: 'path outside the API',
    method: 'GET',
    path: '/foo/bar',
    want: [404],
    wantBody: 'Cannot find a matching route.',
  },
  {
    name: 'typo under a service',
    method: 'GET',
    path: `${P}/lbrp/lb0/nosuch/`,
    want: [404],
    wantBody: 'No cube found named lbrp',
  },
  {
    name: 'GET with a body on the service collection',
    method: 'GET',
    path: `${P}/lbrp/`,
    body: '{}',
    want: [405],
    wantBody: RC(['operation-not-supported']),
  },
  {
    name: 'method not allowed on a framework route',
    method: 'DELETE',
    path: `${P}/cubes`,
    want: [405],
    wantBody: 'Method Not Allowed',
    wantAllow: 'GET, POST, OPTIONS',
  },
  {
    name: 'PUT on the service collection',
    method: 'PUT',
    path: `${P}/lbrp/`,
    body: '{}',
    want: [405],
    wantBody: 'Method Not Allowed',
    wantAllow: 'GET, POST, PATCH, OPTIONS',
  },
  {
    name: 'body over 1 MiB',
    method: 'POST',
    path: `${P}/lbrp/lbE/`,
    body: `{"name":"${'x'.repeat(1024 * 1024)}"}`,
    want: [413],
    wantBody: 'Request exceeded maximum buffer size',
  },
  // Framework endpoints (§4.5): plain-text 400s, RESTCONF for POST /services members.
  {
    name: 'POST /services without members',
    method: 'POST',
    path: `${P}/services`,
    body: '{}',
    want: [400],
    wantBody: RC(['missing-attribute', 'name']),
  },
  {
    name: 'POST /services with an unknown type',
    method: 'POST',
    path: `${P}/services`,
    body: '{"name":"x","uri":"y","type":"foo"}',
    want: [400],
    wantBody: RC(['bad-attribute', 'type']),
  },
  {
    name: 'POST /services of an existing service',
    method: 'POST',
    path: `${P}/services`,
    body: '{"name":"lbrp","uri":"libpcn-lbrp.so","type":"lib"}',
    want: [400],
    wantBody: 'Service Controller already exists',
  },
  {
    name: 'POST /services of a library service',
    method: 'POST',
    path: `${P}/services`,
    body: '{"name":"helloworld","uri":"libpcn-helloworld.so","type":"lib"}',
    want: [400],
    wantBody:
      'Cannot load service helloworld: this polycubed has no library services; a service registers itself by connecting to the gRPC endpoint',
  },
  {
    name: 'DELETE /services/lbrp (remote service)',
    method: 'DELETE',
    path: `${P}/services/lbrp`,
    want: [400],
    wantBody: 'Service lbrp is a remote service: stop its process to unregister it',
  },
  {
    name: 'DELETE /services/nosuch',
    method: 'DELETE',
    path: `${P}/services/nosuch`,
    want: [400],
    wantBody: 'Service Controller does not exist',
  },
  {
    name: 'connect without peer2',
    method: 'POST',
    path: `${P}/connect`,
    body: '{"peer1":"lb0:p1"}',
    want: [400],
    wantBody: 'peer2 is missing',
  },
  {
    name: 'connect to a missing interface',
    method: 'POST',
    path: `${P}/connect`,
    body: '{"peer1":"lb0:p1","peer2":"nosuch0"}',
    want: [400],
    wantBody: 'Interface  nosuch0 does not exist or is down',
  },
  {
    name: 'connect a port of a missing cube',
    method: 'POST',
    path: `${P}/connect`,
    body: '{"peer1":"nocube:p1","peer2":"lo"}',
    want: [400],
    wantBody: 'Cube does not exist',
  },
  {
    name: 'connect a missing port',
    method: 'POST',
    path: `${P}/connect`,
    body: '{"peer1":"lb0:p9","peer2":"lo"}',
    want: [400],
    wantBody: 'Port p9 does not exist',
  },
  {
    name: 'connect two netdevs',
    method: 'POST',
    path: `${P}/connect`,
    body: '{"peer1":"lo","peer2":"nosuch0"}',
    want: [400],
    wantBody: 'Error setting peer',
  },
  {
    name: 'disconnect what is not connected',
    method: 'POST',
    path: `${P}/disconnect`,
    body: '{"peer1":"lb0:p1","peer2":"nosuch0"}',
    want: [400],
    wantBody: 'lb0:p1 is not connected to nosuch0',
  },
  {
    name: 'connect with invalid JSON',
    method: 'POST',
    path: `${P}/connect`,
    body: '{',
    want: [400],
    wantBody: 'Invalid JSON body: ',
  },
  {
    name: 'attach without cube',
    method: 'POST',
    path: `${P}/attach`,
    body: '{}',
    want: [400],
    wantBody: 'Cube is missing',
  },
  {
    name: 'attach without port',
    method: 'POST',
    path: `${P}/attach`,
    body: '{"cube":"lb0"}',
    want: [400],
    wantBody: 'Port is missing',
  },
  {
    name: 'attach with position and after',
    method: 'POST',
    path: `${P}/attach`,
    body: '{"cube":"lb0","port":"lb1:p1","position":"first","after":"x"}',
    want: [400],
    wantBody: 'position and after cannot be used together',
  },
  {
    name: 'attach a missing cube',
    method: 'POST',
    path: `${P}/attach`,
    body: '{"cube":"nosuch","port":"lb0:p1"}',
    want: [400],
    wantBody: 'Cube does not exist',
  },
  {
    name: 'attach an lbrp cube',
    method: 'POST',
    path: `${P}/attach`,
    body: '{"cube":"lb0","port":"lb1:p1"}',
    want: [400],
    wantBody: 'Cube lb0 is not transparent',
  },
  {
    name: 'detach an lbrp cube',
    method: 'POST',
    path: `${P}/detach`,
    body: '{"cube":"lb0","port":"lb1:p1"}',
    want: [400],
    wantBody: 'Cube lb0 is not transparent',
  },
  {
    name: 'POST /cubes with an invalid cube: nothing of the batch is created',
    method: 'POST',
    path: `${P}/cubes`,
    body: '[{"service-name":"lbrp","name":"lbB1"},{"service-name":"lbrp","name":"lbB2","port_mode":"FOO"}]',
    want: [400],
    wantBody: 'Error creating cube: lbB2: bad-attribute port_mode',
  },
  {
    name: 'POST /cubes with an existing cube: nothing of the batch is created',
    method: 'POST',
    path: `${P}/cubes`,
    body: '[{"service-name":"lbrp","name":"lbB1"},{"service-name":"lbrp","name":"lb0"}]',
    want: [400],
    wantBody: 'Error creating cube: lb0: a cube with this name already exists',
  },
  {
    name: 'POST /cubes of an unknown service',
    method: 'POST',
    path: `${P}/cubes`,
    body: '[{"service-name":"nosuch","name":"x"}]',
    want: [400],
    wantBody: 'Error creating cube: x: service nosuch does not exist',
  },
];

describeCompat('kernel: REST compat — errors of spec §5', ({ start }) => {
  let stack: RestStack;
  /** Everything a client can read back: cubes, and each cube's whole object. */
  const readAll = async (): Promise<string> => {
    const parts = [(await stack.request('GET', `${P}/cubes`)).body];
    for (const cube of ['lb0', 'lb1']) parts.push((await stack.request('GET', `${P}/lbrp/${cube}/`)).body);
    return parts.join('\n');
  };
  let before = '';

  beforeAll(async () => {
    stack = await start({ netdevCount: 2 });
    const setup: [string, string, string][] = [
      ['POST', `${P}/lbrp/lb0/`, '{}'],
      ['POST', `${P}/lbrp/lb1/`, '{}'],
      ['POST', `${P}/lbrp/lb0/ports/p1/`, '{"type":"FRONTEND"}'],
      ['POST', `${P}/lbrp/lb1/ports/p1/`, '{"type":"FRONTEND"}'],
      ['POST', `${SVC}/`, '{"name":"svc"}'],
      ['POST', `${SVC}/backend/1.2.3.4/`, '{"port":80,"weight":20}'],
    ];
    for (const [m, p, b] of setup) expect([p, (await stack.request(m, p, b)).status]).toEqual([p, 201]);
    before = await readAll();
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(ROWS)('$name', async (row) => {
    let got: { statuses: number[]; final: Awaited<ReturnType<RestStack['request']>> };
    if (row.headers) {
      const final = await stack.request(row.method, row.path, row.body, row.headers);
      got = { statuses: [final.status], final };
    } else {
      got = await polycubectl(stack, row.method, row.path, row.body);
    }
    expect(got.statuses).toEqual(row.want);
    // A body ending in ": " is a prefix (the rest is the JSON parser's own wording).
    if (row.wantBody.endsWith(': ')) expect(got.final.body.startsWith(row.wantBody)).toBe(true);
    else expect(comparable(stack, got.final.body)).toBe(row.wantBody);
    if (row.wantType) expect(got.final.headers['content-type']).toBe(row.wantType);
    if (row.wantAllow) expect(got.final.headers.allow).toBe(row.wantAllow);
    // A rejected request changes nothing (in polycubed and in the service).
    expect(await readAll()).toBe(before);
  });

  // A deleted cube answers exactly as a cube that never existed (§5.3: 500 `Cube lbX does not exist`
  // under the service, 404 through the cube-name shortcut, 409 data-missing on DELETE — the C++
  // polycubed's answers, kept for polycubectl), and its name is free again with nothing left over.
  it('answers for a deleted cube as for one that never existed, and frees its name', async () => {
    const made: [string, string, string][] = [
      ['POST', `${P}/lbrp/lbD/`, '{}'],
      ['POST', `${P}/lbrp/lbD/ports/p1/`, '{"type":"FRONTEND"}'],
      ['POST', `${P}/lbrp/lbD/service/10.0.0.1/80/TCP/`, '{"name":"svc"}'],
      ['POST', `${P}/lbrp/lbD/service/10.0.0.1/80/TCP/backend/1.2.3.4/`, '{"port":80}'],
    ];
    for (const [m, p, b] of made) expect([p, (await stack.request(m, p, b)).status]).toEqual([p, 201]);
    expect((await stack.request('DELETE', `${P}/lbrp/lbD/`)).status).toBe(200);
    const probes: [string, string, string?][] = [
      ['GET', `${P}/lbrp/X/`],
      ['GET', `${P}/lbrp/X/port_mode/`],
      ['GET', `${P}/lbrp/X/service/`],
      ['GET', `${P}/lbrp/X/service/10.0.0.1/80/TCP/`],
      ['GET', `${P}/lbrp/X/ports/p1/`],
      ['PATCH', `${P}/lbrp/X/`, '{}'],
      ['POST', `${P}/lbrp/X/service/10.0.0.2/80/TCP/`, '{}'],
      ['DELETE', `${P}/lbrp/X/`],
      ['GET', `${P}/X/`],
    ];
    const answer = async (name: string, [m, p, b]: [string, string, string?]): Promise<string> => {
      const r = await stack.request(m, p.replace('/X/', `/${name}/`), b);
      return `${m} ${p} → ${r.status} ${r.body.split(name).join('X')}`;
    };
    for (const probe of probes) expect(await answer('lbD', probe)).toBe(await answer('lbNever', probe));
    expect(await answer('lbD', probes[0])).toBe(`GET ${P}/lbrp/X/ → 500 Cube X does not exist`);
    expect(await answer('lbD', probes[8])).toBe(`GET ${P}/X/ → 404 No cube found named X`);

    expect((await stack.request('POST', `${P}/lbrp/lbD/`, '{}')).status).toBe(201);
    expect((await stack.request('GET', `${P}/lbrp/lbD/service/`)).body).toBe('null');
    expect((await stack.request('GET', `${P}/lbrp/lbD/ports/`)).body).toBe('null');
    expect((await stack.request('DELETE', `${P}/lbrp/lbD/`)).status).toBe(200);
  });

  // POST /cubes creates every cube, sets peers once all exist, and answers (polycubed never did).
  it('creates a batch of cubes with POST /cubes and answers 200', async () => {
    const [n0] = stack.netdevs;
    const body = JSON.stringify([
      { 'service-name': 'lbrp', name: 'lbC1', ports: [{ name: 'f', type: 'FRONTEND', peer: 'lbC2:b' }] },
      {
        'service-name': 'lbrp',
        name: 'lbC2',
        loglevel: 'DEBUG',
        ports: [
          { name: 'b', type: 'BACKEND', peer: 'lbC1:f' },
          // lbrp has one BACKEND port (the C++ lbrp's rule, kept by the real service).
          { name: 'n', type: 'FRONTEND', peer: n0 },
        ],
      },
    ]);
    const got = await stack.request('POST', `${P}/cubes`, body);
    expect([got.status, got.body]).toEqual([200, '']);
    const cubes = JSON.parse((await stack.request('GET', `${P}/cubes`)).body) as Record<
      string,
      { name: string; ports?: unknown[] }[]
    >;
    expect(cubes.lbrp.find((c) => c.name === 'lbC1')?.ports).toEqual([{ name: 'f', peer: 'lbC2:b' }]);
    expect(cubes.lbrp.find((c) => c.name === 'lbC2')?.ports).toEqual([
      { name: 'b', peer: 'lbC1:f' },
      { name: 'n', peer: n0 },
    ]);
    for (const c of ['lbC1', 'lbC2'])
      expect((await stack.request('DELETE', `${P}/lbrp/${c}/`)).status).toBe(200);
  });
});
