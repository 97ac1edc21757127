// JSON as gabs2/orderedmap hand it to the real client: member order kept, Go's error texts,
// the top-level array round trip (sorted members, null → {}), and Go's encoder output.

import { encodeGoJson, gabsNormalize, parseJson, type JsonValue } from '../../../src/cli/go-json';

function parse(text: string): JsonValue {
  const r = parseJson(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('parseJson', () => {
  // Server member order is what the pretty-printer shows.
  test('keeps member order', () => {
    expect(encodeGoJson(parse('{"b":1,"a":{"d":2,"c":3}}'))).toBe('{"b":1,"a":{"d":2,"c":3}}');
  });

  test('a duplicate member keeps the last value at the last position', () => {
    expect(encodeGoJson(parse('{"a":1,"b":2,"a":3}'))).toBe('{"b":2,"a":3}');
  });

  test.each([
    ['', 'unexpected end of JSON input'],
    ['{"a":', 'unexpected end of JSON input'],
    ['Cannot find a matching route.', "invalid character 'C' looking for beginning of value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b"}', `invalid character '"' after object key:value pair`],
    ['[1 2]', "invalid character '2' after array element"],
    ['{1:2}', "invalid character '1' looking for beginning of object key string"],
    ['tru', 'unexpected end of JSON input'],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['1.', 'unexpected end of JSON input'],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1 2', "invalid character '2' after top-level value"],
    ['-x', "invalid character 'x' in numeric literal"],
  ])('%j fails with %j', (text, want) => {
    expect(parseJson(text)).toEqual({ ok: false, error: want });
  });
});

describe('gabsNormalize', () => {
  // Each element of a top-level array went through a Go map: members sorted, nested too.
  test('top-level array elements are re-sorted', () => {
    const v = gabsNormalize(parse('[{"vip":"1","name":"s","b":[{"z":1,"a":2}]},null,[]]'));
    expect(encodeGoJson(v)).toBe('[{"b":[{"a":2,"z":1}],"name":"s","vip":"1"},{},null]');
  });

  test('a top-level empty array marshals as null; null becomes {}', () => {
    expect(encodeGoJson(gabsNormalize(parse('[]')))).toBe('null');
    expect(encodeGoJson(gabsNormalize(parse('null')))).toBe('{}');
  });
});

describe('encodeGoJson', () => {
  test('MarshalIndent with two spaces', () => {
    expect(encodeGoJson(parse('{"a":[1,{"b":{}}],"c":[]}'), '  ')).toBe(
      '{\n  "a": [\n    1,\n    {\n      "b": {}\n    }\n  ],\n  "c": []\n}',
    );
  });

  test('HTML-safe escapes and float64 numbers', () => {
    expect(encodeGoJson(parse('["<a&b>", "\\u2028\\u0001", 1.0, 1e2, -0]'))).toBe(
      '["\\u003ca\\u0026b\\u003e","\\u2028\\u0001",1,100,-0]',
    );
  });
});
