// The service kit against a real gRPC server in process (PolycubedGrpcServer over a FakeDaemon,
// on a temp unix socket): registration, configuration requests and answers in stream order,
// events, typed dataplane calls with their errors, and reconnection after polycubed restarts.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { PolycubedGrpcServer } from '../../../src/polycubed/grpc/grpc-server';
import { SouthboundError } from '../../../src/polycubed/core/service-link';
import {
  DataplaneError,
  ErrorCode,
  ServiceKit,
  type ConfigRequest,
  type PacketIn,
  type PortEvent,
  type ResyncCube,
  type ServiceHandler,
} from '../../../src/service-kit';
import { FakeDaemon } from '../../fixtures/fake-daemon';
import { waitFor } from '../../fixtures/child-process';

jest.setTimeout(30_000);

let dir: string;
let daemon: FakeDaemon;
let server: PolycubedGrpcServer;
let kit: ServiceKit | undefined;
const socketPath = (): string => join(dir, 'polycubed.sock');

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lbrp-kit-'));
  daemon = new FakeDaemon();
  server = new PolycubedGrpcServer(daemon.asDaemon(), { socketPath: socketPath() });
  await server.start();
});

afterEach(async () => {
  await kit?.stop();
  kit = undefined;
  await server.stop(200);
  rmSync(dir, { recursive: true, force: true });
});

/** A started kit registered with the fake daemon. */
async function connectKit(handler: Partial<ServiceHandler> = {}): Promise<ServiceKit> {
  kit = new ServiceKit({
    address: `unix:${socketPath()}`,
    name: 'pcntest',
    yang: 'module pcntest {}',
    imports: { 'polycube-base': 'module polycube-base {}' },
    version: '2.0',
    description: 'a test service',
    handler: { onConfig: () => ({}), ...handler },
    backoff: { initialMs: 20, maxMs: 100 },
  });
  const registered = new Promise<string>((resolve) => kit?.once('registered', resolve));
  kit.start();
  await kit.waitRegistered(10_000);
  expect(await registered).toBe('fake-1.0');
  return kit;
}

describe('registration', () => {
  it('sends Register with the service description and becomes connected on Registered', async () => {
    const k = await connectKit();
    expect(k.connected).toBe(true);
    expect(daemon.registrations).toEqual([
      {
        protocolVersion: 1,
        name: 'pcntest',
        yang: 'module pcntest {}',
        imports: { 'polycube-base': 'module polycube-base {}' },
        version: '2.0',
        description: 'a test service',
      },
    ]);
  });

  it('reports a refused registration as a disconnection and tries again', async () => {
    daemon.attachResult = {
      ok: false,
      status: 'ALREADY_EXISTS',
      message: 'service pcntest is already registered',
    };
    kit = new ServiceKit({
      address: `unix:${socketPath()}`,
      name: 'pcntest',
      yang: 'module pcntest {}',
      handler: { onConfig: () => ({}) },
      backoff: { initialMs: 20, maxMs: 40 },
    });
    const reasons: string[] = [];
    kit.on('disconnected', (r: string) => reasons.push(r));
    kit.start();
    await waitFor(() => daemon.registrations.length >= 2, 'a second Register after the refusal', 10_000);
    expect(kit.connected).toBe(false);
    expect(reasons[0]).toBe('service pcntest is already registered');
    // Once polycubed accepts, the retry registers.
    daemon.attachResult = { ok: true };
    await kit.waitRegistered(10_000);
    expect(daemon.registrations[0]).toMatchObject({ imports: {}, version: '', description: '' });
  });

  it('waitRegistered rejects when polycubed never answers', async () => {
    kit = new ServiceKit({
      address: `unix:${join(dir, 'nobody.sock')}`,
      name: 'pcntest',
      yang: '',
      handler: { onConfig: () => ({}) },
    });
    kit.start();
    await expect(kit.waitRegistered(150)).rejects.toThrow('not registered with polycubed within 150 ms');
  });

  it('re-registers after polycubed restarts, and detaches on stop', async () => {
    const k = await connectKit();
    const reasons: string[] = [];
    k.on('disconnected', (r: string) => reasons.push(r));
    await server.stop(200);
    await waitFor(() => reasons.length > 0, 'a disconnection', 10_000);
    expect(k.connected).toBe(false);
    server = new PolycubedGrpcServer(daemon.asDaemon(), { socketPath: socketPath() });
    await server.start();
    await waitFor(() => k.connected, 're-registration', 10_000);
    expect(daemon.registrations).toHaveLength(2);
    await k.stop();
    await waitFor(() => daemon.detached >= 2, 'the daemon to see the stream end', 10_000);
    expect(k.connected).toBe(false);
  });
});

