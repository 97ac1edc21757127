// REST spec §4 replayed: GET answers keep polycubed's member order (framework base members first,
// then the service's, `_links` last), empty lists are `null`, base leaves come back as strings,
// enums are passed on exactly as the service wrote them, and the framework endpoints of §4.5
// answer with their documented shapes. Bodies are compared as text, so order counts.

import { comparable, json, polycubectl } from '../../fixtures/rest/compat-client';
import { describeCompat } from '../../fixtures/rest/compat-services';
import { findNode, type IrNode } from 'yang-ts-codegen';
import { LBRP_YANG, lbrpModule, type RestStack } from '../../fixtures/rest/rest-stack';

const P = '/polycube/v1';
const H = '//HOST/polycube/v1';

/** `_links` of an object at `path`: self + one per child. */
function links(path: string, children: string[]): { rel: string; href: string }[] {
  return [
    { rel: 'self', href: `${H}${path}/` },
    ...children.map((c) => ({ rel: c, href: `${H}${path}/${c}/` })),
  ];
}

const CUBE_CHILDREN = [
  'uuid',
  'type',
  'service-name',
  'loglevel',
  'ports',
  'shadow',
  'span',
  'port_mode',
  'session-table-size',
  'max-services',
  'max-backends',
  'maglev-slots',
  'kernel-memory',
  'tcp-new-timeout',
  'tcp-established-timeout',
  'tcp-closing-timeout',
  'udp-timeout',
  'icmp-timeout',
  'new-sessions-per-cpu',
  'sessionless-reply-nat',
  'probe-source',
  'probe-next-hop',
  'active-sessions',
  'session-table-entries',
  'admissions-refused',
  'evictions-expired',
  'evictions-unestablished',
  'evictions-established',
  'sessions-not-stored',
  'stateless-replies',
  'fragments-translated',
  'drop',
  'src-ip-rewrite',
  'service',
];
/**
 * The init-only size leaves and the session policy at their YANG defaults (the stand-in service
 * echoes the config); with `state`, the cube's state leaves in YANG order as the lbrp service
 * answers them with no traffic: zero counters, and kernel memory as a placeholder that the
 * comparison fills with polycubed's own figure for the cube.
 */
