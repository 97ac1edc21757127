// Service sessions of the daemon core without a kernel: Register checks (protocol, name, YANG,
// duplicates), what a registered service is sent (Registered, Resync of running cubes only), and
// requests that end in a reply, a timeout, or UNAVAILABLE when the stream goes away.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CubeRecord, CubeRegistry } from '../../../src/polycubed/core/cube-registry';
import { DEFAULT_OPTIONS } from '../../../src/polycubed/core/daemon-options';
import { SouthboundError, type ServiceLink } from '../../../src/polycubed/core/service-link';
import { ServiceConnection, type ServiceRecord } from '../../../src/polycubed/core/service-registry';
import { ServiceSessions } from '../../../src/polycubed/core/service-sessions';
import type { ServiceView } from '../../../src/polycubed/core/types';
import type { CubeDataplane } from '../../../src/polycubed/runtime/cube-dataplane';
import type { DaemonMessageMsg, RegisterMsg, WriteMapsRequestMsg } from '../../../src/proto/polycube-types';

const PCNTEST_YANG = readFileSync(join(__dirname, '../../fixtures/test-service/pcntest.yang'), 'utf8');

/** A control stream that keeps what the daemon sent and whether it was closed. */
class FakeLink implements ServiceLink {
  readonly sent: DaemonMessageMsg[] = [];
  closedWith: string | undefined;
  send(msg: DaemonMessageMsg): void {
    this.sent.push(msg);
  }
  close(reason: string): void {
    this.closedWith = reason;
  }
}

const register = (over: Partial<RegisterMsg> = {}): RegisterMsg => ({
  protocolVersion: 1,
  name: 'pcntest',
  yang: PCNTEST_YANG,
  imports: {},
  version: '9.9',
  description: 'ignored: the YANG has one',
  ...over,
});

let cubes: CubeRegistry;
let services: Map<string, ServiceRecord>;
let changes: ServiceView[];
let rebuilt: string[];
let logs: string[];
let late: { service: string; id: number; code: string }[];
let sessions: ServiceSessions;
/** Map writes the sessions applied, and the failure the next one throws. */
let applied: { service: string; writes: WriteMapsRequestMsg }[];
let writeFailure: Error | undefined;

beforeEach(() => {
  cubes = new CubeRegistry();
  services = new Map();
  changes = [];
  rebuilt = [];
  logs = [];
  late = [];
  applied = [];
  writeFailure = undefined;
  sessions = new ServiceSessions({
    options: { yangSearchPath: DEFAULT_OPTIONS.yangSearchPath, requestTimeoutMs: 200, version: 'v-test' },
    cubes,
    services,
    log: (level, message) => logs.push(`${level} ${message}`),
    serviceChanged: (v) => changes.push(v),
    rebuildPending: async (name) => void rebuilt.push(name),
    lateReply: (service, r, reply) => void late.push({ service, id: r.id, code: reply.code }),
    writeMaps: (service, writes) => {
      if (writeFailure) throw writeFailure;
      applied.push({ service, writes });
      return writes.ops.reduce((n, op) => n + Math.max(1, op.count ?? 0), 0);
    },
  });
});

const addCube = (name: string, needsCreate: boolean): void => {
  const cube = new CubeRecord(
    name,
    'pcntest',
    `uuid-${name}`,
    'TC',
    'INFO',
    false,
    false,
    cubes.allocateCubeId(),
    {} as CubeDataplane,
  );
  cube.needsCreate = needsCreate;
  cube.serviceConfig = { label: `label of ${name}` };
  cube.addPort('p0', { uuid: 'port-uuid' }).peer = 'veth1';
  cubes.add(cube);
};

