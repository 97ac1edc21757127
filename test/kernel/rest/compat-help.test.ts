// REST spec §3.5–§3.6 replayed: polycubectl's help requests (`OPTIONS …?help=<TYPE>`) get exactly
// the JSON polycubed sends — member order included — honouring the members the real client
// needs; completion requests get their word lists; the fixed framework help endpoints answer.

import { comparable, json, polycubectl } from '../../fixtures/rest/compat-client';
import { describeCompat } from '../../fixtures/rest/compat-services';
import type { RestStack } from '../../fixtures/rest/rest-stack';
import { helpEntry, LBRP_HELP_LISTS, LBRP_HELP_NODES } from '../../fixtures/spec/lbrp-help-nodes';

/** The cube's run-time session policy leaves (settable) and session counters (issue 14). */
const SESSION_POLICY = [
  'tcp-new-timeout',
  'tcp-established-timeout',
  'tcp-closing-timeout',
  'udp-timeout',
  'icmp-timeout',
  'new-sessions-per-cpu',
  'sessionless-reply-nat',
  'probe-source',
  'probe-next-hop',
];
const SESSION_COUNTERS = [
  'active-sessions',
  'session-table-entries',
  'admissions-refused',
  'evictions-expired',
  'evictions-unestablished',
  'evictions-established',
  'sessions-not-stored',
  'stateless-replies',
  'fragments-translated',
];
const P = '/polycube/v1';

/** E(x): the entry object of node `x` in polycubed's member order; `key` marks list keys. */
function E(path: string, key = false): Record<string, string> {
  const simpletype = LBRP_HELP_NODES[path][2];
  const type = LBRP_HELP_LISTS.has(path)
    ? 'list'
    : simpletype === undefined
      ? 'complex'
      : key
        ? 'key'
        : 'leaf';
  return helpEntry(path, type);
}

/** `{name: E(path)}` for each path. */
function params(...paths: string[]): Record<string, Record<string, string>> {
  return Object.fromEntries(paths.map((p) => [p.split('/').pop() as string, E(p)]));
}

const CUBE_KEY = {
  name: {
    name: 'name',
    type: 'key',
    simpletype: 'string',
    description: 'Name of the lbrp service',
    example: 'lbrp1',
  },
};

interface Row {
  name: string;
  path: string;
  /** Statuses (a 308 first for the cube-name shortcut). */
  want: number[];
  /** Exact body: JSON (compared as text, so member order counts) or a string. */
  wantBody: unknown;
}

