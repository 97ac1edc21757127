// The lbrp route table is REST spec §6.4: every route, its methods, path parameters and body.

import { buildRouteTable, type RouteRow } from '../../../../codegen/src/routes/route-table';
import { lbrpModule } from '../helpers/lbrp';

// REST spec §6.4, verbatim: `P` = /polycube/v1/lbrp, `…` = P/:name/service/:vip/:vport, and
// `{a,b}` / `A`, `B` list alternatives.
const SPEC_6_4 = `
P | GET POST PATCH OPTIONS
P/:name | GET POST PUT PATCH DELETE OPTIONS
P/:name/uuid | GET OPTIONS
P/:name/type, P/:name/service-name, P/:name/shadow | GET OPTIONS
P/:name/loglevel, P/:name/span, P/:name/port_mode | GET PATCH OPTIONS
P/:name/ports | GET POST PUT PATCH DELETE OPTIONS
P/:name/ports/:ports_name | GET POST PUT PATCH DELETE OPTIONS
P/:name/ports/:ports_name/{uuid,status,tcubes} | GET OPTIONS
P/:name/ports/:ports_name/{peer,type,ip} | GET PATCH OPTIONS
P/:name/src-ip-rewrite | GET POST PUT PATCH DELETE OPTIONS
P/:name/src-ip-rewrite/{ip-range,new_ip_range} | GET PATCH OPTIONS
P/:name/service | GET POST PUT PATCH DELETE OPTIONS
P/:name/service/:vip, P/:name/service/:vip/:vport | OPTIONS
P/:name/service/:vip/:vport/:proto | GET POST PUT PATCH DELETE OPTIONS
…/:proto/name | GET PATCH OPTIONS
…/:proto/backend | GET POST PUT PATCH DELETE OPTIONS
…/:proto/backend/:ip | GET POST PUT PATCH DELETE OPTIONS
…/:proto/backend/:ip/{name,port,weight} | GET PATCH OPTIONS
`;

// What this lbrp adds to §6.4: the operational counters (config false, so read-only routes) of
// each service and each backend (issue 6), the size leaves (issue 13), the session policy
// (changeable at run time) and the session table counters (issue 14), the service policy leaves
// drain-timeout, session-affinity, affinity-timeout, the health-check container and each
// backend's health (issue 15), the drop counters per reason (issue 18).
const COUNTERS = `
P/:name/{session-table-size,max-services,max-backends,maglev-slots,kernel-memory} | GET OPTIONS
P/:name/{tcp-new-timeout,tcp-established-timeout,tcp-closing-timeout,udp-timeout,icmp-timeout,new-sessions-per-cpu,sessionless-reply-nat,probe-source,probe-next-hop} | GET PATCH OPTIONS
P/:name/{active-sessions,session-table-entries,admissions-refused,evictions-expired,evictions-unestablished,evictions-established,sessions-not-stored,stateless-replies,fragments-translated} | GET OPTIONS
P/:name/drop | GET OPTIONS
P/:name/drop/:reason | GET OPTIONS
P/:name/drop/:reason/packets | GET OPTIONS
…/:proto/{packets,bytes,active-sessions,total-sessions} | GET OPTIONS
…/:proto/backend/:ip/{packets,bytes,active-sessions,total-sessions} | GET OPTIONS
…/:proto/{drain-timeout,session-affinity,affinity-timeout} | GET PATCH OPTIONS
…/:proto/backend/:ip/{health,health-detail,up,health-transitions} | GET OPTIONS
…/:proto/health-check | GET POST PUT PATCH DELETE OPTIONS
…/:proto/health-check/{type,port,interval,timeout,rise,fall,http-path,http-status,udp-payload,udp-expect} | GET PATCH OPTIONS
`;

/** Expands the spec table into "path methods" lines. */
function expandSpec(text: string): string[] {
  const out: string[] = [];
  for (const line of text.trim().split('\n')) {
    const [routes, methods] = line.split(' | ');
    for (let route of routes.split(', ')) {
      route = route.replace(/^…/, 'P/:name/service/:vip/:vport').replace(/^P/, '/polycube/v1/lbrp');
      const brace = /\{([^}]*)\}$/.exec(route);
      const alts = brace ? brace[1].split(',').map((a) => route.slice(0, brace.index) + a) : [route];
      for (const r of alts) out.push(`${r} ${methods}`);
    }
  }
  return out;
}

const rows = buildRouteTable(lbrpModule());
const row = (path: string): RouteRow => {
  const r = rows.find((x) => x.path === `/polycube/v1/lbrp${path}`);
  if (!r) throw new Error(`no route ${path}`);
  return r;
};

