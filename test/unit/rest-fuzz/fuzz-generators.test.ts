// The REST fuzz's generators mean what they say: every case's bytes carry what its label claims,
// a "broken" member really is invalid for its type (no valid value slips in as hostile), raw
// members such as `__proto__` reach the wire (a JS literal `{ __proto__: 1 }` would send `{}`),
// invalid JSON does not parse, and oversized and many-member bodies have the promised size.

import { hostileCase, makeRng, oversized, Pick, type FuzzWorld } from '../../kernel/rest/hostile-requests';
import { acceptCase } from '../../kernel/rest/accepted-requests';
import { raw, toJson, wireBytes, withMember, type FuzzCase } from '../../kernel/rest/fuzz-case';
import { CI_SEED } from '../../kernel/rest/fuzz-run';

const WORLD: FuzzWorld = { cube: 'lbz0', single: 'lbz1', netdevs: ['a', 'b'], rules: true };
const N = 20_000;

const cases: FuzzCase[] = (() => {
  const rnd = makeRng(CI_SEED);
  return Array.from({ length: N }, () => hostileCase(rnd, WORLD));
})();
const wire = (c: FuzzCase): string => `${c.req.path}\n${String(c.req.body ?? '')}`;

const uint16 = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
const oneOf =
  (...names: string[]) =>
  (v: unknown): boolean =>
    typeof v === 'string' && names.includes(v.toUpperCase());
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ipv4 = (v: unknown): boolean => typeof v === 'string' && IPV4.test(v);
const prefix = (v: unknown): boolean => {
  if (typeof v !== 'string') return false;
  const m = /^(.*)\/(\d{1,2})$/.exec(v);
  return !!m && ipv4(m[1]) && Number(m[2]) <= 32;
};
/** What each member a breakMember case may break accepts (the YANG types, by member name). */
const VALID: Record<string, (v: unknown, path: string) => boolean> = {
  port: uint16,
  weight: uint16,
  port_mode: oneOf('SINGLE', 'MULTI'),
  loglevel: oneOf('TRACE', 'DEBUG', 'INFO', 'WARN', 'ERR', 'CRITICAL', 'OFF'),
  type: (v, path) =>
    path.includes('/ports/') ? oneOf('FRONTEND', 'BACKEND')(v) : oneOf('TC', 'XDP_SKB', 'XDP_DRV')(v),
  shadow: (v) => typeof v === 'boolean',
  span: (v) => typeof v === 'boolean',
  ip: ipv4,
  peer: (v) => typeof v === 'string',
  name: (v) => typeof v === 'string',
  'ip-range': prefix,
  new_ip_range: prefix,
};

