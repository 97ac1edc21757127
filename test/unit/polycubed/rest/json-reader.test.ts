// The strict JSON reader's refusals, exactly: the reason with the character where reading stopped,
// and the RFC 6901 pointer of the innermost open container (positions counted by hand from the
// texts below); the escapes and literals it reads; the depth limit at its boundary.

import { SLICE_CHARS, readJson, readJsonAsync } from '../../../../src/polycubed/rest/json-reader';

const syntax = (reason: string, pointer = '/') => ({ ok: false, error: { kind: 'syntax', reason, pointer } });

describe('readJson refusals', () => {
  it.each([
    ['{"a":}', syntax('expected a value at character 5')],
    ['{"a" 1}', syntax('expected ":" at character 5')],
    ['{1:2}', syntax('expected a member name at character 1')],
    ['{"a":1,}', syntax('expected a member name at character 7')],
    ['[1 2]', syntax('expected "," or "]" at character 3')],
    ['{"a":1 "b"}', syntax('expected "," or "}" at character 7')],
    ['{"a":1]', syntax('expected "," or "}" at character 6')],
    ['[1}', syntax('expected "," or "]" at character 2')],
    ['[}', syntax('expected a value at character 1')],
    ['{]', syntax('expected a member name at character 1')],
    ['"abc', syntax('unterminated string at character 0')],
    ['"a\u0001"', syntax('control character in a string at character 2')],
    ['"a\u001f"', syntax('control character in a string at character 2')],
    ['"\\u12G4"', syntax('invalid \\u escape at character 1')],
    ['"\\u12"', syntax('invalid \\u escape at character 1')],
    ['"x\\q"', syntax('invalid escape at character 2')],
    ['"\\', syntax('invalid escape at character 1')],
    ['tru', syntax('expected a value at character 0')],
    ['nul', syntax('expected a value at character 0')],
    ['fals', syntax('expected a value at character 0')],
    ['-01', syntax('unexpected text after the value at character 2')],
    ['1.', syntax('unexpected text after the value at character 1')],
    ['.5', syntax('expected a value at character 0')],
    ['1e', syntax('unexpected text after the value at character 1')],
    ['+1', syntax('expected a value at character 0')],
    ['[', syntax('unexpected end of the body at character 1')],
    ['  ', syntax('unexpected end of the body at character 2')],
    ['[]x', syntax('unexpected text after the value at character 2')],
    ['{} {}', syntax('unexpected text after the value at character 3')],
    ['\u00a01', syntax('expected a value at character 0')],
    ['{"a":[1,{"b":x}]}', syntax('expected a value at character 13', '/a/1')],
    ['{"a":{"b":[1,2,{"c":}]}}', syntax('expected a value at character 20', '/a/b/2')],
    ['{"a/b~":{"c":[}]}}', syntax('expected a value at character 14', '/a~1b~0/c')],
    ['[[1],[2,[3,]]]', syntax('expected a value at character 11', '/1/1')],
    ['[1,2,{"k":{"x":1 2}}]', syntax('expected "," or "}" at character 17', '/2/k')],
  ])('%j', (text, want) => {
    expect(readJson(text, 8)).toEqual(want);
  });

  it('names the duplicate member and its object', () => {
    expect(readJson('{"a":[{"b":1},{"b":2,"b":3}]}', 8)).toEqual({
      ok: false,
      error: { kind: 'duplicate', member: 'b', pointer: '/a/1' },
    });
    expect(readJson('{"":{"":1,"":2}}', 8)).toEqual({
      ok: false,
      error: { kind: 'duplicate', member: '', pointer: '/' },
    });
  });

  it('refuses the container one past the depth limit, where it opens', () => {
    expect(readJson('[[[]]]', 3)).toEqual({ ok: true, value: [[[]]] });
    expect(readJson('[[[[]]]]', 3)).toEqual({
      ok: false,
      error: { kind: 'depth', depth: 3, pointer: '/0/0' },
    });
    expect(readJson('{"a":{"b":{}}}', 2)).toEqual({
      ok: false,
      error: { kind: 'depth', depth: 2, pointer: '/a' },
    });
    expect(readJson('[1,[2,[]]]', 2)).toEqual({
      ok: false,
      error: { kind: 'depth', depth: 2, pointer: '/1' },
    });
    expect(readJson('{}', 0)).toEqual({ ok: false, error: { kind: 'depth', depth: 0, pointer: '/' } });
    expect(readJson('7', 0)).toEqual({ ok: true, value: 7 });
  });
});

