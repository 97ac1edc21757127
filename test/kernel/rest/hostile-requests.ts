// Generators of hostile REST requests for the fuzz test, from a seeded PRNG. Every request that
// could change state is built to be refused: a broken body (invalid JSON, wrong type, out of
// range, unknown or read-only member, missing mandatory member, wrong JSON kind), a bad key, a
// method the route does not have, or a target that does not exist. Reads go to odd paths.

import type { RawRequest } from '../../fixtures/rest/http-client';

/** mulberry32: a small, fast, seedable PRNG (returns [0, 1)). */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over one PRNG. */
class Pick {
  constructor(readonly rnd: () => number) {}
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  one<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
  /** A random string over a hostile alphabet (quotes, escapes, NUL, unicode, slashes). */
  text(max: number): string {
    const alphabet = [
      'a',
      'Z',
      '0',
      '/',
      '\\',
      '"',
      "'",
      '%',
      '\0',
      '\n',
      ' ',
      '{',
      '}',
      '[',
      ']',
      ':',
      '.',
      'é',
      '€',
      '😀',
      '\u2028',
      '\ufeff',
    ];
    let s = '';
    for (let i = this.int(max + 1); i > 0; i--) s += this.one(alphabet);
    return s;
  }
}

const P = '/polycube/v1';

/** What exists when the fuzzer runs (built by the test's setup). */
export interface FuzzWorld {
  /** Existing cube with a port `p1` peered to a netdev, service 10.0.0.1 80 TCP, backend 1.2.3.4. */
  cube: string;
  /** Netdev names (never valid as a body value below: only in reads). */
  netdevs: string[];
}

type Json = Record<string, unknown>;

/** Values of every JSON kind; `bad(kind)` takes those that are not of that kind. */
const SAMPLES: Record<string, unknown[]> = {
  string: ['', 'x', 'SINGLE', '10.0.0.1', '\u0000', 'é'.repeat(300)],
  integer: [0, 1, 80, -1, 65535, 65536],
  number: [1.5, -0.0001, 1e308, 3.14],
  boolean: [true, false],
  null: [null],
  object: [{}, { a: 1 }, { __proto__: 1 }],
  array: [[], [1], ['SINGLE'], [null]],
};

/** A value of another JSON kind than `kind` (integers never count as valid for 'integer'). */
function wrongType(p: Pick, kind: 'string' | 'integer' | 'boolean'): unknown {
  const pool = Object.keys(SAMPLES)
    .filter((k) => k !== kind)
    .flatMap((k) => SAMPLES[k])
    .filter((v) => !(kind === 'integer' && Number.isInteger(v)));
  return p.one(pool);
}

/** Integers (or numbers) no uint16 accepts. */
const OUT_OF_RANGE = [65536, 70000, -1, -65535, 2 ** 53, -(2 ** 53), 1.5, 1e300, -1e300, 4294967296, 0.5];
/** Strings no ipv4-address accepts. */
const BAD_IPV4 = [
  '256.1.1.1',
  '1.2.3',
  '01.2.3.4',
  '1.2.3.4/8',
  ' 1.2.3.4',
  '1.2.3.4\n',
  '',
  '::1',
  '1.2.3.4.5',
  'a.b.c.d',
  '999.999.999.999',
];
/** Strings no ipv4-prefix accepts. */
const BAD_PREFIX = [
  '10.0.0.0/33',
  '10.0.0.0',
  '300.0.0.0/8',
  '10.0.0.0/-1',
  '10.0.0.0/',
  '/24',
  '10.0.0.0/2 4',
];
/** Member names no schema has (or that must never act as such). */
const UNKNOWN_MEMBERS = [
  'foo',
  '__proto__',
  'constructor',
  'prototype',
  '',
  'Name',
  'NAME',
  ' name',
  'name ',
  'x'.repeat(5000),
  '😀',
  '$schema',
];

/** A body template per writable target, with the member kinds used to break it. */
interface Target {
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  body: Json;
  members: Record<string, 'string' | 'integer' | 'boolean' | 'enum' | 'ipv4' | 'prefix'>;
  /** Members that must be present on create (dropping one breaks the body). */
  mandatory?: string[];
  /** Members this operation must refuse (read-only, or init-only on PATCH). */
  forbidden?: Json;
}

