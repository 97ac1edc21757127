// Bodies are read by our own strict JSON reader: it agrees with JSON.parse on valid JSON, refuses
// what RFC 8259 refuses, refuses duplicate member names and deep nesting with the member and
// place named, keeps `__proto__` as data, and pauses between slices of a large body.

import { parseJsonBody, parseJsonBodyAsync } from '../../../../src/polycubed/rest/body-json';
import { readJson, readJsonAsync, SLICE_CHARS } from '../../../../src/polycubed/rest/json-reader';

describe('parseJsonBody', () => {
  it.each([
    ['', { ok: true, value: undefined }],
    ['  \n', { ok: true, value: undefined }],
    ['{"a":[1,{"b":2}]}', { ok: true, value: { a: [1, { b: 2 }] } }],
    ['"veth1"', { ok: true, value: 'veth1' }],
    ['3', { ok: true, value: 3 }],
  ])('parses %j', (text, want) => {
    expect(parseJsonBody(text, 8)).toEqual(want);
  });

  it.each(['{', '{"a":}', "{'a':1}", 'nan', '[1,]', '{"a":1,}', '01', '1 2', '"a\nb"', '"\\x"', '-', '[1]]'])(
    'refuses invalid JSON %j with a malformed-message that says why',
    (text) => {
      const got = parseJsonBody(text, 8);
      expect(got.ok).toBe(false);
      if (!got.ok) {
        expect(got.error.code).toBe('CUBE_ERR_MALFORMED_BODY');
        expect(got.error.detail).toMatch(/^the body is not valid JSON: .* at character \d+$/);
      }
    },
  );

  // A megabyte of brackets is refused by the depth limit, not by a stack overflow.
  it('refuses deep nesting, naming the limit and the place', () => {
    const deep = '['.repeat(500_000) + ']'.repeat(500_000);
    const got = parseJsonBody(deep, 64);
    expect(got.ok).toBe(false);
    if (!got.ok) {
      expect(got.error.code).toBe('CUBE_ERR_BODY_TOO_DEEP');
      expect(got.error.detail).toBe(
        `the body nests arrays and objects deeper than 64 levels (at /${'0/'.repeat(63)}`.replace(/\/$/, ')'),
      );
    }
    expect(parseJsonBody('['.repeat(64) + ']'.repeat(64), 64).ok).toBe(true);
  });

  it('brackets inside strings (and escaped quotes) do not count', () => {
    expect(parseJsonBody('{"a":"[[[[\\"[[["}', 1)).toEqual({ ok: true, value: { a: '[[[["[[[' } });
  });
});

describe('duplicate member names', () => {
  it.each([
    ['top level', '{"a":1,"b":2,"a":3}', 'a', '/'],
    ['nested object', '{"ports":[{"name":"p1"},{"name":"p2","type":"X","name":"p3"}]}', 'name', '/ports/1'],
    ['escaped spelling of the same name', '{"ab":1,"a\\u0062":2}', 'ab', '/'],
    ['__proto__ twice', '{"__proto__":1,"__proto__":2}', '__proto__', '/'],
    ['deep', '{"a":{"b":{"c":[{"d":1,"d":2}]}}}', 'd', '/a/b/c/0'],
    ['pointer escapes', '{"x/y~":{"k":1,"k":1}}', 'k', '/x~1y~0'],
  ])('%s: refused, naming the member and the object', (_n, text, member, pointer) => {
    const got = parseJsonBody(text, 64);
    expect(got.ok).toBe(false);
    if (!got.ok) {
      expect(got.error).toMatchObject({ code: 'CUBE_ERR_DUPLICATE_MEMBER', info: member });
      expect(got.error.detail).toBe(`duplicate member "${member}" in the object at ${pointer} of the body`);
    }
  });

  it('the same name in sibling objects is fine', () => {
    expect(parseJsonBody('[{"a":1},{"a":2}]', 8)).toEqual({ ok: true, value: [{ a: 1 }, { a: 2 }] });
  });
});

describe('readJson', () => {
  it('`__proto__` is an own member, never the prototype', () => {
    const got = readJson('{"__proto__":{"polluted":true},"a":1}', 8);
    expect(got.ok).toBe(true);
    const v = (got as { value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  // Property: on JSON.stringify output (no duplicates possible) the reader equals JSON.parse.
  it('agrees with JSON.parse on valid JSON', () => {
    let seed = 7;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const gen = (d: number): unknown => {
      const k = rnd(d > 4 ? 5 : 7);
      if (k === 0) return rnd(2) === 0;
      if (k === 1) return null;
      if (k === 2) return ((rnd(2000000) - 1000000) / (rnd(3) === 0 ? 7 : 1)) * (rnd(5) === 0 ? 1e21 : 1);
      if (k === 3 || k === 4)
        return Array.from({ length: rnd(8) }, () => String.fromCharCode(rnd(0x3000))).join('') + '"\\\u0001';
      if (k === 5) return Array.from({ length: rnd(4) }, () => gen(d + 1));
      const o: Record<string, unknown> = {};
      for (let i = rnd(4); i > 0; i--) o[`k${rnd(10)}\u00e9`] = gen(d + 1);
      return o;
    };
    for (let i = 0; i < 300; i++) {
      const text = JSON.stringify(gen(0), null, rnd(2) === 0 ? 2 : undefined);
      expect(readJson(text, 64)).toEqual({ ok: true, value: JSON.parse(text) });
    }
  });

  it('pauses between slices of a large body and reads the same value', async () => {
    const big: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) big[`m${i}`] = i;
    const text = JSON.stringify(big);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    let immediates = 0;
    const count = (): void => {
      immediates++;
      if (immediates < 10_000) setImmediate(count);
    };
    setImmediate(count);
    const got = await readJsonAsync(text, 8);
    clearInterval(timer);
    expect(got).toEqual({ ok: true, value: big });
    // Other callbacks ran while it read: at least one per slice, give or take the first.
    expect(immediates).toBeGreaterThanOrEqual(Math.floor(text.length / SLICE_CHARS) - 1);
    expect(await parseJsonBodyAsync(text, 8)).toEqual({ ok: true, value: big });
  });

  // A body of blanks is no body, in both forms (polycubectl sends none for reads).
  it('reads a body of blanks as absent', async () => {
    expect(parseJsonBody(' \r\n\t', 8)).toEqual({ ok: true, value: undefined });
    expect(await parseJsonBodyAsync(' \r\n\t', 8)).toEqual({ ok: true, value: undefined });
  });
});
