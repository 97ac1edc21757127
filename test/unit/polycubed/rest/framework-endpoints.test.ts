// polycubed's own endpoints (REST spec §4.5, §3.5) through the RestRouter over a fake daemon: the
// root, /services, /version, /metrics (with the daemon's gauges), /cubes (and the POST /cubes
// batch with its rollback), /netdevs, /topology and the wiring endpoints. Each test builds its own
// daemon; the answers are compared whole (status, content type, body text).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModuleFromText, serviceHelpEntry, type IrModule } from 'yang-ts-codegen';
import type {
  ConfigOp,
  ConfigResult,
  CubeView,
  NetdevView,
  ServiceView,
} from '../../../../src/polycubed/core/types';
import { parseTarget } from '../../../../src/polycubed/rest/request-path';
import type { RestDaemon } from '../../../../src/polycubed/rest/rest-context';
import { RestRouter } from '../../../../src/polycubed/rest/rest-router';
import type { Reply } from '../../../../src/polycubed/rest/reply';

const REPO = join(__dirname, '../../../..');
const YANG = readFileSync(join(REPO, 'datamodel/lbrp.yang'), 'utf8');
const LBRP: IrModule = (() => {
  const r = loadModuleFromText(YANG, join(REPO, 'datamodel/lbrp.yang'), {
    searchPath: [join(REPO, 'datamodel')],
  });
  if (!r.module) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.module;
})();
const P = '/polycube/v1';
const H = '//127.0.0.1:9000/polycube/v1';
const JSON_CT = { 'Content-Type': 'application/json' };
const TEXT_CT = { 'Content-Type': 'text/plain; charset=utf-8' };

function port(name: string, peer: string, status: 'UP' | 'DOWN'): CubeView['ports'][number] {
  return { name, id: 0, uuid: `u-${name}`, peer, status, ifindex: 0, tcubes: [] };
}

function cube(name: string, over: Partial<CubeView> = {}): CubeView {
  return {
    name,
    service: 'lbrp',
    uuid: `u-${name}`,
    type: 'TC',
    loglevel: 'INFO',
    shadow: false,
    span: false,
    cubeId: 0,
    ports: [],
    dataplaneLoaded: true,
    ...over,
  } as CubeView;
}

interface Fake {
  daemon: RestDaemon;
  ops: ConfigOp[];
  wires: string[];
}

/**
 * A daemon with service lbrp (connected), cubes lb0 (two ports, loaded) and lb1 (no base view:
 * went away between the listing and the read), netdevs eth0 (with addresses) and lo1.
 */
function fakeDaemon(
  opts: {
    answer?: (op: ConfigOp) => ConfigResult;
    wire?: (a: string, b: string) => ConfigResult;
    services?: ServiceView[];
    cubes?: CubeView[];
    bases?: Record<string, Record<string, unknown>>;
  } = {},
): Fake {
  const ops: ConfigOp[] = [];
  const wires: string[] = [];
  const services = opts.services ?? [
    {
      name: 'lbrp',
      version: '9.9',
      description: 'registered text',
      yang: 'module lbrp {}',
      imports: {},
      module: LBRP,
      connected: true,
    },
  ];
  const cubes = opts.cubes ?? [
    cube('lb0', { ports: [port('fe', 'veth0', 'UP'), port('be', 'lb9:x', 'DOWN')] }),
    cube('lb1', { loglevel: 'DEBUG', dataplaneLoaded: false, logLinesSuppressed: 1234 }),
  ];
  const netdevs: NetdevView[] = [
    { name: 'eth0', ifindex: 2, up: true, addresses: ['10.0.0.1/24'] },
    { name: 'lo1', ifindex: 3, up: true, addresses: [] },
  ];
  const bases: Record<string, Record<string, unknown>> = opts.bases ?? {
    lb0: { name: 'lb0', uuid: 'u-lb0', 'service-name': 'lbrp' },
  };
  const wire = opts.wire ?? (() => ({ code: 'OK' }) as ConfigResult);
  const daemon = {
    services: () => services,
    service: (n: string) => services.find((s) => s.name === n),
    cubes: () => cubes,
    cube: (n: string) => cubes.find((c) => c.name === n),
    cubeBase: (n: string) => bases[n],
    netdevs: () => netdevs,
    execute: async (op: ConfigOp) => {
      ops.push(op);
      return opts.answer ? opts.answer(op) : ({ code: 'OK' } as ConfigResult);
    },
    connectPeers: async (a: string, b: string) => {
      wires.push(`connect ${a} ${b}`);
      return wire(a, b);
    },
    disconnectPeers: async (a: string, b: string) => {
      wires.push(`disconnect ${a} ${b}`);
      return wire(a, b);
    },
  } as unknown as RestDaemon;
  return { daemon, ops, wires };
}

