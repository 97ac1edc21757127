// Bodies are JSON with a nesting limit checked without recursion, so hostile bodies are refused
// before any recursive stage sees them.

import { nestingDepth, parseJsonBody } from '../../../../src/polycubed/rest/body-json';

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

  it.each(['{', '{"a":}', "{'a':1}", 'nan', '[1,]'])('refuses invalid JSON %j', (text) => {
    expect(parseJsonBody(text, 8).ok).toBe(false);
  });

  // A megabyte of brackets is refused by the depth check, not by a stack overflow.
  it('refuses deep nesting', () => {
    const deep = '['.repeat(500_000) + ']'.repeat(500_000);
    expect(parseJsonBody(deep, 64)).toEqual({ ok: false, reason: 'nesting deeper than 64' });
  });

  // Brackets inside strings (and escaped quotes) do not count.
  it('ignores brackets inside strings', () => {
    expect(nestingDepth('{"a":"[[[[\\"[[["}')).toBe(1);
  });
});
