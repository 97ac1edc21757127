// `show -yaml` output as Go's yaml.v2 writes it (natural key order, unindented sequences,
// quoting rules, literal blocks, folding past column 80), and yaml.v2's scalar typing.

import { emitYamlV2, type YamlValue } from '../../../src/cli/yaml-v2-emit';
import { resolvePlain, sortYamlKeys } from '../../../src/cli/yaml-v2-resolve';
import { LB0 } from './spec-answers';

/** JSON-ish input → YamlValue (integers exact, other numbers as floats). */
function y(v: unknown): YamlValue {
  if (Array.isArray(v)) return v.map(y);
  if (v !== null && typeof v === 'object')
    return { kind: 'map', entries: Object.entries(v).map(([k, c]) => [k, y(c)]) };
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return v as YamlValue;
}

const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('emitYamlV2', () => {
  // The cube object of REST spec §4.1: keys sorted, lists as "- " items under their key.
  test('cube object', () => {
    expect(emitYamlV2(y(LB0))).toBe(
      lines(
        '_links:',
        '- href: //localhost:9000/polycube/v1/lbrp/lb0/',
        '  rel: self',
        '- href: //localhost:9000/polycube/v1/lbrp/lb0/uuid/',
        '  rel: uuid',
        'loglevel: INFO',
        'name: lb0',
        'port_mode: single',
        'ports:',
        '- ip: 10.0.0.1',
        '  name: p1',
        '  peer: veth1',
        '  status: DOWN',
        '  type: frontend',
        '  uuid: pu1',
        'service:',
        '- backend:',
        '  - ip: 1.2.3.4',
        '    name: b1',
        '    port: 80',
        '    weight: 20',
        '  name: svc',
        '  proto: tcp',
        '  vip: 10.0.0.1',
        '  vport: 80',
        'service-name: lbrp',
        'shadow: false',
        'span: false',
        'src-ip-rewrite: {}',
        'type: TC',
        'uuid: u1',
      ),
    );
  });

  // Strings that would read back as something else are double-quoted (even the key "n", a YAML 1.1
  // boolean); plain-unsafe ones single-quoted; multi-line ones as literal blocks.
  test('scalar styles', () => {
    const v = {
      a: '',
      b: 'true',
      c: '80',
      d: 'yes',
      e: '1:20',
      f: ' x',
      g: 'a: b',
      h: '#x',
      i: 'x #y',
      j: '-',
      k: '- x',
      l: "it's",
      m: 'a\tb',
      n: 'line1\nline2',
      o: 'null',
      p: '2001-12-14',
      q: '@x',
      r: 'é',
      s: '\u{1F600}',
      t: 1.5,
      u: null,
    };
    expect(emitYamlV2(y(v))).toBe(
      lines(
        'a: ""',
        'b: "true"',
        'c: "80"',
        'd: "yes"',
        'e: "1:20"',
        "f: ' x'",
        "g: 'a: b'",
        "h: '#x'",
        "i: 'x #y'",
        "j: '-'",
        "k: '- x'",
        "l: it's",
        'm: "a\\tb"',
        '"n": |-',
        '  line1',
        '  line2',
        'o: "null"',
        'p: "2001-12-14"',
        "q: '@x'",
        'r: é',
        's: "\\U0001F600"',
        't: 1.5',
        'u: null',
      ),
    );
  });

  // libyaml breaks a plain scalar at the first space once the line is past column 80.
  test('long plain scalars fold', () => {
    expect(emitYamlV2(y({ k: 'a'.repeat(78) + ' b c' }))).toBe(`k: ${'a'.repeat(78)}\n  b c\n`);
  });

  test.each([
    [[], '[]\n'],
    [{}, '{}\n'],
    ['x', 'x\n'],
    [[1, [2, 3], {}], '- 1\n- - 2\n  - 3\n- {}\n'],
    [1234567.5, '1.2345675e+06\n'],
  ])('%j', (v, want) => expect(emitYamlV2(y(v))).toBe(want));
});

describe('yaml.v2 typing and key order', () => {
  test.each([
    ['yes', 'bool'],
    ['Off', 'bool'],
    ['~', 'null'],
    ['0x1F', 'int'],
    ['1_000', 'int'],
    ['1.5', 'float'],
    ['.5', 'float'],
    ['.inf', 'float'],
    ['2001-12-14', 'timestamp'],
    ['10.0.0.1', 'str'],
    ['1:20', 'str'],
    ['<<', 'str'],
    ['n', 'bool'],
    ['hello', 'str'],
  ])('%s resolves to !!%s', (s, tag) => expect(resolvePlain(s).tag).toBe(tag));

  test('natural key order', () => {
    expect(sortYamlKeys(['b', 'a10', 'a9', 'A', '_x', 'ports', 'port_mode', 'a'])).toEqual([
      '_x',
      'A',
      'a',
      'a9',
      'a10',
      'b',
      'port_mode',
      'ports',
    ]);
  });
});
