// Help answers for lbrp are exactly those of REST spec §3.6 (member order included), built from
// the schema plus the live elements the caller passes in; refusals are those of §3.5.

import {
  buildCubeElements,
  buildElements,
  buildHelp,
  serviceHelpEntry,
  type HelpType,
} from '../../../../codegen/src/routes/help';
import { buildRouteTable } from '../../../../codegen/src/routes/route-table';
import { helpEntry } from '../../../fixtures/spec/lbrp-help-nodes';
import { listAt, lbrpModule } from '../helpers/lbrp';

const lbrp = lbrpModule();
const routes = buildRouteTable(lbrp);

function help(path: string, type: HelpType, elements?: Record<string, string>[]): unknown {
  const route = routes.find((r) => r.path === `/polycube/v1/lbrp${path}`);
  if (!route) throw new Error(`no route ${path}`);
  const got = buildHelp(route, type, elements);
  return got.ok ? got.answer : { refused: got.reason };
}

/** E(x): the entry of node `id` with `type` (leaf, key, list, complex). */
const E = helpEntry;

const leaves = (...ids: string[]): Record<string, unknown> =>
  Object.fromEntries(ids.map((id) => [id.split('/').pop(), E(id, 'leaf')]));
const keys = (...ids: string[]): Record<string, unknown> =>
  Object.fromEntries(ids.map((id) => [id.split('/').pop(), E(id, 'key')]));

/** The cube's run-time session policy leaves (settable) and its session counters (shown). */
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
  inPath: string;
  inType: HelpType;
  inElements?: Record<string, string>[];
  want: unknown;
}