const ROWS: Row[] = [
  {
    name: 'lbrp ?',
    path: `${P}/lbrp?help=NONE`,
    want: [200],
    wantBody: { commands: ['add', 'del', 'show'], params: CUBE_KEY, elements: [{ name: 'lb0' }] },
  },
  {
    name: 'lbrp add ?',
    path: `${P}/lbrp?help=ADD`,
    want: [200],
    wantBody: {
      params: CUBE_KEY,
      'optional-params': params(
        'type',
        'service-name',
        'loglevel',
        'shadow',
        'span',
        'port_mode',
        'session-table-size',
        'max-services',
        'max-backends',
        'maglev-slots',
        ...SESSION_POLICY,
      ),
    },
  },
  {
    name: 'lbrp show ?',
    path: `${P}/lbrp?help=SHOW`,
    want: [200],
    wantBody: { params: CUBE_KEY, elements: [{ name: 'lb0' }] },
  },
  {
    name: 'lbrp del ?',
    path: `${P}/lbrp?help=DEL`,
    want: [200],
    wantBody: { params: CUBE_KEY, elements: [{ name: 'lb0' }] },
  },
  {
    name: 'lb0 ?',
    path: `${P}/lb0?help=NONE`,
    want: [308, 200],
    wantBody: {
      commands: ['set', 'show'],
      params: {
        ports: E('ports'),
        drop: E('drop'),
        'src-ip-rewrite': E('src-ip-rewrite'),
        service: E('service'),
      },
    },
  },
  {
    name: 'lb0 set ?',
    path: `${P}/lb0?help=SET`,
    want: [308, 200],
    wantBody: { params: params('loglevel', 'span', 'port_mode', ...SESSION_POLICY) },
  },
  {
    name: 'lb0 show ?',
    path: `${P}/lb0?help=SHOW`,
    want: [308, 200],
    wantBody: {
      params: params(
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
        ...SESSION_POLICY,
        ...SESSION_COUNTERS,
        'drop',
        'src-ip-rewrite',
        'service',
      ),
    },
  },
  {
    name: 'lb0 service ?',
    path: `${P}/lb0/service?help=NONE`,
    want: [308, 200],
    wantBody: {
      commands: ['add', 'del', 'show'],
      params: {
        vip: E('service/vip', true),
        vport: E('service/vport', true),
        proto: E('service/proto', true),
      },
      elements: [{ vip: '10.0.0.1', vport: '80', proto: 'tcp' }],
    },
  },
  {
    name: 'lb0 service add ?',
    path: `${P}/lb0/service?help=ADD`,
    want: [308, 200],
    wantBody: {
      params: {
        vip: E('service/vip', true),
        vport: E('service/vport', true),
        proto: E('service/proto', true),
      },
      'optional-params': params(
        'service/name',
        'service/drain-timeout',
        'service/session-affinity',
        'service/affinity-timeout',
      ),
    },
  },
  {
    name: 'lb0 service 10.0.0.1 80 TCP ?',
    path: `${P}/lb0/service/10.0.0.1/80/TCP?help=NONE`,
    want: [308, 200],
    wantBody: {
      commands: ['set', 'show'],
      params: { backend: E('service/backend'), 'health-check': E('service/health-check') },
    },
  },
  {
    name: 'lb0 service 10.0.0.1 80 TCP backend add ?',
    path: `${P}/lb0/service/10.0.0.1/80/TCP/backend?help=ADD`,
    want: [308, 200],
    wantBody: {
      params: { ip: E('backend/ip', true) },
      'optional-params': params('backend/name', 'backend/port', 'backend/weight'),
    },
  },
  {
    name: 'lb0 ports add ?',
    path: `${P}/lb0/ports?help=ADD`,
    want: [308, 200],
    wantBody: {
      params: { name: E('ports/name', true) },
      'optional-params': params('ports/peer', 'ports/tcubes', 'ports/type', 'ports/ip'),
    },
  },
  {
    name: 'lb0 ports p1 set ?',
    path: `${P}/lb0/ports/p1?help=SET`,
    want: [308, 200],
    wantBody: { params: params('ports/peer', 'ports/type', 'ports/ip') },
  },
  {
    name: 'lb0 src-ip-rewrite set ?',
    path: `${P}/lb0/src-ip-rewrite?help=SET`,
    want: [308, 200],
    wantBody: { params: params('src-ip-rewrite/ip-range', 'src-ip-rewrite/new_ip_range') },
  },
  {
    // polycubed sends {} here and the real client panics; the required members are added.
    name: 'lb0 src-ip-rewrite add ? (container)',
    path: `${P}/lb0/src-ip-rewrite?help=ADD`,
    want: [308, 200],
    wantBody: { params: {}, 'optional-params': {} },
  },
  {
    name: 'lb0 port_mode ? (leaves answer only completion)',
    path: `${P}/lb0/port_mode?help=NONE`,
    want: [308, 400],
    wantBody: '',
  },
  { name: 'lbrp set ? (refused on a collection)', path: `${P}/lbrp?help=SET`, want: [400], wantBody: '' },
  { name: 'lb0 del ? (refused on an object)', path: `${P}/lb0?help=DEL`, want: [308, 400], wantBody: '' },
  { name: 'unknown help type', path: `${P}/lbrp?help=BOGUS`, want: [400], wantBody: '' },
  {
    name: 'polycubectl ? (root)',
    path: `${P}/?help=NONE`,
    want: [200],
    wantBody: {
      params: {
        lbrp: {
          name: 'lbrp',
          simpletype: 'service',
          type: 'leaf',
          description: 'LoadBalancer Reverse-Proxy Service',
          version: '2.0.0',
          pyang_repo_id: 'Unknown',
          swagger_codegen_repo_id: 'Unknown',
        },
      },
    },
  },
  { name: 'root without help: empty 200', path: `${P}/`, want: [200], wantBody: '' },
  { name: 'root with another help type', path: `${P}/?help=SHOW`, want: [400], wantBody: '' },
  // Completion (bash script, §3.2, §3.5).
  {
    name: 'completion: root',
    path: `${P}/?help=NONE&completion`,
    want: [200],
    wantBody: [
      'connect',
      'disconnect',
      'attach',
      'detach',
      'services',
      'cubes',
      'topology',
      'netdevs',
      'lbrp',
      'lb0',
    ],
  },
  {
    name: 'completion: service collection',
    path: `${P}/lbrp?help=NONE&completion`,
    want: [200],
    wantBody: ['lb0', 'add', 'del', 'show'],
  },
  {
    name: 'completion: service collection ADD',
    path: `${P}/lbrp?help=ADD&completion`,
    want: [200],
    wantBody: ['lb0', '<name>'],
  },
  {
    name: 'completion: lb0 <TAB>',
    path: `${P}/lb0?help=NONE&completion`,
    want: [308, 200],
    wantBody: ['ports', 'drop', 'src-ip-rewrite', 'service', 'set', 'show'],
  },
  {
    name: 'completion: lb0 set <TAB>',
    path: `${P}/lb0?help=SET&completion`,
    want: [308, 200],
    wantBody: ['loglevel=', 'span=', 'port_mode=', ...SESSION_POLICY.map((l) => `${l}=`)],
  },
  {
    name: 'completion: lb0 set loglevel=<TAB> (enum values lower-cased)',
    path: `${P}/lb0/loglevel?help=SET&completion`,
    want: [308, 200],
    wantBody: ['trace', 'debug', 'info', 'warn', 'err', 'critical', 'off'],
  },
  {
    name: 'completion: non-enum leaf',
    path: `${P}/lb0/ports/p1/ip?help=SET&completion`,
    want: [308, 200],
    wantBody: [],
  },
  {
    name: 'completion: lb0 service <TAB>',
    path: `${P}/lb0/service?help=NONE&completion`,
    want: [308, 200],
    wantBody: ['10.0.0.1', 'add', 'del', 'show'],
  },
  {
    name: 'completion: lb0 service add <TAB>',
    path: `${P}/lb0/service?help=ADD&completion`,
    want: [308, 200],
    wantBody: ['<vip>'],
  },
  {
    name: 'completion: key prefix (vip given)',
    path: `${P}/lb0/service/10.0.0.1?help=NONE&completion`,
    want: [308, 200],
    wantBody: ['80'],
  },
  {
    name: 'completion: key prefix (vip, vport given)',
    path: `${P}/lb0/service/10.0.0.1/80?help=NONE&completion`,
    want: [308, 200],
    wantBody: ['tcp'],
  },
  {
    name: 'completion: connect',
    path: `${P}/connect?help=NONE&completion`,
    want: [200],
    wantBody: ['lb0:p1'],
  },
  {
    name: 'connect ? without completion',
    path: `${P}/connect?help=NONE`,
    want: [200],
    wantBody: 'not implemented',
  },
  // Fixed framework help (§3.5).
  {
    name: 'cubes ?',
    path: `${P}/cubes?help=NONE`,
    want: [200],
    wantBody: {
      commands: ['show'],
      params: {
        name: { name: 'name', type: 'key', simpletype: 'string', description: 'Cube Name', example: 'cube0' },
      },
      elements: [{ cube: 'lb0' }],
    },
  },
  { name: 'cubes lb0 ?', path: `${P}/cubes/lb0?help=NONE`, want: [200], wantBody: { commands: ['show'] } },
  { name: 'topology ?', path: `${P}/topology?help=NONE`, want: [200], wantBody: { commands: ['show'] } },
];

