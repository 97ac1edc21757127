// The IR of the real datamodel (datamodel/lbrp.yang and the base modules it imports): the shape every
// emitter and polycubed rely on, pinned node by node.

import * as path from 'path';
import { type IrLeaf, type IrModule, type IrNode, findNode, loadModule } from 'yang-ts-codegen';

const ROOT = path.resolve(__dirname, '../../../..');
/** The config-false counters every service and backend ends with (issue 6). */
const COUNTERS = ['packets', 'bytes', 'active-sessions', 'total-sessions'];
const IPV4_ADDRESS =
  '(([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\\.){3}([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])' +
  '(%[\\p{N}\\p{L}]+)?';
const IPV4_PREFIX =
  '(([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\\.){3}([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])' +
  '/(([0-9])|([1-2][0-9])|(3[0-2]))';

function loadLbrp(): IrModule {
  const { module, errors } = loadModule(path.join(ROOT, 'datamodel/lbrp.yang'), {
    searchPath: [path.join(ROOT, 'datamodel')],
    rootDir: ROOT,
  });
  expect(errors.map((e) => e.message)).toEqual([]);
  if (!module) throw new Error('lbrp did not load');
  return module;
}

function node(m: IrModule, p: string): IrNode {
  const n = findNode(m, p);
  if (!n) throw new Error(`no node at ${p}`);
  return n;
}

function leaf(m: IrModule, p: string): IrLeaf {
  const n = node(m, p);
  if (n.kind !== 'leaf') throw new Error(`${p} is a ${n.kind}, not a leaf`);
  return n;
}

function childNames(n: IrModule | IrNode): string[] {
  return 'children' in n ? n.children.map((c) => c.name) : [];
}

