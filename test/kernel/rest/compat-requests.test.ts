// REST spec §2.6 replayed against the running stack: every polycubectl command of the table sends
// its request (redirect followed as polycubectl does) and gets the status the spec lists. Rows run
// in order — each builds on the configuration the previous ones left.

import { polycubectl } from '../../fixtures/rest/compat-client';
import { describeCompat } from '../../fixtures/rest/compat-services';
import type { RestStack } from '../../fixtures/rest/rest-stack';

interface Row {
  /** The polycubectl command the request comes from. */
  name: string;
  method: string;
  path: string;
  /** Body; `$0`/`$1` are replaced by the stack's netdev names. */
  body?: string;
  /** Statuses in order: a 308 first when the command used the cube-name shortcut. */
  want: number[];
  /** Exact final body, when the row checks it. */
  wantBody?: string;
}

const P = '/polycube/v1';
const LB0_YAML_AS_JSON = JSON.stringify({
  port_mode: 'SINGLE',
  ports: [{ name: 'f0', type: 'FRONTEND' }],
  service: [
    {
      backend: [{ ip: '10.9.0.1', port: 8080, weight: 2 }],
      name: 'web',
      proto: 'TCP',
      vip: '10.0.0.9',
      vport: 80,
    },
  ],
  'src-ip-rewrite': { 'ip-range': '10.2.0.0/24', new_ip_range: '10.3.0.0/24' },
});

