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
import { listAt, lbrpModule } from '../helpers/lbrp';

const lbrp = lbrpModule();
const routes = buildRouteTable(lbrp);

function help(path: string, type: HelpType, elements?: Record<string, string>[]): unknown {
  const route = routes.find((r) => r.path === `/polycube/v1/lbrp${path}`);
  if (!route) throw new Error(`no route ${path}`);
  const got = buildHelp(route, type, elements);
  return got.ok ? got.answer : { refused: got.reason };
}

// Entry objects from the §3.6 node table: [description, example, simpletype] per node.
const NODES: Record<string, [string, string, string?]> = {
  uuid: ['UUID of the Cube', '', 'string'],
  type: ['Type of the Cube (TC, XDP_SKB, XDP_DRV)', 'TC', 'string'],
  'service-name': ['', 'helloworld', 'string'],
  loglevel: ['Logging level of a cube, from none (OFF) to the most verbose (TRACE)', 'INFO', 'string'],
  ports: ['Entry of the ports table', ''],
  'ports/name': ['Port Name', 'port1', 'string'],
  'ports/peer': [
    "Peer name, such as a network interfaces (e.g., 'veth0') or another cube (e.g., 'br1:port2')",
    'r0:port1',
    'string',
  ],
  'ports/tcubes': ['List of transparent cubes attached to this port', '', 'string'],
  'ports/type': ['Type of the LB port (e.g. FRONTEND or BACKEND)', '', 'string'],
  'ports/ip': ['IP address of the client interface (only for FRONTEND port)', '10.10.1.1', 'string'],
  shadow: ['Defines if the service is visible in Linux', '', 'boolean'],
  span: ['Defines if all traffic is sent to Linux', '', 'boolean'],
  port_mode: [
    "LB mode of operation. 'SINGLE' is optimized for working with a single FRONTEND port. 'MULTI' allows to manage multiple FRONTEND port",
    '',
    'string',
  ],
  'src-ip-rewrite': [
    "If configured, when a client request arrives to the LB, the source IP address is replaced with another IP address from the 'new' range",
    '',
  ],
  'src-ip-rewrite/ip-range': [
    'Range of IP addresses of the clients that must be replaced',
    '10.2.0.0/24',
    'string',
  ],
  'src-ip-rewrite/new_ip_range': [
    'Range of IP addresses of the that must be used to replace client addresses',
    '10.3.0.0/24',
    'string',
  ],
  service: ['Services (i.e., virtual ip:protocol:port) exported to the client', ''],
  'service/name': [
    'Service name related to the backend server of the pool is connected to',
    'Service-nginx',
    'string',
  ],
  'service/vip': ['Virtual IP (vip) of the service where clients connect to', '130.192.100.12', 'string'],
  'service/vport': [
    'Port of the virtual server where clients connect to (this value is ignored in case of ICMP)',
    '80',
    'unsigned',
  ],
  'service/proto': [
    "Upper-layer protocol associated with a loadbalancing service instance. 'ALL' creates an entry for all the supported protocols",
    '',
    'string',
  ],
  'service/backend': ['Pool of backend servers that actually serve requests', ''],
  'backend/name': ['name', 'backend1', 'string'],
  'backend/ip': ['IP address of the backend server of the pool', '10.244.1.23', 'string'],
  'backend/port': [
    'Port where the server listen to (this value is ignored in case of ICMP)',
    '80',
    'unsigned',
  ],
  'backend/weight': ['Weight of the backend in the pool', '1', 'unsigned'],
};

/** E(x): the entry of node `id` with `type` (leaf, key, list, complex). */
function E(id: string, type: string): Record<string, string> {
  const [description, example, simpletype] = NODES[id];
  const name = id.split('/').pop() as string;
  return simpletype === undefined
    ? { name, description, example, type }
    : { name, description, example, type, simpletype };
}

const leaves = (...ids: string[]): Record<string, unknown> =>
  Object.fromEntries(ids.map((id) => [id.split('/').pop(), E(id, 'leaf')]));
const keys = (...ids: string[]): Record<string, unknown> =>
  Object.fromEntries(ids.map((id) => [id.split('/').pop(), E(id, 'key')]));

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
      'optional-params': leaves('type', 'service-name', 'loglevel', 'shadow', 'span', 'port_mode'),
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
        'src-ip-rewrite': E('src-ip-rewrite', 'complex'),
        service: E('service', 'list'),
      },
    },
  },
  {
    name: 'lb0 set ?',
    inPath: '/:name',
    inType: 'SET',
    want: { params: leaves('loglevel', 'span', 'port_mode') },
  },
  {
    name: 'lb0 show ?',
    inPath: '/:name',
    inType: 'SHOW',
    want: {
      params: {
        ...leaves('uuid', 'type', 'service-name', 'loglevel'),
        ports: E('ports', 'list'),
        ...leaves('shadow', 'span', 'port_mode'),
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
      'optional-params': leaves('service/name'),
    },
  },
  {
    name: 'lb0 service 10.0.0.1 80 TCP ?',
    inPath: '/:name/service/:vip/:vport/:proto',
    inType: 'NONE',
    want: { commands: ['set', 'show'], params: { backend: E('service/backend', 'list') } },
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
      'optional-params': leaves('type', 'service-name', 'loglevel', 'shadow', 'span', 'port_mode'),
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