function cubeLeaves(state: boolean): Record<string, unknown> {
  const sizes = {
    'session-table-size': 65536,
    'max-services': 1024,
    'max-backends': 4096,
    'maglev-slots': 262144,
  };
  const policy = {
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
  if (!state) return { ...sizes, ...policy };
  const counters = Object.fromEntries(
    [
      'active-sessions',
      'session-table-entries',
      'admissions-refused',
      'evictions-expired',
      'evictions-unestablished',
      'evictions-established',
      'sessions-not-stored',
      'stateless-replies',
      'fragments-translated',
    ].map((c) => [c, 0]),
  );
  return { ...sizes, 'kernel-memory': KERNEL_MEMORY, ...policy, ...counters };
}
/** Stands for the cube's kernel memory in expected bodies. */
const KERNEL_MEMORY = '<kernel-memory>';
const LBRP = lbrpModule();
/**
 * Child endpoints of a list element in schema order (every child but its keys): the datamodel may
 * grow state leaves (counters), and each one gets a link, so the rows take the list from the YANG.
 */
function endpoints(schemaPath: string): string[] {
  const node = findNode(LBRP, schemaPath);
  if (node?.kind !== 'list') throw new Error(`${schemaPath} is not a list`);
  return node.children.filter((c: IrNode) => !(c.kind === 'leaf' && c.isKey)).map((c) => c.name);
}
const PORT = (peer: string, status: string) => ({
  name: 'p1',
  uuid: '<uuid>',
  status,
  peer,
  type: 'frontend',
  ip: '10.0.0.1',
});
/** Traffic counters of services and backends (state leaves), zero with no traffic. */
const COUNTERS = { packets: 0, bytes: 0, 'active-sessions': 0, 'total-sessions': 0 };
/** A backend's health leaves when its service has no health-check (enums lower-case, as GET spells them). */
const NO_HEALTH_CHECK = {
  health: 'unknown',
  'health-detail': 'no health-check configured',
  up: 1,
  'health-transitions': 0,
};
const BACKEND = (state: boolean) => ({
  name: 'b1',
  ip: '1.2.3.4',
  port: 80,
  weight: 20,
  ...(state ? { ...COUNTERS, ...NO_HEALTH_CHECK } : {}),
});
/** The service policy leaves (issue 15) at their defaults, enums in lower case as Polycube reads them. */
const POLICY = { 'drain-timeout': 0, 'session-affinity': 'none', 'affinity-timeout': 10800 };
const SERVICE = (state: boolean) => ({
  name: 'svc',
  vip: '10.0.0.1',
  vport: 80,
  proto: 'tcp',
  ...POLICY,
  backend: [BACKEND(state)],
  ...(state ? COUNTERS : {}),
});
const BASE = (peer?: string) => ({
  name: 'lb0',
  uuid: '<uuid>',
  'service-name': 'lbrp',
  type: 'TC',
  loglevel: 'TRACE',
  ports: [peer ? { name: 'p1', peer } : { name: 'p1' }],
  shadow: false,
  span: false,
});

interface Row {
  name: string;
  method?: string;
  path: string;
  want: number[];
  /** Exact answer: JSON compared as text, or a string; `$0` is the first netdev. */
  wantBody: unknown;
  wantType?: string;
}

const YANG_JSON = 'application/yang.data+json; charset=utf-8';

/** The rows; `state` when the service answers state leaves (see CompatService). */
function rows(state: boolean): Row[] {
  // The cube lb0 as GET answers it, directly and through the cube-name shortcut.
  const cubeObject = {
    name: 'lb0',
    uuid: '<uuid>',
    'service-name': 'lbrp',
    type: 'TC',
    loglevel: 'TRACE',
    ports: [PORT('$0', 'UP')],
    shadow: false,
    span: false,
    port_mode: 'multi',
    ...cubeLeaves(state),
    'src-ip-rewrite': { 'ip-range': '10.2.0.0/24', new_ip_range: '10.3.0.0/24' },
    service: [SERVICE(state)],
    _links: links('/lbrp/lb0', CUBE_CHILDREN),
  };
  return [
    {
      name: 'cube object (§4.1): base members, ports, service members in YANG order, _links',
      path: `${P}/lbrp/lb0/`,
      want: [200],
      wantType: YANG_JSON,
      wantBody: cubeObject,
    },
    {
      name: 'cube object through the cube-name shortcut',
      path: `${P}/lb0/`,
      want: [308, 200],
      wantBody: cubeObject,
    },
    {
      name: 'service collection (§4.2): framework base objects then a trailing _links element',
      path: `${P}/lbrp/`,
      want: [200],
      wantBody: [
        BASE('$0'),
        { ...BASE(), name: 'lb1', loglevel: 'INFO', ports: undefined },
        ['_links', links('/lbrp', ['lb0', 'lb1'])],
      ],
    },
    {
      name: 'list collection: elements then ["_links", self + one per entry]',
      path: `${P}/lbrp/lb0/service/`,
      want: [200],
      wantBody: [
        SERVICE(state),
        [
          '_links',
          [
            { rel: 'self', href: `${H}/lbrp/lb0/service/` },
            { rel: '10.0.0.1', href: `${H}/lbrp/lb0/service/10.0.0.1/80/tcp/` },
          ],
        ],
      ],
    },
    {
      name: 'list element: object + _links of its child endpoints',
      path: `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/`,
      want: [200],
      wantBody: {
        ...SERVICE(state),
        _links: links('/lbrp/lb0/service/10.0.0.1/80/TCP', endpoints('/lbrp/service')),
      },
    },
    {
      name: 'nested list element',
      path: `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4/`,
      want: [200],
      wantBody: {
        ...BACKEND(state),
        _links: links(
          '/lbrp/lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4',
          endpoints('/lbrp/service/backend'),
        ),
      },
    },
    {
      name: 'container',
      path: `${P}/lbrp/lb0/src-ip-rewrite/`,
      want: [200],
      wantBody: {
        'ip-range': '10.2.0.0/24',
        new_ip_range: '10.3.0.0/24',
        _links: links('/lbrp/lb0/src-ip-rewrite', ['ip-range', 'new_ip_range']),
      },
    },
    {
      name: 'port element: polycubed base members then the service members',
      path: `${P}/lbrp/lb0/ports/p1/`,
      want: [200],
      wantBody: {
        ...PORT('$0', 'UP'),
        _links: links('/lbrp/lb0/ports/p1', ['uuid', 'status', 'peer', 'tcubes', 'type', 'ip']),
      },
    },
    { name: 'empty list is null', path: `${P}/lbrp/lb1/service/`, want: [200], wantBody: 'null' },
    {
      name: 'service leaf: bare scalar as the service wrote it',
      path: `${P}/lbrp/lb0/port_mode/`,
      want: [200],
      wantBody: '"multi"',
    },
    {
      name: 'numeric leaf',
      path: `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4/weight/`,
      want: [200],
      wantBody: '20',
    },
    {
      name: 'enum key leaf of a port',
      path: `${P}/lbrp/lb0/ports/p1/type/`,
      want: [200],
      wantBody: '"frontend"',
    },
    // Base-model leaves served by polycubed (§4.2).
    { name: 'base leaf type', path: `${P}/lbrp/lb0/type/`, want: [200], wantBody: '"TC"' },
    { name: 'base leaf loglevel', path: `${P}/lbrp/lb0/loglevel/`, want: [200], wantBody: '"TRACE"' },
    { name: 'base leaf service-name', path: `${P}/lbrp/lb0/service-name/`, want: [200], wantBody: '"lbrp"' },
    { name: 'base leaf uuid', path: `${P}/lbrp/lb0/uuid/`, want: [200], wantBody: '"<uuid>"' },
    { name: 'base leaf shadow is a string', path: `${P}/lbrp/lb0/shadow/`, want: [200], wantBody: '"false"' },
    { name: 'base leaf span is a string', path: `${P}/lbrp/lb0/span/`, want: [200], wantBody: '"false"' },
    { name: 'port leaf peer', path: `${P}/lbrp/lb0/ports/p1/peer/`, want: [200], wantBody: '"$0"' },
    { name: 'port leaf status', path: `${P}/lbrp/lb0/ports/p1/status/`, want: [200], wantBody: '"UP"' },
    { name: 'port leaf uuid', path: `${P}/lbrp/lb0/ports/p1/uuid/`, want: [200], wantBody: '"<uuid>"' },
    { name: 'port leaf-list tcubes', path: `${P}/lbrp/lb0/ports/p1/tcubes/`, want: [200], wantBody: '[]' },
    {
      name: 'base leaf of a missing cube: 204 without body',
      path: `${P}/lbrp/nosuch/type/`,
      want: [204],
      wantBody: '',
    },
    // Framework endpoints (§4.5).
    {
      name: 'GET //cubes/ (root help)',
      path: `${P}//cubes/`,
      want: [200],
      wantType: 'application/json',
      wantBody: { lbrp: [BASE('$0'), { ...BASE(), name: 'lb1', loglevel: 'INFO', ports: undefined }] },
    },
    { name: 'GET /cubes/lb0', path: `${P}/cubes/lb0`, want: [200], wantBody: BASE('$0') },
    { name: 'GET /cubes/nosuch', path: `${P}/cubes/nosuch`, want: [400], wantBody: 'Cube does not exist' },
    {
      name: 'GET /topology',
      path: `${P}/topology`,
      want: [200],
      wantBody: [BASE('$0'), { ...BASE(), name: 'lb1', loglevel: 'INFO', ports: undefined }],
    },
    {
      name: 'GET /netdevs/nosuch',
      path: `${P}/netdevs/nosuch0`,
      want: [400],
      wantBody: 'netdev nosuch0 does not exist',
    },
    { name: 'GET /topology/<veth>', path: `${P}/topology/$0`, want: [200], wantBody: { name: '$0' } },
    {
      name: 'GET /version',
      path: `${P}/version`,
      want: [200],
      wantBody: '{"polycubed":{"version":"0.1.0"}}',
    },
    {
      name: 'GET /services',
      path: `${P}/services`,
      want: [200],
      wantBody: [
        {
          name: 'lbrp',
          servicecontroller: 'grpc',
          description: 'LoadBalancer Reverse-Proxy Service',
          version: '2.0.0',
          pyang_repo_id: 'Unknown',
          swagger_codegen_repo_id: 'Unknown',
        },
      ],
    },
    {
      name: 'GET /services/lbrp',
      path: `${P}/services/lbrp`,
      want: [200],
      wantBody: [{ name: 'lbrp', servicecontroller: 'grpc', datamodel: LBRP_YANG }],
    },
    {
      name: 'GET /services/nosuch',
      path: `${P}/services/nosuch`,
      want: [400],
      wantBody: 'Service Controller does not exist',
    },
    {
      name: 'GET /polycube/v1/ (HATEOAS)',
      path: `${P}/`,
      want: [200],
      wantBody: links('', [
        'services',
        'cubes',
        'netdevs',
        'version',
        'connect',
        'disconnect',
        'attach',
        'detach',
        'topology',
        'lbrp',
        'lb0',
        'lb1',
      ]),
    },
  ];
}

describeCompat('kernel: REST compat — GET shapes of spec §4', ({ start, state }) => {
  let stack: RestStack;
  beforeAll(async () => {
    stack = await start({ netdevCount: 2 });
    const n0 = stack.netdevs[0];
    const setup: [string, string, string, number][] = [
      ['POST', `${P}/lbrp/lb0/`, '{"loglevel":"TRACE","port_mode":"MULTI"}', 201],
      ['POST', `${P}/lbrp/lb1/`, '{}', 201],
      ['POST', `${P}/lbrp/lb0/ports/p1/`, `{"ip":"10.0.0.1","peer":"${n0}","type":"FRONTEND"}`, 201],
      [
        'PATCH',
        `${P}/lbrp/lb0/src-ip-rewrite/`,
        '{"ip-range":"10.2.0.0/24","new_ip_range":"10.3.0.0/24"}',
        201,
      ],
      ['POST', `${P}/lbrp/lb0/service/10.0.0.1/80/tcp/`, '{"name":"svc"}', 201],
      [
        'POST',
        `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4/`,
        '{"name":"b1","port":80,"weight":20}',
        201,
      ],
    ];
    for (const [m, p, b, s] of setup) expect([p, (await stack.request(m, p, b)).status]).toEqual([p, s]);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(rows(state))('$name', async (row) => {
    const n0 = stack.netdevs[0];
    const got = await polycubectl(stack, row.method ?? 'GET', row.path.replace('$0', n0));
    expect(got.statuses).toEqual(row.want);
    const want = (typeof row.wantBody === 'string' ? row.wantBody : json(row.wantBody)).split('$0').join(n0);
    const isJson = typeof row.wantBody !== 'string';
    const text = isJson ? json(JSON.parse(got.final.body)) : got.final.body;
    // The cube's kernel memory is polycubed's figure for it (loaded maps take some), or the
    // placeholder stays unreplaced.
    if (state) expect(stack.daemon.cube('lb0')?.kernelMemory).toBeGreaterThan(0);
    const memory = `"kernel-memory":${stack.daemon.cube('lb0')?.kernelMemory ?? -1}`;
    const got2 = comparable(stack, text).split(memory).join(`"kernel-memory":"${KERNEL_MEMORY}"`);
    expect(got2).toBe(want);
    if (row.wantType) expect(got.final.headers['content-type']).toBe(row.wantType);
  });

  // One netdev: a one-element array of {name[, addresses]} (addresses as "ip/len" strings).
  it('answers one netdev as a one-element array', async () => {
    const got = await stack.request('GET', `${P}/netdevs/${stack.netdevs[0]}`);
    expect(got.status).toBe(200);
    const [dev, ...more] = JSON.parse(got.body) as Record<string, unknown>[];
    expect(more).toEqual([]);
    expect(dev.name).toBe(stack.netdevs[0]);
    expect(Object.keys(dev).filter((k) => k !== 'name' && k !== 'addresses')).toEqual([]);
    for (const a of (dev.addresses ?? []) as unknown[]) expect(a).toMatch(/^[0-9a-f.:]+\/\d+$/);
  });

  // polycubed's own lists: every up netdev, sorted by name, ours among them.
  it('lists netdevs sorted by name', async () => {
    const got = JSON.parse((await stack.request('GET', `${P}/netdevs`)).body) as { name: string }[];
    const names = got.map((n) => n.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(stack.netdevs));
  });

  // /metrics: Prometheus text with the per-cube and per-port gauges polycubed knows.
  it('exposes per-cube and per-port gauges in /metrics', async () => {
    for (const path of [`${P}/metrics`, '/metrics']) {
      const got = await stack.request('GET', path);
      expect(got.status).toBe(200);
      expect(got.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(got.body).toContain('# TYPE polycubed_cube_info gauge\n');
      expect(got.body).toContain(
        'polycubed_cube_info{cube="lb0",service="lbrp",type="TC",loglevel="TRACE"} 1\n',
      );
      expect(got.body).toContain(`polycubed_port_up{cube="lb0",port="p1",peer="${stack.netdevs[0]}"} 1\n`);
      expect(got.body).toContain('polycubed_service_connected{service="lbrp",version="2.0.0"} 1\n');
      expect(got.body).toMatch(/polycubed_rest_requests_total\{method="GET",code="200"\} \d+\n/);
    }
  });
});