describe('REST fuzz generators', () => {
  it('a JS literal cannot carry __proto__, toJson with withMember or raw text does', () => {
    expect(JSON.stringify({ __proto__: 1 })).toBe('{}');
    expect(toJson(withMember({ a: 1 }, '__proto__', 1))).toBe('{"a":1,"__proto__":1}');
    expect(toJson({ a: [raw('{"__proto__":1}'), null, 'x'] })).toBe('{"a":[{"__proto__":1},null,"x"]}');
    const parsed = JSON.parse(toJson(withMember({}, '__proto__', { x: 1 }))) as object;
    expect(Object.prototype.hasOwnProperty.call(parsed, '__proto__')).toBe(true);
  });

  it(`every one of ${N} cases carries what its label claims`, () => {
    const wrong = cases.flatMap((c) =>
      c.claims.filter((t) => !wire(c).includes(t)).map((t) => `${c.label}: ${t}`),
    );
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(cases.filter((c) => c.claims.length > 0).length).toBeGreaterThan(N / 2);
  });

  // http-client writes the request line in latin1 and the body in UTF-8: a character either
  // encoder cannot carry would be sent as something else than the case says.
  it('every case goes on the wire exactly as written', () => {
    const p = new Pick(makeRng(CI_SEED));
    const all = [...cases, ...Array.from({ length: 5 }, () => oversized(p))];
    const changed = all.flatMap((c) => {
      try {
        const w = wireBytes(c);
        const same =
          w.target.toString('latin1') === c.req.path && w.body.toString('utf8') === (c.req.body ?? '');
        return same ? [] : [c.label];
      } catch (e) {
        return [(e as Error).message];
      }
    });
    expect(changed.slice(0, 10)).toEqual([]);
    // The check refuses what an encoder would change.
    const c = cases[0];
    expect(() => wireBytes({ ...c, req: { ...c.req, body: String.raw`{"a":"\ud800"}` } })).not.toThrow();
    expect(() =>
      wireBytes({ ...c, req: { ...c.req, body: `{"a":"${String.fromCharCode(0xd800)}"}` } }),
    ).toThrow(/lone surrogate/);
    expect(() => wireBytes({ ...c, req: { ...c.req, path: '/polycube/v1/%E2%82%AC' } })).not.toThrow();
    expect(() =>
      wireBytes({ ...c, req: { ...c.req, path: `/polycube/v1/${String.fromCharCode(0x20ac)}` } }),
    ).toThrow(/latin1/);
  });

  it('a broken member is invalid for its type (no valid value passes as hostile)', () => {
    const broken = cases.filter((c) => c.label.startsWith('breakMember'));
    expect(broken.length).toBeGreaterThan(N / 10);
    const valid = broken.filter((c) => {
      const name = /^breakMember \S+ ("(?:[^"\\]|\\.)*"):/.exec(c.label)?.[1];
      const member = JSON.parse(name as string) as string;
      const body = JSON.parse(c.req.body as string) as Record<string, unknown>;
      return VALID[member](body[member], c.req.path);
    });
    expect(valid.map((c) => `${c.label} ${String(c.req.body)}`).slice(0, 10)).toEqual([]);
  });

  it('hostile member names reach the wire as own members, __proto__ and constructor included', () => {
    const unknown = cases.filter((c) => c.label.startsWith('wrongShape/unknown'));
    const names = new Set<string>();
    for (const c of unknown) {
      const body = JSON.parse(c.req.body as string) as Record<string, unknown>;
      for (const k of Object.keys(body)) names.add(k);
    }
    for (const n of ['__proto__', 'constructor', 'prototype', '', '$schema']) expect(names).toContain(n);
    expect(cases.some((c) => String(c.req.body).includes('{"__proto__":1}'))).toBe(true);
    expect(cases.some((c) => String(c.req.body).includes('"constructor":{"prototype":'))).toBe(true);
  });

  it('invalid JSON does not parse; many-member bodies have 100–2,000 unknown members', () => {
    const invalid = cases.filter((c) => c.label.startsWith('invalidJson'));
    expect(invalid.length).toBeGreaterThan(N / 20);
    for (const c of invalid) expect(() => JSON.parse(c.req.body as string)).toThrow();
    const many = cases.filter((c) => c.label.startsWith('manyMembers'));
    expect(many.length).toBeGreaterThan(0);
    for (const c of many) {
      const keys = Object.keys(JSON.parse(c.req.body as string) as object).filter((k) => k.startsWith('zz'));
      expect(keys.length).toBe(Number(c.label.split(' ')[1]));
      expect(keys.length).toBeGreaterThanOrEqual(100);
      expect(keys.length).toBeLessThanOrEqual(2_000);
    }
  });

  it('writes are always expected to be refused; rule cases name their exact message', () => {
    for (const c of cases) {
      if (c.expect.kind === 'read') expect(['GET', 'OPTIONS', 'HEAD']).toContain(c.req.method);
      if (c.expect.kind === 'rule') expect(c.expect.status).toBe(500);
    }
    expect(cases.filter((c) => c.expect.kind === 'rule').length).toBeGreaterThan(N / 20);
    const p = new Pick(makeRng(CI_SEED));
    for (let i = 0; i < 5; i++) expect(String(oversized(p).req.body).length).toBeGreaterThan(1024 * 1024);
  });

  it('valid-but-extreme cases send their boundary values', () => {
    const p = new Pick(makeRng(CI_SEED));
    const all = Array.from({ length: 400 }, (_, n) => acceptCase(p, WORLD, n));
    const bodies = all.flatMap((c) => c.steps.map((s) => String(s.body))).join('\n');
    for (const t of [
      '"weight":0',
      '"weight":65535',
      '"weight":101',
      '"port":0',
      '"port":65535',
      '"0.0.0.0/1"',
    ])
      expect(bodies).toContain(t);
    expect(all.some((c) => /with \d{2,} backends/.test(c.label))).toBe(true);
  });
});