function targets(w: FuzzWorld, p: Pick): Target[] {
  const c = w.cube;
  const svc = `${P}/lbrp/${c}/service/10.0.0.1/80/TCP`;
  const fresh = `fz${p.int(1e6)}`;
  return [
    {
      method: 'POST',
      path: `${P}/lbrp/${fresh}/`,
      body: { port_mode: 'MULTI', loglevel: 'DEBUG', type: 'TC', shadow: false, span: false },
      members: { port_mode: 'enum', loglevel: 'enum', type: 'enum', shadow: 'boolean', span: 'boolean' },
      forbidden: { uuid: 'x', 'service-name': 'other' },
    },
    {
      method: 'PATCH',
      path: `${P}/lbrp/${c}/`,
      body: { loglevel: 'DEBUG', port_mode: 'MULTI' },
      members: { loglevel: 'enum', port_mode: 'enum', span: 'boolean' },
      forbidden: { type: 'XDP_SKB', shadow: true, 'service-name': 'lbrp', uuid: 'u' },
    },
    {
      method: 'POST',
      path: `${P}/lbrp/${c}/ports/fz${p.int(1e6)}/`,
      body: { type: 'BACKEND', ip: '10.1.1.1' },
      members: { type: 'enum', ip: 'ipv4', peer: 'string' },
      mandatory: ['type'],
      forbidden: { uuid: 'x', status: 'UP' },
    },
    {
      method: 'PATCH',
      path: `${P}/lbrp/${c}/ports/p1/`,
      body: { ip: '10.1.1.1' },
      members: { type: 'enum', ip: 'ipv4' },
      forbidden: { tcubes: [], uuid: 'x', status: 'DOWN' },
    },
    {
      method: 'POST',
      path: `${P}/lbrp/${c}/service/10.9.${p.int(256)}.${p.int(256)}/${p.int(65536)}/UDP/`,
      body: { name: 'svc' },
      members: { name: 'string' },
    },
    {
      method: 'POST',
      path: `${svc}/backend/10.8.${p.int(256)}.${p.int(256)}/`,
      body: { name: 'b', port: 8080, weight: 3 },
      members: { name: 'string', port: 'integer', weight: 'integer' },
      mandatory: ['port'],
    },
    {
      method: 'PATCH',
      path: `${svc}/backend/1.2.3.4/`,
      body: { port: 81, weight: 4 },
      members: { name: 'string', port: 'integer', weight: 'integer' },
    },
    {
      method: 'PATCH',
      path: `${P}/lbrp/${c}/src-ip-rewrite/`,
      body: { 'ip-range': '10.2.0.0/24', new_ip_range: '10.3.0.0/24' },
      members: { 'ip-range': 'prefix', new_ip_range: 'prefix' },
    },
  ];
}

/** Replaces one member of a valid body with a value its schema refuses. */
function breakMember(p: Pick, t: Target): Json {
  const body: Json = { ...t.body };
  const name = p.one(Object.keys(t.members));
  const kind = t.members[name];
  switch (kind) {
    case 'integer':
      body[name] = p.chance(0.5) ? p.one(OUT_OF_RANGE) : wrongType(p, 'integer');
      break;
    case 'enum':
      body[name] = p.chance(0.5)
        ? p.one(['FOO', '', 'SINGLE ', 'TC\0', 'ALL!', 'tcp/udp'])
        : wrongType(p, 'string');
      break;
    case 'ipv4':
      body[name] = p.chance(0.6) ? p.one(BAD_IPV4) : wrongType(p, 'string');
      break;
    case 'prefix':
      body[name] = p.chance(0.6) ? p.one(BAD_PREFIX) : wrongType(p, 'string');
      break;
    default:
      body[name] = wrongType(p, kind);
  }
  return body;
}