describe('configuration requests', () => {
  it('hands parsed requests to onConfig and sends its answer back with the request id', async () => {
    const seen: ConfigRequest[] = [];
    await connectKit({
      onConfig: (req) => {
        seen.push(req);
        return req.op === 'READ' ? { body: { answer: req.path }, cacheMs: 250.7 } : { code: ErrorCode.OK };
      },
    });
    daemon.send({
      request: {
        id: 7,
        op: 'CREATE',
        cube: 'c1',
        path: '/pcntest/service',
        keys: [{ list: 'service', name: 'vip', value: '10.0.0.1' }],
        bodyJson: '{"vip":"10.0.0.1","vport":80}',
        isCollection: false,
      },
    });
    daemon.send({
      request: {
        id: 8,
        op: 'OPERATION_UNSPECIFIED',
        cube: 'c1',
        path: '/pcntest',
        keys: [],
        bodyJson: '',
        isCollection: true,
      },
    });
    await waitFor(() => daemon.replies.length === 2, 'two replies');
    expect(seen).toEqual([
      {
        id: 7,
        op: 'CREATE',
        cube: 'c1',
        path: '/pcntest/service',
        keys: [{ list: 'service', name: 'vip', value: '10.0.0.1' }],
        body: { vip: '10.0.0.1', vport: 80 },
        isCollection: false,
      },
      { id: 8, op: 'READ', cube: 'c1', path: '/pcntest', keys: [], body: undefined, isCollection: true },
    ]);
    expect(daemon.replies).toEqual([
      { id: 7, code: 'OK', message: '', bodyJson: '', errorInfo: '', writes: null, cacheMs: 0 },
      {
        id: 8,
        code: 'OK',
        message: '',
        bodyJson: '{"answer":"/pcntest"}',
        errorInfo: '',
        writes: null,
        cacheMs: 250,
      },
    ]);
  });

  it('answers a throwing handler with GENERIC_ERROR and its message, and keeps error codes', async () => {
    await connectKit({
      onConfig: (req) => {
        if (req.id === 1) throw new Error('backend pool exhausted');
        return { code: ErrorCode.BAD_ATTRIBUTE, message: 'vport must be 1..65535', errorInfo: 'vport' };
      },
    });
    for (const id of [1, 2])
      daemon.send({
        request: {
          id,
          op: 'UPDATE',
          cube: 'c1',
          path: '/pcntest',
          keys: [],
          bodyJson: '{}',
          isCollection: false,
        },
      });
    await waitFor(() => daemon.replies.length === 2, 'two replies');
    expect(daemon.replies).toEqual([
      {
        id: 1,
        code: 'GENERIC_ERROR',
        message: 'backend pool exhausted',
        bodyJson: '',
        errorInfo: '',
        writes: null,
        cacheMs: 0,
      },
      {
        id: 2,
        code: 'BAD_ATTRIBUTE',
        message: 'vport must be 1..65535',
        bodyJson: '',
        errorInfo: 'vport',
        writes: null,
        cacheMs: 0,
      },
    ]);
  });

  it('runs handler calls one at a time in stream order, even when an earlier one is slow', async () => {
    const log: string[] = [];
    await connectKit({
      onConfig: async (req) => {
        log.push(`start ${req.id}`);
        if (req.id === 1) await new Promise((r) => setTimeout(r, 100));
        log.push(`end ${req.id}`);
        return {};
      },
      onResync: (cubes) => {
        log.push(`resync ${cubes.map((c) => c.name).join(',')}`);
      },
    });
    daemon.send({
      request: {
        id: 1,
        op: 'DELETE',
        cube: 'c1',
        path: '/pcntest',
        keys: [],
        bodyJson: '',
        isCollection: false,
      },
    });
    daemon.send({ resync: { cubes: [{ name: 'c9', configJson: '{}' }] } });
    daemon.send({
      request: {
        id: 2,
        op: 'DELETE',
        cube: 'c2',
        path: '/pcntest',
        keys: [],
        bodyJson: '',
        isCollection: false,
      },
    });
    await waitFor(() => daemon.replies.length === 2, 'two replies');
    expect(log).toEqual(['start 1', 'end 1', 'resync c9', 'start 2', 'end 2']);
    expect(daemon.replies.map((r) => r.id)).toEqual([1, 2]);
  });
});

