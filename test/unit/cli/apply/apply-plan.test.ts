// The apply planner against a schema shaped like lbrp's help answers (REST spec §3.6): what it
// sends for creation, changes and pruning, in which order, and what it refuses.

import { planCube, type PlanOptions } from '../../../../src/cli/apply/apply-plan';
import type { JsonObject } from '../../../../src/cli/apply/desired-cubes';
import type { NodeShape, SchemaSource } from '../../../../src/cli/apply/help-schema';

const shape = (s: Partial<NodeShape> & { lists?: string[]; containers?: string[] }): NodeShape => ({
  children: [
    ...(s.lists ?? []).map((name) => ({ name, kind: 'list' as const })),
    ...(s.containers ?? []).map((name) => ({ name, kind: 'container' as const })),
  ],
  settable: s.settable ?? new Set(),
  initOnly: s.initOnly ?? new Set(),
  readOnly: s.readOnly ?? new Set(),
});
const COUNTERS = new Set(['packets', 'bytes', 'active-sessions', 'total-sessions']);
const SHAPES: Record<string, NodeShape> = {
  lbrp: {
    children: [
      { name: 'ports', kind: 'list' },
      { name: 'src-ip-rewrite', kind: 'container' },
      { name: 'service', kind: 'list' },
    ],
    settable: new Set(['loglevel', 'span', 'port_mode']),
    initOnly: new Set(['type', 'service-name', 'shadow']),
    readOnly: new Set(['uuid']),
  },
  'lbrp/ports': shape({
    settable: new Set(['peer', 'type', 'ip']),
    initOnly: new Set(['tcubes']),
    readOnly: new Set(['uuid', 'status']),
  }),
  'lbrp/src-ip-rewrite': shape({ settable: new Set(['ip-range', 'new_ip_range']) }),
  'lbrp/service': shape({ lists: ['backend'], settable: new Set(['name']), readOnly: COUNTERS }),
  'lbrp/service/backend': shape({ settable: new Set(['name', 'port', 'weight']), readOnly: COUNTERS }),
};
const KEYS: Record<string, string[]> = {
  'lbrp/ports': ['name'],
  'lbrp/service': ['vip', 'vport', 'proto'],
  'lbrp/service/backend': ['ip'],
};
const ENUMS = ['lbrp#port_mode', 'lbrp#type', 'lbrp#loglevel', 'lbrp/ports#type'];

const schema: SchemaSource = {
  shape: (node) => Promise.resolve(SHAPES[node.schemaKey]),
  keys: (_rel, key) => Promise.resolve(KEYS[key]),
  isEnum: (_rel, key) => Promise.resolve(ENUMS.includes(key)),
};

const RUNNING: JsonObject = {
  name: 'lb0',
  uuid: 'u1',
  'service-name': 'lbrp',
  type: 'TC',
  loglevel: 'INFO',
  ports: [
    { name: 'fe', uuid: 'p1', status: 'UP', peer: 'veth1', type: 'frontend' },
    { name: 'be', uuid: 'p2', status: 'UP', peer: 'veth2', type: 'backend' },
  ],
  shadow: false,
  span: false,
  port_mode: 'single',
  'src-ip-rewrite': {},
  service: [
    {
      name: 'web',
      vip: '10.0.0.100',
      vport: 80,
      proto: 'tcp',
      packets: 7,
      backend: [
        { name: '', ip: '192.168.1.10', port: 8080, weight: 1, packets: 3 },
        { name: '', ip: '192.168.1.11', port: 8080, weight: 2, packets: 4 },
      ],
    },
  ],
};

const DESIRED: JsonObject = {
  'service-name': 'lbrp',
  name: 'lb0',
  port_mode: 'SINGLE',
  ports: [
    { name: 'fe', type: 'FRONTEND', peer: 'veth1' },
    { name: 'be', type: 'BACKEND', peer: 'veth2' },
  ],
  service: [
    {
      vip: '10.0.0.100',
      vport: 80,
      proto: 'TCP',
      name: 'web',
      backend: [
        { ip: '192.168.1.10', port: 8080, weight: 1 },
        { ip: '192.168.1.11', port: 8080, weight: 2 },
      ],
    },
  ],
};

const SVC = 'lbrp/lb0/service/10.0.0.100/80/TCP/';