/** A body that is not JSON at all, or nests too deep (checked: a text that happens to parse gets a stray `{`). */
function invalidJson(p: Pick, valid: Json): string {
  const text = notJson(p, valid);
  try {
    JSON.parse(text);
    return text + '{';
  } catch {
    return text;
  }
}

function notJson(p: Pick, valid: Json): string {
  const text = JSON.stringify(valid);
  switch (p.int(8)) {
    case 0:
      return text.slice(0, 1 + p.int(Math.max(1, text.length - 2)));
    case 1:
      return text + p.one(['}', ',', ']', 'x', '{}']);
    case 2:
      return text.replace(/"/g, "'");
    case 3:
      return p.one([
        '{',
        '[',
        '{"a":}',
        '{"a":1,}',
        'NaN',
        'undefined',
        '{a:1}',
        '\u0000',
        '\ufeff{}',
        'tru',
        '"unterminated',
      ]);
    case 4:
      return '['.repeat(65 + p.int(2000)) + ']'.repeat(65);
    case 5:
      return '{"a":'.repeat(70 + p.int(500)) + '1' + '}'.repeat(70);
    case 6:
      return Buffer.from(p.text(40)).toString('latin1') + '{';
    default:
      return `{"port_mode":"SINGLE"${p.text(5)}`;
  }
}

/** A body of the wrong JSON kind for an object target (or an unknown/forbidden member added). */
function wrongShape(p: Pick, t: Target): string {
  switch (p.int(4)) {
    case 0:
      return JSON.stringify(p.one([[t.body], [], 5, 'x', true, null]));
    case 1: {
      const body: Json = { ...t.body };
      Object.defineProperty(body, p.one(UNKNOWN_MEMBERS), {
        value: p.one(Object.values(SAMPLES).flat()),
        enumerable: true,
      });
      return JSON.stringify(body);
    }
    case 2:
      if (t.forbidden) {
        const name = p.one(Object.keys(t.forbidden));
        return JSON.stringify({ ...t.body, [name]: t.forbidden[name] });
      }
      return JSON.stringify({ ...t.body, zz_unknown: 1 });
    default:
      if (t.mandatory && t.method === 'POST') {
        const body: Json = { ...t.body };
        delete body[p.one(t.mandatory)];
        return JSON.stringify(body);
      }
      return JSON.stringify({ ...t.body, [p.one(UNKNOWN_MEMBERS)]: {} });
  }
}

/** Leaf PATCHes with values their type refuses (never an empty body: that resets to the default). */
function badLeaf(p: Pick, w: FuzzWorld): RawRequest {
  const c = w.cube;
  const svc = `${P}/lbrp/${c}/service/10.0.0.1/80/TCP`;
  const rows: [string, () => unknown][] = [
    [`${P}/lbrp/${c}/port_mode/`, () => p.one(['FOO', '', 1, null, ['MULTI'], { a: 1 }, true])],
    [`${P}/lbrp/${c}/loglevel/`, () => p.one(['LOUD', 7, null, false, ''])],
    [`${P}/lbrp/${c}/span/`, () => p.one(['true', 1, 0, null, 'yes'])],
    [`${P}/lbrp/${c}/ports/p1/peer/`, () => p.one([1, null, true, [], {}])],
    [`${P}/lbrp/${c}/ports/p1/ip/`, () => p.one([...BAD_IPV4, 5, null])],
    [`${svc}/backend/1.2.3.4/weight/`, () => p.one([...OUT_OF_RANGE, '3', null, true])],
    [`${svc}/backend/1.2.3.4/port/`, () => p.one([...OUT_OF_RANGE, '80', null])],
    [`${svc}/name/`, () => p.one([1, null, false, {}, ['x']])],
    [`${P}/lbrp/${c}/src-ip-rewrite/ip-range/`, () => p.one([...BAD_PREFIX, 24, null])],
  ];
  const [path, value] = p.one(rows);
  return { method: 'PATCH', path, body: JSON.stringify(value()) };
}

/** Requests whose list keys fail their types (bad-element or bad-attribute), any method. */
function badKeys(p: Pick, w: FuzzWorld): RawRequest {
  const c = w.cube;
  const vip = p.one([
    '10.0.0.999',
    '%ZZ',
    '10.0.0.1%00',
    'abc',
    '10.0.0.1%2F8',
    '-1',
    '1.2.3.4.5',
    '%F0%9F%98%80',
  ]);
  const vport = p.one(['-1', '65536', 'abc', '1e3', '0x50', '80.0', '%00', '99999999999999999999']);
  const proto = p.one(['FOO', 'tcp%00', 'TCP%20', 'all!', '%25', 'I%CC%81CMP']);
  const ip = p.one(BAD_IPV4.filter((x) => x !== '').map(encodeURIComponent));
  const paths = [
    `${P}/lbrp/${c}/service/${vip}/80/TCP/`,
    `${P}/lbrp/${c}/service/10.0.0.1/${vport}/TCP/`,
    `${P}/lbrp/${c}/service/10.0.0.1/80/${proto}/`,
    `${P}/lbrp/${c}/service/${vip}/80/TCP/backend/1.2.3.4/`,
    `${P}/lbrp/${c}/service/10.0.0.1/80/TCP/backend/${ip}/`,
    `${P}/lbrp/${c}/service/10.0.0.1/${vport}/TCP/backend/1.2.3.4/weight/`,
    `${P}/lbrp/${c}/service/${vip}/80/TCP/name/`,
  ];
  const method = p.one(['POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'OPTIONS']);
  const body =
    method === 'GET' || method === 'DELETE' || method === 'OPTIONS'
      ? undefined
      : JSON.stringify(p.one([{ port: 80 }, {}, 3, 'x']));
  return { method, path: p.one(paths), body };
}

/** Methods a route does not have (405), and verbs nobody routes. */
function wrongMethod(p: Pick, w: FuzzWorld): RawRequest {
  const c = w.cube;
  const rows: [string, string[]][] = [
    [`${P}/lbrp/`, ['PUT', 'DELETE']],
    [`${P}/lbrp/${c}/uuid/`, ['POST', 'PUT', 'PATCH', 'DELETE']],
    [`${P}/lbrp/${c}/type/`, ['POST', 'PUT', 'PATCH', 'DELETE']],
    [`${P}/lbrp/${c}/port_mode/`, ['POST', 'PUT', 'DELETE']],
    [`${P}/lbrp/${c}/ports/p1/status/`, ['POST', 'PATCH', 'DELETE']],
    [`${P}/lbrp/${c}/service/10.0.0.1/`, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']],
    [`${P}/lbrp/${c}/service/10.0.0.1/80/`, ['GET', 'POST', 'DELETE']],
    [`${P}/cubes`, ['PUT', 'PATCH', 'DELETE']],
    [`${P}/version`, ['POST', 'DELETE', 'OPTIONS']],
    [`${P}/connect`, ['GET', 'DELETE']],
    [`${P}/`, ['POST', 'DELETE', 'PUT']],
    [`${P}/lbrp/${c}/`, ['BREW', 'PROPFIND', 'TRACE', 'M-SEARCH', 'LINK', 'PURGE']],
  ];
  const [path, methods] = p.one(rows);
  return { method: p.one(methods), path, body: p.chance(0.5) ? '{"port_mode":"MULTI"}' : undefined };
}

/** Paths no route has (or reads of odd paths): traversal, escapes, NUL, unicode, huge and deep paths. */
function oddPath(p: Pick, w: FuzzWorld): RawRequest {
  const pieces = [
    '..',
    '.',
    '%2e%2e',
    '%2E%2E%2F',
    '%00',
    '%',
    '%%',
    '%zz',
    '~',
    '*',
    ';',
    ',',
    'é',
    '%C3%A9',
    '%FF%FE',
    w.cube,
    'lbrp',
    'ports',
    'service',
    '',
    '?',
    '#x',
    '&',
    '=',
    '+',
    'a'.repeat(300),
  ];
  let path: string;
  switch (p.int(6)) {
    case 0:
      path = `${P}/${Array.from({ length: 1 + p.int(8) }, () => p.one(pieces)).join('/')}`;
      break;
    case 1:
      path = `${P}/lbrp/${w.cube}/${'../'.repeat(1 + p.int(10))}etc/passwd`;
      break;
    case 2:
      path = `${P}/${'x/'.repeat(500 + p.int(2500))}`;
      break;
    case 3:
      path = `/${'y'.repeat(1000 + p.int(30000))}`; // past 16 KiB Node's parser answers 431
      break;
    case 4:
      path = p.one([
        '*',
        '/',
        '//',
        '/polycube',
        '/polycube/v2/lbrp',
        'http://127.0.0.1/polycube/v1/lbrp/',
        `${P}?help=NONE&help=SET&completion=x&completion`,
      ]);
      break;
    default:
      path = `${P}/${encodeURIComponent(p.text(30))}/${p.one(pieces)}?${p.one(['help=', 'help=NONE&completion', 'completion', 'help=%00', '&&&'])}`;
  }
  const method = p.one(['GET', 'OPTIONS', 'HEAD', 'GET', 'OPTIONS']);
  return { method, path };
}

/** Framework POSTs with broken or impossible bodies. */
function badFramework(p: Pick, w: FuzzWorld): RawRequest {
  const endpoint = p.one(['connect', 'disconnect', 'attach', 'detach', 'services', 'cubes']);
  const bodies: Record<string, unknown[]> = {
    connect: [
      {},
      { peer1: 5 },
      { peer1: `${w.cube}:p1` },
      { peer1: 'nosuch:p', peer2: 'nosuch0' },
      { peer1: `${w.cube}:p1`, peer2: 'nosuch0' },
      [],
    ],
    disconnect: [{}, { peer1: 'a', peer2: 'b' }, { peer1: `${w.cube}:p9`, peer2: 'x' }, [1]],
    attach: [
      {},
      { cube: 1 },
      { cube: w.cube },
      { cube: w.cube, port: `${w.cube}:p1`, position: 'first', before: 'x' },
      { cube: w.cube, port: 'x' },
    ],
    detach: [{}, { cube: w.cube, port: `${w.cube}:p1` }, { port: 'p' }],
    services: [
      {},
      { name: 'x' },
      { name: 'x', uri: 'y', type: 'lib' },
      { name: 'lbrp', uri: 'y', type: 'grpc' },
      { name: 1, uri: 2, type: 3 },
    ],
    cubes: [
      {},
      [{}],
      [{ name: 'fzc', 'service-name': 'nosuch' }],
      [{ name: w.cube, 'service-name': 'lbrp' }],
      [{ name: 'fzc2', 'service-name': 'lbrp', port_mode: 'X' }],
      ['x'],
    ],
  };
  const body = p.chance(0.2) ? invalidJson(p, { a: 1 }) : JSON.stringify(p.one(bodies[endpoint]));
  return { method: 'POST', path: `${P}/${endpoint}`, body };
}

/** A body over 1 MiB (413), sometimes with a lying Content-Length. */
export function oversized(p: Pick): RawRequest {
  const size = 1024 * 1024 + 1 + p.int(200_000);
  return {
    method: p.one(['POST', 'PATCH', 'PUT']),
    path: `${P}/lbrp/fzbig/`,
    body: `{"name":"${'x'.repeat(size)}"}`,
  };
}

/** The next hostile request. */
export function hostileRequest(rnd: () => number, w: FuzzWorld): RawRequest {
  const p = new Pick(rnd);
  const roll = p.int(100);
  if (roll < 14) {
    const t = p.one(targets(w, p));
    return { method: t.method, path: t.path, body: invalidJson(p, t.body) };
  }
  if (roll < 34) {
    const t = p.one(targets(w, p));
    return { method: t.method, path: t.path, body: JSON.stringify(breakMember(p, t)) };
  }
  if (roll < 48) {
    const t = p.one(targets(w, p));
    return { method: t.method, path: t.path, body: wrongShape(p, t) };
  }
  if (roll < 58) return badLeaf(p, w);
  if (roll < 70) return badKeys(p, w);
  if (roll < 80) return wrongMethod(p, w);
  if (roll < 92) return oddPath(p, w);
  return badFramework(p, w);
}

export { Pick };
