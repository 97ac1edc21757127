// Words → HTTP request exactly as the real client builds it: every row of REST spec §2.6, typing
// of body values, the single-parameter PATCH, PathEscape, help URLs and stdin bodies.

import { parseCliArgs } from '../../../src/cli/cli-args';
import {
  buildRequest,
  pathEscape,
  typeBodyValue,
  buildSingleParamBody,
} from '../../../src/cli/request-builder';
import { encodeGoJson } from '../../../src/cli/go-json';

const BASE = 'http://localhost:9000/polycube/v1/';

function request(line: string, stdin?: string, workaround = true) {
  const parsed = parseCliArgs(line === '' ? [] : line.split(' '));
  if (!parsed.ok) throw new Error(parsed.error);
  const built = buildRequest(parsed.args, BASE, workaround, () => stdin);
  if (!built.ok) throw new Error(built.error);
  return built.request;
}

interface Row {
  name: string;
  in: string;
  stdin?: string;
  wantMethod: string;
  wantPath: string;
  wantBody?: string;
}

// REST spec §2.6, request column (verified there against the real binary).
const spec26: Row[] = [
  {
    name: 'lbrp add with two leaves',
    in: 'lbrp add lb0 port_mode=MULTI loglevel=TRACE',
    wantMethod: 'POST',
    wantPath: 'lbrp/lb0/',
    wantBody: '{"loglevel":"TRACE","port_mode":"MULTI"}',
  },
  {
    name: 'lbrp add from a YAML file',
    in: 'lbrp add lb0',
    stdin: 'port_mode: MULTI\nloglevel: TRACE\n',
    wantMethod: 'POST',
    wantPath: 'lbrp/lb0/',
    wantBody: '{"loglevel":"TRACE","port_mode":"MULTI"}',
  },
  { name: 'lbrp del', in: 'lbrp del lb0', wantMethod: 'DELETE', wantPath: 'lbrp/lb0/' },
  { name: 'lbrp show', in: 'lbrp show', wantMethod: 'GET', wantPath: 'lbrp/' },
  { name: 'cube-name shortcut show', in: 'lb0 show', wantMethod: 'GET', wantPath: 'lb0/' },
  { name: 'lbrp lb0 show', in: 'lbrp lb0 show', wantMethod: 'GET', wantPath: 'lbrp/lb0/' },
  {
    name: 'ports add',
    in: 'lb0 ports add p1 type=FRONTEND peer=veth1 ip=10.0.0.1',
    wantMethod: 'POST',
    wantPath: 'lb0/ports/p1/',
    wantBody: '{"ip":"10.0.0.1","peer":"veth1","type":"FRONTEND"}',
  },
  {
    name: 'ports set one leaf',
    in: 'lb0 ports p1 set peer=veth2',
    wantMethod: 'PATCH',
    wantPath: 'lb0/ports/p1/peer/',
    wantBody: '"veth2"',
  },
  {
    name: 'ports set an empty peer',
    in: 'lb0 ports p1 set peer=',
    wantMethod: 'PATCH',
    wantPath: 'lb0/ports/p1/peer/',
    wantBody: '""',
  },
  { name: 'ports del', in: 'lb0 ports del p1', wantMethod: 'DELETE', wantPath: 'lb0/ports/p1/' },
  {
    name: 'service add',
    in: 'lb0 service add 10.0.0.1 80 tcp name=svc',
    wantMethod: 'POST',
    wantPath: 'lb0/service/10.0.0.1/80/tcp/',
    wantBody: '{"name":"svc"}',
  },
  {
    name: 'backend add',
    in: 'lbrp lb0 service 10.0.0.1 80 TCP backend add 1.2.3.4 port=80 weight=20 name=b1',
    wantMethod: 'POST',
    wantPath: 'lbrp/lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4/',
    wantBody: '{"name":"b1","port":80,"weight":20}',
  },
  {
    name: 'backend set one leaf',
    in: 'lb0 service 10.0.0.1 80 TCP backend 1.2.3.4 set weight=3',
    wantMethod: 'PATCH',
    wantPath: 'lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4/weight/',
    wantBody: '3',
  },
  {
    name: 'backend set two leaves',
    in: 'lb0 service 10.0.0.1 80 TCP backend 1.2.3.4 set port=81 weight=3',
    wantMethod: 'PATCH',
    wantPath: 'lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4/',
    wantBody: '{"port":81,"weight":3}',
  },
  {
    name: 'service del',
    in: 'lb0 service del 10.0.0.1 80 TCP',
    wantMethod: 'DELETE',
    wantPath: 'lb0/service/10.0.0.1/80/TCP/',
  },
  { name: 'service del without keys', in: 'lb0 service del', wantMethod: 'DELETE', wantPath: 'lb0/service/' },
  { name: 'service show', in: 'lb0 service show', wantMethod: 'GET', wantPath: 'lb0/service/' },
  {
    name: 'src-ip-rewrite set one leaf',
    in: 'lb0 src-ip-rewrite set ip-range=10.2.0.0/24',
    wantMethod: 'PATCH',
    wantPath: 'lb0/src-ip-rewrite/ip-range/',
    wantBody: '"10.2.0.0/24"',
  },
  {
    name: 'src-ip-rewrite set two leaves',
    in: 'lb0 src-ip-rewrite set ip-range=10.2.0.0/24 new_ip_range=10.3.0.0/24',
    wantMethod: 'PATCH',
    wantPath: 'lb0/src-ip-rewrite/',
    wantBody: '{"ip-range":"10.2.0.0/24","new_ip_range":"10.3.0.0/24"}',
  },
  {
    name: 'set loglevel',
    in: 'lb0 set loglevel=debug',
    wantMethod: 'PATCH',
    wantPath: 'lb0/loglevel/',
    wantBody: '"debug"',
  },
  { name: 'set span', in: 'lb0 set span=true', wantMethod: 'PATCH', wantPath: 'lb0/span/', wantBody: 'true' },
  { name: 'leaf show', in: 'lb0 port_mode show', wantMethod: 'GET', wantPath: 'lb0/port_mode/' },
];