const routerOf = (f: Fake): RestRouter =>
  new RestRouter(f.daemon, { authority: '127.0.0.1:9000', maxJsonDepth: 32, version: 'v7' });

const send = (router: RestRouter, method: string, path: string, body = ''): Promise<Reply> =>
  router.handle({ method, target: parseTarget(path), headers: {}, body });

const text = (status: number, body: string): Reply => ({ status, headers: TEXT_CT, body });
const empty400: Reply = { status: 400, headers: {}, body: '' };
/** A framework JSON answer: 4-space indented like polycubed's dump(4). */
const pretty = (value: unknown, status = 200): Reply => ({
  status,
  headers: JSON_CT,
  body: JSON.stringify(value, null, 4),
});
const compact = (value: unknown): Reply => ({ status: 200, headers: JSON_CT, body: JSON.stringify(value) });
const restconf = (tag: string, info: string): unknown => ({
  'ietf-restconf:errors': { error: [{ 'error-type': 'application', 'error-tag': tag, 'error-info': info }] },
});

describe('root and /services', () => {
  it('lists the framework routes, then services, then cubes at the root', async () => {
    const r = await send(routerOf(fakeDaemon()), 'GET', `${P}/`);
    const names = [
      'services',
      'cubes',
      'netdevs',
      'version',
      'connect',
      'disconnect',
      'attach',
      'detach',
      'topology',
      'lbrp',
      'lb0',
      'lb1',
    ];
    expect(r).toEqual(
      pretty([{ rel: 'self', href: `${H}/` }, ...names.map((n) => ({ rel: n, href: `${H}/${n}/` }))]),
    );
  });

  it('answers root OPTIONS: empty without help, the services with help, words on completion', async () => {
    const router = routerOf(fakeDaemon());
    expect(await send(router, 'OPTIONS', `${P}/`)).toEqual({ status: 200, headers: {}, body: '' });
    // Other parameters without `help` are no help request either.
    expect(await send(router, 'OPTIONS', `${P}/?completion`)).toEqual({ status: 200, headers: {}, body: '' });
    expect(await send(router, 'OPTIONS', `${P}/?help=NONE`)).toEqual(
      pretty({ params: { lbrp: serviceHelpEntry(LBRP) } }),
    );
    expect(await send(router, 'OPTIONS', `${P}/?help=NONE&completion`)).toEqual(
      compact([
        'connect',
        'disconnect',
        'attach',
        'detach',
        'services',
        'cubes',
        'topology',
        'netdevs',
        'lbrp',
        'lb0',
        'lb1',
      ]),
    );
    expect(await send(router, 'OPTIONS', `${P}/?help=SHOW`)).toEqual(empty400);
    expect(await send(router, 'OPTIONS', `${P}/?help=`)).toEqual(empty400);
    expect(await send(router, 'OPTIONS', `${P}/?help=SHOW&completion`)).toEqual(empty400);
  });

  it('describes each service from its YANG, falling back to what it registered', async () => {
    const bare = loadModuleFromText(
      'module bare { namespace "urn:b"; prefix b; leaf x { type string; } }',
      'b.yang',
      {
        searchPath: [],
      },
    ).module!;
    const services: ServiceView[] = [
      {
        name: 'lbrp',
        version: '9.9',
        description: 'd',
        yang: 'y',
        imports: {},
        module: LBRP,
        connected: true,
      },
      {
        name: 'bare',
        version: '1.2',
        description: 'registered',
        yang: 'y2',
        imports: {},
        module: bare,
        connected: false,
      },
    ];
    const r = await send(routerOf(fakeDaemon({ services })), 'GET', `${P}/services`);
    const row = (name: string, description: string, version: string) => ({
      name,
      servicecontroller: 'grpc',
      description,
      version,
      pyang_repo_id: 'Unknown',
      swagger_codegen_repo_id: 'Unknown',
    });
    expect(r).toEqual(
      pretty([row('lbrp', 'LoadBalancer Reverse-Proxy Service', '2.0.0'), row('bare', 'registered', '1.2')]),
    );
  });

  it('shows one service with its YANG text, refuses to remove it, and names unknown ones', async () => {
    const router = routerOf(fakeDaemon());
    expect(await send(router, 'GET', `${P}/services/lbrp`)).toEqual(
      pretty([{ name: 'lbrp', servicecontroller: 'grpc', datamodel: 'module lbrp {}' }]),
    );
    expect(await send(router, 'DELETE', `${P}/services/lbrp`)).toEqual(
      text(400, 'Service lbrp is a remote service: stop its process to unregister it'),
    );
    for (const method of ['GET', 'DELETE']) {
      expect(await send(router, method, `${P}/services/nope`)).toEqual(
        text(400, 'Service Controller does not exist'),
      );
    }
  });

  it('checks a POST /services as polycubed does, then says it cannot load services', async () => {
    const router = routerOf(fakeDaemon());
    const post = (body: string) => send(router, 'POST', `${P}/services`, body);
    expect((await post('{')).status).toBe(400);
    expect((await post('{')).body).toMatch(/^Invalid JSON body: ./);
    expect(await post('[1]')).toEqual(text(400, 'The request body must be a JSON object'));
    expect(await post('"s"')).toEqual(text(400, 'The request body must be a JSON object'));
    const missing = (info: string) => ({
      status: 400,
      headers: { 'Content-Type': 'application/yang.data+json; charset=utf-8' },
      body: JSON.stringify(restconf('missing-attribute', info)),
    });
    // No body, or null, reads as an empty object.
    expect(await post('')).toEqual(missing('name'));
    expect(await post('null')).toEqual(missing('name'));
    expect(await post('{"name":"x"}')).toEqual(missing('uri'));
    expect(await post('{"name":"x","uri":"u"}')).toEqual(missing('type'));
    expect(await post('{"uri":"u","type":"grpc"}')).toEqual(missing('name'));
    expect(await post('{"name":"x","uri":"u","type":"so"}')).toMatchObject({
      status: 400,
      body: JSON.stringify(restconf('bad-attribute', 'type')),
    });
    expect(await post('{"name":"lbrp","uri":"u","type":"lib"}')).toEqual(
      text(400, 'Service Controller already exists'),
    );
    const notLoadable = (name: string) =>
      text(
        400,
        `Cannot load service ${name}: this polycubed has no library services; a service registers itself by connecting to the gRPC endpoint`,
      );
    expect(await post('{"name":"x","uri":"u","type":"grpc"}')).toEqual(notLoadable('x'));
    expect(await post('{"name":"x","uri":"u","type":"lib"}')).toEqual(notLoadable('x'));
    expect(await post('{"name":5,"uri":"u","type":"lib"}')).toEqual(notLoadable('5'));
  });

  it('reports the version compactly', async () => {
    expect(await send(routerOf(fakeDaemon()), 'GET', `${P}/version`)).toEqual(
      compact({ polycubed: { version: 'v7' } }),
    );
  });
});