describe('readJson values', () => {
  it('reads every escape, surrogate pairs and literals', () => {
    expect(readJson('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u00E9\\uD83D\\ude00 x"', 1)).toEqual({
      ok: true,
      value: '"\\/\b\f\n\r\téé😀 x',
    });
    expect(readJson(' [true , false,null,-0,0.5,1E+2,2e-1,-12.5e3,0] ', 1)).toEqual({
      ok: true,
      value: [true, false, null, -0, 0.5, 100, 0.2, -12500, 0],
    });
    expect(readJson('\t\r\n{ "a" :\n1 ,"b":[ ] , "c" : { } }\n', 2)).toEqual({
      ok: true,
      value: { a: 1, b: [], c: {} },
    });
  });

  it('keeps members as plain writable data, in text order', () => {
    const got = readJson('{"b":1,"a":{"constructor":2},"toString":3}', 4);
    expect(got.ok).toBe(true);
    const v = (got as { value: Record<string, unknown> }).value;
    expect(Object.keys(v)).toEqual(['b', 'a', 'toString']);
    expect(Object.getOwnPropertyDescriptor(v, 'b')).toEqual({
      value: 1,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    v.b = 5;
    expect(Reflect.deleteProperty(v, 'toString')).toBe(true);
    expect(v).toEqual({ b: 5, a: { constructor: 2 } });
  });

  it('reads the same value and the same refusal asynchronously', async () => {
    for (const text of ['{"a":[1,{"b":x}]}', '[[[[]]]]', '{"k":"' + 'v'.repeat(20_000) + '"}', '1'])
      expect(await readJsonAsync(text, 3)).toEqual(readJson(text, 3));
  });
});

// readJsonAsync hands the event loop back once per SLICE_CHARS characters read: a pause falls due
// when the reader stands at or past the mark after a value, and the next mark is SLICE_CHARS past
// where it stood. Pauses are counted through setImmediate, which only those pauses call here.
describe('readJsonAsync pauses', () => {
  async function pauses(text: string): Promise<number> {
    const spy = jest.spyOn(global, 'setImmediate');
    try {
      const got = await readJsonAsync(text, 4);
      expect(got).toEqual(readJson(text, 4));
      expect(got.ok).toBe(true);
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  }
  /** `[11,1,1,…]` of exactly `len` characters (len even, ≥ 4): values end at odd positions. */
  const ones = (len: number): string => '[11' + ',1'.repeat((len - 4) / 2) + ']';

  it('counts one pause per slice, from the first mark on', async () => {
    expect(SLICE_CHARS).toBe(8192);
    expect(await pauses('[1,2]')).toBe(0);
    // The array closes exactly at the mark: the reader stands at 8192 once, and pauses there.
    expect(ones(SLICE_CHARS)).toHaveLength(SLICE_CHARS);
    expect(await pauses(ones(SLICE_CHARS))).toBe(1);
    expect(await pauses(ones(SLICE_CHARS - 2))).toBe(0);
    // Values end at odd positions: pauses at 8193, 16385 and 24577, none after the last value.
    expect(await pauses(ones(3 * SLICE_CHARS + 100))).toBe(3);
    // One long string: read in one step, one pause after it.
    expect(await pauses('{"k":"' + 'v'.repeat(20_000) + '"}')).toBe(1);
  });
});
