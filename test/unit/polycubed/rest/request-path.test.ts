// Request targets are normalised as Pistache does (REST spec §1.2): `//` collapsed, one trailing
// `/` ignored, the query kept apart; key segments decode, and a redirect re-serialises the query.

import {
  decodeKeySegment,
  encodeKeySegment,
  normalisePath,
  parseTarget,
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
});
