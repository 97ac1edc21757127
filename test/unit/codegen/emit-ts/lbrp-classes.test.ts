// The committed generated lbrp classes (src/generated/lbrp) read and write the GET shapes of REST
// spec §4.1 and §4.2: same members, same member order, enum values in their YANG spelling.

import {
  Backend,
  JsonShapeError,
  LBRP_PORT_MODE_VALUES,
  Lbrp,
  Ports,
  Service,
  SrcIpRewrite,
} from '../../../../src/generated/lbrp';

// REST spec §4.1, GET /polycube/v1/lbrp/lb0, with polycubed's `_links` (not part of the model).
const CUBE_4_1 = {
  name: 'lb0',
  uuid: 'c5f7a9a6-1e0b-4a8c-9d1e-0b7a6e2f3c11',
  'service-name': 'lbrp',
  type: 'TC',
  loglevel: 'TRACE',
  ports: [
    { name: 'p1', uuid: 'u1', status: 'DOWN', peer: 'veth1', type: 'frontend', ip: '10.0.0.1' },
    { name: 'p2', uuid: 'u2', status: 'UP', peer: '', type: 'backend', ip: '' },
  ],
  shadow: false,
  span: false,
  port_mode: 'single',
  'src-ip-rewrite': { 'ip-range': '', new_ip_range: '' },
  service: [
    {
      name: 'svc',
      vip: '10.0.0.1',
      vport: 80,
      proto: 'tcp',
      backend: [{ name: 'b1', ip: '1.2.3.4', port: 80, weight: 20 }],
    },
  ],
  _links: [{ rel: 'self', href: '//localhost:9000/polycube/v1/lbrp/lb0/' }],
};

/**
 * The defaults of the init-only size leaves and of the session policy, which §4.1 predates
 * (toJson adds them last).
 */
const SIZE_DEFAULTS = {
  'session-table-size': 65536,
  'max-services': 1024,
  'max-backends': 4096,
  'maglev-slots': 262144,
  'tcp-new-timeout': 60,
  'tcp-established-timeout': 7200,
  'tcp-closing-timeout': 10,
  'udp-timeout': 60,
  'icmp-timeout': 30,
  'new-sessions-per-cpu': 100000,
  'sessionless-reply-nat': false,
  'probe-source': '0.0.0.0',
  'probe-next-hop': '0.0.0.0',
};

/** §4.1 as toJson writes it back: no `_links`, enum values in their YANG spelling, size defaults. */
function canonical(): Record<string, unknown> {
  const { _links: _ignored, ...rest } = structuredClone(CUBE_4_1);
  rest.ports[0].type = 'FRONTEND';
  rest.ports[1].type = 'BACKEND';
  rest.port_mode = 'SINGLE';
  rest.service[0].proto = 'TCP';
  // The service policy leaves, which §4.1 predates too (added after the members given).
  Object.assign(rest.service[0], {
    'drain-timeout': 0,
    'session-affinity': 'NONE',
    'affinity-timeout': 10800,
  });
  return { ...rest, ...SIZE_DEFAULTS };
}