describeCompat('kernel: REST compat — help and completion of spec §3', ({ start }) => {
  let stack: RestStack;
  beforeAll(async () => {
    stack = await start({ netdevCount: 2 });
    const setup: [string, string, string][] = [
      ['POST', `${P}/lbrp/lb0/`, '{}'],
      ['POST', `${P}/lbrp/lb0/ports/p1/`, '{"type":"FRONTEND"}'],
      ['POST', `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/`, '{"name":"svc"}'],
    ];
    for (const [m, p, b] of setup) expect((await stack.request(m, p, b)).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(ROWS)('$name', async (row) => {
    const got = await polycubectl(stack, 'OPTIONS', row.path);
    expect(got.statuses).toEqual(row.want);
    const want = typeof row.wantBody === 'string' ? row.wantBody : json(row.wantBody);
    const text = typeof row.wantBody === 'string' ? got.final.body : json(JSON.parse(got.final.body));
    expect(comparable(stack, text)).toBe(want);
  });

  // The real client panics on a one-character non-string in description/example/simpletype and on
  // non-string element values; every help answer of the lbrp tree is checked for both.
  it('answers only strings where polycubectl slices or asserts them', async () => {
    for (const row of ROWS.filter((r) => typeof r.wantBody === 'object' && !Array.isArray(r.wantBody))) {
      const got = await polycubectl(stack, 'OPTIONS', row.path);
      const answer = JSON.parse(got.final.body) as Record<string, unknown>;
      for (const section of ['params', 'optional-params'] as const) {
        for (const entry of Object.values(
          (answer[section] ?? {}) as Record<string, Record<string, unknown>>,
        )) {
          for (const field of ['description', 'example', 'simpletype']) {
            if (field in entry) expect(typeof entry[field]).toBe('string');
          }
        }
      }
      for (const el of (answer.elements ?? []) as Record<string, unknown>[]) {
        for (const v of Object.values(el)) expect(typeof v).toBe('string');
      }
    }
  });

  // The "required members" table of §3.3: ADD has params and optional-params, SET has params.
  it('always sends the members polycubectl dereferences', async () => {
    for (const path of [
      `${P}/lbrp`,
      `${P}/lbrp/lb0`,
      `${P}/lbrp/lb0/src-ip-rewrite`,
      `${P}/lbrp/lb0/ports`,
      `${P}/lbrp/lb0/service`,
      `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/backend`,
    ]) {
      const add = JSON.parse((await stack.request('OPTIONS', `${path}?help=ADD`)).body);
      expect(add).toHaveProperty('params');
      expect(add).toHaveProperty('optional-params');
    }
    for (const path of [`${P}/lbrp/lb0`, `${P}/lbrp/lb0/src-ip-rewrite`, `${P}/lbrp/lb0/ports/p1`]) {
      expect(JSON.parse((await stack.request('OPTIONS', `${path}?help=SET`)).body)).toHaveProperty('params');
    }
  });
});