/** `desired` with its first service's backends replaced. */
const withBackends = (backend: unknown[], extra: JsonObject = {}): JsonObject => ({
  ...DESIRED,
  ...extra,
  service: [{ ...(DESIRED.service as JsonObject[])[0], backend }],
});

interface Row {
  name: string;
  desired: JsonObject;
  current: JsonObject | undefined;
  opts?: Partial<PlanOptions>;
  want?: string[];
  wantNotes?: string[];
  wantErr?: string;
}

const rows: Row[] = [
  {
    name: 'a missing cube is created top-down: cube, ports, services, backends',
    desired: { ...DESIRED, 'src-ip-rewrite': { 'ip-range': '10.0.0.0/24', new_ip_range: '20.0.0.0/24' } },
    current: undefined,
    want: [
      'POST lbrp/lb0/ {"port_mode":"SINGLE"}',
      'POST lbrp/lb0/ports/fe/ {"type":"FRONTEND","peer":"veth1"}',
      'POST lbrp/lb0/ports/be/ {"type":"BACKEND","peer":"veth2"}',
      'PATCH lbrp/lb0/src-ip-rewrite/ {"ip-range":"10.0.0.0/24","new_ip_range":"20.0.0.0/24"}',
      `POST ${SVC} {"name":"web"}`,
      `POST ${SVC}backend/192.168.1.10/ {"port":8080,"weight":1}`,
      `POST ${SVC}backend/192.168.1.11/ {"port":8080,"weight":2}`,
    ],
  },
  {
    name: 'the running configuration needs nothing (enum case, numbers, state members ignored)',
    desired: { ...DESIRED, uuid: 'other', type: 'tc', loglevel: 'info' },
    current: RUNNING,
    want: [],
  },
  {
    name: 'show -yaml output of the running cube is a valid input that needs nothing',
    desired: { ...RUNNING, _links: [{ rel: 'self', href: '//x/' }] },
    current: RUNNING,
    want: [],
  },
  {
    name: 'a changed leaf is patched on its own node with only what changed',
    desired: withBackends([
      { ip: '192.168.1.10', port: 8080, weight: 5 },
      { ip: '192.168.1.11', port: 8080, weight: 2 },
    ]),
    current: RUNNING,
    want: [`PATCH ${SVC}backend/192.168.1.10/ {"weight":5}`],
  },
  {
    name: 'replacing a backend adds the new one and keeps the old one without --prune',
    desired: withBackends([
      { ip: '192.168.1.11', port: 8080, weight: 2 },
      { ip: '192.168.1.12', port: 8080, weight: 1 },
    ]),
    current: RUNNING,
    want: [`POST ${SVC}backend/192.168.1.12/ {"port":8080,"weight":1}`],
    wantNotes: [
      'lbrp lb0 service 10.0.0.100 80 TCP backend 192.168.1.10 is running but not in the file: kept (--prune deletes it)',
    ],
  },
  {
    name: 'with --prune, backends are added and updated before the old one is deleted',
    desired: withBackends([
      { ip: '192.168.1.12', port: 8080, weight: 1 },
      { ip: '192.168.1.11', port: 8080, weight: 3 },
    ]),
    current: RUNNING,
    opts: { prune: true },
    want: [
      `POST ${SVC}backend/192.168.1.12/ {"port":8080,"weight":1}`,
      `PATCH ${SVC}backend/192.168.1.11/ {"weight":3}`,
      `DELETE ${SVC}backend/192.168.1.10/`,
    ],
  },
  {
    name: 'pruning deletes bottom-up and never the children of a deleted entry',
    desired: {
      'service-name': 'lbrp',
      name: 'lb0',
      ports: [{ name: 'fe', type: 'FRONTEND', peer: 'veth1' }],
      service: [{ vip: '10.0.0.200', vport: 53, proto: 'UDP', backend: [{ ip: '192.168.1.20', port: 53 }] }],
    },
    current: RUNNING,
    opts: { prune: true },
    want: [
      'POST lbrp/lb0/service/10.0.0.200/53/UDP/ {}',
      'POST lbrp/lb0/service/10.0.0.200/53/UDP/backend/192.168.1.20/ {"port":53}',
      'DELETE lbrp/lb0/service/10.0.0.100/80/tcp/',
      'DELETE lbrp/lb0/ports/be/',
    ],
  },
  {
    name: 'a list the file does not mention is never pruned',
    desired: { 'service-name': 'lbrp', name: 'lb0', loglevel: 'DEBUG' },
    current: RUNNING,
    opts: { prune: true },
    want: ['PATCH lbrp/lb0/ {"loglevel":"DEBUG"}'],
  },
  {
    name: 'an init-only member that differs is refused',
    desired: { ...DESIRED, type: 'XDP_DRV' },
    current: RUNNING,
    wantErr: 'lbrp lb0: init-only members differ: type (running "TC", file "XDP_DRV")',
  },
  {
    name: 'with --recreate the cube is deleted and created again in full',
    desired: { ...DESIRED, type: 'XDP_DRV' },
    current: RUNNING,
    opts: { recreate: true },
    want: [
      'DELETE lbrp/lb0/',
      'POST lbrp/lb0/ {"port_mode":"SINGLE","type":"XDP_DRV"}',
      'POST lbrp/lb0/ports/fe/ {"type":"FRONTEND","peer":"veth1"}',
      'POST lbrp/lb0/ports/be/ {"type":"BACKEND","peer":"veth2"}',
      `POST ${SVC} {"name":"web"}`,
      `POST ${SVC}backend/192.168.1.10/ {"port":8080,"weight":1}`,
      `POST ${SVC}backend/192.168.1.11/ {"port":8080,"weight":2}`,
    ],
  },
  {
    name: 'an unknown member is refused and names what the server knows',
    desired: { ...DESIRED, mode: 'x' },
    current: undefined,
    wantErr: 'lbrp lb0: unknown member "mode" (the server knows: ports, src-ip-rewrite, service, loglevel',
  },
  {
    name: 'a list entry without its keys is refused',
    desired: withBackends([{ port: 80 }]),
    current: RUNNING,
    wantErr: 'lbrp lb0 service 10.0.0.100 80 TCP backend: entry 1 lacks its key "ip" (keys of this list: ip)',
  },
  {
    name: 'an entry listed twice is refused',
    desired: withBackends([
      { ip: '192.168.1.10', port: 1 },
      { ip: '192.168.1.10', port: 2 },
    ]),
    current: RUNNING,
    wantErr: 'backend: entry 192.168.1.10 appears twice',
  },
  {
    name: 'a list given as an object is refused',
    desired: { ...DESIRED, ports: { name: 'fe' } },
    current: undefined,
    wantErr: 'lbrp lb0: "ports" is a list: expected an array',
  },
  {
    name: 'a non-enum string differing in case is a change',
    desired: withBackends([
      { ip: '192.168.1.10', port: 8080, weight: 1, name: 'B1' },
      { ip: '192.168.1.11', port: 8080, weight: 2 },
    ]),
    current: {
      ...RUNNING,
      service: [
        {
          ...(RUNNING.service as JsonObject[])[0],
          backend: [
            { ip: '192.168.1.10', port: 8080, weight: 1, name: 'b1' },
            { ip: '192.168.1.11', port: 8080, weight: 2 },
          ],
        },
      ],
    },
    want: [`PATCH ${SVC}backend/192.168.1.10/ {"name":"B1"}`],
  },
  {
    name: 'keys with special characters are escaped in paths',
    desired: { 'service-name': 'lbrp', name: 'lb 0', ports: [{ name: 'a/b', type: 'BACKEND' }] },
    current: undefined,
    want: ['POST lbrp/lb%200/ {}', 'POST lbrp/lb%200/ports/a%2Fb/ {"type":"BACKEND"}'],
  },
];

test.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
  const cube = {
    service: String(row.desired['service-name']),
    name: String(row.desired.name),
    config: row.desired,
    origin: 'test',
  };
  const plan = await planCube(cube, row.current, schema, { prune: false, recreate: false, ...row.opts });
  if (row.wantErr !== undefined) {
    expect(plan.errors.join('\n')).toContain(row.wantErr);
    expect(plan.steps).toEqual([]);
    return;
  }
  expect(plan.errors).toEqual([]);
  expect(
    plan.steps.map((s) => `${s.method} ${s.rel}${s.body === undefined ? '' : ' ' + JSON.stringify(s.body)}`),
  ).toEqual(row.want);
  if (row.wantNotes) expect(plan.notes).toEqual(row.wantNotes);
});