describe('generated lbrp classes', () => {
  // The whole cube object goes through fromJson/toJson with every member and its order kept
  // (polycubed writes service-name before type, which is not schema order).
  test('the §4.1 cube object round-trips with member order kept', () => {
    expect(JSON.stringify(Lbrp.fromJson(CUBE_4_1).toJson())).toBe(JSON.stringify(canonical()));
  });

  // Each element shape of §4.2 (list entries and the container) round-trips on its own.
  test.each([
    [
      'ports entry',
      Ports,
      { name: 'p1', uuid: 'u1', status: 'DOWN', peer: 'veth1', type: 'FRONTEND', ip: '10.0.0.1' },
    ],
    [
      'ports entry with tcubes',
      Ports,
      { name: 'p1', peer: '', tcubes: ['t1', 't2'], type: 'BACKEND', ip: '' },
    ],
    [
      'service entry',
      Service,
      {
        name: '',
        vip: '10.0.0.1',
        vport: 0,
        proto: 'ICMP',
        'drain-timeout': 30,
        'session-affinity': 'CLIENT_IP',
        'affinity-timeout': 60,
      },
    ],
    ['backend entry', Backend, { name: 'b1', ip: '1.2.3.4', port: 80, weight: 20 }],
    ['src-ip-rewrite', SrcIpRewrite, { 'ip-range': '10.2.0.0/24', new_ip_range: '10.3.0.0/24' }],
  ] as [string, { fromJson(j: unknown): { toJson(): object } }, object][])(
    '%s round-trips',
    (_name, cls, json) => {
      expect(JSON.stringify(cls.fromJson(json).toJson())).toBe(JSON.stringify(json));
    },
  );

  // Members are typed and named in camelCase; enum values match ignoring case.
  test('fromJson gives typed camelCase members', () => {
    const lb = Lbrp.fromJson(CUBE_4_1);
    expect(lb.serviceName).toBe('lbrp');
    expect(lb.portMode).toBe('SINGLE');
    expect(lb.srcIpRewrite?.newIpRange).toBe('');
    expect(lb.service?.[0].vport).toBe(80);
    expect(lb.service?.[0].backend?.[0].weight).toBe(20);
    expect(LBRP_PORT_MODE_VALUES).toEqual(['SINGLE', 'MULTI', 'ROUTED']);
  });

  // A fresh object carries the YANG defaults and writes members in schema order.
  test('new objects have defaults and schema order', () => {
    const lb = new Lbrp();
    lb.name = 'lb1';
    lb.span = true;
    expect(JSON.stringify(lb.toJson())).toBe(
      '{"name":"lb1","type":"TC","loglevel":"INFO","shadow":false,"span":true,"port_mode":"SINGLE","session-table-size":65536,"max-services":1024,"max-backends":4096,"maglev-slots":262144,"tcp-new-timeout":60,"tcp-established-timeout":7200,"tcp-closing-timeout":10,"udp-timeout":60,"icmp-timeout":30,"new-sessions-per-cpu":100000,"sessionless-reply-nat":false,"probe-source":"0.0.0.0","probe-next-hop":"0.0.0.0"}',
    );
  });

  // Key helpers give the typed tuple, the key names and a path-like string.
  test('list classes expose their keys', () => {
    const svc = Service.fromJson({ vip: '10.0.0.1', vport: 80, proto: 'tcp' });
    expect(svc.$key()).toEqual(['10.0.0.1', 80, 'TCP']);
    expect(svc.$keyString()).toBe('10.0.0.1/80/TCP');
    expect(Service.$keyNames).toEqual(['vip', 'vport', 'proto']);
    expect(Ports.fromJson({ name: 'a/b' }).$keyString()).toBe('a%2Fb');
    expect(Lbrp.$keyNames).toEqual(['name']);
    expect(() => new Backend().$key()).toThrow(/key .*backend\/\{ip\}\/ip is not set/);
  });

  // Each class names its schema path with the REST path parameters.
  test('$path names the schema path', () => {
    expect(Lbrp.$path).toBe('/lbrp/{name}');
    expect(Ports.$path).toBe('/lbrp/{name}/ports/{ports_name}');
    expect(Backend.$path).toBe('/lbrp/{name}/service/{vip}/{vport}/{proto}/backend/{ip}');
    expect(SrcIpRewrite.$path).toBe('/lbrp/{name}/src-ip-rewrite');
  });

  // Wrong JSON types are programmer errors: fromJson throws, naming the path and expectation.
  test.each([
    [{ name: 'lb0', span: 'yes' }, /at \/lbrp\/\{name\}\/span: expected a boolean/],
    [{ name: 'lb0', port_mode: 'FOO' }, /expected one of SINGLE, MULTI, ROUTED/],
    [{ service: [{ vport: '80' }] }, /\/service\/\{vip\}\/\{vport\}\/\{proto\}\/vport: expected an integer/],
    [[], /expected an object/],
  ])('fromJson(%j) throws JsonShapeError', (json, want) => {
    expect(() => Lbrp.fromJson(json)).toThrow(JsonShapeError);
    expect(() => Lbrp.fromJson(json)).toThrow(want);
  });
});
