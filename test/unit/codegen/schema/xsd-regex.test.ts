// XSD → ECMAScript pattern translation: the translated regex accepts and rejects what the XSD
// pattern would, anchored at both ends.

import { translateXsdRegex } from '../../../../codegen/src/schema/xsd-regex';

const OCTET = '([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])';

interface Row {
  name: string;
  inPattern: string;
  wantMatch: string[];
  wantReject: string[];
}

const rows: Row[] = [
  {
    name: 'ietf ipv4-address accepts dotted quads with an optional zone and refuses bad octets',
    inPattern: `(${OCTET}\\.){3}${OCTET}(%[\\p{N}\\p{L}]+)?`,
    wantMatch: ['10.0.0.1', '255.255.255.255', '0.0.0.0', '10.0.0.1%eth0'],
    wantReject: ['10.0.0.999', '300.1.1.1', '01.2.3.4', '1.2.3', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.4%'],
  },
  {
    name: 'ietf ipv4-prefix accepts /0../32 and does not check host bits',
    inPattern: `(${OCTET}\\.){3}${OCTET}/(([0-9])|([1-2][0-9])|(3[0-2]))`,
    wantMatch: ['10.0.0.0/24', '10.0.0.1/8', '0.0.0.0/0', '1.2.3.4/32'],
    wantReject: ['10.0.0.0/33', '10.0.0.0', '10.0.0.0/', '10.0.0.0/024x'],
  },
  {
    name: 'the pattern is anchored: a partial match is not enough',
    inPattern: '[a-z]+',
    wantMatch: ['abc'],
    wantReject: ['abc1', '1abc', ''],
  },
  {
    name: 'alternation at the top level is anchored as a whole',
    inPattern: 'a|bc',
    wantMatch: ['a', 'bc'],
    wantReject: ['abc', 'ab', 'c'],
  },
  {
    name: '^ and $ are ordinary characters in XSD',
    inPattern: '$?a^b$',
    wantMatch: ['a^b$', '$a^b$'],
    wantReject: ['ab', 'a^b'],
  },
  {
    name: 'character class subtraction removes the inner class',
    inPattern: '[a-z-[aeiou]]+',
    wantMatch: ['bcd', 'xyz'],
    wantReject: ['abc', 'e'],
  },
  {
    name: 'negated class with a multi-character escape',
    inPattern: '[^\\s]+',
    wantMatch: ['abc', 'a-b'],
    wantReject: ['a b', 'a\tb'],
  },
  {
    name: '\\w is the XSD word class (Unicode letters and digits, no punctuation)',
    inPattern: '\\w+',
    wantMatch: ['abc', 'é9', 'ÄÖ'],
    wantReject: ['a-b', 'a b', 'a.b'],
  },
  {
    name: '\\w inside a positive class is combined with the other members',
    inPattern: '[\\w\\-]+',
    wantMatch: ['a-b', 'x_1'.replace('_', '-')],
    wantReject: ['a.b', 'a b'],
  },
  {
    name: '\\d is any Unicode decimal digit and . excludes line breaks',
    inPattern: '\\d.\\d',
    wantMatch: ['1x2', '١-٢'],
    wantReject: ['1\n2', 'a.b'],
  },
  {
    name: 'escaped dash and quantifier ranges',
    inPattern: '[0-9]{2,3}\\-[0-9]{1,}',
    wantMatch: ['12-3', '123-45'],
    wantReject: ['1-3', '1234-5', '12-'],
  },
  {
    name: 'the polycube uuid pattern',
    inPattern: '[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}',
    wantMatch: ['c5f7a9a6-1e0b-4a8c-9d1e-0b7a6e2f3c11'],
    wantReject: ['x', 'c5f7a9a6-1e0b-6a8c-9d1e-0b7a6e2f3c11'],
  },
  {
    name: 'an XSD block escape known to the table becomes a range',
    inPattern: '\\p{IsBasicLatin}+',
    wantMatch: ['abc ~'],
    wantReject: ['é'],
  },
];

describe('translateXsdRegex', () => {
  test.each(rows)('$name', (row) => {
    const t = translateXsdRegex(row.inPattern);
    if (!t.ok) throw new Error(t.message);
    const re = new RegExp(t.source, 'u');
    expect(row.wantMatch.filter((s) => !re.test(s))).toEqual([]);
    expect(row.wantReject.filter((s) => re.test(s))).toEqual([]);
  });

  // Unsupported or malformed patterns come back as values naming the problem, never as throws.
  test.each([
    ['unknown block', '\\p{IsNoSuchBlock}', 'unsupported character property'],
    ['unterminated class', '[abc', 'missing "]"'],
    ['bad quantifier', 'a{x}', 'bad quantifier'],
    ['unknown escape', '\\q', 'unknown escape'],
    ['lone quantifier', '*a', 'unescaped "*"'],
  ])('%s is reported', (_name, pattern, wantErr) => {
    const t = translateXsdRegex(pattern);
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.message).toContain(wantErr);
  });
});