describe('buildRouteTable(lbrp)', () => {
  // Same routes and methods as §6.4 plus the read-only counters, nothing more and nothing less.
  test('reproduces REST spec §6.4', () => {
    const got = rows.map((r) => `${r.path} ${r.methods.join(' ')}`);
    expect([...got].sort()).toEqual([...expandSpec(SPEC_6_4), ...expandSpec(COUNTERS)].sort());
  });

  // Rows follow the schema depth-first: each list's collection, key prefixes, element, children.
  test('rows are in schema order', () => {
    expect(rows.map((r) => `${r.kind} ${r.path.slice('/polycube/v1/lbrp'.length) || '/'}`)).toEqual([
      'service /',
      'cube /:name',
      'leaf /:name/uuid',
      'leaf /:name/type',
      'leaf /:name/service-name',
      'leaf /:name/loglevel',
      'list /:name/ports',
      'element /:name/ports/:ports_name',
      'leaf /:name/ports/:ports_name/uuid',
      'leaf /:name/ports/:ports_name/status',
      'leaf /:name/ports/:ports_name/peer',
      'leaf /:name/ports/:ports_name/tcubes',
      'leaf /:name/ports/:ports_name/type',
      'leaf /:name/ports/:ports_name/ip',
      'leaf /:name/shadow',
      'leaf /:name/span',
      'leaf /:name/port_mode',
      'leaf /:name/session-table-size',
      'leaf /:name/max-services',
      'leaf /:name/max-backends',
      'leaf /:name/maglev-slots',
      'leaf /:name/kernel-memory',
      'leaf /:name/tcp-new-timeout',
      'leaf /:name/tcp-established-timeout',
      'leaf /:name/tcp-closing-timeout',
      'leaf /:name/udp-timeout',
      'leaf /:name/icmp-timeout',
      'leaf /:name/new-sessions-per-cpu',
      'leaf /:name/sessionless-reply-nat',
      'leaf /:name/probe-source',
      'leaf /:name/probe-next-hop',
      'leaf /:name/active-sessions',
      'leaf /:name/session-table-entries',
      'leaf /:name/admissions-refused',
      'leaf /:name/evictions-expired',
      'leaf /:name/evictions-unestablished',
      'leaf /:name/evictions-established',
      'leaf /:name/sessions-not-stored',
      'leaf /:name/stateless-replies',
      'leaf /:name/fragments-translated',
      'list /:name/drop',
      'element /:name/drop/:reason',
      'leaf /:name/drop/:reason/packets',
      'container /:name/src-ip-rewrite',
      'leaf /:name/src-ip-rewrite/ip-range',
      'leaf /:name/src-ip-rewrite/new_ip_range',
      'list /:name/service',
      'key-prefix /:name/service/:vip',
      'key-prefix /:name/service/:vip/:vport',
      'element /:name/service/:vip/:vport/:proto',
      'leaf /:name/service/:vip/:vport/:proto/name',
      'leaf /:name/service/:vip/:vport/:proto/drain-timeout',
      'leaf /:name/service/:vip/:vport/:proto/session-affinity',
      'leaf /:name/service/:vip/:vport/:proto/affinity-timeout',
      'list /:name/service/:vip/:vport/:proto/backend',
      'element /:name/service/:vip/:vport/:proto/backend/:ip',
      'leaf /:name/service/:vip/:vport/:proto/backend/:ip/name',
      'leaf /:name/service/:vip/:vport/:proto/backend/:ip/port',
      'leaf /:name/service/:vip/:vport/:proto/backend/:ip/weight',
      'leaf /:name/service/:vip/:vport/:proto/backend/:ip/packets',
      'leaf /:name/service/:vip/:vport/:proto/backend/:ip/bytes',
      'leaf /:name/service/:vip/:vport/:proto/backend/:ip/active-sessions',
      'leaf /:name/service/:vip/:vport/:proto/backend/:ip/total-sessions',
      ...['health', 'health-detail', 'up', 'health-transitions'].map(
        (l) => `leaf /:name/service/:vip/:vport/:proto/backend/:ip/${l}`,
      ),
      'container /:name/service/:vip/:vport/:proto/health-check',
      ...[
        'type',
        'port',
        'interval',
        'timeout',
        'rise',
        'fall',
        'http-path',
        'http-status',
        'udp-payload',
        'udp-expect',
      ].map((l) => `leaf /:name/service/:vip/:vport/:proto/health-check/${l}`),
      'leaf /:name/service/:vip/:vport/:proto/packets',
      'leaf /:name/service/:vip/:vport/:proto/bytes',
      'leaf /:name/service/:vip/:vport/:proto/active-sessions',
      'leaf /:name/service/:vip/:vport/:proto/total-sessions',
    ]);
  });

  // The ports key is renamed in the path because the cube already uses :name; the body member
  // keeps the YANG name.
  test('path params name their key, list and leaf', () => {
    const params = row('/:name/service/:vip/:vport/:proto/backend/:ip').params;
    expect(params.map((p) => [p.param, p.key, p.list?.path])).toEqual([
      ['name', 'name', undefined],
      ['vip', 'vip', '/lbrp/service'],
      ['vport', 'vport', '/lbrp/service'],
      ['proto', 'proto', '/lbrp/service'],
      ['ip', 'ip', '/lbrp/service/backend'],
    ]);
    expect(row('/:name/ports/:ports_name').params[1]).toMatchObject({ param: 'ports_name', key: 'name' });
    expect(row('/:name/service/:vip').params.map((p) => p.param)).toEqual(['name', 'vip']);
  });

  // Bodies of the service collection are cube objects; key prefixes and read-only leaves take none.
  test('body targets follow the writable methods', () => {
    expect(row('').body).toMatchObject({ kind: 'cube' });
    expect(row('/:name/ports').body).toMatchObject({ kind: 'list' });
    expect(row('/:name/ports/:ports_name').body).toMatchObject({ kind: 'element' });
    expect(row('/:name/loglevel').body).toMatchObject({ kind: 'leaf' });
    expect(row('/:name/type').body).toBeUndefined();
    expect(row('/:name/service/:vip').body).toBeUndefined();
    expect(row('/:name/service/:vip/:vport')).toMatchObject({ kind: 'key-prefix', keyCount: 2 });
  });

  test('schema paths name the node', () => {
    expect(row('/:name/service/:vip/:vport/:proto/backend/:ip/weight').schemaPath).toBe(
      '/lbrp/service/backend/weight',
    );
    expect(row('').schemaPath).toBe('/lbrp');
  });
});
