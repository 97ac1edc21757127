// Generators of hostile REST requests for the fuzz test, from a seeded PRNG. Every request that
// could change state is built to be refused and says how: a broken body (invalid JSON, wrong type,
// out of range, unknown or read-only member, missing mandatory member, wrong JSON kind), a bad key,
// a method the route does not have, a target that does not exist, or (for the real lbrp service) a
// rule of the model. Each case names what it sends; `claims` are texts its bytes must contain.

import { memberText, raw, toJson, withMember, type Expect, type FuzzCase } from './fuzz-case';

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
  /**
   * Existing MULTI cube with a FRONTEND port `p1` (ip 10.0.0.254) peered to a netdev, src-ip-rewrite
   * 10.2.0.0/24 → 10.3.0.0/24, service 10.0.0.1 80 TCP `svc` with backend 1.2.3.4 port 80 weight 20.
   */
  cube: string;
  /** Existing empty SINGLE cube. */
  single: string;
  /** Netdev names (never valid as a body value below: only in reads). */
  netdevs: string[];
  /** The service behind REST enforces lbrp's rules (the real service, not the stand-in). */
  rules: boolean;
}

type Json = Record<string, unknown>;

/** Values of every JSON kind; `wrongType(kind)` takes those that are not of that kind. */
const SAMPLES: Record<string, unknown[]> = {
  string: ['', 'x', 'SINGLE', '10.0.0.1', '\u0000', 'é'.repeat(300)],
  integer: [0, 1, 80, -1, 65535, 65536],
  number: [1.5, -0.0001, 1e308, 3.14, raw('1.0e0'), raw('-0')],
  boolean: [true, false],
  null: [null],
  // Raw text: a literal `{ __proto__: 1 }` sets the prototype and would send `{}`.
  object: [{}, { a: 1 }, raw('{"__proto__":1}'), raw('{"constructor":{"prototype":{"polluted":1}}}')],
  array: [[], [1], ['SINGLE'], [null]],
};

/** A value of another JSON kind than `kind` (integer-valued numbers never count as wrong for 'integer'). */
function wrongType(p: Pick, kind: 'string' | 'integer' | 'boolean'): unknown {
  const pool = Object.keys(SAMPLES)
    .filter((k) => k !== kind)
    .flatMap((k) => SAMPLES[k])
    .filter((v) => !(kind === 'integer' && isIntegerText(v)));
  return p.one(pool);
}