describe('/metrics and the daemon gauges', () => {
  it('serves the same Prometheus text at /metrics and under the API', async () => {
    const router = routerOf(fakeDaemon());
    const a = await send(router, 'GET', '/metrics');
    const b = await send(router, 'GET', `${P}/metrics`);
    expect(a.status).toBe(200);
    expect(a.headers).toEqual({ 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    expect(b.headers).toEqual(a.headers);
    expect(b.body.split('\n').filter((l) => l.startsWith('polycubed_cube'))).toEqual(
      a.body.split('\n').filter((l) => l.startsWith('polycubed_cube')),
    );
  });

  it('gauges services, cubes, ports and netdevs as the daemon sees them', async () => {
    const services: ServiceView[] = [
      {
        name: 'lbrp',
        version: '2.0.0',
        description: '',
        yang: '',
        imports: {},
        module: LBRP,
        connected: true,
      },
      { name: 'gone', version: '1', description: '', yang: '', imports: {}, module: LBRP, connected: false },
    ];
    const body = (await send(routerOf(fakeDaemon({ services })), 'GET', '/metrics')).body;
    // The HELP and TYPE lines and the samples of one family.
    const family = (name: string): string[] =>
      body
        .split('\n')
        .filter(
          (l) =>
            l.split(/[ {]/)[0] === name || l.startsWith(`# HELP ${name} `) || l.startsWith(`# TYPE ${name} `),
        );
    expect(family('polycubed_service_connected')).toEqual([
      '# HELP polycubed_service_connected Registered services: 1 while the service control stream is open',
      '# TYPE polycubed_service_connected gauge',
      'polycubed_service_connected{service="lbrp",version="2.0.0"} 1',
      'polycubed_service_connected{service="gone",version="1"} 0',
    ]);
    expect(family('polycubed_cube_info')).toEqual([
      '# HELP polycubed_cube_info Cubes (always 1), labelled with their service, type and log level',
      '# TYPE polycubed_cube_info gauge',
      'polycubed_cube_info{cube="lb0",service="lbrp",type="TC",loglevel="INFO"} 1',
      'polycubed_cube_info{cube="lb1",service="lbrp",type="TC",loglevel="DEBUG"} 1',
    ]);
    expect(family('polycubed_cube_dataplane_loaded')).toEqual([
      '# HELP polycubed_cube_dataplane_loaded 1 when the cube has a program loaded',
      '# TYPE polycubed_cube_dataplane_loaded gauge',
      'polycubed_cube_dataplane_loaded{cube="lb0",service="lbrp"} 1',
      'polycubed_cube_dataplane_loaded{cube="lb1",service="lbrp"} 0',
    ]);
    expect(family('polycubed_cube_ports')).toEqual([
      '# HELP polycubed_cube_ports Number of ports of the cube',
      '# TYPE polycubed_cube_ports gauge',
      'polycubed_cube_ports{cube="lb0",service="lbrp"} 2',
      'polycubed_cube_ports{cube="lb1",service="lbrp"} 0',
    ]);
    expect(family('polycubed_port_up')).toEqual([
      '# HELP polycubed_port_up 1 when the port is connected to an existing peer (status UP)',
      '# TYPE polycubed_port_up gauge',
      'polycubed_port_up{cube="lb0",port="fe",peer="veth0"} 1',
      'polycubed_port_up{cube="lb0",port="be",peer="lb9:x"} 0',
    ]);
    expect(family('polycubed_cube_log_lines_suppressed_total')).toEqual([
      '# HELP polycubed_cube_log_lines_suppressed_total Datapath log lines not printed: more than the per-cube rate (1,000 a second)',
      '# TYPE polycubed_cube_log_lines_suppressed_total counter',
      'polycubed_cube_log_lines_suppressed_total{cube="lb0",service="lbrp"} 0',
      'polycubed_cube_log_lines_suppressed_total{cube="lb1",service="lbrp"} 1234',
    ]);
    expect(family('polycubed_netdevs')).toEqual([
      '# HELP polycubed_netdevs Up, non-loopback netdevs polycubed sees',
      '# TYPE polycubed_netdevs gauge',
      'polycubed_netdevs 2',
    ]);
  });
});

describe('/cubes, /netdevs and /topology', () => {
  it('groups cube bases by service, skipping cubes without one', async () => {
    const router = routerOf(fakeDaemon());
    expect(await send(router, 'GET', `${P}/cubes`)).toEqual(
      pretty({ lbrp: [{ name: 'lb0', uuid: 'u-lb0', 'service-name': 'lbrp' }] }),
    );
    expect(await send(routerOf(fakeDaemon({ cubes: [] })), 'GET', `${P}/cubes`)).toEqual(pretty({}));
    const cubes = [cube('a'), cube('b', { service: 'other' }), cube('c')];
    const bases = { a: { name: 'a' }, b: { name: 'b' }, c: { name: 'c' } };
    expect(await send(routerOf(fakeDaemon({ cubes, bases })), 'GET', `${P}/cubes`)).toEqual(
      pretty({ lbrp: [{ name: 'a' }, { name: 'c' }], other: [{ name: 'b' }] }),
    );
  });

  it('shows one cube by its decoded name, and names a missing one', async () => {
    const router = routerOf(fakeDaemon());
    const lb0 = pretty({ name: 'lb0', uuid: 'u-lb0', 'service-name': 'lbrp' });
    expect(await send(router, 'GET', `${P}/cubes/lb0`)).toEqual(lb0);
    expect(await send(router, 'GET', `${P}/cubes/lb%30`)).toEqual(lb0);
    expect(await send(router, 'GET', `${P}/cubes/lb1`)).toEqual(text(400, 'Cube does not exist'));
    expect(await send(router, 'GET', `${P}/cubes/%ZZ`)).toEqual(text(400, 'Cube does not exist'));
  });

  it('answers the fixed help of collections and of single resources', async () => {
    const router = routerOf(fakeDaemon());
    const params = (description: string, example: string) => ({
      name: { name: 'name', type: 'key', simpletype: 'string', description, example },
    });
    const cubeElements = [{ cube: 'lb0' }, { cube: 'lb1' }];
    expect(await send(router, 'OPTIONS', `${P}/cubes?help=NONE`)).toEqual(
      pretty({ commands: ['show'], params: params('Cube Name', 'cube0'), elements: cubeElements }),
    );
    expect(await send(router, 'OPTIONS', `${P}/cubes?help=show`)).toEqual(
      pretty({ params: params('Cube Name', 'cube0'), elements: cubeElements }),
    );
    expect(await send(router, 'OPTIONS', `${P}/cubes?help=NONE&completion`)).toEqual(compact(['lb0', 'lb1']));
    expect(await send(router, 'OPTIONS', `${P}/cubes?help=ADD`)).toEqual(empty400);
    expect(await send(router, 'OPTIONS', `${P}/cubes?help=bogus`)).toEqual(empty400);
    expect(await send(router, 'OPTIONS', `${P}/netdevs?help=NONE`)).toEqual(
      pretty({
        commands: ['show'],
        params: params('Netdev name', 'eth0'),
        elements: [{ netdev: 'eth0' }, { netdev: 'lo1' }],
      }),
    );
    expect(await send(router, 'OPTIONS', `${P}/netdevs?completion`)).toEqual(compact(['eth0', 'lo1']));
    for (const path of [`${P}/cubes/lb0`, `${P}/netdevs/eth0`, `${P}/topology`]) {
      expect(await send(router, 'OPTIONS', `${path}?help=none`)).toEqual(pretty({ commands: ['show'] }));
      expect(await send(router, 'OPTIONS', `${path}?completion`)).toEqual(compact([]));
      expect(await send(router, 'OPTIONS', `${path}?help=SHOW`)).toEqual(empty400);
    }
  });

  it('lists netdevs with their addresses when they have some', async () => {
    const router = routerOf(fakeDaemon());
    const eth0 = { name: 'eth0', addresses: ['10.0.0.1/24'] };
    expect(await send(router, 'GET', `${P}/netdevs`)).toEqual(pretty([eth0, { name: 'lo1' }]));
    expect(await send(router, 'GET', `${P}/netdevs/eth0`)).toEqual(pretty([eth0]));
    expect(await send(router, 'GET', `${P}/netdevs/eth%30`)).toEqual(pretty([eth0]));
    expect(await send(router, 'GET', `${P}/netdevs/lo1`)).toEqual(pretty([{ name: 'lo1' }]));
    expect(await send(router, 'GET', `${P}/netdevs/eth9`)).toEqual(text(400, 'netdev eth9 does not exist'));
    expect(await send(router, 'GET', `${P}/netdevs/%ZZ`)).toEqual(text(400, 'netdev %ZZ does not exist'));
  });

  it('answers the topology from the cube bases and netdev names', async () => {
    const router = routerOf(fakeDaemon());
    expect(await send(router, 'GET', `${P}/topology`)).toEqual(
      pretty([{ name: 'lb0', uuid: 'u-lb0', 'service-name': 'lbrp' }]),
    );
    expect(await send(router, 'GET', `${P}/topology/eth0`)).toEqual(pretty({ name: 'eth0' }));
    expect(await send(router, 'GET', `${P}/topology/nope`)).toEqual(text(400, 'netdev nope does not exist'));
  });
});

describe('wiring endpoints', () => {
  it('connects and disconnects the two peers named in the body', async () => {
    const f = fakeDaemon();
    const router = routerOf(f);
    const body = '{"peer1":"lb0:fe","peer2":"veth0"}';
    expect(await send(router, 'POST', `${P}/connect`, body)).toEqual({ status: 200, headers: {}, body: '' });
    expect(await send(router, 'POST', `${P}/disconnect`, body)).toEqual({
      status: 200,
      headers: {},
      body: '',
    });
    expect(f.wires).toEqual(['connect lb0:fe veth0', 'disconnect lb0:fe veth0']);
  });

  it('refuses bodies without both peers before asking the daemon', async () => {
    const f = fakeDaemon();
    const router = routerOf(f);
    for (const [body, field] of [
      ['{}', 'peer1'],
      ['{"peer1":"","peer2":"b"}', 'peer1'],
      ['{"peer1":7,"peer2":"b"}', 'peer1'],
      ['{"peer1":"a"}', 'peer2'],
      ['{"peer1":"a","peer2":""}', 'peer2'],
    ]) {
      expect(await send(router, 'POST', `${P}/connect`, body)).toEqual(text(400, `${field} is missing`));
      expect(await send(router, 'POST', `${P}/disconnect`, body)).toEqual(text(400, `${field} is missing`));
    }
    expect(await send(router, 'POST', `${P}/connect`, '[]')).toEqual(
      text(400, 'The request body must be a JSON object'),
    );
    expect(f.wires).toEqual([]);
  });

  it('answers the daemon’s refusal as a 400 with its message', async () => {
    const f = fakeDaemon({
      wire: (a) =>
        ({ code: 'GENERIC_ERROR', ...(a === 'x' ? { message: 'x is not a port' } : {}) }) as ConfigResult,
    });
    const router = routerOf(f);
    expect(await send(router, 'POST', `${P}/connect`, '{"peer1":"x","peer2":"y"}')).toEqual(
      text(400, 'x is not a port'),
    );
    expect(await send(router, 'POST', `${P}/disconnect`, '{"peer1":"z","peer2":"y"}')).toEqual(
      text(400, 'Error setting peer'),
    );
  });

  it('completes connect with every cube port, and answers its help as not implemented', async () => {
    const router = routerOf(fakeDaemon());
    expect(await send(router, 'OPTIONS', `${P}/connect?help=NONE&completion`)).toEqual(
      compact(['lb0:fe', 'lb0:be']),
    );
    expect(await send(router, 'OPTIONS', `${P}/connect?help=NONE`)).toEqual(text(200, 'not implemented'));
    expect(await send(router, 'OPTIONS', `${P}/connect`)).toEqual(text(200, 'not implemented'));
    expect(await send(router, 'OPTIONS', `${P}/connect?help=SHOW&completion`)).toEqual(empty400);
  });

  it('refuses attach and detach, saying why', async () => {
    const router = routerOf(fakeDaemon());
    const both = async (body: string): Promise<[string, string]> => [
      (await send(router, 'POST', `${P}/attach`, body)).body,
      (await send(router, 'POST', `${P}/detach`, body)).body,
    ];
    expect(await both('{"port":"p"}')).toEqual(['Cube is missing', 'Cube is missing']);
    expect(await both('{"cube":"","port":"p"}')).toEqual(['Cube is missing', 'Cube is missing']);
    expect(await both('{"cube":"lb0"}')).toEqual(['Port is missing', 'Port is missing']);
    expect(await both('{"cube":"lb0","port":""}')).toEqual(['Port is missing', 'Port is missing']);
    expect(await both('{"cube":"lb0","port":{}}')).toEqual(['Port is missing', 'Port is missing']);
    expect(await both('{"cube":"nope","port":"p"}')).toEqual(['Cube does not exist', 'Cube does not exist']);
    expect(await both('{"cube":"lb0","port":"p","after":"a","before":"b"}')).toEqual([
      'after and before cannot be used together',
      'Cube lb0 is not transparent',
    ]);
    expect(await both('{"cube":"lb0","port":"p","position":"auto","before":"b"}')).toEqual([
      'position and before cannot be used together',
      'Cube lb0 is not transparent',
    ]);
    expect(await both('{"cube":"lb0","port":"p","position":"first"}')).toEqual([
      'Cube lb0 is not transparent',
      'Cube lb0 is not transparent',
    ]);
    expect((await send(router, 'POST', `${P}/attach`, '{"cube":"lb0"')).body).toMatch(/^Invalid JSON body: /);
    expect((await send(router, 'POST', `${P}/attach`, '{"cube":"lb0"')).status).toBe(400);
  });
});

describe('POST /cubes (a batch of cubes)', () => {
  const fail = (messages: string): Reply => text(400, `Error creating cube: ${messages}`);
  const lb = (name: string, ports: unknown[] = []) => ({ 'service-name': 'lbrp', name, ports });

  it('creates every cube without peers, then sets the peers, and answers 200', async () => {
    const f = fakeDaemon();
    const body = JSON.stringify([
      lb('a', [
        { name: 'fe', type: 'FRONTEND', peer: 'veth0' },
        { name: 'be', type: 'BACKEND', peer: '' },
      ]),
      lb('b', [{ name: 'fe', type: 'FRONTEND', peer: 'a:be' }]),
      { 'service-name': 'lbrp', name: 'c' },
    ]);
    expect(await send(routerOf(f), 'POST', `${P}/cubes`, body)).toEqual({
      status: 200,
      headers: {},
      body: '',
    });
    const creates = f.ops.filter((o) => o.op === 'CREATE');
    expect(creates.map((o) => [o.service, o.cube])).toEqual([
      ['lbrp', 'a'],
      ['lbrp', 'b'],
      ['lbrp', 'c'],
    ]);
    expect((creates[0].body as { ports: unknown[] }).ports).toEqual([
      { name: 'fe', type: 'FRONTEND' },
      { name: 'be', type: 'BACKEND' },
    ]);
    expect(f.ops.filter((o) => o.op !== 'CREATE')).toEqual([
      {
        op: 'UPDATE',
        service: 'lbrp',
        cube: 'a',
        path: `${creates[0].path}/ports/peer`,
        keys: [{ list: 'ports', name: 'name', value: 'fe' }],
        body: 'veth0',
        isCollection: false,
      },
      {
        op: 'UPDATE',
        service: 'lbrp',
        cube: 'b',
        path: `${creates[1].path}/ports/peer`,
        keys: [{ list: 'ports', name: 'name', value: 'fe' }],
        body: 'a:be',
        isCollection: false,
      },
    ]);
  });

  it('refuses a body that is not an array of named cubes of a known service, creating nothing', async () => {
    const f = fakeDaemon();
    const router = routerOf(f);
    const post = (body: unknown) =>
      send(router, 'POST', `${P}/cubes`, typeof body === 'string' ? body : JSON.stringify(body));
    expect((await post('[')).body).toMatch(/^Error creating cube: : invalid JSON body \(.+\)$/);
    expect(await post({ name: 'a' })).toEqual(fail(': the body must be a JSON array of cubes'));
    expect(await post('')).toEqual(fail(': the body must be a JSON array of cubes'));
    expect(await post([lb('a'), 7])).toEqual(fail(': every element must be a JSON object'));
    expect(await post([[lb('a')]])).toEqual(fail(': every element must be a JSON object'));
    expect(await post([null])).toEqual(fail(': every element must be a JSON object'));
    expect(await post([{ 'service-name': 'lbrp' }])).toEqual(fail(': missing name'));
    expect(await post([{ 'service-name': 'lbrp', name: 3 }])).toEqual(fail(': missing name'));
    expect(await post([{ name: 'a' }])).toEqual(fail('a: missing service-name'));
    expect(await post([{ name: 'a', 'service-name': 'nat' }])).toEqual(fail('a: service nat does not exist'));
    expect(await post([lb('a'), lb('a')])).toEqual(fail('a: listed twice'));
    expect(f.ops).toEqual([]);
  });

  it('describes every validation error of a cube', async () => {
    const f = fakeDaemon();
    const r = await send(
      routerOf(f),
      'POST',
      `${P}/cubes`,
      JSON.stringify([{ ...lb('a'), port_mode: 'SIDEWAYS', 'session-table-size': 'x' }]),
    );
    expect(r.status).toBe(400);
    expect(r.body).toMatch(
      /^Error creating cube: a: bad-attribute port_mode, bad-attribute session-table-size$/,
    );
    expect(f.ops).toEqual([]);
  });

  it('lists the first validation errors of a cube and counts the rest', async () => {
    const ports = Array.from({ length: 25 }, (_, i) => ({ name: `p${i}`, type: 'SIDEWAYS' }));
    const r = await send(routerOf(fakeDaemon()), 'POST', `${P}/cubes`, JSON.stringify([lb('a', ports)]));
    expect(r.status).toBe(400);
    const listed = r.body
      .replace(/^Error creating cube: a: /, '')
      .replace(/ and \d+ more$/, '')
      .split(', ');
    expect(listed).toHaveLength(20);
    expect(r.body).toMatch(
      /^Error creating cube: a: (bad-attribute type, ){19}bad-attribute type and 5 more$/,
    );
  });

  it('deletes the cubes it created, newest first, when one cannot be created', async () => {
    const answers: Record<string, ConfigResult> = {
      c: { code: 'DATA_EXISTS' } as ConfigResult,
      d: { code: 'GENERIC_ERROR', message: 'no memory' } as ConfigResult,
      e: { code: 'UNAVAILABLE' } as ConfigResult,
    };
    for (const [bad, why] of [
      ['c', 'a cube with this name already exists'],
      ['d', 'no memory'],
      ['e', 'UNAVAILABLE'],
    ]) {
      const f = fakeDaemon({
        answer: (op) =>
          op.op === 'CREATE' && op.cube === bad ? answers[bad] : ({ code: 'OK' } as ConfigResult),
      });
      const r = await send(
        routerOf(f),
        'POST',
        `${P}/cubes`,
        JSON.stringify([lb('a'), lb('b'), lb(bad), lb('z')]),
      );
      expect(r).toEqual(fail(`${bad}: ${why}`));
      expect(f.ops.map((o) => `${o.op} ${o.cube}`)).toEqual([
        'CREATE a',
        'CREATE b',
        `CREATE ${bad}`,
        'DELETE b',
        'DELETE a',
      ]);
      const del = f.ops[3];
      expect(del).toEqual({
        op: 'DELETE',
        service: 'lbrp',
        cube: 'b',
        path: f.ops[1].path,
        keys: [],
        isCollection: false,
      });
    }
  });

  it('deletes every cube of the batch when a peer cannot be set', async () => {
    for (const message of ['no such peer', undefined]) {
      const f = fakeDaemon({
        answer: (op) =>
          op.op === 'UPDATE' && op.cube === 'b'
            ? ({ code: 'BAD_ELEMENT', ...(message ? { message } : {}) } as ConfigResult)
            : ({ code: 'OK' } as ConfigResult),
      });
      const body = JSON.stringify([
        lb('a', [{ name: 'fe', type: 'FRONTEND', peer: 'v0' }]),
        lb('b', [{ name: 'be', type: 'BACKEND', peer: 'v1' }]),
      ]);
      expect(await send(routerOf(f), 'POST', `${P}/cubes`, body)).toEqual(
        fail(`b: peer of port be: ${message ?? 'BAD_ELEMENT'}`),
      );
      expect(f.ops.map((o) => `${o.op} ${o.cube}`)).toEqual([
        'CREATE a',
        'CREATE b',
        'UPDATE a',
        'UPDATE b',
        'DELETE b',
        'DELETE a',
      ]);
    }
  });

  it('leaves a peer that is not a string to validation, which refuses the batch', async () => {
    const f = fakeDaemon();
    const body = JSON.stringify([{ ...lb('a'), ports: [{ name: 'fe', type: 'FRONTEND', peer: 5 }] }]);
    const r = await send(routerOf(f), 'POST', `${P}/cubes`, body);
    // The peer of the wrong type reaches validation, which refuses it: nothing is created.
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/^Error creating cube: a: .*peer/);
    expect(f.ops).toEqual([]);
  });
});