// The examples of REST spec §3.6, in order.
const rows: Row[] = [
  {
    name: 'lbrp ?',
    inPath: '',
    inType: 'NONE',
    inElements: [{ name: 'lb0' }],
    want: { commands: ['add', 'del', 'show'], params: CUBE_KEY, elements: [{ name: 'lb0' }] },
  },
  {
    name: 'lbrp add ?',
    inPath: '',
    inType: 'ADD',
    want: {
      params: CUBE_KEY,
      'optional-params': leaves(
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
    name: 'lb0 ?',
    inPath: '/:name',
    inType: 'NONE',
    want: {
      commands: ['set', 'show'],
      params: {
        ports: E('ports', 'list'),
        drop: E('drop', 'list'),
        'src-ip-rewrite': E('src-ip-rewrite', 'complex'),
        service: E('service', 'list'),
      },
    },
  },
  {
    name: 'lb0 set ?',
    inPath: '/:name',
    inType: 'SET',
    want: { params: leaves('loglevel', 'span', 'port_mode', ...SESSION_POLICY) },
  },
  {
    name: 'lb0 show ?',
    inPath: '/:name',
    inType: 'SHOW',
    want: {
      params: {
        ...leaves('uuid', 'type', 'service-name', 'loglevel'),
        ports: E('ports', 'list'),
        ...leaves(
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
        ),
        drop: E('drop', 'list'),
        'src-ip-rewrite': E('src-ip-rewrite', 'complex'),
        service: E('service', 'list'),
      },
    },
  },
  {
    name: 'lb0 service ?',
    inPath: '/:name/service',
    inType: 'NONE',
    inElements: [{ vip: '10.0.0.1', vport: '80', proto: 'tcp' }],
    want: {
      commands: ['add', 'del', 'show'],
      params: keys('service/vip', 'service/vport', 'service/proto'),
      elements: [{ vip: '10.0.0.1', vport: '80', proto: 'tcp' }],
    },
  },
  {
    name: 'lb0 service add ?',
    inPath: '/:name/service',
    inType: 'ADD',
    want: {
      params: keys('service/vip', 'service/vport', 'service/proto'),
      'optional-params': leaves(
        'service/name',
        'service/drain-timeout',
        'service/session-affinity',
        'service/affinity-timeout',
      ),
    },
  },
  {
    name: 'lb0 service 10.0.0.1 80 TCP ?',
    inPath: '/:name/service/:vip/:vport/:proto',
    inType: 'NONE',
    want: {
      commands: ['set', 'show'],
      params: { backend: E('service/backend', 'list'), 'health-check': E('service/health-check', 'complex') },
    },
  },
  {
    name: 'lb0 service 10.0.0.1 80 TCP backend add ?',
    inPath: '/:name/service/:vip/:vport/:proto/backend',
    inType: 'ADD',
    want: {
      params: keys('backend/ip'),
      'optional-params': leaves('backend/name', 'backend/port', 'backend/weight'),
    },
  },
  {
    name: 'lb0 ports add ?',
    inPath: '/:name/ports',
    inType: 'ADD',
    want: {
      params: keys('ports/name'),
      'optional-params': leaves('ports/peer', 'ports/tcubes', 'ports/type', 'ports/ip'),
    },
  },
  {
    name: 'lb0 ports p1 set ?',
    inPath: '/:name/ports/:ports_name',
    inType: 'SET',
    want: { params: leaves('ports/peer', 'ports/type', 'ports/ip') },
  },
  {
    name: 'lb0 src-ip-rewrite set ?',
    inPath: '/:name/src-ip-rewrite',
    inType: 'SET',
    want: { params: leaves('src-ip-rewrite/ip-range', 'src-ip-rewrite/new_ip_range') },
  },
  // §3.5 rows around the examples.
  {
    name: 'lbrp show ? carries params and elements',
    inPath: '',
    inType: 'SHOW',
    inElements: [],
    want: { params: CUBE_KEY, elements: [] },
  },
  {
    name: 'lb0 add ? on the cube: empty params and the configurable leaves',
    inPath: '/:name',
    inType: 'ADD',
    want: {
      params: {},
      'optional-params': leaves(
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
    name: 'src-ip-rewrite add ? on a container answers {}',
    inPath: '/:name/src-ip-rewrite',
    inType: 'ADD',
    want: {},
  },
  {
    name: 'service 10.0.0.1 ? on a key prefix answers like the list',
    inPath: '/:name/service/:vip',
    inType: 'DEL',
    want: { params: keys('service/vip', 'service/vport', 'service/proto'), elements: [] },
  },
  {
    name: 'lb0 port_mode ? is refused without completion',
    inPath: '/:name/port_mode',
    inType: 'NONE',
    want: { refused: expect.stringContaining('completion') },
  },
  { name: 'lbrp set ? is refused', inPath: '', inType: 'SET', want: { refused: expect.any(String) } },
  {
    name: 'lb0 del ? on an object is refused',
    inPath: '/:name',
    inType: 'DEL',
    want: { refused: expect.any(String) },
  },
];

describe('buildHelp(lbrp)', () => {
  test.each(rows)('$name', (row) => {
    const got = help(row.inPath, row.inType, row.inElements);
    expect(got).toEqual(row.want);
    // Member order matters to polycubectl's output: compare the serialised form too.
    if (!('refused' in (got as object))) expect(JSON.stringify(got)).toBe(JSON.stringify(row.want));
  });
});

describe('elements', () => {
  // Element values are strings in key order, whatever JSON type the entry carries.
  test('buildElements turns key values into strings in key order', () => {
    const service = listAt(lbrp, '/lbrp/service');
    const got = buildElements(service, [
      { name: 'svc', proto: 'tcp', vport: 80, vip: '10.0.0.1', backend: [] },
    ]);
    expect(JSON.stringify(got)).toBe('[{"vip":"10.0.0.1","vport":"80","proto":"tcp"}]');
  });

  test('buildCubeElements lists cube names', () => {
    expect(buildCubeElements(['lb0', 'lb1'])).toEqual([{ name: 'lb0' }, { name: 'lb1' }]);
  });
});

// The root help entry of the service, as in the §3.6 `polycubectl ?` answer.
test('serviceHelpEntry gives the root help entry of lbrp', () => {
  expect(JSON.stringify(serviceHelpEntry(lbrp))).toBe(
    '{"name":"lbrp","simpletype":"service","type":"leaf","description":"LoadBalancer Reverse-Proxy Service","version":"2.0.0","pyang_repo_id":"Unknown","swagger_codegen_repo_id":"Unknown"}',
  );
});
