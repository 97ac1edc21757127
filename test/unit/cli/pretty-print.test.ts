// The `show` pretty-printer: the REST spec §4.4 example byte for byte, depths 1-3, tables for
// arrays of objects, -hide, top-level arrays (members re-sorted by the Go round trip) and scalars.

import { gabsNormalize, parseJson } from '../../../src/cli/go-json';
import { DEPTH, formatScalar, prettyPrint } from '../../../src/cli/pretty-print';
import { Screen } from '../../../src/cli/screen';
import { LB0 } from './spec-answers';

/** What `show` prints: the pretty text plus the final newline the client adds. */
function show(body: unknown, deep: number = DEPTH.NORMAL, hide: string[] = [], width = -1): string {
  let out = '';
  const screen = new Screen(width, (t) => (out += t));
  const json = parseJson(typeof body === 'string' ? body : JSON.stringify(body));
  if (!json.ok) throw new Error(json.error);
  screen.add(prettyPrint(screen, gabsNormalize(json.value), new Set(hide), deep) + '\n');
  screen.flush();
  return out;
}

const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('prettyPrint', () => {
  // REST spec §4.4: the real client's output for `polycubectl lb0 show` (notice removed there).
  test('the spec §4.4 example, exactly', () => {
    expect(show(LB0)).toBe(
      lines(
        'name: lb0',
        'uuid: u1',
        'service-name: lbrp',
        'type: TC',
        'loglevel: INFO',
        'shadow: false',
        'span: false',
        'port_mode: single',
        'src-ip-rewrite:',
        '',
        'ports:',
        ' name  uuid  status  peer   type      ip',
        ' p1    pu1   DOWN    veth1  frontend  10.0.0.1',
        '',
        'service:',
        ' name  vip       vport  proto  backend',
        ' svc   10.0.0.1  80     tcp    [1 items]',
        '',
      ),
    );
  });

  // -brief prints arrays as counts and no table.
  test('-brief', () => {
    expect(show(LB0, DEPTH.BRIEF)).toBe(
      lines(
        'name: lb0',
        'uuid: u1',
        'service-name: lbrp',
        'type: TC',
        'loglevel: INFO',
        'shadow: false',
        'span: false',
        'port_mode: single',
        'src-ip-rewrite:',
        'ports: [1 items]',
        'service: [1 items]',
        '',
      ),
    );
  });

  // -verbose expands nested arrays into "<member> (<array>)" columns, one row per nested element;
  // every cell but the last is padded, even when empty.
  test('-verbose expands backends', () => {
    const body = {
      service: [
        {
          name: 's1',
          vport: 80,
          backend: [
            { ip: '1.1.1.1', weight: 1 },
            { ip: '2.2.2.2', weight: 2 },
          ],
        },
        { name: 's2', vport: 81 },
      ],
    };
    expect(show(body, DEPTH.VERBOSE, [], 200)).toBe(
      lines(
        '',
        'service:',
        ' name  vport  ip (backend)  weight (backend)',
        ' s1    80     1.1.1.1       1',
        '              2.2.2.2       2',
        ' s2    81                   ',
        '',
      ),
    );
  });

  // Objects nest with one more space; -hide removes by dotted path (a hidden column keeps its glue).
  test('nested objects and -hide', () => {
    const body = {
      name: 'lb0',
      uuid: 'u',
      'src-ip-rewrite': { 'ip-range': '10.2.0.0/24', new_ip_range: '' },
      ports: [{ name: 'p1', uuid: 'x', peer: 'v' }],
    };
    expect(show(body, DEPTH.NORMAL, ['uuid', 'ports.uuid', 'src-ip-rewrite.new_ip_range'], 200)).toBe(
      lines(
        'name: lb0',
        'src-ip-rewrite:',
        ' ip-range: 10.2.0.0/24',
        '',
        'ports:',
        ' name    peer',
        ' p1      v',
        '',
      ),
    );
  });

  // A top-level array (a collection GET) is re-marshalled: members come out sorted; the
  // trailing ["_links", …] element is neither object nor string and is ignored.
  test('top-level array', () => {
    const body = [
      { vip: '10.0.0.1', vport: 80, proto: 'tcp', name: 'svc' },
      ['_links', [{ rel: 'self', href: '//x/' }]],
    ];
    expect(show(body, DEPTH.NORMAL, [], 200)).toBe(
      lines('name  proto  vip       vport', 'svc   tcp    10.0.0.1  80', ''),
    );
  });

  // Arrays of strings become one unnamed column.
  test('array of strings', () => {
    expect(show({ tcubes: ['fw1', 'fw2'] }, DEPTH.NORMAL, [], 200)).toBe(
      lines('', 'tcubes:', ' ', ' fw1', ' fw2', ''),
    );
  });

  // A bare scalar (a leaf GET) prints alone; null prints nothing.
  test.each([
    ['"multi"', 'multi\n\n'],
    ['20', '20\n\n'],
    ['null', '\n'],
  ])('scalar body %s', (body, want) => {
    expect(show(body, DEPTH.NORMAL, [], 200)).toBe(want);
  });
});

describe('formatScalar', () => {
  test.each([
    ['"1.5"', '1.5'],
    ['1.5', '1.500000'],
    ['80', '80'],
    ['-0', '-0'],
    ['999999', '999999'],
    ['1000000', '1000000.000000'],
    ['1e21', '1000000000000000000000.000000'],
    ['0.0078125', '0.007812'],
    ['0.0000001', '0.000000'],
    ['true', 'true'],
    ['null', '<nil>'],
  ])('%s → %s', (text, want) => {
    const v = parseJson(text);
    if (!v.ok) throw new Error(v.error);
    expect(formatScalar(v.value)).toBe(want);
  });
});
