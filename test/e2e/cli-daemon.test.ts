// Our polycubectl (bin/polycubectl.js, as a child process with its own HOME and config file)
// against the real stack: polycubed and the lbrp service as children (LbrpStack: private pin
// root, socket, state file, free REST port) and a veth as a port's peer. One ordered table covers
// every verb (add, del, set, show, command-less help), every show format (default, -normal,
// -brief, -verbose, -json, -yaml, -hide), the helps of REST spec §3.4, the aliases (cubes,
// netdevs, topology, version, connect, disconnect), the exit codes of §2.7 (0, 1, 2; syntax
// errors 0) and the server's error bodies printed verbatim. Each row names the configuration it
// starts from (`given`), which is checked and, when it differs, rebuilt over REST before the row
// runs, so rows pass alone and in any order; a refused command must leave it unchanged. Expected outputs are written from the rules of §3.4/§4.4 (scalars,
// then containers, then tables; the columnize notice once per table, since stdout is not a
// terminal); only uuids are normalised. Then the server-agnostic compat transcripts are replayed
// against the same stack through a recording proxy. Needs root; skipped otherwise.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { DAEMON_VERSION } from '../../src/polycubed/core/daemon-options';
import { closedPort, REPO, runCli } from '../compat/cli/harness';
import { startRecordingProxy, type RecordingProxy } from '../compat/cli/recording-proxy';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack } from '../fixtures/lbrp/e2e-stack';
import { TestNet } from '../fixtures/netns';

const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string })
  .version;

/** Printed by columnize, without a newline, each time it formats a table off a terminal (§4.4). */
/** Every uuid in stdout is replaced by this (same length, so tables keep their alignment). */
const U = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Values known once the stack and the veth exist; `{{name}}` in a row's args and env. */
/** A cube's kernel-memory figure depends on the machine (CPU count, kernel): shown as <bytes>. */
const KERNEL_MEMORY = /(kernel-memory"?:\s*)[0-9][0-9.e+]*/g;

interface Vars {
  /** The host veth end used as p1's peer. */
  veth: string;
  /** `127.0.0.1:<port>` of polycubed (in `_links`). */
  hostport: string;
  closedPort: string;
}

type Want = string | RegExp;

interface Row {
  /** Defaults to `inArgs`. */
  name?: string;
  /** polycubectl's words, split on spaces. */
  inArgs: string;
  /** Given as a regular file on stdin (the real client reads a body only from `< file`). */
  inStdin?: string;
  inEnv?: Record<string, string>;
  /** Exact stdout after uuid normalisation, or a pattern. stderr must always be empty. */
  wantStdout: Want | ((v: Vars) => Want);
  wantCode: number;
  /** The configuration the row starts from. */
  given: Setup;
}

/** A REST request of a setup: method, path under /polycube/v1/, JSON body. */
type Step = [method: string, path: string, body?: unknown];

/** A configuration, as the requests that build it from no cubes at all. */
interface Setup {
  name: string;
  steps: (v: Vars) => Step[];
}

const SVC = 'lbrp/lb0/service/10.0.0.1/80/TCP';
const LB0: Step = ['POST', 'lbrp/lb0/', { port_mode: 'SINGLE' }];
const LB1: Step = ['POST', 'lbrp/lb1/', { port_mode: 'MULTI', loglevel: 'WARN' }];
const P1 = (peer?: string): Step => [
  'POST',
  'lbrp/lb0/ports/p1/',
  { type: 'FRONTEND', ...(peer ? { peer } : {}) },
];
const WEB: Step = ['POST', `${SVC}/`, { name: 'web' }];
const BACKEND_B1: Step = ['POST', `${SVC}/backend/192.168.1.11/`, { port: 8080, weight: 2, name: 'b1' }];
const BACKEND_12 = (body: object): Step => ['POST', `${SVC}/backend/192.168.1.12/`, body];
const LB0_DEBUG: Step = ['PATCH', 'lbrp/lb0/loglevel/', 'DEBUG'];
const REWRITE: Step = [
  'PATCH',
  'lbrp/lb0/src-ip-rewrite/',
  { 'ip-range': '10.2.0.0/24', new_ip_range: '10.3.0.0/24' },
];
const Q1: Step = ['POST', 'lbrp/lb1/ports/q1/', { type: 'BACKEND' }];
const setup = (name: string, steps: (v: Vars) => Step[]): Setup => ({ name, steps });

// The configurations the rows start from, from none to all of it and back down.
const NONE = setup('no cubes', () => []);
const LB0_ONLY = setup('lb0', () => [LB0]);
const TWO = setup('lb0 and lb1', () => [LB0, LB1]);
const WITH_P1 = setup('+ p1 on the veth', (v) => [LB0, LB1, P1(v.veth)]);
const WITH_WEB = setup('+ service web', (v) => [...WITH_P1.steps(v), WEB]);
const WITH_B1 = setup('+ backend b1', (v) => [...WITH_WEB.steps(v), BACKEND_B1]);
const B2_FILE = setup('+ backend .12 port 8080', (v) => [...WITH_B1.steps(v), BACKEND_12({ port: 8080 })]);
const B2_W3 = setup('+ backend .12 weight 3', (v) => [
  ...WITH_B1.steps(v),
  BACKEND_12({ port: 8080, weight: 3 }),
]);
const SERVICES = setup('+ backend .12 port 8081 weight 4', (v) => [
  ...WITH_B1.steps(v),
  BACKEND_12({ port: 8081, weight: 4 }),
]);
const DEBUG = setup('+ lb0 loglevel DEBUG', (v) => [...SERVICES.steps(v), LB0_DEBUG]);
const FULL = setup('+ src-ip-rewrite', (v) => [...DEBUG.steps(v), REWRITE]);
const UNPEERED = setup('all, p1 without peer', () => [
  LB0,
  LB1,
  P1(),
  WEB,
  BACKEND_B1,
  BACKEND_12({ port: 8081, weight: 4 }),
  LB0_DEBUG,
  REWRITE,
]);
const WITH_Q1 = setup('all, p1 without peer, lb1 port q1', (v) => [...UNPEERED.steps(v), Q1]);
const LINKED = setup('lb0:p1 linked to lb1:q1', (v) => [
  ...WITH_Q1.steps(v),
  ['POST', 'connect', { peer1: 'lb0:p1', peer2: 'lb1:q1' }],
]);
const NO_B2 = setup('backend .12 deleted', () => [LB0, LB1, P1(), WEB, BACKEND_B1, LB0_DEBUG, REWRITE, Q1]);
const NO_WEB = setup('service deleted', () => [LB0, LB1, P1(), LB0_DEBUG, REWRITE, Q1]);
const NO_P1 = setup('p1 deleted', () => [LB0, LB1, LB0_DEBUG, REWRITE, Q1]);
/** What the whole table used to end with: lb0 alone, DEBUG, with its src-ip-rewrite. */
const END = setup('lb0 alone', () => [LB0, LB0_DEBUG, REWRITE]);

/**
 * A table as the vendored columnize lays it out (§4.4): every cell but the last padded to its
 * column's width, two spaces between columns, `prefix` before each line. The last column is
 * narrowed only when the widths exceed 75 (no terminal); this helper refuses the tables where
 * that would wrap a cell, so what it returns is the whole rule for the tables it accepts.
 */
function table(rows: string[][], prefix = ''): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const total = widths.reduce((a, b) => a + b, 0);
  const last = widths[widths.length - 1] - Math.max(0, total - 75);
  if (last > 0 && rows.some((r) => r[r.length - 1].length > last && r[r.length - 1].includes(' '))) {
    throw new Error('table(): a cell of the last column would wrap; write this one out');
  }
  return rows
    .map((r) => prefix + r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] + 2) : c)).join(''))
    .join('\n');
}