const ROWS: Row[] = [
  {
    name: 'lbrp add lb0 port_mode=MULTI loglevel=TRACE',
    method: 'POST',
    path: `${P}/lbrp/lb0/`,
    body: '{"loglevel":"TRACE","port_mode":"MULTI"}',
    want: [201],
    wantBody: '',
  },
  {
    name: 'lbrp add lb1 < lb1.yaml',
    method: 'POST',
    path: `${P}/lbrp/lb1/`,
    body: LB0_YAML_AS_JSON,
    want: [201],
  },
  { name: 'lbrp show', method: 'GET', path: `${P}/lbrp/`, want: [200] },
  { name: 'lb0 show', method: 'GET', path: `${P}/lb0/`, want: [308, 200] },
  {
    name: 'lb0 ports add p1 type=FRONTEND peer=veth1 ip=10.0.0.1',
    method: 'POST',
    path: `${P}/lb0/ports/p1/`,
    body: '{"ip":"10.0.0.1","peer":"$0","type":"FRONTEND"}',
    want: [308, 201],
    wantBody: '',
  },
  {
    name: 'lb0 ports p1 set peer=veth2',
    method: 'PATCH',
    path: `${P}/lb0/ports/p1/peer/`,
    body: '"$1"',
    want: [308, 200],
  },
  {
    name: 'lb0 ports p1 set peer= (disconnect)',
    method: 'PATCH',
    path: `${P}/lb0/ports/p1/peer/`,
    body: '""',
    want: [308, 200],
  },
  {
    name: 'lb0 service add 10.0.0.1 80 tcp name=svc',
    method: 'POST',
    path: `${P}/lb0/service/10.0.0.1/80/tcp/`,
    body: '{"name":"svc"}',
    want: [308, 201],
  },
  {
    name: 'lbrp lb0 service 10.0.0.1 80 TCP backend add 1.2.3.4 port=80 weight=20 name=b1',
    method: 'POST',
    path: `${P}/lbrp/lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4/`,
    body: '{"name":"b1","port":80,"weight":20}',
    want: [201],
  },
  {
    name: 'lb0 service 10.0.0.1 80 TCP backend 1.2.3.4 set weight=3',
    method: 'PATCH',
    path: `${P}/lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4/weight/`,
    body: '3',
    want: [308, 200],
  },
  {
    name: 'lb0 service 10.0.0.1 80 TCP backend 1.2.3.4 set port=81 weight=3',
    method: 'PATCH',
    path: `${P}/lb0/service/10.0.0.1/80/TCP/backend/1.2.3.4/`,
    body: '{"port":81,"weight":3}',
    want: [308, 201],
  },
  { name: 'lb0 service show', method: 'GET', path: `${P}/lb0/service/`, want: [308, 200] },
  {
    name: 'lb0 src-ip-rewrite set ip-range=10.2.0.0/24',
    method: 'PATCH',
    path: `${P}/lb0/src-ip-rewrite/ip-range/`,
    body: '"10.2.0.0/24"',
    want: [308, 200],
  },
  {
    name: 'lb0 src-ip-rewrite set ip-range=10.2.0.0/24 new_ip_range=10.3.0.0/24',
    method: 'PATCH',
    path: `${P}/lb0/src-ip-rewrite/`,
    body: '{"ip-range":"10.2.0.0/24","new_ip_range":"10.3.0.0/24"}',
    want: [308, 201],
  },
  {
    name: 'lb0 set loglevel=debug',
    method: 'PATCH',
    path: `${P}/lb0/loglevel/`,
    body: '"debug"',
    want: [308, 200],
  },
  { name: 'lb0 set span=false', method: 'PATCH', path: `${P}/lb0/span/`, body: 'false', want: [308, 200] },
  {
    // Deviation owned by polycubed's base model: span needs a shadow cube, and shadow cubes are not supported.
    name: 'lb0 set span=true',
    method: 'PATCH',
    path: `${P}/lb0/span/`,
    body: 'true',
    want: [308, 500],
    wantBody: 'Span mode is not present in no-shadow services',
  },
  {
    name: 'lb0 port_mode show',
    method: 'GET',
    path: `${P}/lb0/port_mode/`,
    want: [308, 200],
    wantBody: '"multi"',
  },
  { name: 'lb0 ports del p1', method: 'DELETE', path: `${P}/lb0/ports/p1/`, want: [308, 204], wantBody: '' },
  {
    name: 'lb0 service add 10.0.0.2 53 UDP',
    method: 'POST',
    path: `${P}/lb0/service/10.0.0.2/53/UDP/`,
    body: '{}',
    want: [308, 201],
  },
  {
    name: 'lb0 service del 10.0.0.1 80 TCP',
    method: 'DELETE',
    path: `${P}/lb0/service/10.0.0.1/80/TCP/`,
    want: [308, 204],
  },
  { name: 'lb0 service del (all)', method: 'DELETE', path: `${P}/lb0/service/`, want: [308, 200] },
  {
    name: 'lb0 service show (empty list)',
    method: 'GET',
    path: `${P}/lb0/service/`,
    want: [308, 200],
    wantBody: 'null',
  },
  { name: 'lbrp del lb0', method: 'DELETE', path: `${P}/lbrp/lb0/`, want: [200] },
  { name: 'lbrp del lb1', method: 'DELETE', path: `${P}/lbrp/lb1/`, want: [200] },
  { name: 'lbrp show (no cubes)', method: 'GET', path: `${P}/lbrp/`, want: [200] },
];

describeCompat('kernel: REST compat — polycubectl requests of spec §2.6', ({ start }) => {
  let stack: RestStack;
  beforeAll(async () => {
    stack = await start({ netdevCount: 2 });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  // Rows share state, so they run in table order; a failure names the command.
  it.each(ROWS.map((r, i) => ({ ...r, i })))('$i: $name', async (row) => {
    const body = row.body?.replace('$0', stack.netdevs[0]).replace('$1', stack.netdevs[1]);
    const got = await polycubectl(stack, row.method, row.path, body);
    expect({ row: row.name, statuses: got.statuses }).toEqual({ row: row.name, statuses: row.want });
    if (row.wantBody !== undefined) expect(got.final.body).toBe(row.wantBody);
    if (got.statuses[0] === 308) {
      expect(got.location).toBe(row.path.replace(`${P}/`, `${P}/lbrp/`));
    }
  });
});