describe('map writes in replies', () => {
  const update = (id: number): void =>
    daemon.send({
      request: {
        id,
        op: 'UPDATE',
        cube: 'c1',
        path: '/pcntest',
        keys: [],
        bodyJson: '{}',
        isCollection: false,
      },
    });
  const ops = [
    { map: 'm', key: Buffer.from([1]), value: Buffer.from([2]) },
    { map: 'm', key: Buffer.from([3]), value: Buffer.from([4]) },
  ];

  it('travel packed in the reply when polycubed takes them; WritesDone reaches done()', async () => {
    daemon.replyWrites = true;
    const outcomes: unknown[] = [];
    const k = await connectKit({
      onConfig: () => ({ writes: { cube: 'c1', ops, done: (o) => outcomes.push(o) } }),
    });
    expect(k.repliesCarryWrites).toBe(true);
    update(5);
    await waitFor(() => daemon.replies.length === 1, 'a reply');
    expect(daemon.replies[0]).toMatchObject({
      id: 5,
      code: 'OK',
      writes: {
        cube: 'c1',
        ops: [{ map: 'm', key: Buffer.from([1, 3]), value: Buffer.from([2, 4]), delete: false, count: 2 }],
      },
    });
    expect(outcomes).toEqual([]);
    daemon.send({ writesDone: { id: 5, applied: 2, error: '' } });
    await waitFor(() => outcomes.length === 1, 'done');
    expect(outcomes).toEqual([{ applied: 2 }]);
    update(6);
    await waitFor(() => daemon.replies.length === 2, 'a second reply');
    daemon.send({ writesDone: { id: 6, applied: 1, error: 'E2BIG (1 of 2 operations applied)' } });
    await waitFor(() => outcomes.length === 2, 'done');
    expect(outcomes[1]).toEqual({ applied: 1, error: 'E2BIG (1 of 2 operations applied)' });
  });

  it('are refused (done with an error, reply without them) by a polycubed that does not take them', async () => {
    const outcomes: { applied: number; error?: string }[] = [];
    const k = await connectKit({
      onConfig: () => ({ writes: { cube: 'c1', ops, done: (o) => outcomes.push(o) } }),
    });
    expect(k.repliesCarryWrites).toBe(false);
    update(5);
    await waitFor(() => daemon.replies.length === 1, 'a reply');
    expect(daemon.replies[0].writes).toBeNull();
    expect(outcomes).toEqual([{ applied: 0, error: 'polycubed does not take map writes in replies' }]);
  });

  it('end with an error when the stream ends before polycubed confirmed them', async () => {
    daemon.replyWrites = true;
    const outcomes: { applied: number; error?: string }[] = [];
    const k = await connectKit({
      onConfig: () => ({ writes: { cube: 'c1', ops, done: (o) => outcomes.push(o) } }),
    });
    update(5);
    await waitFor(() => daemon.replies.length === 1, 'a reply');
    await k.stop();
    expect(outcomes).toEqual([
      { applied: 0, error: 'the stream to polycubed ended before it confirmed them' },
    ]);
  });
});

describe('events', () => {
  it('delivers resync configs parsed, packet-ins and port events to the handler', async () => {
    const resyncs: ResyncCube[][] = [];
    const packets: PacketIn[] = [];
    const ports: PortEvent[] = [];
    await connectKit({
      onResync: (c) => void resyncs.push(c),
      onPacketIn: (p) => packets.push(p),
      onPortEvent: (e) => ports.push(e),
    });
    daemon.send({
      resync: { cubes: [{ name: 'lb1', configJson: '{"name":"lb1","ports":[{"name":"p0"}]}' }] },
    });
    const frame = Buffer.from('00112233445566778899aabb0800', 'hex');
    daemon.send({
      packetIn: {
        cube: 'lb1',
        portId: 3,
        portName: 'p0',
        reason: 2,
        metadata: [1, 2, 3],
        trafficClass: 0,
        packet: frame,
      },
    });
    daemon.send({ portEvent: { cube: 'lb1', port: 'p0', portId: 3, status: 'UP', peer: 'veth0' } });
    await waitFor(() => resyncs.length && packets.length && ports.length, 'all three events');
    expect(resyncs).toEqual([[{ name: 'lb1', config: { name: 'lb1', ports: [{ name: 'p0' }] } }]]);
    expect(packets).toEqual([
      {
        cube: 'lb1',
        portId: 3,
        portName: 'p0',
        reason: 2,
        metadata: [1, 2, 3],
        trafficClass: 0,
        packet: frame,
      },
    ]);
    expect(ports).toEqual([{ cube: 'lb1', port: 'p0', portId: 3, status: 'UP', peer: 'veth0' }]);
  });

  it('emits handler-error when onResync throws, and still answers later requests', async () => {
    const k = await connectKit({
      onResync: () => {
        throw new Error('cannot rebuild');
      },
    });
    const errors: Error[] = [];
    k.on('handler-error', (e: Error) => errors.push(e));
    daemon.send({ resync: { cubes: [] } });
    daemon.send({
      request: {
        id: 5,
        op: 'READ',
        cube: 'c',
        path: '/pcntest',
        keys: [],
        bodyJson: '',
        isCollection: false,
      },
    });
    await waitFor(() => daemon.replies.length === 1, 'the reply after the failed resync');
    expect(errors.map((e) => e.message)).toEqual(['cannot rebuild']);
  });
});