/** An array member of an object at default depth: `\n<key>:\n` then its table, indented by one. */
const list = (key: string, rows: string[][]): string => `\n${key}:\n${table(rows, ' ')}\n`;

/** The lbrp cube's `_links` (self, then one record per child endpoint, §4.3). */
const LINKS = ['uuid', 'type', 'service-name', 'loglevel', 'ports', 'shadow', 'span', 'port_mode'];
/**
 * lbrp's init-only size leaves with their defaults, the config-false kernel memory, the session
 * policy with its defaults and the session counters (all 0 on a cube without traffic).
 */
const SIZE_LEAVES = ['session-table-size', 'max-services', 'max-backends', 'maglev-slots'];
const SESSION_POLICY: Record<string, number | boolean | string> = {
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
const SESSION_SHOWN =
  Object.entries(SESSION_POLICY)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('') + SESSION_COUNTERS.map((k) => `${k}: 0\n`).join('');
const SIZES_SHOWN =
  'session-table-size: 65536\nmax-services: 1024\nmax-backends: 4096\nmaglev-slots: 262144\n' +
  'kernel-memory: <bytes>\n' +
  SESSION_SHOWN;
const CHILDREN = [
  ...LINKS,
  ...SIZE_LEAVES,
  'kernel-memory',
  ...Object.keys(SESSION_POLICY),
  ...SESSION_COUNTERS,
  'drop',
  'src-ip-rewrite',
  'service',
];

const SERVICE_HEAD = [
  'name',
  'vip',
  'vport',
  'proto',
  'drain-timeout',
  'session-affinity',
  'affinity-timeout',
  'packets',
  'bytes',
  'active-sessions',
  'total-sessions',
];
const SERVICE_WEB = ['web', '10.0.0.1', '80', 'tcp', '0', 'none', '10800', '0', '0', '0', '0'];
const BACKEND_HEAD = [
  'name',
  'ip',
  'port',
  'weight',
  'packets',
  'bytes',
  'active-sessions',
  'total-sessions',
  'health',
  'health-detail',
  'up',
  'health-transitions',
];
/** A backend's health leaves while its service does no health checks. */
const NO_CHECK = ['unknown', 'no health-check configured', '1', '0'];
const B1 = ['b1', '192.168.1.11', '8080', '2', '0', '0', '0', '0', ...NO_CHECK];
const B2 = ['', '192.168.1.12', '8081', '4', '0', '0', '0', '0', ...NO_CHECK];

/** Scalars of lb0 as every default-depth form prints them, then its container. */
const lb0Head = (uuid = true): string =>
  'name: lb0\n' +
  (uuid ? `uuid: ${U}\n` : '') +
  'service-name: lbrp\ntype: TC\nloglevel: DEBUG\nshadow: false\nspan: false\nport_mode: single\n' +
  SIZES_SHOWN +
  'src-ip-rewrite:\n ip-range: 10.2.0.0/24\n new_ip_range: 10.3.0.0/24\n';

const lb0Ports = (v: Vars, uuid = U): string =>
  list('ports', [
    ['name', uuid ? 'uuid' : '', 'status', 'peer', 'type', 'ip'],
    ['p1', uuid, 'UP', v.veth, 'frontend', ''],
  ]);

/** `lb0 show` in the default form (depth 2). */
const lb0Show = (v: Vars): string =>
  lb0Head() +
  lb0Ports(v) +
  list('service', [
    [...SERVICE_HEAD, 'backend'],
    [...SERVICE_WEB, '[2 items]'],
  ]) +
  '\n';

/** The same cube as `-json` shows it: the server's member order, two-space indent. */
const lb0Json = (v: Vars): string => {
  const counters = { packets: 0, bytes: 0, 'active-sessions': 0, 'total-sessions': 0 };
  const health = {
    health: 'unknown',
    'health-detail': 'no health-check configured',
    up: 1,
    'health-transitions': 0,
  };
  const base = `//${v.hostport}/polycube/v1/lbrp/lb0/`;
  const cube = {
    name: 'lb0',
    uuid: U,
    'service-name': 'lbrp',
    type: 'TC',
    loglevel: 'DEBUG',
    ports: [{ name: 'p1', uuid: U, status: 'UP', peer: v.veth, type: 'frontend', ip: '' }],
    shadow: false,
    span: false,
    port_mode: 'single',
    'session-table-size': 65536,
    'max-services': 1024,
    'max-backends': 4096,
    'maglev-slots': 262144,
    'kernel-memory': '<bytes>',
    ...SESSION_POLICY,
    ...Object.fromEntries(SESSION_COUNTERS.map((k) => [k, 0])),
    'src-ip-rewrite': { 'ip-range': '10.2.0.0/24', new_ip_range: '10.3.0.0/24' },
    service: [
      {
        name: 'web',
        vip: '10.0.0.1',
        vport: 80,
        proto: 'tcp',
        'drain-timeout': 0,
        'session-affinity': 'none',
        'affinity-timeout': 10800,
        backend: [
          { name: 'b1', ip: '192.168.1.11', port: 8080, weight: 2, ...counters, ...health },
          { name: '', ip: '192.168.1.12', port: 8081, weight: 4, ...counters, ...health },
        ],
        ...counters,
      },
    ],
    _links: [{ rel: 'self', href: base }, ...CHILDREN.map((c) => ({ rel: c, href: `${base}${c}/` }))],
  };
  return `${JSON.stringify(cube, null, 2).replace('"<bytes>"', '<bytes>')}\n`;
};

/** `-yaml`: yaml.v2 through ghodss (keys sorted, sequences not indented). */
const lb0Yaml = (v: Vars): string => {
  const base = `//${v.hostport}/polycube/v1/lbrp/lb0/`;
  const links = [
    `- href: ${base}\n  rel: self\n`,
    ...CHILDREN.map((c) => `- href: ${base}${c}/\n  rel: ${c}\n`),
  ];
  const backend = (b: string[]): string =>
    `  - active-sessions: 0\n    bytes: 0\n    health: unknown\n    health-detail: no health-check configured\n` +
    `    health-transitions: 0\n    ip: ${b[1]}\n    name: ${b[0] || '""'}\n    packets: 0\n` +
    `    port: ${b[2]}\n    total-sessions: 0\n    up: 1\n    weight: ${b[3]}\n`;
  // Top-level members sorted by key, as yaml.v2 writes them.
  const scalars: Record<string, string> = {
    'kernel-memory': '<bytes>',
    loglevel: 'DEBUG',
    'maglev-slots': '262144',
    'max-backends': '4096',
    'max-services': '1024',
    name: 'lb0',
    port_mode: 'single',
    'service-name': 'lbrp',
    'session-table-size': '65536',
    shadow: 'false',
    span: 'false',
    type: 'TC',
    uuid: U,
    ...Object.fromEntries(Object.entries(SESSION_POLICY).map(([k, n]) => [k, String(n)])),
    ...Object.fromEntries(SESSION_COUNTERS.map((k) => [k, '0'])),
  };
  const nested: Record<string, string> = {
    _links: `_links:\n${links.join('')}`,
    ports: `ports:\n- ip: ""\n  name: p1\n  peer: ${v.veth}\n  status: UP\n  type: frontend\n  uuid: ${U}\n`,
    service:
      `service:\n- active-sessions: 0\n  affinity-timeout: 10800\n  backend:\n${backend(B1)}${backend(B2)}` +
      '  bytes: 0\n  drain-timeout: 0\n  name: web\n  packets: 0\n  proto: tcp\n' +
      '  session-affinity: none\n  total-sessions: 0\n  vip: 10.0.0.1\n  vport: 80\n',
    'src-ip-rewrite': 'src-ip-rewrite:\n  ip-range: 10.2.0.0/24\n  new_ip_range: 10.3.0.0/24\n',
  };
  const keys = [...Object.keys(scalars), ...Object.keys(nested)].sort();
  return `${keys.map((k) => nested[k] ?? `${k}: ${scalars[k]}\n`).join('')}\n`;
};

const restconf = (tag: string, info?: string): string =>
  `{"ietf-restconf:errors":{"error":[{"error-type":"application","error-tag":"${tag}"` +
  `${info !== undefined ? `,"error-info":"${info}"` : ''}}]}}\n`;

/** A top-level array (`lbrp show`, list collections): members re-sorted by name (gabs2, §4.4). */
const sortedList = (rows: string[][]): string => `${table(rows)}\n\n`;

const BACKENDS = '10.0.0.1 80 TCP backend';
const ROOT_HELP_FIXED = [
  ' lbrp               service   LoadBalancer Reverse-Proxy Service',
  ' ',
  ' connect            command   Connect ports',
  ' disconnect         command   Disconnect ports',
  ' ',
  ' attach             command   Attach transparent cubes',
  ' detach             command   Detach transparent cubes',
  ' ',
  ' services           command   Show/Add/Del services (e.g. Bridge, Router, ..)',
  ' cubes              command   Show running service instances (e.g. br1, nat2, ',
  '                              ..)',
  ' topology           command   Show topology of service instances',
  ' netdevs            command   Show net devices available',
  ' ',
];

const ROWS: Row[] = [
  // ---- cubes: add (typed body, stdin body), conflicts and validation, the service collection
  {
    given: NONE,
    name: 'lbrp show without cubes',
    inArgs: 'lbrp show',
    wantStdout: `\n\n`,
    wantCode: 0,
  },
  { given: NONE, inArgs: 'lbrp add lb0 port_mode=SINGLE', wantStdout: '', wantCode: 0 },
  { given: LB0_ONLY, inArgs: 'lbrp add lb0', wantStdout: restconf('data-exists'), wantCode: 2 },
  {
    given: LB0_ONLY,
    inArgs: 'lbrp add lb1 port_mode=FOO',
    wantStdout: restconf('bad-attribute', 'port_mode'),
    wantCode: 2,
  },
  {
    given: LB0_ONLY,
    inArgs: 'lbrp add lb1 foo=1',
    wantStdout: restconf('invalid-value', 'foo'),
    wantCode: 2,
  },
  {
    given: LB0_ONLY,
    name: 'lbrp add lb1 < file (the file is the body)',
    inArgs: 'lbrp add lb1',
    inStdin: 'port_mode: MULTI\nloglevel: WARN\n',
    wantStdout: '',
    wantCode: 0,
  },
  // Deviation (REST spec §4.1 allows it): the cube's own port_mode is the true mode, where
  // Polycube's lbrp always said "single" in the cube object.
  {
    given: TWO,
    inArgs: 'lb1 show -brief',
    wantStdout:
      `name: lb1\nuuid: ${U}\nservice-name: lbrp\ntype: TC\nloglevel: WARN\nshadow: false\nspan: false\n` +
      `port_mode: multi\n${SIZES_SHOWN}src-ip-rewrite:\n ip-range: \n new_ip_range: \n\n`,
    wantCode: 0,
  },
  { given: TWO, inArgs: 'lb1 port_mode show', wantStdout: 'multi\n\n', wantCode: 0 },
  {
    given: TWO,
    name: 'lbrp show lists both cubes',
    inArgs: 'lbrp show',
    wantStdout: sortedList([
      ['loglevel', 'name', 'service-name', 'shadow', 'span', 'type', 'uuid'],
      ['INFO', 'lb0', 'lbrp', 'false', 'false', 'TC', U],
      ['WARN', 'lb1', 'lbrp', 'false', 'false', 'TC', U],
    ]),
    wantCode: 0,
  },
  { given: TWO, inArgs: 'lbX show', wantStdout: 'No cube found named lbX\n', wantCode: 2 },

  // ---- ports
  { given: TWO, inArgs: 'lb0 ports add p1 type=FRONTEND peer={{veth}}', wantStdout: '', wantCode: 0 },
  {
    given: WITH_P1,
    inArgs: 'lb0 ports add p2',
    wantStdout: restconf('missing-attribute', 'type'),
    wantCode: 2,
  },
  {
    given: WITH_P1,
    inArgs: 'lb0 ports add p2 type=FRONTEND',
    wantStdout: 'There is already a FRONTEND port. Only a FRONTEND port is allowed in SINGLE port mode\n',
    wantCode: 2,
  },

  // ---- services and backends
  { given: WITH_P1, inArgs: 'lb0 service add 10.0.0.1 80 TCP name=web', wantStdout: '', wantCode: 0 },
  {
    given: WITH_WEB,
    inArgs: 'lb0 service add 10.0.0.1 80 TCP',
    wantStdout: 'This service already exists\n',
    wantCode: 2,
  },
  {
    given: WITH_WEB,
    inArgs: 'lb0 service add 10.0.0.2 80 ICMP',
    wantStdout:
      'ICMP Service requires 0 as virtual port. Since this parameter is useless for ICMP services\n',
    wantCode: 2,
  },
  {
    given: WITH_WEB,
    inArgs: 'lb0 service add 10.0.0.1 80 FOO',
    wantStdout: restconf('bad-attribute', 'proto'),
    wantCode: 2,
  },
  {
    given: WITH_WEB,
    inArgs: `lb0 service ${BACKENDS} add 192.168.1.11 port=8080 weight=2 name=b1`,
    wantStdout: '',
    wantCode: 0,
  },
  {
    given: WITH_B1,
    inArgs: `lb0 service ${BACKENDS} add 192.168.1.12`,
    wantStdout: restconf('missing-attribute', 'port'),
    wantCode: 2,
  },
  {
    given: WITH_B1,
    name: 'backend add < file (the key stays in the path only)',
    inArgs: `lb0 service ${BACKENDS} add 192.168.1.12`,
    inStdin: 'port: 8080\n',
    wantStdout: '',
    wantCode: 0,
  },
  // debug: the request as sent (the single-parameter PATCH of the leaf with a bare number),
  // the status line, and the parse error of the empty 2xx body (§2.4, §2.7).
  {
    given: B2_FILE,
    name: 'set weight= is a PATCH of the weight leaf (debug)',
    inArgs: `lb0 service ${BACKENDS} 192.168.1.12 set weight=3`,
    inEnv: { POLYCUBECTL_DEBUG: 'true' },
    wantStdout: (v) =>
      `PATCH http://${v.hostport}/polycube/v1/lb0/service/10.0.0.1/80/TCP/backend/192.168.1.12/weight/\n3\n\n` +
      '200 OK\nunexpected end of JSON input\n',
    wantCode: 0,
  },
  {
    given: B2_W3,
    name: 'set port= weight= is a PATCH of the element (debug)',
    inArgs: `lb0 service ${BACKENDS} 192.168.1.12 set port=8081 weight=4`,
    inEnv: { POLYCUBECTL_DEBUG: 'true' },
    wantStdout: (v) =>
      `PATCH http://${v.hostport}/polycube/v1/lb0/service/10.0.0.1/80/TCP/backend/192.168.1.12/\n` +
      '{"port":8081,"weight":4}\n\n201 Created\nunexpected end of JSON input\n',
    wantCode: 0,
  },
  {
    given: SERVICES,
    inArgs: `lb0 service ${BACKENDS} show`,
    wantStdout: sortedList([
      [
        'active-sessions',
        'bytes',
        'health',
        'health-detail',
        'health-transitions',
        'ip',
        'name',
        'packets',
        'port',
        'total-sessions',
        'up',
        'weight',
      ],
      [
        '0',
        '0',
        'unknown',
        'no health-check configured',
        '0',
        '192.168.1.11',
        'b1',
        '0',
        '8080',
        '0',
        '1',
        '2',
      ],
      [
        '0',
        '0',
        'unknown',
        'no health-check configured',
        '0',
        '192.168.1.12',
        '',
        '0',
        '8081',
        '0',
        '1',
        '4',
      ],
    ]),
    wantCode: 0,
  },
  {
    given: SERVICES,
    inArgs: 'lb0 service show',
    wantStdout: sortedList([
      [
        'active-sessions',
        'affinity-timeout',
        'bytes',
        'drain-timeout',
        'name',
        'packets',
        'proto',
        'session-affinity',
        'total-sessions',
        'vip',
        'vport',
        'backend',
      ],
      ['0', '10800', '0', '0', 'web', '0', 'tcp', 'none', '0', '10.0.0.1', '80', '[2 items]'],
    ]),
    wantCode: 0,
  },
  {
    given: SERVICES,
    name: 'a list element keeps the server order; its list is a table',
    inArgs: 'lb0 service 10.0.0.1 80 TCP show',
    wantStdout:
      SERVICE_HEAD.map((k, i) => `${k}: ${SERVICE_WEB[i]}\n`).join('') +
      list('backend', [BACKEND_HEAD, B1, B2]) +
      '\n',
    wantCode: 0,
  },

  // ---- cube leaves and the container
  { given: SERVICES, inArgs: 'lb0 port_mode show', wantStdout: 'single\n\n', wantCode: 0 },
  { given: SERVICES, inArgs: 'lb0 set loglevel=DEBUG', wantStdout: '', wantCode: 0 },
  { given: DEBUG, inArgs: 'lb0 loglevel show', wantStdout: 'DEBUG\n\n', wantCode: 0 },
  // Deviation from REST spec §2.6 (200), documented in test/kernel/rest/compat-requests: span
  // needs a shadow cube (runtime spec §1.13, Polycube's Cube::set_span) and shadow cubes are
  // not supported here, so polycubed refuses it with Polycube's text.
  {
    given: DEBUG,
    inArgs: 'lb0 set span=true',
    wantStdout: 'Span mode is not present in no-shadow services\n',
    wantCode: 2,
  },
  { given: DEBUG, inArgs: 'lb0 set span=false', wantStdout: '', wantCode: 0 },
  {
    given: DEBUG,
    inArgs: 'lb0 set port_mode=MULTI',
    wantStdout: 'Port mode cannot be changed at runtime\n',
    wantCode: 2,
  },
  {
    given: DEBUG,
    name: 'lb0 set type= (init-only leaf)',
    inArgs: 'lb0 set type=XDP_SKB',
    wantStdout: 'Method Not Allowed\n',
    wantCode: 2,
  },
  {
    given: DEBUG,
    inArgs: 'lb0 src-ip-rewrite set ip-range=10.2.0.0/24 new_ip_range=10.3.0.0/24',
    wantStdout: '',
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'lb0 src-ip-rewrite show',
    wantStdout: 'ip-range: 10.2.0.0/24\nnew_ip_range: 10.3.0.0/24\n\n',
    wantCode: 0,
  },

  // ---- show formats of the whole cube (cube-name shortcut: 308 to /lbrp/lb0/)
  { given: FULL, inArgs: 'lb0 show', wantStdout: lb0Show, wantCode: 0 },
  { given: FULL, inArgs: 'lb0 show -normal', wantStdout: lb0Show, wantCode: 0 },
  { given: FULL, inArgs: 'lbrp lb0 show', wantStdout: lb0Show, wantCode: 0 },
  {
    given: FULL,
    inArgs: 'lb0 show -brief',
    wantStdout: `${lb0Head()}ports: [1 items]\nservice: [1 items]\n\n`,
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'lb0 show -verbose',
    wantStdout: (v) =>
      lb0Head() +
      lb0Ports(v) +
      list('service', [
        [...SERVICE_HEAD, ...BACKEND_HEAD.map((k) => `${k} (backend)`)],
        [...SERVICE_WEB, ...B1],
        [...SERVICE_HEAD.map(() => ''), ...B2],
      ]) +
      '\n',
    wantCode: 0,
  },
  { given: FULL, inArgs: 'lb0 show -json', wantStdout: lb0Json, wantCode: 0 },
  { given: FULL, inArgs: 'lb0 show -yaml', wantStdout: lb0Yaml, wantCode: 0 },
  // A hidden column keeps its place, empty (the real toTable sizes rows by every key).
  {
    given: FULL,
    inArgs: 'lb0 show -hide=uuid,ports.uuid',
    wantStdout: (v) =>
      lb0Head(false) +
      lb0Ports(v, '') +
      list('service', [
        [...SERVICE_HEAD, 'backend'],
        [...SERVICE_WEB, '[2 items]'],
      ]) +
      '\n',
    wantCode: 0,
  },

  // ---- aliases
  {
    given: FULL,
    name: 'cubes (GET /cubes: an object, so element members keep their order)',
    inArgs: 'cubes',
    wantStdout:
      `\nlbrp:\n` +
      table(
        [
          ['name', 'uuid', 'service-name', 'type', 'loglevel', 'shadow', 'span', 'ports'],
          ['lb0', U, 'lbrp', 'TC', 'DEBUG', 'false', 'false', '[1 items]'],
          ['lb1', U, 'lbrp', 'TC', 'WARN', 'false', 'false', ''],
        ],
        ' ',
      ) +
      '\n\n',
    wantCode: 0,
  },
  {
    given: FULL,
    name: 'topology (show -verbose -hide=uuid)',
    inArgs: 'topology',
    wantStdout: (v) =>
      sortedList([
        ['loglevel', 'name', 'service-name', 'shadow', 'span', 'type', '', 'name (ports)', 'peer (ports)'],
        ['DEBUG', 'lb0', 'lbrp', 'false', 'false', 'TC', '', 'p1', v.veth],
        ['WARN', 'lb1', 'lbrp', 'false', 'false', 'TC', '', '', ''],
      ]),
    wantCode: 0,
  },
  {
    given: FULL,
    name: 'netdevs lists the veth (other netdevs vary)',
    inArgs: 'netdevs',
    wantStdout: (v) => new RegExp(`^name +addresses *\\n(.*\\n)*${v.veth} +\\n(.*\\n)*\\n$`),
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'netdevs show {{veth}}',
    wantStdout: (v) => sortedList([['name'], [v.veth]]),
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'version',
    wantStdout: `polycubectl:\n version: ${VERSION}\npolycubed:\n version: ${DAEMON_VERSION}\n\n`,
    wantCode: 0,
  },

  // ---- help (§3.4)
  {
    given: FULL,
    name: '? (root help with the running cubes)',
    inArgs: '?',
    wantStdout: [
      '',
      'Keyword            Type      Description',
      ...ROOT_HELP_FIXED,
      ' Running Services   Type',
      ' lb0                lbrp      Running Service instance',
      ' lb1                lbrp      Running Service instance',
      '',
    ].join('\n'),
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'lbrp ?',
    wantStdout: [
      '',
      'Keyword  Type      Description                                                        Example',
      ' add      command   Add entry to a list',
      ' del      command   Delete entry of a list',
      ' show     command   Show entry or list [-normal | -brief | -verbose | -json | -yaml]',
      ' lb0      <name>    ',
      ' lb1      <name>    ',
      '',
    ].join('\n'),
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'lbrp add ?',
    wantStdout: [
      '',
      'Keyword                         Type       Description',
      ' <name>                          string     Name of the lbrp service',
      ' ',
      ' Other parameters:',
      ' type=value                      string     Type of the Cube (TC, XDP_SKB, ',
      '                                            XDP_DRV)',
      ' service-name=value              string     ',
      ' loglevel=value                  string     Logging level of a cube, from none ',
      '                                            (OFF) to the most verbose (TRACE)',
      ' shadow=value                    boolean    Defines if the service is visible ',
      '                                            in Linux',
      ' span=value                      boolean    Defines if all traffic is sent to ',
      '                                            Linux',
      " port_mode=value                 string     LB mode of operation. 'SINGLE' is ",
      '                                            optimized for working with a ',
      "                                            single FRONTEND port. 'MULTI' ",
      '                                            allows to manage multiple FRONTEND ',
      '                                            port',
      ' session-table-size=value        unsigned   Session table entries, a power of ',
      '                                            two (a session takes one or two; ',
      '                                            40 bytes each). Set only at ',
      '                                            creation',
      ' max-services=value              unsigned   Services the cube can hold ',
      '                                            (vip:vport:proto; proto ALL counts ',
      '                                            three). Set only at creation',
      ' max-backends=value              unsigned   Backends the cube can hold, summed ',
      '                                            over all its services. Set only at ',
      '                                            creation',
      ' maglev-slots=value              unsigned   Maglev slots the cube can hold, ',
      '                                            summed over its services (2 to ',
      '                                            131071 each; 8 bytes a slot). Set ',
      '                                            only at creation',
      ' tcp-new-timeout=value           unsigned   Seconds an unanswered or half-open ',
      '                                            TCP handshake may stay idle before ',
      '                                            its session expires',
      ' tcp-established-timeout=value   unsigned   Seconds an established TCP session ',
      '                                            may stay idle before it expires ',
      "                                            (default: Linux's TCP keepalive ",
      '                                            time)',
      ' tcp-closing-timeout=value       unsigned   Seconds a TCP session may stay ',
      '                                            idle after a FIN or RST before it ',
      '                                            expires',
      ' udp-timeout=value               unsigned   Seconds a UDP session may stay ',
      '                                            idle before it expires',
      ' icmp-timeout=value              unsigned   Seconds an ICMP echo session may ',
      '                                            stay idle before it expires',
      ' new-sessions-per-cpu=value      unsigned   New sessions per second each CPU ',
      '                                            may add to the session table ',
      "                                            (bursts of one second's worth); ",
      '                                            flows above it get no entry. 0 = ',
      '                                            no limit',
      ' sessionless-reply-nat=value     boolean    Translate replies without a ',
      '                                            session back to the VIP when their ',
      '                                            backend serves one service only ',
      '                                            (clients then cannot reach it ',
      '                                            directly)',
      ' probe-source=value              string     Source address of TCP and ICMP ',
      '                                            health probes sent out of the ',
      '                                            BACKEND port (0.0.0.0: probes use ',
      "                                            the host's stack)",
      ' probe-next-hop=value            string     Next hop of those probes: its MAC ',
      '                                            is resolved with ARP on the ',
      '                                            BACKEND port (0.0.0.0: each ',
      '                                            backend itself)',
      'Example: ',
      ' polycubectl lbrp add lbrp1 type=TC service-name=helloworld loglevel=INFO session-table-size=65536 max-services=1024 max-backends=4096 maglev-slots=262144 tcp-new-timeout=60 tcp-established-timeout=7200 tcp-closing-timeout=10 udp-timeout=60 icmp-timeout=30 new-sessions-per-cpu=100000 sessionless-reply-nat=true probe-source=10.0.0.250 probe-next-hop=10.0.0.254 ',
      '',
    ].join('\n'),
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'lb0 ?',
    wantStdout: [
      '',
      'Keyword          Type        Description                                                                                                                              Example',
      ' set              command     Set a value',
      ' show             command     Show entry or list [-normal | -brief | -verbose | -json | -yaml]',
      ' ports            list        Entry of the ports table                                                                                                                 ',
      ' drop             list        Frames the dataplane dropped since the cube was created, one entry per reason                                                            ',
      " src-ip-rewrite   container   If configured, when a client request arrives to the LB, the source IP address is replaced with another IP address from the 'new' range   ",
      ' service          list        Services (i.e., virtual ip:protocol:port) exported to the client                                                                         ',
      '',
    ].join('\n'),
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'lb0 set ?',
    wantStdout: [
      '',
      'Keyword                         Type       Description                                                                                                                               Example',
      ' loglevel=value                  string     Logging level of a cube, from none (OFF) to the most verbose (TRACE)                                                                      INFO',
      ' span=value                      boolean    Defines if all traffic is sent to Linux                                                                                                   ',
      " port_mode=value                 string     LB mode of operation. 'SINGLE' is optimized for working with a single FRONTEND port. 'MULTI' allows to manage multiple FRONTEND port      ",
      ' tcp-new-timeout=value           unsigned   Seconds an unanswered or half-open TCP handshake may stay idle before its session expires                                                 60',
      " tcp-established-timeout=value   unsigned   Seconds an established TCP session may stay idle before it expires (default: Linux's TCP keepalive time)                                  7200",
      ' tcp-closing-timeout=value       unsigned   Seconds a TCP session may stay idle after a FIN or RST before it expires                                                                  10',
      ' udp-timeout=value               unsigned   Seconds a UDP session may stay idle before it expires                                                                                     60',
      ' icmp-timeout=value              unsigned   Seconds an ICMP echo session may stay idle before it expires                                                                              30',
      " new-sessions-per-cpu=value      unsigned   New sessions per second each CPU may add to the session table (bursts of one second's worth); flows above it get no entry. 0 = no limit   100000",
      ' sessionless-reply-nat=value     boolean    Translate replies without a session back to the VIP when their backend serves one service only (clients then cannot reach it directly)    true',
      " probe-source=value              string     Source address of TCP and ICMP health probes sent out of the BACKEND port (0.0.0.0: probes use the host's stack)                          10.0.0.250",
      ' probe-next-hop=value            string     Next hop of those probes: its MAC is resolved with ARP on the BACKEND port (0.0.0.0: each backend itself)                                 10.0.0.254',
      '',
    ].join('\n'),
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'lb0 show ?',
    wantStdout: [
      '',
      'Keyword                   Type        Description                                                                                                                               Example',
      ' uuid                      string      UUID of the Cube                                                                                                                          ',
      ' type                      string      Type of the Cube (TC, XDP_SKB, XDP_DRV)                                                                                                   TC',
      ' service-name              string                                                                                                                                                helloworld',
      ' loglevel                  string      Logging level of a cube, from none (OFF) to the most verbose (TRACE)                                                                      INFO',
      ' ports                     list        Entry of the ports table                                                                                                                  ',
      ' shadow                    boolean     Defines if the service is visible in Linux                                                                                                ',
      ' span                      boolean     Defines if all traffic is sent to Linux                                                                                                   ',
      " port_mode                 string      LB mode of operation. 'SINGLE' is optimized for working with a single FRONTEND port. 'MULTI' allows to manage multiple FRONTEND port      ",
      ' session-table-size        unsigned    Session table entries, a power of two (a session takes one or two; 40 bytes each). Set only at creation                                   65536',
      ' max-services              unsigned    Services the cube can hold (vip:vport:proto; proto ALL counts three). Set only at creation                                                1024',
      ' max-backends              unsigned    Backends the cube can hold, summed over all its services. Set only at creation                                                            4096',
      ' maglev-slots              unsigned    Maglev slots the cube can hold, summed over its services (2 to 131071 each; 8 bytes a slot). Set only at creation                         262144',
      " kernel-memory             unsigned    Bytes of kernel memory of the cube's maps, counted against polycubed's --kernel-memory-budget                                             ",
      ' tcp-new-timeout           unsigned    Seconds an unanswered or half-open TCP handshake may stay idle before its session expires                                                 60',
      " tcp-established-timeout   unsigned    Seconds an established TCP session may stay idle before it expires (default: Linux's TCP keepalive time)                                  7200",
      ' tcp-closing-timeout       unsigned    Seconds a TCP session may stay idle after a FIN or RST before it expires                                                                  10',
      ' udp-timeout               unsigned    Seconds a UDP session may stay idle before it expires                                                                                     60',
      ' icmp-timeout              unsigned    Seconds an ICMP echo session may stay idle before it expires                                                                              30',
      " new-sessions-per-cpu      unsigned    New sessions per second each CPU may add to the session table (bursts of one second's worth); flows above it get no entry. 0 = no limit   100000",
      ' sessionless-reply-nat     boolean     Translate replies without a session back to the VIP when their backend serves one service only (clients then cannot reach it directly)    true',
      " probe-source              string      Source address of TCP and ICMP health probes sent out of the BACKEND port (0.0.0.0: probes use the host's stack)                          10.0.0.250",
      ' probe-next-hop            string      Next hop of those probes: its MAC is resolved with ARP on the BACKEND port (0.0.0.0: each backend itself)                                 10.0.0.254',
      ' active-sessions           unsigned    Open sessions: new or established and not idle for longer than their timeout                                                              ',
      ' session-table-entries     unsigned    Session table entries in use, both directions (expired ones until they are reused)                                                        ',
      ' admissions-refused        unsigned    New flows forwarded without a session entry because their CPU was above new-sessions-per-cpu                                              ',
      ' evictions-expired         unsigned    Expired session entries replaced by new sessions                                                                                          ',
      ' evictions-unestablished   unsigned    Unexpired, not established session entries (handshake, closing, closed) replaced by new sessions                                          ',
      ' evictions-established     unsigned    Established session entries replaced by new sessions when their bucket held nothing else                                                  ',
      ' sessions-not-stored       unsigned    New flows forwarded without a session entry because every entry of their bucket was protected                                             ',
      " stateless-replies         unsigned    Backend replies without a session entry, translated back from the backend's address alone (sessionless-reply-nat)                         ",
      ' fragments-translated      unsigned    Later IP fragments translated as their first fragment was                                                                                 ',
      ' drop                      list        Frames the dataplane dropped since the cube was created, one entry per reason                                                             ',
      " src-ip-rewrite            container   If configured, when a client request arrives to the LB, the source IP address is replaced with another IP address from the 'new' range    ",
      ' service                   list        Services (i.e., virtual ip:protocol:port) exported to the client                                                                          ',
      '',
    ].join('\n'),
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'lb0 service ?',
    wantStdout: [
      '',
      'Keyword            Type                     Description                                                        Example',
      ' add                command                  Add entry to a list',
      ' del                command                  Delete entry of a list',
      ' show               command                  Show entry or list [-normal | -brief | -verbose | -json | -yaml]',
      ' 10.0.0.1 80 tcp    <vip> <vport> <proto>    ',
      '',
    ].join('\n'),
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'lb0 service add ?',
    wantStdout: [
      '',
      'Keyword                  Type       Description',
      ' <vip>                    string     Virtual IP (vip) of the service where ',
      '                                     clients connect to',
      ' <vport>                  unsigned   Port of the virtual server where clients ',
      '                                     connect to (this value is ignored in case ',
      '                                     of ICMP)',
      ' <proto>                  string     Upper-layer protocol associated with a ',
      "                                     loadbalancing service instance. 'ALL' ",
      '                                     creates an entry for all the supported ',
      '                                     protocols',
      ' ',
      ' Other parameters:',
      ' name=value               string     Service name related to the backend ',
      '                                     server of the pool is connected to',
      ' drain-timeout=value      unsigned   Seconds after which the sessions of a ',
      '                                     drained (weight 0) or removed backend of ',
      '                                     this service that are still open are ',
      '                                     ended. 0 = never',
      ' session-affinity=value   string     CLIENT_IP: every connection from one ',
      '                                     client address to this service goes to ',
      '                                     the same backend until affinity-timeout ',
      '                                     passes without traffic from that client',
      ' affinity-timeout=value   unsigned   Seconds without traffic from a client ',
      '                                     after which its affinity to a backend ',
      '                                     ends (session-affinity CLIENT_IP)',
      'Example: ',
      ' polycubectl lb0 service add 130.192.100.12 80  name=Service-nginx drain-timeout=300 affinity-timeout=10800 ',
      '',
    ].join('\n'),
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'lb0 ports add ?',
    wantStdout: [
      '',
      'Keyword             Type     Description',
      ' <name>              string   Port Name',
      ' ',
      ' Other parameters:',
      ' peer=value          string   Peer name, such as a network interfaces (e.g., ',
      "                              'veth0') or another cube (e.g., 'br1:port2')",
      ' tcubes=value        string   List of transparent cubes attached to this port',
      ' type=value          string   Type of the LB port (e.g. FRONTEND or BACKEND)',
      ' ip=value            string   IP address of the client interface (only for ',
      '                              FRONTEND port)',
      'Example: ',
      ' polycubectl lb0 ports add port1 peer=r0:port1 ip=10.10.1.1 ',
      '',
    ].join('\n'),
    wantCode: 0,
  },
  {
    given: FULL,
    inArgs: 'lb0 port_mode ?',
    wantStdout: '\nThere is not help for this command\n\n',
    wantCode: 2,
  },

  // ---- peers: the leaf, then connect/disconnect with a netdev and between two cubes' ports
  {
    given: FULL,
    name: 'lb0 ports p1 set peer= (disconnects)',
    inArgs: 'lb0 ports p1 set peer=',
    wantStdout: '',
    wantCode: 0,
  },
  {
    given: UNPEERED,
    inArgs: 'lb0 ports p1 show',
    wantStdout: `name: p1\nuuid: ${U}\nstatus: DOWN\npeer: \ntype: frontend\nip: \n\n`,
    wantCode: 0,
  },
  { given: UNPEERED, inArgs: 'connect lb0:p1 {{veth}}', wantStdout: '', wantCode: 0 },
  {
    given: FULL,
    inArgs: 'connect lb0:p1 {{veth}}',
    name: 'connect again',
    wantStdout: (v) => `lb0:p1 already has a peer ${v.veth}\n`,
    wantCode: 2,
  },
  {
    given: FULL,
    inArgs: 'lb0 ports show',
    name: 'lb0 ports show (connected to the veth)',
    wantStdout: (v) =>
      sortedList([
        ['ip', 'name', 'peer', 'status', 'type', 'uuid'],
        ['', 'p1', v.veth, 'UP', 'frontend', U],
      ]),
    wantCode: 0,
  },
  // A cube:port that names no cube or no port answers polycubed's texts (REST spec §4.5).
  {
    given: FULL,
    inArgs: 'connect nocube:p1 {{veth}}',
    wantStdout: 'Cube does not exist\n',
    wantCode: 2,
  },
  {
    given: FULL,
    inArgs: 'connect lb0:p9 {{veth}}',
    wantStdout: 'Port p9 does not exist\n',
    wantCode: 2,
  },
  { given: FULL, inArgs: 'disconnect lb0:p1 {{veth}}', wantStdout: '', wantCode: 0 },
  {
    given: UNPEERED,
    name: 'disconnect again',
    inArgs: 'disconnect lb0:p1 {{veth}}',
    wantStdout: (v) => `lb0:p1 is not connected to ${v.veth}\n`,
    wantCode: 2,
  },
  { given: UNPEERED, inArgs: 'lb1 ports add q1 type=BACKEND', wantStdout: '', wantCode: 0 },
  {
    given: WITH_Q1,
    name: 'connect two cubes’ ports',
    inArgs: 'connect lb0:p1 lb1:q1',
    wantStdout: '',
    wantCode: 0,
  },
  {
    given: LINKED,
    name: 'topology shows both sides of the cube link',
    inArgs: 'topology',
    wantStdout: sortedList([
      ['loglevel', 'name', 'service-name', 'shadow', 'span', 'type', '', 'name (ports)', 'peer (ports)'],
      ['DEBUG', 'lb0', 'lbrp', 'false', 'false', 'TC', '', 'p1', 'lb1:q1'],
      ['WARN', 'lb1', 'lbrp', 'false', 'false', 'TC', '', 'q1', 'lb0:p1'],
    ]),
    wantCode: 0,
  },
  {
    given: LINKED,
    inArgs: 'lb1 ports show -hide=uuid',
    wantStdout: sortedList([
      ['ip', 'name', 'peer', 'status', 'type', ''],
      ['', 'q1', 'lb0:p1', 'UP', 'backend', ''],
    ]),
    wantCode: 0,
  },
  {
    given: LINKED,
    name: 'disconnect two cubes’ ports',
    inArgs: 'disconnect lb1:q1 lb0:p1',
    wantStdout: '',
    wantCode: 0,
  },
  {
    given: WITH_Q1,
    name: 'lb0 ports show -hide=uuid (disconnected)',
    inArgs: 'lb0 ports show -hide=uuid',
    wantStdout: sortedList([
      ['ip', 'name', 'peer', 'status', 'type', ''],
      ['', 'p1', '', 'DOWN', 'frontend', ''],
    ]),
    wantCode: 0,
  },

  // ---- deletions; empty lists are answered `null` and print an empty line
  { given: WITH_Q1, inArgs: `lb0 service ${BACKENDS} del 192.168.1.12`, wantStdout: '', wantCode: 0 },
  {
    given: NO_B2,
    name: 'backend del again',
    inArgs: `lb0 service ${BACKENDS} del 192.168.1.12`,
    wantStdout: restconf('data-missing'),
    wantCode: 2,
  },
  { given: NO_B2, inArgs: 'lb0 service del 10.0.0.1 80 TCP', wantStdout: '', wantCode: 0 },
  {
    given: NO_WEB,
    name: 'lb0 service show (none left)',
    inArgs: 'lb0 service show',
    wantStdout: '\n',
    wantCode: 0,
  },
  { given: NO_WEB, inArgs: 'lb0 ports del p1', wantStdout: '', wantCode: 0 },
  {
    given: NO_P1,
    name: 'lb0 ports show (none left)',
    inArgs: 'lb0 ports show',
    wantStdout: '\n',
    wantCode: 0,
  },
  { given: NO_P1, inArgs: 'lbrp del lb1', wantStdout: '', wantCode: 0 },
  {
    given: END,
    name: 'lbrp del again',
    inArgs: 'lbrp del lb1',
    wantStdout: restconf('data-missing'),
    wantCode: 2,
  },

  // ---- client-side failures: syntax errors exit 0 without a request, transport errors exit 1
  {
    given: END,
    inArgs: 'lb0 ports add p2 type=FRONTEND peer',
    wantStdout: 'peer is not valid after type=FRONTEND\n',
    wantCode: 0,
  },
  {
    given: END,
    inArgs: 'lb0 show -json -hide=uuid',
    wantStdout: '-hide is not compatible with -json\n',
    wantCode: 0,
  },
  {
    given: END,
    name: 'a closed port (POLYCUBECTL_URL)',
    inArgs: 'lb0 show',
    inEnv: { POLYCUBECTL_URL: 'http://127.0.0.1:{{closedPort}}/polycube/v1/' },
    wantStdout: (v) =>
      `Get "http://127.0.0.1:${v.closedPort}/polycube/v1/lb0/": dial tcp 127.0.0.1:${v.closedPort}: ` +
      'connect: connection refused\n',
    wantCode: 1,
  },
];

/**
 * Compat transcripts (test/compat/cli/transcripts) the real stack answers exactly as their canned
 * responses, given END (lb0 alone, no ports or services). Rows without
 * exchanges never reach a server; the others are listed by name. The rest need a fake server
 * (other cubes, odd answers, redirects, errors the stack has no reason to give) or answer
 * `/lb0/…` directly where polycubed redirects first (`service add ?`, `lb0 port_mode ?`: same
 * output, one request more; their real forms are rows of the table above).
 */
const REPLAYED_WITH_EXCHANGES = new Set([
  'lbrp add ? shows keys, other parameters and the example',
  'lb0 ? follows the redirect with the query string',
  'disconnect posts both peers',
  'an unknown cube name is reported by the server',
  'a data-exists conflict on add',
]);

interface Transcript {
  name: string;
  args: string[];
  config?: string | null;
  env?: Record<string, string>;
  stdin?: string;
  exchanges?: Array<{
    request: { method: string; path: string; body?: string; headers?: Record<string, string | null> };
  }>;
  stdout: string;
  stderr?: string;
  exitCode: number;
}

function loadTranscripts(): Transcript[] {
  const dir = path.join(REPO, 'test/compat/cli/transcripts');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap(
      (f) => (parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { transcripts: Transcript[] }).transcripts,
    )
    .filter((t) => (t.exchanges ?? []).length === 0 || REPLAYED_WITH_EXCHANGES.has(t.name));
}

/** Replaces `{{name}}` in every string of `v`. */
function fill<T>(v: T, vars: Record<string, string>): T {
  if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (m, k: string) => vars[k] ?? m) as T;
  if (Array.isArray(v)) return v.map((x) => fill(x, vars)) as T;
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, vars)])) as T;
  }
  return v;
}

