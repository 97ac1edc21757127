// Unit tests for execute()'s routing (ConfigRouter) with a fake service and a fake dataplane:
// what polycubed answers itself (base model), what it forwards, how answers are merged, and
// that a rejected request changes nothing. No kernel: links and bindings are simulated.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigRequestMsg, DaemonMessageMsg } from '../../../src/proto/polycube-types';
import { ConfigRouter, type RouterContext } from '../../../src/polycubed/core/config-router';
import { CubeRecord, CubeRegistry } from '../../../src/polycubed/core/cube-registry';
import { PortWiring } from '../../../src/polycubed/core/port-wiring';
import {
  parseServiceYang,
  ServiceConnection,
  type ServiceRecord,
} from '../../../src/polycubed/core/service-registry';
import { ErrorCode, type ConfigOp, type ConfigResult } from '../../../src/polycubed/core/types';
import type { CubeDataplane } from '../../../src/polycubed/runtime/cube-dataplane';
import { KernelError } from '../../../src/polycubed/runtime/kernel-error';
import type { LinkInfo } from '../../../src/polycubed/runtime/netlink-links';

const YANG = readFileSync(join(__dirname, '../../fixtures/test-service/pcntest.yang'), 'utf8');
const DATAMODEL = join(__dirname, '../../../datamodel');

const link = (name: string, ifindex: number, up = true, loopback = false): [string, LinkInfo] => [
  name,
  { name, ifindex, flags: 0, up, loopback },
];
const LINKS = new Map([
  link('lo', 1, true, true),
  link('veth0', 10),
  link('veth1', 11),
  link('down0', 12, false),
]);