/** True for raw numbers whose text is an integer value (`1.0e0`, `-0`): not wrong for an integer. */
function isIntegerText(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v);
  return (
    typeof v === 'object' &&
    v !== null &&
    'text' in v &&
    Number.isInteger(Number((v as { text: string }).text))
  );
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
export const UNKNOWN_MEMBERS = [
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
  '_links',
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
      body: { type: 'FRONTEND', ip: `10.1.${p.int(256)}.${1 + p.int(250)}` },
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

const refuse = (...status: number[]): Expect => ({ kind: 'refuse', ...(status.length ? { status } : {}) });

function bodyCase(t: Target, label: string, body: string, expect: Expect, claims: string[] = []): FuzzCase {
  return { label, req: { method: t.method, path: t.path, body }, expect, claims };
}

/** One member of a valid body replaced with a value its schema refuses: 400 bad-attribute. */
function breakMember(p: Pick, t: Target): FuzzCase {
  const name = p.one(Object.keys(t.members));
  const kind = t.members[name];
  let value: unknown;
  switch (kind) {
    case 'integer':
      value = p.chance(0.5) ? p.one(OUT_OF_RANGE) : wrongType(p, 'integer');
      break;
    case 'enum':
      value = p.chance(0.5)
        ? p.one(['FOO', '', 'SINGLE ', 'TC\0', 'ALL!', 'tcp/udp'])
        : wrongType(p, 'string');
      break;
    case 'ipv4':
      value = p.chance(0.6) ? p.one(BAD_IPV4) : wrongType(p, 'string');
      break;
    case 'prefix':
      value = p.chance(0.6) ? p.one(BAD_PREFIX) : wrongType(p, 'string');
      break;
    default:
      value = wrongType(p, kind);
  }
  const m = memberText(name, value);
  return bodyCase(
    t,
    `breakMember ${t.method} ${m.slice(0, 60)}`,
    toJson(withMember(t.body, name, value)),
    refuse(400),
    [m],
  );
}

/** A body that is not JSON at all, or nests too deep (checked: a text that happens to parse gets a stray `{`). */
function invalidJson(p: Pick, valid: Json): { text: string; variant: string } {
  const { text, variant } = notJson(p, valid);
  try {
    JSON.parse(text);
    return { text: text + '{', variant };
  } catch {
    return { text, variant };
  }
}

function notJson(p: Pick, valid: Json): { text: string; variant: string } {
  const text = JSON.stringify(valid);
  switch (p.int(8)) {
    case 0:
      return { text: text.slice(0, 1 + p.int(Math.max(1, text.length - 2))), variant: 'truncated' };
    case 1:
      return { text: text + p.one(['}', ',', ']', 'x', '{}']), variant: 'trailing garbage' };
    case 2:
      return { text: text.replace(/"/g, "'"), variant: 'single quotes' };
    case 3:
      return {
        text: p.one([
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
        ]),
        variant: 'not JSON',
      };
    case 4:
      return { text: '['.repeat(65 + p.int(2000)) + ']'.repeat(65), variant: 'deep arrays' };
    case 5:
      return { text: '{"a":'.repeat(70 + p.int(500)) + '1' + '}'.repeat(70), variant: 'deep objects' };
    case 6:
      return { text: Buffer.from(p.text(40)).toString('latin1') + '{', variant: 'latin1 noise' };
    default:
      return { text: `{"port_mode":"SINGLE"${p.text(5)}`, variant: 'unterminated object' };
  }
}

/** A body of the wrong JSON kind for an object target, or an unknown/forbidden member added, or a mandatory one missing. */
function wrongShape(p: Pick, t: Target): FuzzCase {
  switch (p.int(4)) {
    case 0: {
      const body = toJson(p.one([[t.body], [], 5, 'x', true, null]));
      return bodyCase(t, `wrongShape/kind ${body.slice(0, 30)}`, body, refuse(400), [body]);
    }
    case 1: {
      const name = p.one(UNKNOWN_MEMBERS);
      const value = p.one(Object.values(SAMPLES).flat());
      const m = memberText(name, value);
      return bodyCase(
        t,
        `wrongShape/unknown-member ${m.slice(0, 40)}`,
        toJson(withMember(t.body, name, value)),
        refuse(400),
        [m],
      );
    }
    case 2: {
      const [name, value] = t.forbidden ? p.one(Object.entries(t.forbidden)) : ['zz_unknown', 1];
      const m = memberText(name, value);
      return bodyCase(t, `wrongShape/forbidden ${m}`, toJson(withMember(t.body, name, value)), refuse(400), [
        m,
      ]);
    }
    default: {
      if (t.mandatory && t.method === 'POST') {
        const gone = p.one(t.mandatory);
        const body: Json = { ...t.body };
        delete body[gone];
        return bodyCase(t, `wrongShape/missing ${gone}`, toJson(body), refuse(400));
      }
      const name = p.one(UNKNOWN_MEMBERS);
      const m = memberText(name, {});
      return bodyCase(
        t,
        `wrongShape/unknown-object ${m.slice(0, 40)}`,
        toJson(withMember(t.body, name, {})),
        refuse(400),
        [m],
      );
    }
  }
}

/** Leaf PATCHes with values their type refuses (never an empty body: that resets to the default). */
function badLeaf(p: Pick, w: FuzzWorld): FuzzCase {
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
  const body = toJson(value());
  return {
    label: `badLeaf ${path.slice(P.length)} ${body.slice(0, 30)}`,
    req: { method: 'PATCH', path, body },
    expect: refuse(400),
    claims: [body],
  };
}

/** Requests whose list keys fail their types (bad-element or bad-attribute), any method. */
function badKeys(p: Pick, w: FuzzWorld): FuzzCase {
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
  const paths: [string, string][] = [
    [`${P}/lbrp/${c}/service/${vip}/80/TCP/`, vip],
    [`${P}/lbrp/${c}/service/10.0.0.1/${vport}/TCP/`, vport],
    [`${P}/lbrp/${c}/service/10.0.0.1/80/${proto}/`, proto],
    [`${P}/lbrp/${c}/service/${vip}/80/TCP/backend/1.2.3.4/`, vip],
    [`${P}/lbrp/${c}/service/10.0.0.1/80/TCP/backend/${ip}/`, ip],
    [`${P}/lbrp/${c}/service/10.0.0.1/${vport}/TCP/backend/1.2.3.4/weight/`, vport],
    [`${P}/lbrp/${c}/service/${vip}/80/TCP/name/`, vip],
  ];
  const method = p.one(['POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'OPTIONS']);
  const body =
    method === 'GET' || method === 'DELETE' || method === 'OPTIONS'
      ? undefined
      : toJson(p.one([{ port: 80 }, {}, 3, 'x']));
  const [path, key] = p.one(paths);
  const read = method === 'GET' || method === 'OPTIONS';
  return {
    label: `badKeys ${method} ${key}`,
    req: { method, path, body },
    expect: read ? { kind: 'read' } : refuse(),
    claims: [`/${key}/`],
  };
}

/** Methods a route does not have (405), and verbs nobody routes. */
function wrongMethod(p: Pick, w: FuzzWorld): FuzzCase {
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
  const method = p.one(methods);
  return {
    label: `wrongMethod ${method} ${path.slice(P.length)}`,
    req: { method, path, body: p.chance(0.5) ? '{"port_mode":"MULTI"}' : undefined },
    // A route that exists answers 405 (REST spec §5.1); verbs nobody routes get some 4xx.
    expect: path === `${P}/lbrp/${c}/` ? refuse() : refuse(405),
    claims: [path],
  };
}

/** Paths no route has (or reads of odd paths): traversal, escapes, NUL, unicode, huge and deep paths. */
function oddPath(p: Pick, w: FuzzWorld): FuzzCase {
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
  const variant = p.int(6);
  switch (variant) {
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
  return {
    label: `oddPath/${variant} ${method}`,
    req: { method, path },
    expect: { kind: 'read' },
    claims: [],
  };
}

/** Framework POSTs with broken or impossible bodies. */
function badFramework(p: Pick, w: FuzzWorld): FuzzCase {
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
  const broken = p.chance(0.2);
  const body = broken ? invalidJson(p, { a: 1 }).text : toJson(p.one(bodies[endpoint]));
  return {
    label: `badFramework ${endpoint} ${broken ? 'invalid JSON' : body.slice(0, 60)}`,
    req: { method: 'POST', path: `${P}/${endpoint}`, body },
    expect: refuse(),
    claims: [],
  };
}

/** A body of many unknown members (≤ 2,000: validation must stay linear and the error list bounded). */
function manyMembers(p: Pick, t: Target): FuzzCase {
  const n = 100 + p.int(1901);
  const extra = Array.from({ length: n }, (_, i) => `${JSON.stringify(`zz${i}`)}:${i}`).join(',');
  const base = toJson(t.body);
  const body = base === '{}' ? `{${extra}}` : `${base.slice(0, -1)},${extra}}`;
  return bodyCase(t, `manyMembers ${n}`, body, refuse(400), [`"zz${n - 1}":${n - 1}}`]);
}

/** A body over 1 MiB (413). */
export function oversized(p: Pick): FuzzCase {
  const size = 1024 * 1024 + 1 + p.int(200_000);
  const method = p.one(['POST', 'PATCH', 'PUT']);
  return {
    label: `oversized ${method} ${size}`,
    req: { method, path: `${P}/lbrp/fzbig/`, body: `{"name":"${'x'.repeat(size)}"}` },
    expect: refuse(413),
    claims: [],
  };
}

/**
 * Requests that pass polycubed's validation and break a rule of the lbrp model (REST spec §5.3):
 * 500 with the C++ lbrp's exact text. Only for the real service (the stand-in knows no rule).
 */
function ruleCase(p: Pick, w: FuzzWorld): FuzzCase {
  const c = `${P}/lbrp/${w.cube}`;
  const s = `${P}/lbrp/${w.single}`;
  const svc = `${c}/service/10.0.0.1/80/TCP`;
  const oct = (): number => 1 + p.int(250);
  const rule = (
    label: string,
    method: string,
    path: string,
    body: unknown,
    message: string | RegExp,
  ): FuzzCase => {
    const text = body === undefined ? undefined : toJson(body);
    return {
      label: `rule ${label}`,
      req: { method, path, body: text },
      expect: { kind: 'rule', status: 500, message },
      claims: text ? [text] : [],
    };
  };
  const rows: (() => FuzzCase)[] = [
    () =>
      rule(
        'duplicate service',
        'POST',
        `${svc}/`,
        { name: p.one(['svc', 'other']) },
        'This service already exists',
      ),
    () =>
      rule(
        'ICMP vport != 0',
        'POST',
        `${c}/service/10.7.${p.int(256)}.${oct()}/${1 + p.int(65535)}/ICMP/`,
        {},
        'ICMP Service requires 0 as virtual port. Since this parameter is useless for ICMP services',
      ),
    () =>
      rule(
        'duplicate backend',
        'POST',
        `${svc}/backend/1.2.3.4/`,
        { port: 1 + p.int(65535) },
        'Backend 1.2.3.4 already exists in the service map',
      ),
    () =>
      rule(
        'port_mode change (cube)',
        'PATCH',
        `${c}/`,
        { port_mode: p.one(['SINGLE', 'single']) },
        'Port mode cannot be changed at runtime',
      ),
    () =>
      rule(
        'port_mode change (leaf)',
        'PATCH',
        `${c}/port_mode/`,
        p.one(['SINGLE', 'single']),
        'Port mode cannot be changed at runtime',
      ),
    () =>
      rule(
        'BACKEND port with ip',
        'POST',
        `${c}/ports/fzb${p.int(1e6)}/`,
        { type: 'BACKEND', ip: `10.6.0.${oct()}` },
        'The ip address in not allowed in BACKEND port',
      ),
    () =>
      rule(
        'MULTI FRONTEND without ip',
        'POST',
        `${c}/ports/fzf${p.int(1e6)}/`,
        { type: 'FRONTEND' },
        'The IP address is mandatory in MULTI port mode for a FRONTEND port',
      ),
    () =>
      rule(
        'MULTI FRONTEND ip taken',
        'POST',
        `${c}/ports/fzf${p.int(1e6)}/`,
        { type: 'FRONTEND', ip: '10.0.0.254' },
        'A FRONTEND port with the provided IP address (10.0.0.254) already exist',
      ),
    () =>
      rule(
        'duplicate port',
        'POST',
        `${c}/ports/p1/`,
        { type: 'FRONTEND', ip: `10.5.0.${oct()}` },
        'Port p1 already exists',
      ),
    () =>
      rule(
        'port type change',
        'PATCH',
        `${c}/ports/p1/`,
        { type: 'BACKEND' },
        'Error: Port type cannot be changed at runtime.',
      ),
    () =>
      rule(
        'SINGLE FRONTEND with ip',
        'POST',
        `${s}/ports/fzs${p.int(1e6)}/`,
        { type: 'FRONTEND', ip: `10.4.0.${oct()}` },
        'The ip address in not allow in SINGLE port mode for a FRONTEND port',
      ),
    () =>
      rule(
        'rewrite masks differ',
        'PATCH',
        `${c}/src-ip-rewrite/`,
        { 'ip-range': '10.2.0.0/24', new_ip_range: `10.3.0.0/${p.one([8, 16, 23, 25, 32])}` },
        'both masks have to be the same',
      ),
    () =>
      rule(
        'rewrite same network',
        'PATCH',
        `${c}/src-ip-rewrite/`,
        { 'ip-range': '10.2.0.0/24', new_ip_range: `10.2.0.${p.int(256)}/24` },
        'ip-range and new_ip_range must be different networks, both are 10.2.0.0/24',
      ),
    () => {
      const vip = `10.77.${p.int(256)}.${oct()}`;
      const [method, tail, body] = p.one<[string, string, unknown]>([
        ['GET', '/', undefined],
        ['PATCH', '/', { name: 'x' }],
        ['POST', `/backend/1.2.3.${oct()}/`, { port: 80 }],
        ['PATCH', '/backend/1.2.3.4/', { weight: 5 }],
      ]);
      return rule(
        `no such service ${method}`,
        method,
        `${c}/service/${vip}/80/TCP${tail}`,
        body,
        'There are no entries associated with that key',
      );
    },
    () =>
      rule(
        'no such backend',
        'PATCH',
        `${svc}/backend/1.2.4.${oct()}/`,
        { weight: 5 },
        'There are no entries associated with that key',
      ),
    () => {
      const ip = `10.66.0.${oct()}`;
      return rule(
        'duplicate backend in one body',
        'POST',
        `${c}/service/10.78.${p.int(256)}.${oct()}/80/UDP/`,
        {
          backend: [
            { ip, port: 1 },
            { ip, port: 2 },
          ],
        },
        `Backend ${ip} already exists in the service map`,
      );
    },
  ];
  return p.one(rows)();
}

/** The next hostile case. */
export function hostileCase(rnd: () => number, w: FuzzWorld): FuzzCase {
  const p = new Pick(rnd);
  const roll = p.int(w.rules ? 110 : 100);
  if (roll >= 100) return ruleCase(p, w);
  if (roll < 12) {
    const t = p.one(targets(w, p));
    const { text, variant } = invalidJson(p, t.body);
    return bodyCase(t, `invalidJson/${variant}`, text, refuse(400));
  }
  if (roll < 30) return breakMember(p, p.one(targets(w, p)));
  if (roll < 44) return wrongShape(p, p.one(targets(w, p)));
  if (roll < 46) return manyMembers(p, p.one(targets(w, p)));
  if (roll < 56) return badLeaf(p, w);
  if (roll < 68) return badKeys(p, w);
  if (roll < 78) return wrongMethod(p, w);
  if (roll < 90) return oddPath(p, w);
  return badFramework(p, w);
}

export { Pick };