const more: Row[] = [
  { name: 'no command is a POST with {}', in: 'lb0', wantMethod: 'POST', wantPath: 'lb0/', wantBody: '{}' },
  { name: 'help without path words', in: '?', wantMethod: 'OPTIONS', wantPath: '?help=NONE' },
  { name: 'no words at all is the root help', in: '', wantMethod: 'OPTIONS', wantPath: '?help=NONE' },
  {
    name: 'help drops the trailing slash',
    in: 'lb0 service add ?',
    wantMethod: 'OPTIONS',
    wantPath: 'lb0/service?help=ADD',
  },
  {
    name: 'help ignores body arguments',
    in: 'lb0 set a=1 ?',
    wantMethod: 'OPTIONS',
    wantPath: 'lb0?help=SET',
  },
  {
    name: 'path words are PathEscaped',
    in: 'lb0 route 10.0.0.0/24 a b show',
    wantMethod: 'GET',
    wantPath: 'lb0/route/10.0.0.0%2F24/a/b/',
  },
  { name: 'dot segments are sent as typed', in: 'lb0 .. show', wantMethod: 'GET', wantPath: 'lb0/../' },
  {
    name: 'a.b=1 nests',
    in: 'lb0 add a.b=1 a.c=x',
    wantMethod: 'POST',
    wantPath: 'lb0/',
    wantBody: '{"a":{"b":1,"c":"x"}}',
  },
  {
    name: 'name=t is sent as a boolean',
    in: 'lb0 add name=t',
    wantMethod: 'POST',
    wantPath: 'lb0/',
    wantBody: '{"name":true}',
  },
  {
    name: 'numbers are typed',
    in: 'lb0 add a=1 b=1.5 c=1e3 d=-7 e=+8 f=007',
    wantMethod: 'POST',
    wantPath: 'lb0/',
    wantBody: '{"a":1,"b":1.5,"c":1000,"d":-7,"e":8,"f":7}',
  },
  {
    name: 'an infinite float empties the whole body',
    in: 'lb0 add a=1 b=inf',
    wantMethod: 'POST',
    wantPath: 'lb0/',
    wantBody: '{}',
  },
  {
    name: 'strings are Go-escaped',
    in: 'lb0 add a=<b>&"c"',
    wantMethod: 'POST',
    wantPath: 'lb0/',
    wantBody: '{"a":"\\u003cb\\u003e\\u0026\\"c\\""}',
  },
  {
    name: 'single-parameter key is appended unescaped',
    in: 'lb0 set a/b=1',
    wantMethod: 'PATCH',
    wantPath: 'lb0/a/b/',
    wantBody: '1',
  },
  {
    name: 'set with one argument ignores stdin',
    in: 'lb0 set a=1',
    stdin: 'b: 2\n',
    wantMethod: 'PATCH',
    wantPath: 'lb0/a/',
    wantBody: '1',
  },
  {
    name: 'stdin replaces body arguments',
    in: 'lb0 set a=1 b=2',
    stdin: '{"z": 1, "y": [true, "x"]}',
    wantMethod: 'PATCH',
    wantPath: 'lb0/',
    wantBody: '{"y":[true,"x"],"z":1}',
  },
  {
    name: 'stdin is never read for show',
    in: 'lb0 show',
    stdin: 'a: 1\n',
    wantMethod: 'GET',
    wantPath: 'lb0/',
  },
  {
    name: 'stdin YAML uses YAML 1.1 scalars',
    in: 'lb0 add',
    stdin: 'a: yes\nb: 0x10\nc: "5"\nd: ~\ne: 1.0\n',
    wantMethod: 'POST',
    wantPath: 'lb0/',
    wantBody: '{"a":true,"b":16,"c":"5","d":null,"e":1}',
  },
];