/** Records what the router asks of a cube's dataplane. */
class FakeDataplane {
  loaded = true;
  programId = 42;
  destroyed = false;
  readonly bound = new Map<number, number>();
  bind(portId: number, ifindex: number): void {
    this.bound.set(portId, ifindex);
  }
  unbind(portId: number): void {
    this.bound.delete(portId);
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** The fixed links plus the veth pairs cube-to-cube links make, all in memory (no kernel). */
class FixedLinksWiring extends PortWiring {
  readonly pairs = new Map<string, LinkInfo>();
  override links(): Map<string, LinkInfo> {
    return new Map([...LINKS, ...this.pairs]);
  }
  protected override createPair(mine: string, theirs: string): void {
    if (this.pairs.has(mine)) throw new KernelError('netlink newlink', mine, 17); // EEXIST, as the kernel
    for (const name of [mine, theirs]) this.pairs.set(...link(name, 100 + this.pairs.size));
  }
  protected override removeLink(name: string): void {
    const base = name.slice(0, -1);
    for (const end of ['a', 'b']) this.pairs.delete(base + end);
  }
  protected override currentLinks(): LinkInfo[] {
    return [...this.links().values()];
  }
}

type Handler = (req: ConfigRequestMsg) => {
  code?: ErrorCode;
  message?: string;
  body?: unknown;
  cacheMs?: number;
};

/** A router over a registry, with the pcntest service answering through `handler`. */
function setup(handler: Handler = () => ({}), stalePins: Record<string, string> = {}) {
  const cubes = new CubeRegistry();
  const requests: ConfigRequestMsg[] = [];
  const changes: string[] = [];
  const parsed = parseServiceYang(
    { protocolVersion: 1, name: 'pcntest', yang: YANG, imports: {}, version: '', description: '' },
    [DATAMODEL],
  );
  if (!('module' in parsed)) throw new Error(parsed.error);
  const service: ServiceRecord = {
    name: 'pcntest',
    version: '0.1.0',
    description: '',
    yang: YANG,
    imports: {},
    module: parsed.module,
  };
  const conn: ServiceConnection = new ServiceConnection(
    'pcntest',
    {
      send(msg: DaemonMessageMsg) {
        const req = msg.request as ConfigRequestMsg;
        requests.push(req);
        const a = handler(req);
        setImmediate(() =>
          conn.handleReply({
            id: req.id,
            code: a.code ?? ErrorCode.OK,
            message: a.message ?? '',
            bodyJson: a.body === undefined ? '' : JSON.stringify(a.body),
            errorInfo: '',
            cacheMs: a.cacheMs ?? 0,
          }),
        );
      },
      close() {},
    },
    1000,
  );
  service.conn = conn;
  const wiring = new FixedLinksWiring(
    cubes,
    () => undefined,
    (err) => {
      throw err;
    },
  );
  const dataplanes: FakeDataplane[] = [];
  const ctx: RouterContext = {
    cubes,
    wiring,
    service: (name) => (name === 'pcntest' ? service : undefined),
    newCube: (p) => {
      const dp = new FakeDataplane();
      dataplanes.push(dp);
      const id = cubes.allocateCubeId();
      return new CubeRecord(
        p.name,
        p.service,
        `uuid-${p.name}`,
        p.type,
        p.loglevel,
        p.shadow,
        p.span,
        id,
        dp as unknown as CubeDataplane,
      );
    },
    unclaimedPins: (name) => stalePins[name],
    destroyCube: (cube) => {
      for (const port of cube.ports.values()) wiring.unbind(cube, port);
      (cube.dataplane as unknown as FakeDataplane).destroy();
      cubes.remove(cube.name);
    },
    setLogLevel: async (cube, level) => {
      cube.loglevel = level;
      return undefined;
    },
    afterChange: async (cube) => void changes.push(cube),
  };
  return { router: new ConfigRouter(ctx), cubes, requests, changes, service, dataplanes, wiring };
}

const op = (o: Partial<ConfigOp> & Pick<ConfigOp, 'op' | 'path'>): ConfigOp => ({
  service: 'pcntest',
  cube: 'c0',
  keys: [],
  isCollection: false,
  ...o,
});
const portKey = (name: string) => [{ list: 'ports', name: 'name', value: name }];
const CREATE_C0 = op({
  op: 'CREATE',
  path: '/pcntest',
  body: {
    name: 'c0',
    type: 'TC',
    loglevel: 'INFO',
    shadow: false,
    span: false,
    label: 'x',
    ports: [{ name: 'p0', peer: 'veth0', role: 'a' }],
  },
});

describe('polycubed execute() routing', () => {
  // Pins left by a cube no record claims are never taken over: the create is refused, nothing is made.
  it('refuses to create a cube over unclaimed pins of the same name', async () => {
    const t = setup(undefined, { c0: '/sys/fs/bpf/x/c0' });
    const res = await t.router.execute(CREATE_C0);
    expect(res.code).toBe(ErrorCode.DATA_EXISTS);
    expect(res.message).toMatch(
      /pins of an unknown cube c0 exist at \/sys\/fs\/bpf\/x\/c0; they are never reused/,
    );
    expect(t.cubes.get('c0')).toBeUndefined();
    expect(t.dataplanes).toHaveLength(0);
    expect(t.requests).toHaveLength(0);
  });

  // Cube creation records the base model (ids, peers bound) and hands the whole body to the service.
  it('creates a cube: ports get the lowest ids, peers are bound, the body is forwarded whole', async () => {
    const t = setup();
    expect(await t.router.execute(CREATE_C0)).toEqual({ code: ErrorCode.OK });
    const cube = t.cubes.get('c0') as CubeRecord;
    expect(cube.ports.get('p0')).toMatchObject({ id: 0, peer: 'veth0', status: 'UP', ifindex: 10 });
    expect(t.dataplanes[0].bound).toEqual(new Map([[0, 10]]));
    expect(t.requests).toHaveLength(1);
    expect(t.requests[0]).toMatchObject({ op: 'CREATE', cube: 'c0', path: '/pcntest' });
    expect(JSON.parse(t.requests[0].bodyJson)).toMatchObject({
      label: 'x',
      ports: [{ name: 'p0', peer: 'veth0', role: 'a' }],
    });
    expect(t.changes).toEqual(['c0']);
  });

  // "A rejected request changes nothing": the record, its ports and its dataplane are gone.
  it('rolls a cube creation back when the service rejects it', async () => {
    const t = setup(() => ({ code: ErrorCode.GENERIC_ERROR, message: 'no thanks' }));
    expect(await t.router.execute(CREATE_C0)).toEqual({
      code: ErrorCode.GENERIC_ERROR,
      message: 'no thanks',
    });
    expect(t.cubes.get('c0')).toBeUndefined();
    expect(t.dataplanes[0].destroyed).toBe(true);
    expect(t.dataplanes[0].bound.size).toBe(0);
    expect(t.changes).toEqual([]);
  });

  const createErrors: Array<{
    name: string;
    body: Record<string, unknown>;
    want: ConfigResult;
    forwarded: number;
  }> = [
    {
      name: 'netdev that does not exist',
      body: { ports: [{ name: 'p0', peer: 'nope' }] },
      want: { code: ErrorCode.GENERIC_ERROR, message: 'Interface  nope does not exist or is down' },
      forwarded: 0,
    },
    {
      name: 'netdev that is down',
      body: { ports: [{ name: 'p0', peer: 'down0' }] },
      want: { code: ErrorCode.GENERIC_ERROR, message: 'Interface  down0 does not exist or is down' },
      forwarded: 0,
    },
    {
      name: 'loopback',
      body: { ports: [{ name: 'p0', peer: 'lo' }] },
      want: { code: ErrorCode.GENERIC_ERROR, message: 'Interface  lo does not exist or is down' },
      forwarded: 0,
    },
    {
      name: 'same netdev twice',
      body: {
        ports: [
          { name: 'p0', peer: 'veth0' },
          { name: 'p1', peer: 'veth0' },
        ],
      },
      want: { code: ErrorCode.GENERIC_ERROR, message: 'Iface already in use' },
      forwarded: 0,
    },
    {
      name: 'peer cube that does not exist',
      body: { ports: [{ name: 'p0', peer: 'zz:p1' }] },
      want: { code: ErrorCode.GENERIC_ERROR, message: 'Cube zz does not exist' },
      forwarded: 0,
    },
    {
      name: 'duplicate port',
      body: { ports: [{ name: 'p0' }, { name: 'p0' }] },
      want: { code: ErrorCode.GENERIC_ERROR, message: 'Port p0 already exists' },
      forwarded: 0,
    },
    {
      name: 'span without shadow',
      body: { span: true },
      want: { code: ErrorCode.GENERIC_ERROR, message: 'Span mode is not present in no-shadow services' },
      forwarded: 0,
    },
  ];
  // Base-model errors are answered by polycubed with runtime spec §2.1 texts, before the service hears of it.
  it.each(createErrors)('refuses a cube with a bad base member: $name', async ({ body, want, forwarded }) => {
    const t = setup();
    expect(
      await t.router.execute(op({ op: 'CREATE', path: '/pcntest', body: { name: 'c0', ...body } })),
    ).toEqual(want);
    expect(t.requests).toHaveLength(forwarded);
    expect(t.cubes.get('c0')).toBeUndefined();
  });

  // A second cube of the same name is a conflict; a disconnected service makes requests unavailable.
  it('answers DATA_EXISTS for an existing cube and UNAVAILABLE without the service', async () => {
    const t = setup();
    await t.router.execute(CREATE_C0);
    expect(await t.router.execute(CREATE_C0)).toEqual({ code: ErrorCode.DATA_EXISTS });
    t.service.conn = undefined;
    const res = await t.router.execute(op({ op: 'READ', path: '/pcntest' }));
    expect(res).toEqual({ code: ErrorCode.UNAVAILABLE, message: 'service pcntest unavailable' });
    expect(await t.router.execute(op({ op: 'CREATE', path: '/pcntest', cube: 'c1', body: {} }))).toEqual(res);
  });

  // A cube READ asks the service for its members and merges polycubed's in REST spec §4.1 order.
  it('merges base members and service members on a cube READ', async () => {
    const t = setup((req) =>
      req.op === 'READ'
        ? { body: { frames: 3, label: 'x', ports: [{ name: 'p0', role: 'a' }], name: 'ignored' } }
        : {},
    );
    await t.router.execute(CREATE_C0);
    const res = await t.router.execute(op({ op: 'READ', path: '/pcntest' }));
    expect(res.code).toBe(ErrorCode.OK);
    const body = res.body as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'name',
      'uuid',
      'service-name',
      'type',
      'loglevel',
      'ports',
      'shadow',
      'span',
      'label',
      'frames',
    ]);
    expect(body).toMatchObject({
      name: 'c0',
      uuid: 'uuid-c0',
      'service-name': 'pcntest',
      type: 'TC',
      loglevel: 'INFO',
    });
    expect(body.ports).toEqual([
      { name: 'p0', uuid: expect.any(String), status: 'UP', peer: 'veth0', role: 'a' },
    ]);
  });

  const leafRows = [
    { leaf: 'loglevel', want: 'INFO' },
    { leaf: 'type', want: 'TC' },
    { leaf: 'uuid', want: 'uuid-c0' },
    { leaf: 'service-name', want: 'pcntest' },
    { leaf: 'shadow', want: 'false' },
    { leaf: 'span', want: 'false' },
  ];
  // Base leaves are served by polycubed without a round trip (shadow/span as strings, as polycubed).
  it.each(leafRows)('serves the base leaf $leaf itself', async ({ leaf, want }) => {
    const t = setup();
    await t.router.execute(CREATE_C0);
    const before = t.requests.length;
    expect(await t.router.execute(op({ op: 'READ', path: `/pcntest/${leaf}` }))).toEqual({
      code: ErrorCode.OK,
      body: want,
    });
    expect(t.requests.length).toBe(before);
  });

  // A base leaf of a cube that does not exist answers 204 "Cube does not exist"; other reads a 500.
  it('answers missing cubes as polycubed does', async () => {
    const t = setup();
    expect(await t.router.execute(op({ op: 'READ', path: '/pcntest/loglevel' }))).toEqual({
      code: ErrorCode.NO_CONTENT,
      message: 'Cube does not exist',
    });
    expect(await t.router.execute(op({ op: 'READ', path: '/pcntest' }))).toEqual({
      code: ErrorCode.GENERIC_ERROR,
      message: 'Cube c0 does not exist',
    });
    expect(await t.router.execute(op({ op: 'DELETE', path: '/pcntest' }))).toEqual({
      code: ErrorCode.DATA_MISSING,
    });
    expect(t.requests).toHaveLength(0);
  });

  // A loglevel PATCH is polycubed's (it reloads the program); the service is not asked.
  it('changes the loglevel itself', async () => {
    const t = setup();
    await t.router.execute(CREATE_C0);
    const before = t.requests.length;
    expect(await t.router.execute(op({ op: 'UPDATE', path: '/pcntest/loglevel', body: 'debug' }))).toEqual({
      code: ErrorCode.OK,
    });
    expect(t.cubes.get('c0')?.loglevel).toBe('DEBUG');
    expect(t.requests.length).toBe(before);
  });

  // A port CREATE takes the lowest free id, binds the peer and forwards; a rejection removes the port.
  it('creates ports with the lowest free id and rolls back a rejected one', async () => {
    const t = setup((req) =>
      req.bodyJson.includes('"reject"') ? { code: ErrorCode.GENERIC_ERROR, message: 'nope' } : {},
    );
    await t.router.execute(CREATE_C0);
    const portOp = (name: string, body: Record<string, unknown>) =>
      op({ op: 'CREATE', path: '/pcntest/ports', keys: portKey(name), body: { name, ...body } });
    expect(await t.router.execute(portOp('p1', { peer: 'veth1' }))).toEqual({ code: ErrorCode.OK });
    expect(t.cubes.get('c0')?.ports.get('p1')).toMatchObject({ id: 1, status: 'UP', ifindex: 11 });
    expect(await t.router.execute(portOp('p2', { role: 'reject' }))).toEqual({
      code: ErrorCode.GENERIC_ERROR,
      message: 'nope',
    });
    expect(t.cubes.get('c0')?.ports.has('p2')).toBe(false);
    expect(await t.router.execute(portOp('p1', {}))).toEqual({
      code: ErrorCode.GENERIC_ERROR,
      message: 'Port p1 already exists',
    });
    // p0 removed: its id is the lowest free one again.
    expect(await t.router.execute(op({ op: 'DELETE', path: '/pcntest/ports', keys: portKey('p0') }))).toEqual(
      { code: ErrorCode.OK },
    );
    expect(t.dataplanes[0].bound.has(0)).toBe(false);
    expect(await t.router.execute(portOp('p3', {}))).toEqual({ code: ErrorCode.OK });
    expect(t.cubes.get('c0')?.ports.get('p3')?.id).toBe(0);
    expect(await t.router.execute(op({ op: 'DELETE', path: '/pcntest/ports', keys: portKey('zz') }))).toEqual(
      {
        code: ErrorCode.DATA_MISSING,
      },
    );
  });

  // A peer PATCH is checked and applied by polycubed; a port peered with a cube port is UP only when both sides agree.
  it('sets port peers itself, including cube:port peers', async () => {
    const t = setup();
    await t.router.execute(CREATE_C0);
    const peerOp = (cube: string, port: string, body: unknown) =>
      op({ op: 'UPDATE', cube, path: '/pcntest/ports/peer', keys: portKey(port), body });
    expect(await t.router.execute(peerOp('c0', 'p0', 'nope'))).toEqual({
      code: ErrorCode.GENERIC_ERROR,
      message: 'Interface  nope does not exist or is down',
    });
    await t.router.execute(
      op({ op: 'CREATE', path: '/pcntest', cube: 'c1', body: { ports: [{ name: 'q0' }] } }),
    );
    expect(await t.router.execute(peerOp('c0', 'p0', 'c1:q0'))).toEqual({ code: ErrorCode.OK });
    expect(t.dataplanes[0].bound.size).toBe(0);
    expect(t.cubes.get('c0')?.ports.get('p0')?.status).toBe('DOWN');
    expect(await t.router.execute(peerOp('c1', 'q0', 'c0:p0'))).toEqual({ code: ErrorCode.OK });
    expect(t.cubes.get('c0')?.ports.get('p0')?.status).toBe('UP');
    // Linked through a veth pair: each port bound to its own end.
    const ends = [...t.wiring.pairs.values()].map((l) => l.ifindex).sort();
    expect(ends).toHaveLength(2);
    expect([t.dataplanes[0].bound.get(0), t.dataplanes[1].bound.get(0)].sort()).toEqual(ends);
    expect(
      await t.router.execute(op({ op: 'READ', path: '/pcntest/ports/peer', keys: portKey('p0') })),
    ).toEqual({
      code: ErrorCode.OK,
      body: 'c1:q0',
    });
  });

  // Everything outside the base model goes to the service with its path, keys and body.
  it('forwards service paths unchanged and returns the service answer', async () => {
    const t = setup((req) => (req.op === 'READ' ? { body: 'hello' } : {}));
    await t.router.execute(CREATE_C0);
    expect(await t.router.execute(op({ op: 'READ', path: '/pcntest/label' }))).toEqual({
      code: ErrorCode.OK,
      body: 'hello',
    });
    expect(await t.router.execute(op({ op: 'UPDATE', path: '/pcntest/label', body: 'y' }))).toEqual({
      code: ErrorCode.OK,
    });
    const last = t.requests[t.requests.length - 1];
    expect(last).toMatchObject({
      op: 'UPDATE',
      path: '/pcntest/label',
      bodyJson: '"y"',
      isCollection: false,
    });
  });

  // A service that never answers does not hang the request.
  it('times out a request the service never answers', async () => {
    const t = setup();
    await t.router.execute(CREATE_C0);
    (t.service.conn as ServiceConnection)['link'].send = () => undefined;
    const res = await t.router.execute(op({ op: 'READ', path: '/pcntest/label' }));
    expect(res).toEqual({
      code: ErrorCode.GENERIC_ERROR,
      message:
        'service pcntest did not answer within 1000 ms; if it answers later, polycubed reconciles the outcome and logs it',
    });
  });
});

