// Request targets are normalised as Pistache does (REST spec §1.2): `//` collapsed, one trailing
// `/` ignored, the query kept apart; key segments decode, and a redirect re-serialises the query.

import {
  decodeKeySegment,
  encodeKeySegment,
  normalisePath,
  parseQuery,
  parseTarget,
  queryValue,
  serialiseQuery,
} from '../../../../src/polycubed/rest/request-path';

describe('request paths', () => {
  it.each([
    ['/polycube/v1/lbrp/lb0/', '/polycube/v1/lbrp/lb0'],
    ['/polycube/v1//cubes/', '/polycube/v1/cubes'],
    ['//polycube///v1', '/polycube/v1'],
    ['/', '/'],
    ['//', '/'],
    ['', '/'],
  ])('normalises %j to %j', (raw, want) => {
    expect(normalisePath(raw)).toBe(want);
  });

  // polycubectl's help requests put the query right after the last word.
  it('splits path, segments and query', () => {
    expect(parseTarget('/polycube/v1/lbrp/lb0/loglevel?help=SET&completion')).toEqual({
      rawPath: '/polycube/v1/lbrp/lb0/loglevel',
      path: '/polycube/v1/lbrp/lb0/loglevel',
      segments: ['polycube', 'v1', 'lbrp', 'lb0', 'loglevel'],
      query: [
        { name: 'help', value: 'SET' },
        { name: 'completion', value: '' },
      ],
    });
  });

  // A bare `completion` comes back as `completion=` (Pistache re-serialisation, §1.4).
  it('re-serialises queries', () => {
    expect(serialiseQuery(parseTarget('/x?help=NONE&completion').query)).toBe('?help=NONE&completion=');
    expect(serialiseQuery([])).toBe('');
  });

  it.each([
    ['10.0.0.0%2F24', '10.0.0.0/24'],
    ['a%20b', 'a b'],
    ['lb0:p1', 'lb0:p1'],
    ['%E2%82%AC', '€'],
    ['%ZZ', undefined],
    ['%FF', undefined],
    ['a%00b', undefined],
  ])('decodes key segment %j to %j', (seg, want) => {
    expect(decodeKeySegment(seg)).toBe(want);
  });

  // Hrefs escape like Go's url.PathEscape: `/` and space escaped, `:` kept.
  it('encodes key values for hrefs', () => {
    expect(encodeKeySegment('10.0.0.0/24')).toBe('10.0.0.0%2F24');
    expect(encodeKeySegment('lb0:p 1')).toBe('lb0:p%201');
  });

  // The root has no segments, and a target without `?` no query (not the path read as one).
  it('splits the root and targets without or with only a query', () => {
    expect(parseTarget('/')).toEqual({ rawPath: '/', path: '/', segments: [], query: [] });
    expect(parseTarget('/polycube/v1').query).toEqual([]);
    expect(parseTarget('?help=NONE')).toEqual({
      rawPath: '',
      path: '/',
      segments: [],
      query: [{ name: 'help', value: 'NONE' }],
    });
  });

  // Empty parts are skipped; `=x` is an empty name; `+` is a space; what does not decode stays.
  it('parses queries loosely', () => {
    expect(parseQuery('&a=1&&b&')).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: '' },
    ]);
    expect(parseQuery('=x')).toEqual([{ name: '', value: 'x' }]);
    expect(parseQuery('a=x+y%2Bz')).toEqual([{ name: 'a', value: 'x y+z' }]);
    expect(parseQuery('a=%ZZ&%E2=1')).toEqual([
      { name: 'a', value: '%ZZ' },
      { name: '%E2', value: '1' },
    ]);
  });

  it('reads the first value of a query parameter', () => {
    const q = parseQuery('help=SET&x=1&help=ADD');
    expect(queryValue(q, 'help')).toBe('SET');
    expect(queryValue(q, 'x')).toBe('1');
    expect(queryValue(q, 'completion')).toBeUndefined();
  });

  // Commas stay literal in a re-serialised query; `@` stays literal in an href segment.
  it('keeps commas in queries and @ in key segments', () => {
    expect(serialiseQuery([{ name: 'a', value: 'x,y z' }])).toBe('?a=x,y%20z');
    expect(encodeKeySegment('u@h:1')).toBe('u@h:1');
  });
});