describe('buildRequest', () => {
  test.each([...spec26, ...more])('$name', (row) => {
    const r = request(row.in, row.stdin);
    expect({ method: r.method, url: r.url, body: r.body }).toEqual({
      method: row.wantMethod,
      url: BASE + row.wantPath,
      body: row.wantBody,
    });
  });

  // Without the workaround a single `set` argument goes into an object body.
  test('singleparameterworkaround: false sends an object', () => {
    const r = request('lb0 set loglevel=debug', undefined, false);
    expect([r.url, r.body]).toEqual([BASE + 'lb0/', '{"loglevel":"debug"}']);
  });

  // An unreadable stdin body is reported, not sent.
  test('invalid YAML on stdin is an error', () => {
    const parsed = parseCliArgs(['lb0', 'add']);
    if (!parsed.ok) throw new Error();
    const built = buildRequest(parsed.args, BASE, true, () => 'a: [1\n');
    expect(built.ok).toBe(false);
  });
});

describe('typeBodyValue', () => {
  test.each([
    ['80', '80'],
    ['9223372036854775807', '9223372036854775807'],
    ['9223372036854775808', '9223372036854776000'],
    ['1_000', '1000'],
    ['.5', '0.5'],
    ['0x1p3', '8'],
    ['t', 'true'],
    ['False', 'false'],
    ['yes', '"yes"'],
    ['1e400', '"1e400"'],
    ['10.0.0.1', '"10.0.0.1"'],
  ])('%s is sent as %s', (v, want) => {
    expect(encodeGoJson(typeBodyValue(v), '', 'verbatim')).toBe(want);
  });
});

describe('buildSingleParamBody', () => {
  test.each([
    ['', '""'],
    ['3', '3'],
    ['+3', '+3'],
    ['1.5', '1.5'],
    ['inf', 'inf'],
    ['true', 'true'],
    ['veth2', '"veth2"'],
    ['"quoted"', '"quoted"'],
    ['"half', '"half'],
    ['half"', 'half"'],
    ['a"b', '"a"b"'],
  ])('value %j is sent as %s', (v, want) => {
    expect(buildSingleParamBody('k', v)).toEqual({ path: 'k/', body: want });
  });
});

describe('pathEscape', () => {
  test.each([
    ['10.0.0.0/24', '10.0.0.0%2F24'],
    ['a b', 'a%20b'],
    ['br1:port1', 'br1:port1'],
    ["$&+=@-_.~!*'();,?#%", '$&+=@-_.~%21%2A%27%28%29%3B%2C%3F%23%25'],
    ['é', '%C3%A9'],
  ])('%s → %s', (w, want) => {
    expect(pathEscape(w)).toBe(want);
  });
});