describe('Register', () => {
  it('is refused with a status and a reason for a bad protocol, name, YANG or a duplicate', () => {
    const link = new FakeLink();
    expect(sessions.attach(register({ protocolVersion: 2 }), link)).toEqual({
      ok: false,
      status: 'FAILED_PRECONDITION',
      message: 'protocol version 2 is not supported (polycubed speaks 1)',
    });
    expect(sessions.attach(register({ name: '' }), link)).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: 'Register has no service name',
    });
    expect(sessions.attach(register({ name: 'other' }), link)).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: 'Inconsistent module name, service-name, and request name.',
    });
    expect(sessions.attach(register({ imports: { '../evil': 'x' } }), link)).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: 'invalid import module name "../evil"',
    });
    const bad = sessions.attach(register({ yang: 'module pcntest { leaf x { type nosuchtype; } }' }), link);
    expect(bad).toMatchObject({ ok: false, status: 'INVALID_ARGUMENT' });
    expect(link.sent).toEqual([]); // nothing sent on a refused stream
    expect(services.size).toBe(0);

    expect(sessions.attach(register(), link)).toEqual({ ok: true });
    expect(sessions.attach(register(), new FakeLink())).toEqual({
      ok: false,
      status: 'ALREADY_EXISTS',
      message: 'service pcntest is already connected',
    });
  });

  it('answers Registered, then a Resync of running cubes only, and asks for pending ones', () => {
    addCube('a1', false);
    addCube('b2', true); // persisted but not adopted: recreated through rebuildPending
    const link = new FakeLink();
    expect(sessions.attach(register(), link)).toEqual({ ok: true });
    expect(link.sent[0]).toEqual({ registered: { daemonVersion: 'v-test', replyWrites: true } });
    expect(link.sent).toHaveLength(2);
    const resync = link.sent[1].resync?.cubes ?? [];
    expect(resync.map((c) => c.name)).toEqual(['a1']);
    const config = JSON.parse(resync[0].configJson) as Record<string, unknown>;
    expect(config).toMatchObject({ 'service-name': 'pcntest', name: 'a1', type: 'TC', label: 'label of a1' });
    expect(config).not.toHaveProperty('uuid'); // the service never sees uuids
    expect(config.ports).toEqual([expect.not.objectContaining({ uuid: expect.anything() })]);
    expect(rebuilt).toEqual(['pcntest']);
    // The version and description come from the YANG extensions, not from Register.
    expect(changes).toEqual([
      expect.objectContaining({ name: 'pcntest', version: '0.1.0', connected: true }),
    ]);
    expect(logs).toContain('INFO service pcntest registered (1 cubes resynced)');
  });
});