describe('READ answers a service lets polycubed reuse', () => {
  const LABEL = op({ op: 'READ', path: '/pcntest/label' });
  const reads = (t: { requests: ConfigRequestMsg[] }): number =>
    t.requests.filter((r) => r.op === 'READ').length;

  it('answers a repeated READ without the service, until a change of the cube', async () => {
    let label = 'one';
    const t = setup((req) => (req.op === 'READ' ? { body: label, cacheMs: 60_000 } : {}));
    await t.router.execute(CREATE_C0);
    expect((await t.router.execute(LABEL)).body).toBe('one');
    expect((await t.router.execute(LABEL)).body).toBe('one');
    expect(reads(t)).toBe(1);
    // Another READ (other keys or path) is asked separately.
    await t.router.execute(op({ op: 'READ', path: '/pcntest' }));
    expect(reads(t)).toBe(2);
    label = 'two';
    expect(await t.router.execute(op({ op: 'UPDATE', path: '/pcntest/label', body: 'two' }))).toEqual({
      code: ErrorCode.OK,
    });
    expect((await t.router.execute(LABEL)).body).toBe('two');
    expect(reads(t)).toBe(3);
    // A port event (status or peer the service was told of) voids them too.
    t.router.reads.invalidate('c0');
    await t.router.execute(LABEL);
    expect(reads(t)).toBe(4);
  });

  it('never keeps an answer asked while a change of its cube ran, nor one not allowed', async () => {
    let release: (() => void) | undefined;
    const t = setup((req) =>
      req.op === 'READ' ? { body: 'x', cacheMs: req.path.endsWith('label') ? 60_000 : 0 } : {},
    );
    await t.router.execute(CREATE_C0);
    // A change that has not answered yet: the READ beside it is answered, not kept.
    const send = (t.service.conn as ServiceConnection).link.send.bind(
      (t.service.conn as ServiceConnection).link,
    );
    (t.service.conn as ServiceConnection)['link'].send = (msg: DaemonMessageMsg) => {
      if (msg.request?.op === 'UPDATE') release = () => send(msg);
      else send(msg);
    };
    const change = t.router.execute(op({ op: 'UPDATE', path: '/pcntest/label', body: 'y' }));
    await t.router.execute(LABEL);
    await t.router.execute(LABEL);
    expect(reads(t)).toBe(2);
    (release as () => void)();
    await change;
    await t.router.execute(LABEL);
    await t.router.execute(LABEL);
    expect(reads(t)).toBe(3);
    // cacheMs 0: asked every time.
    await t.router.execute(op({ op: 'READ', path: '/pcntest' }));
    await t.router.execute(op({ op: 'READ', path: '/pcntest' }));
    expect(reads(t)).toBe(5);
  });
});