describe('dataplane calls', () => {
  it('loadDataplane sends defines as strings and defaults, with the service as caller', async () => {
    const k = await connectKit();
    daemon.loadReply = {
      reloaded: true,
      programId: 77,
      error: '',
      errorKind: '',
      log: 'warning: unused',
      kernelMemory: 6_093_352,
    };
    const res = await k.loadDataplane({
      cube: 'c1',
      files: { 'a.c': 'int x;' },
      entry: 'a.c',
      defines: { N: 4, MODE: 'fast' },
    });
    expect(res).toEqual({
      reloaded: true,
      programId: 77,
      warnings: 'warning: unused',
      kernelMemory: 6_093_352,
    });
    expect(daemon.calls).toEqual([
      {
        method: 'loadDataplane',
        args: [
          {
            cube: 'c1',
            files: { 'a.c': 'int x;' },
            entry: 'a.c',
            defines: { N: '4', MODE: 'fast' },
            mapSizes: {},
            replaceIncompatibleMaps: false,
          },
        ],
        caller: 'pcntest',
      },
    ]);
  });

  it('loadDataplane throws DataplaneError with the kind and log of a refused program', async () => {
    const k = await connectKit();
    daemon.loadReply = {
      reloaded: false,
      programId: 0,
      error: 'verifier refused',
      errorKind: 'VERIFIER',
      log: 'R0 !read_ok',
    };
    const err = (await k
      .loadDataplane({ cube: 'c1', files: {}, entry: 'a.c' })
      .catch((e: unknown) => e)) as DataplaneError;
    expect(err).toBeInstanceOf(DataplaneError);
    expect([err.message, err.kind, err.log]).toEqual(['verifier refused', 'VERIFIER', 'R0 !read_ok']);
  });

  it('writeMaps, readMaps, sendPacket and getCube carry their arguments both ways', async () => {
    const k = await connectKit();
    const key = Buffer.from([1, 2]);
    daemon.entries = [
      { key, value: Buffer.from([9]), perCpu: [] },
      { key: Buffer.from([3, 4]), value: Buffer.from([8]), perCpu: [] },
    ];
    expect(
      await k.writeMaps('c1', [
        { map: 'm', key, value: Buffer.from([5]) },
        { map: 'm', key, delete: true },
        { map: 'm', key: Buffer.from([1, 2, 3, 4]), value: Buffer.from([6, 7]), count: 2 },
      ]),
    ).toBe(4);
    expect(daemon.calls[0].args[1]).toEqual([
      { map: 'm', key, value: Buffer.from([5]), delete: false, count: 0 },
      { map: 'm', key, value: Buffer.alloc(0), delete: true, count: 0 },
      { map: 'm', key: Buffer.from([1, 2, 3, 4]), value: Buffer.from([6, 7]), delete: false, count: 2 },
    ]);
    expect(await k.readMaps('c1', 'm', [key])).toEqual([{ key, value: Buffer.from([9]), perCpu: [] }]);
    expect(await k.readMaps('c1', 'm')).toHaveLength(2);
    await k.sendPacket('c1', 'p0', Buffer.from('ff', 'hex'));
    expect(daemon.calls[3].args).toEqual(['c1', 'p0', Buffer.from('ff', 'hex'), false]);
    daemon.cubeInfo = {
      name: 'c1',
      type: 'XDP_SKB',
      loglevel: 'DEBUG',
      ports: [{ name: 'p0', id: 0, peer: 'v0', status: 'UP', ifindex: 7 }],
      kernelMemory: 4096,
    };
    expect(await k.getCube('c1')).toEqual(daemon.cubeInfo);
    expect(daemon.calls.map((c) => c.caller)).toEqual(Array(5).fill('pcntest'));
  });

  it('turns a SouthboundError into its gRPC status and other errors into INTERNAL', async () => {
    const k = await connectKit();
    daemon.fail = new SouthboundError('NOT_FOUND', 'cube c9 does not exist');
    await expect(k.getCube('c9')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'cube c9 does not exist',
    });
    daemon.fail = new SouthboundError('PERMISSION_DENIED', 'cube c1 belongs to lbrp');
    await expect(k.writeMaps('c1', [])).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    daemon.fail = new RangeError('offset out of range');
    await expect(k.readMaps('c1', 'm')).rejects.toMatchObject({
      code: grpc.status.INTERNAL,
      details: 'offset out of range',
    });
  });
});