describe('requests on a connected service', () => {
  let link: FakeLink;
  const conn = (): ServiceConnection => services.get('pcntest')?.conn as ServiceConnection;
  const req = {
    op: 'READ' as const,
    cube: 'a1',
    path: '/pcntest',
    keys: [],
    bodyJson: '',
    isCollection: false,
  };

  beforeEach(() => {
    link = new FakeLink();
    sessions.attach(register(), link);
    link.sent.length = 0;
  });

  it('match replies by id, whatever their order, and ignore unknown ids', async () => {
    const first = conn().request(req);
    const second = conn().request({ ...req, cube: 'b2' });
    const ids = link.sent.map((m) => m.request?.id);
    expect(link.sent.map((m) => m.request?.cube)).toEqual(['a1', 'b2']);
    sessions.handleReply(link, { id: 999, code: 'OK', message: 'late', bodyJson: '', errorInfo: '' });
    sessions.handleReply(link, {
      id: ids[1] as number,
      code: 'OK',
      message: 'second',
      bodyJson: '{}',
      errorInfo: '',
    });
    sessions.handleReply(link, {
      id: ids[0] as number,
      code: 'DATA_MISSING',
      message: 'first',
      bodyJson: '',
      errorInfo: '',
    });
    expect((await first).message).toBe('first');
    expect((await second).message).toBe('second');
  });

  it('answer GENERIC_ERROR when the service does not reply in time, and hand on a late reply', async () => {
    const r = await conn().request(req);
    expect(r).toMatchObject({
      code: 'GENERIC_ERROR',
      message:
        'service pcntest did not answer within 200 ms; if it answers later, polycubed reconciles the outcome and logs it',
    });
    expect(late).toEqual([]);
    sessions.handleReply(link, { id: r.id, code: 'OK', message: '', bodyJson: '', errorInfo: '' });
    expect(late).toEqual([{ service: 'pcntest', id: r.id, code: 'OK' }]);
  });

  it('answer UNAVAILABLE when the stream ends; the service stays known but disconnected', async () => {
    const waiting = conn().request(req);
    sessions.detach(new FakeLink()); // someone else's stream: no effect
    expect(conn()).toBeDefined();
    sessions.detach(link);
    expect(await waiting).toMatchObject({ code: 'UNAVAILABLE', message: 'service pcntest unavailable' });
    expect(services.get('pcntest')?.conn).toBeUndefined();
    expect(changes[changes.length - 1]).toMatchObject({ name: 'pcntest', connected: false });
    // It may register again on a new stream.
    expect(sessions.attach(register(), new FakeLink())).toEqual({ ok: true });
  });

  const writes = (cube: string): WriteMapsRequestMsg => ({
    cube,
    ops: [
      { map: 'm', key: Buffer.from([1, 2]), value: Buffer.from([3]), delete: false },
      { map: 'm', key: Buffer.from([1, 2, 3, 4]), value: Buffer.from([5, 6]), delete: false, count: 2 },
    ],
  });

  it('apply the map writes a reply carries before delivering it, then send WritesDone', async () => {
    const waiting = conn().request({ ...req, op: 'UPDATE' });
    const id = link.sent[0].request?.id as number;
    let seenAtDelivery: number | undefined;
    void waiting.then(() => (seenAtDelivery = applied.length));
    sessions.handleReply(link, {
      id,
      code: 'OK',
      message: '',
      bodyJson: '',
      errorInfo: '',
      writes: writes('a1'),
    });
    expect(applied).toEqual([{ service: 'pcntest', writes: writes('a1') }]);
    expect(link.sent[1]).toEqual({ writesDone: { id, applied: 3, error: '' } });
    expect((await waiting).code).toBe('OK');
    expect(seenAtDelivery).toBe(1);
    // A reply without writes sends no WritesDone.
    const plain = conn().request(req);
    sessions.handleReply(link, {
      id: id + 1,
      code: 'OK',
      message: '',
      bodyJson: '',
      errorInfo: '',
      writes: null,
    });
    await plain;
    expect(link.sent.filter((m) => m.writesDone)).toHaveLength(1);
  });

  it('report failed reply writes in WritesDone (applied count and error) and still deliver the reply', async () => {
    const waiting = conn().request({ ...req, op: 'UPDATE' });
    const id = link.sent[0].request?.id as number;
    writeFailure = new SouthboundError('INTERNAL', 'map update m: E2BIG (1 of 3 operations applied)', 1);
    sessions.handleReply(link, {
      id,
      code: 'OK',
      message: '',
      bodyJson: '',
      errorInfo: '',
      writes: writes('a1'),
    });
    expect(link.sent[1]).toEqual({
      writesDone: { id, applied: 1, error: 'map update m: E2BIG (1 of 3 operations applied)' },
    });
    expect((await waiting).code).toBe('OK');
    expect(logs).toContain(
      'WARN service pcntest: map writes of cube a1 failed: map update m: E2BIG (1 of 3 operations applied)',
    );
  });

  it('apply the writes of a late reply too (the service changed its state)', async () => {
    const r = await conn().request({ ...req, op: 'UPDATE' });
    expect(r.code).toBe('GENERIC_ERROR');
    sessions.handleReply(link, {
      id: r.id,
      code: 'OK',
      message: '',
      bodyJson: '',
      errorInfo: '',
      writes: writes('a1'),
    });
    expect(applied).toHaveLength(1);
    expect(link.sent.at(-1)).toEqual({ writesDone: { id: r.id, applied: 3, error: '' } });
    expect(late).toEqual([{ service: 'pcntest', id: r.id, code: 'OK' }]);
  });

  it('closeAll fails waiting requests and closes the streams', async () => {
    const waiting = conn().request(req);
    const before = changes.length;
    sessions.closeAll();
    expect(await waiting).toMatchObject({ code: 'UNAVAILABLE' });
    expect(link.closedWith).toBe('polycubed is stopping');
    expect(changes).toHaveLength(before); // stopping emits nothing
  });
});