describe('lbrp datamodel IR', () => {
  const lbrp = loadLbrp();

  // Module metadata comes from the module statement and the polycube-base service extensions.
  it('carries the module metadata and the polycube service info', () => {
    expect(lbrp).toMatchObject({
      kind: 'module',
      name: 'lbrp',
      namespace: 'http://polycube.network/lbrp',
      prefix: 'lbrp',
      yangVersion: '1.1',
      organization: 'lbrp project',
      imports: {
        'polycube-base': 'polycube-base',
        'polycube-standard-base': 'polycube-standard-base',
        inet: 'ietf-inet-types',
      },
      service: {
        name: 'lbrp',
        version: '2.0.0',
        description: 'LoadBalancer Reverse-Proxy Service',
        minKernelVersion: '4.14.0',
      },
      sources: [
        'datamodel/lbrp.yang',
        'datamodel/polycube-base.yang',
        'datamodel/polycube-standard-base.yang',
        'datamodel/ietf-inet-types.yang',
      ],
      loc: { file: 'datamodel/lbrp.yang', line: 1, col: 1 },
    });
    expect(lbrp.extensions.map((e) => `${e.module}:${e.keyword}=${e.arg}`)).toEqual([
      'polycube-base:service-description=LoadBalancer Reverse-Proxy Service',
      'polycube-base:service-version=2.0.0',
      'polycube-base:service-name=lbrp',
      'polycube-base:service-min-kernel-version=4.14.0',
    ]);
  });

  // Declaration order survives uses expansion: grouping nodes first, then the augment, then own nodes.
  it.each([
    {
      name: 'cube',
      inPath: undefined,
      want: [
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
      ],
    },
    {
      name: 'ports',
      inPath: '/lbrp/ports',
      want: ['name', 'uuid', 'status', 'peer', 'tcubes', 'type', 'ip'],
    },
    { name: 'src-ip-rewrite', inPath: '/lbrp/src-ip-rewrite', want: ['ip-range', 'new_ip_range'] },
    {
      name: 'service',
      inPath: '/lbrp/service',
      want: [
        'name',
        'vip',
        'vport',
        'proto',
        'drain-timeout',
        'session-affinity',
        'affinity-timeout',
        'backend',
        'health-check',
        ...COUNTERS,
      ],
    },
    {
      name: 'backend',
      inPath: '/lbrp/service/backend',
      want: [
        'name',
        'ip',
        'port',
        'weight',
        ...COUNTERS,
        'health',
        'health-detail',
        'up',
        'health-transitions',
      ],
    },
  ])('keeps the declaration order of the $name children', ({ inPath, want }) => {
    expect(childNames(inPath === undefined ? lbrp : node(lbrp, inPath))).toEqual(want);
  });

  // Lists carry their keys in key-statement order and mark the key leaves.
  it('keys service by vip vport proto, backend by ip and ports by name', () => {
    expect(node(lbrp, '/lbrp/service')).toMatchObject({ kind: 'list', keys: ['vip', 'vport', 'proto'] });
    expect(node(lbrp, '/lbrp/service/backend')).toMatchObject({ kind: 'list', keys: ['ip'] });
    expect(node(lbrp, '/lbrp/ports')).toMatchObject({ kind: 'list', keys: ['name'], unique: [['uuid']] });
    const keyLeaves = [
      '/lbrp/service/vip',
      '/lbrp/service/vport',
      '/lbrp/service/proto',
      '/lbrp/service/backend/ip',
      '/lbrp/ports/name',
    ];
    for (const p of keyLeaves) expect([p, leaf(lbrp, p).isKey]).toEqual([p, true]);
    expect(leaf(lbrp, '/lbrp/service/name').isKey).toBe(false);
    expect(leaf(lbrp, '/lbrp/service/backend/port').isKey).toBe(false);
  });

  // Typedef chains resolve to the built-in type with merged restrictions and the outer typedef's name.
  it.each([
    {
      p: '/lbrp/service/vport',
      want: { kind: 'int', base: 'uint16', range: [{ min: 0, max: 65535 }], typedef: 'inet:port-number' },
    },
    {
      p: '/lbrp/service/backend/port',
      want: { kind: 'int', base: 'uint16', range: [{ min: 0, max: 65535 }], typedef: 'inet:port-number' },
    },
    { p: '/lbrp/service/backend/weight', want: { kind: 'int', base: 'uint16', range: [] } },
    {
      p: '/lbrp/service/vip',
      want: {
        kind: 'string',
        patterns: [{ regex: IPV4_ADDRESS, invert: false }],
        length: [],
        typedef: 'inet:ipv4-address',
      },
    },
    {
      p: '/lbrp/service/backend/ip',
      want: {
        kind: 'string',
        patterns: [{ regex: IPV4_ADDRESS, invert: false }],
        length: [],
        typedef: 'inet:ipv4-address',
      },
    },
    {
      p: '/lbrp/ports/ip',
      want: {
        kind: 'string',
        patterns: [{ regex: IPV4_ADDRESS, invert: false }],
        length: [],
        typedef: 'inet:ipv4-address',
      },
    },
    {
      p: '/lbrp/src-ip-rewrite/ip-range',
      want: {
        kind: 'string',
        patterns: [{ regex: IPV4_PREFIX, invert: false }],
        length: [],
        typedef: 'inet:ipv4-prefix',
      },
    },
    {
      p: '/lbrp/src-ip-rewrite/new_ip_range',
      want: {
        kind: 'string',
        patterns: [{ regex: IPV4_PREFIX, invert: false }],
        length: [],
        typedef: 'inet:ipv4-prefix',
      },
    },
    { p: '/lbrp/service/name', want: { kind: 'string', patterns: [], length: [] } },
    { p: '/lbrp/shadow', want: { kind: 'boolean' } },
    { p: '/lbrp/span', want: { kind: 'boolean' } },
    {
      p: '/lbrp/uuid',
      want: {
        kind: 'string',
        patterns: [
          { regex: '[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}', invert: false },
        ],
        length: [],
        typedef: 'polycube-base:polycube-uuid',
      },
    },
  ])('resolves the type of $p', ({ p, want }) => {
    expect(leaf(lbrp, p).type).toEqual(want);
  });

  // Enumerations get implicit values 0, 1, 2… in declaration order, with descriptions where written.
  it.each([
    { p: '/lbrp/type', want: ['TC=0', 'XDP_SKB=1', 'XDP_DRV=2'] },
    { p: '/lbrp/loglevel', want: ['TRACE=0', 'DEBUG=1', 'INFO=2', 'WARN=3', 'ERR=4', 'CRITICAL=5', 'OFF=6'] },
    { p: '/lbrp/port_mode', want: ['SINGLE=0', 'MULTI=1', 'ROUTED=2'] },
    { p: '/lbrp/service/proto', want: ['ICMP=0', 'TCP=1', 'UDP=2', 'ALL=3'] },
    { p: '/lbrp/ports/status', want: ['UP=0', 'DOWN=1'] },
    { p: '/lbrp/ports/type', want: ['FRONTEND=0', 'BACKEND=1'] },
  ])('numbers the enum values of $p', ({ p, want }) => {
    const t = leaf(lbrp, p).type;
    expect(t.kind === 'enumeration' ? t.enums.map((e) => `${e.name}=${e.value}`) : t.kind).toEqual(want);
  });

  // Enum descriptions are kept for help texts.
  it('keeps enum descriptions', () => {
    const t = leaf(lbrp, '/lbrp/ports/type').type;
    expect(t.kind === 'enumeration' && t.enums[0].description).toBe('Port connected to the clients');
  });

  // Every node's flags (config, init-only, mandatory, default, cli-example) follow the YANG text.
  it.each([
    { p: '/lbrp/uuid', config: false, initOnly: false, mandatory: false, def: undefined, cli: undefined },
    { p: '/lbrp/type', config: true, initOnly: true, mandatory: false, def: 'TC', cli: 'TC' },
    {
      p: '/lbrp/service-name',
      config: true,
      initOnly: true,
      mandatory: false,
      def: undefined,
      cli: 'helloworld',
    },
    { p: '/lbrp/loglevel', config: true, initOnly: false, mandatory: false, def: 'INFO', cli: 'INFO' },
    { p: '/lbrp/shadow', config: true, initOnly: true, mandatory: false, def: 'false', cli: undefined },
    { p: '/lbrp/span', config: true, initOnly: false, mandatory: false, def: 'false', cli: undefined },
    { p: '/lbrp/port_mode', config: true, initOnly: false, mandatory: false, def: 'SINGLE', cli: undefined },
    {
      p: '/lbrp/session-table-size',
      config: true,
      initOnly: true,
      mandatory: false,
      def: '65536',
      cli: '65536',
    },
    { p: '/lbrp/maglev-slots', config: true, initOnly: true, mandatory: false, def: '262144', cli: '262144' },
    {
      p: '/lbrp/kernel-memory',
      config: false,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: undefined,
    },
    { p: '/lbrp/ports/name', config: true, initOnly: false, mandatory: true, def: undefined, cli: 'port1' },
    {
      p: '/lbrp/ports/uuid',
      config: false,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: undefined,
    },
    {
      p: '/lbrp/ports/status',
      config: false,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: undefined,
    },
    {
      p: '/lbrp/ports/peer',
      config: true,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: 'r0:port1',
    },
    { p: '/lbrp/ports/type', config: true, initOnly: false, mandatory: true, def: undefined, cli: undefined },
    {
      p: '/lbrp/ports/ip',
      config: true,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: '10.10.1.1',
    },
    {
      p: '/lbrp/src-ip-rewrite/ip-range',
      config: true,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: '10.2.0.0/24',
    },
    {
      p: '/lbrp/src-ip-rewrite/new_ip_range',
      config: true,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: '10.3.0.0/24',
    },
    {
      p: '/lbrp/service/name',
      config: true,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: 'Service-nginx',
    },
    {
      p: '/lbrp/service/vip',
      config: true,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: '130.192.100.12',
    },
    { p: '/lbrp/service/vport', config: true, initOnly: false, mandatory: false, def: undefined, cli: '80' },
    {
      p: '/lbrp/service/proto',
      config: true,
      initOnly: false,
      mandatory: true,
      def: undefined,
      cli: undefined,
    },
    {
      p: '/lbrp/service/backend/name',
      config: true,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: 'backend1',
    },
    {
      p: '/lbrp/service/backend/ip',
      config: true,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: '10.244.1.23',
    },
    {
      p: '/lbrp/service/backend/port',
      config: true,
      initOnly: false,
      mandatory: true,
      def: undefined,
      cli: '80',
    },
    {
      p: '/lbrp/service/backend/weight',
      config: true,
      initOnly: false,
      mandatory: false,
      def: undefined,
      cli: '1',
    },
  ])('flags of $p', ({ p, config, initOnly, mandatory, def, cli }) => {
    const l = leaf(lbrp, p);
    expect({
      config: l.config,
      initOnly: l.initOnly,
      mandatory: l.mandatory,
      def: l.default,
      cli: l.cliExample,
    }).toEqual({
      config,
      initOnly,
      mandatory,
      def,
      cli,
    });
  });

  // The leaf-list tcubes is init-only; containers and lists are config with schema paths.
  it('describes tcubes, src-ip-rewrite and the lists', () => {
    expect(node(lbrp, '/lbrp/ports/tcubes')).toMatchObject({
      kind: 'leaf-list',
      initOnly: true,
      config: true,
      defaults: [],
      type: { kind: 'string' },
      path: '/lbrp/ports/tcubes',
      loc: { file: 'datamodel/polycube-standard-base.yang', line: 48, col: 7 },
    });
    expect(node(lbrp, '/lbrp/src-ip-rewrite')).toMatchObject({
      kind: 'container',
      config: true,
      path: '/lbrp/src-ip-rewrite',
    });
    expect(node(lbrp, '/lbrp/ports').extensions).toEqual([
      { module: 'polycube-base', keyword: 'polycube-class', arg: 'polycube::service::Port' },
    ]);
  });

  // Nodes from groupings belong to the loading module and point at their source lines.
  it('gives grouping nodes the module namespace and their defining location', () => {
    expect(leaf(lbrp, '/lbrp/loglevel')).toMatchObject({
      module: 'lbrp',
      path: '/lbrp/loglevel',
      loc: { file: 'datamodel/polycube-base.yang', line: 90, col: 5 },
      description: 'Logging level of a cube, from none (OFF) to the most verbose (TRACE)',
    });
    expect(leaf(lbrp, '/lbrp/ports/ip')).toMatchObject({
      module: 'lbrp',
      loc: { file: 'datamodel/lbrp.yang', line: 28, col: 7 },
      description: 'IP address of the client interface (only for FRONTEND port)',
    });
  });
});