describeE2e('e2e: polycubectl against polycubed and the lbrp service', () => {
  const stack = new LbrpStack();
  const net = new TestNet();
  const vars: Vars = { veth: '', hostport: '', closedPort: '' };
  let proxy: RecordingProxy | undefined;

  beforeAll(async () => {
    const v = net.addVeth();
    // No IPv6 link-local address: the veth's netdevs entry is then the bare name.
    fs.writeFileSync(`/proc/sys/net/ipv6/conf/${v.a}/disable_ipv6`, '1');
    await stack.start();
    Object.assign(vars, {
      veth: v.a,
      hostport: `127.0.0.1:${stack.port}`,
      closedPort: String(await closedPort()),
    });
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await stack.cleanup();
    net.cleanup();
  }, 30_000);

  async function polycubectl(
    args: string[],
    opts: { url: string; stdin?: string; env?: Record<string, string>; config?: string | null },
  ): Promise<{ stdout: string; stderr: string; code: number | null }> {
    const r = await runCli({
      args,
      config: opts.config === null ? undefined : (opts.config ?? `url: ${opts.url}\n`),
      env: opts.env,
      stdin: opts.stdin,
    });
    fs.rmSync(r.home, { recursive: true, force: true });
    return { stdout: r.stdout, stderr: r.stderr, code: r.code };
  }

  /** Names of the cubes the daemon holds (sorted by name, as polycubed lists them). */
  async function cubeNames(): Promise<string[]> {
    const cubes = (await stack.ok('GET', 'cubes')) as Record<string, { name: string }[]> | undefined;
    return Object.values(cubes ?? {})
      .flat()
      .map((c) => c.name);
  }

  /** One cube's whole object as the daemon answers it (uuids normalised). */
  const readCube = async (name: string): Promise<string> =>
    (await stack.rest('GET', `lbrp/${name}/`)).text.replace(UUID, U);

  /** Every cube's whole object: the configuration. */
  async function readConfig(): Promise<string> {
    const names = await cubeNames();
    const parts = [names.join(' ')];
    for (const name of names) parts.push(await readCube(name));
    return parts.join('\n');
  }

  const apply = ([method, path, body]: Step): Promise<unknown> =>
    stack.ok(method, path, body === undefined ? undefined : JSON.stringify(body));

  /** The cube a step configures; undefined for a step that spans cubes (connect). */
  const cubeOf = (step: Step): string | undefined => /^lbrp\/([^/]+)\//.exec(step[1])?.[1];

  /** What each setup read back when it was built from no cubes. */
  const built = new Map<Setup, string>();
  /** What a cube read back when built alone from no cubes, by its steps. */
  const cubeBuilt = new Map<string, string>();

  /**
   * Makes the daemon hold exactly `s`, and returns the configuration. Kept when it reads back as
   * `s` did when built from scratch. Otherwise the cubes are rebuilt: every cube unless `s` only
   * has steps of single cubes, in which case a cube that reads back as its own steps did when
   * built from scratch is kept (creating a cube loads its dataplane: the expensive part), after
   * checking again once the others are deleted (a deleted cube may have been its peer).
   */
  async function given(s: Setup): Promise<string> {
    const now = await readConfig();
    if (built.get(s) === now) return now;
    const steps = s.steps(vars);
    const perCube = steps.every((st) => cubeOf(st) !== undefined);
    const own = (name: string): string => JSON.stringify(steps.filter((st) => cubeOf(st) === name));
    const isBuilt = async (name: string): Promise<boolean> =>
      cubeBuilt.get(own(name)) === (await readCube(name));
    const keep = new Set<string>();
    const present = await cubeNames();
    if (perCube) for (const name of present) if (await isBuilt(name)) keep.add(name);
    for (const name of present) if (!keep.has(name)) await stack.ok('DELETE', `lbrp/${name}/`);
    for (const name of keep) if (!(await isBuilt(name))) keep.clear();
    if (keep.size === 0) for (const name of await cubeNames()) await stack.ok('DELETE', `lbrp/${name}/`);
    for (const st of steps) if (!keep.has(cubeOf(st) ?? '')) await apply(st);
    if (perCube)
      for (const name of new Set(steps.map(cubeOf)))
        if (name && !keep.has(name)) cubeBuilt.set(own(name), await readCube(name));
    const config = await readConfig();
    built.set(s, config);
    return config;
  }

  test.each(ROWS.map((r) => [r.name ?? r.inArgs, r] as const))('%s', async (_name, row) => {
    const before = await given(row.given);
    const v: Record<string, string> = { ...vars };
    const r = await polycubectl(fill(row.inArgs, v).split(' '), {
      url: stack.url,
      stdin: row.inStdin,
      env: fill(row.inEnv, v),
    });
    const want = typeof row.wantStdout === 'function' ? row.wantStdout(vars) : row.wantStdout;
    const got = {
      stdout: r.stdout.replace(UUID, U).replace(KERNEL_MEMORY, '$1<bytes>'),
      stderr: r.stderr,
      code: r.code,
    };
    if (want instanceof RegExp) {
      expect({ ...got, stdout: want.test(got.stdout) ? want : got.stdout }).toEqual({
        stdout: want,
        stderr: '',
        code: row.wantCode,
      });
    } else {
      expect(got).toEqual({ stdout: want, stderr: '', code: row.wantCode });
    }
    // A command the server or the client refused changed nothing.
    if (row.wantCode !== 0) expect(await readConfig()).toBe(before);
  });

  // The same requests and output as against the recording server of test/compat/cli.
  test.each(loadTranscripts().map((t) => [t.name, t] as const))('transcript: %s', async (_name, raw) => {
    await given(END);
    proxy ??= await startRecordingProxy(stack.port);
    proxy.requests.length = 0;
    const t = fill(raw, {
      base: proxy.base,
      hostport: proxy.base.split('/')[2],
      closedPort: vars.closedPort,
      version: VERSION,
    });
    const r = await polycubectl(t.args, { url: proxy.base, stdin: t.stdin, env: t.env, config: t.config });
    const exchanges = t.exchanges ?? [];
    expect({
      requests: proxy.requests.map((q, i) => ({
        method: q.method,
        path: q.path,
        body: q.body,
        headers: Object.fromEntries(
          Object.keys(exchanges[i]?.request.headers ?? {}).map((h) => [h, q.headers[h] ?? null]),
        ),
      })),
      stdout: r.stdout,
      stderr: r.stderr,
      code: r.code,
    }).toEqual({
      requests: exchanges.map((e) => ({
        method: e.request.method,
        path: e.request.path,
        body: e.request.body ?? '',
        headers: e.request.headers ?? {},
      })),
      stdout: t.stdout,
      stderr: t.stderr ?? '',
      code: t.exitCode,
    });
  });
});
