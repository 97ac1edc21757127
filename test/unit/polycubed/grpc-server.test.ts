// polycubed's gRPC server in process over a FakeDaemon, with a raw grpc-js client: listening
// options, the unix socket's permissions, stream registration rules and status mapping. The
// service side (src/service-kit) is covered in test/unit/service-kit.

import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { PolycubedGrpcServer, SERVICE_METADATA_KEY } from '../../../src/polycubed/grpc/grpc-server';
import {
  loadPolycubedService,
  type DaemonMessageMsg,
  type ServiceMessageMsg,
} from '../../../src/proto/polycube-types';
import { FakeDaemon } from '../../fixtures/fake-daemon';
import { waitFor } from '../../fixtures/child-process';

jest.setTimeout(30_000);

type Stream = grpc.ClientDuplexStream<ServiceMessageMsg, DaemonMessageMsg>;
interface RawClient extends grpc.Client {
  attach(md?: grpc.Metadata): Stream;
  getCube(
    req: { cube: string },
    md: grpc.Metadata,
    cb: (err: grpc.ServiceError | null, res: unknown) => void,
  ): void;
}

const { client: Client } = loadPolycubedService();
const REGISTER = {
  protocolVersion: 1,
  name: 'svc',
  yang: 'module svc {}',
  imports: {},
  version: '',
  description: '',
};

let dir: string;
let daemon: FakeDaemon;
let server: PolycubedGrpcServer | undefined;
const clients: grpc.Client[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lbrp-grpc-'));
  daemon = new FakeDaemon();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop(200);
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function rawClient(address: string): RawClient {
  const c = new Client(address, grpc.credentials.createInsecure()) as unknown as RawClient;
  clients.push(c);
  return c;
}

/** Collects what the server sends on a stream, and how it ended. */
function watch(stream: Stream): { msgs: DaemonMessageMsg[]; error?: grpc.ServiceError; ended: boolean } {
  const seen: { msgs: DaemonMessageMsg[]; error?: grpc.ServiceError; ended: boolean } = {
    msgs: [],
    ended: false,
  };
  stream.on('data', (m: DaemonMessageMsg) => seen.msgs.push(m));
  stream.on('error', (e: grpc.ServiceError) => (seen.error = e));
  stream.on('end', () => (seen.ended = true));
  return seen;
}

describe('listening', () => {
  it('refuses options that name no endpoint, both, or TCP without TLS', () => {
    const d = daemon.asDaemon();
    expect(() => new PolycubedGrpcServer(d, {})).toThrow('give exactly one of socketPath and address');
    expect(() => new PolycubedGrpcServer(d, { socketPath: join(dir, 's'), address: '127.0.0.1:0' })).toThrow(
      'give exactly one of socketPath and address',
    );
    expect(() => new PolycubedGrpcServer(d, { address: '127.0.0.1:0' })).toThrow('TCP needs TLS');
  });

  it('creates the socket 0600 in a 0700 directory, replacing a stale file, and removes it on stop', async () => {
    const socketPath = join(dir, 'run', 'polycubed.sock');
    const first = new PolycubedGrpcServer(daemon.asDaemon(), { socketPath });
    await first.start();
    await first.stop(200);
    writeFileSync(socketPath, 'stale'); // what a crashed daemon leaves behind
    server = new PolycubedGrpcServer(daemon.asDaemon(), { socketPath });
    expect(await server.start()).toBe(`unix:${socketPath}`);
    expect(statSync(socketPath).isSocket()).toBe(true);
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o700);
    await server.stop(200);
    server = undefined;
    expect(existsSync(socketPath)).toBe(false);
  });

  it('serves plain TCP when insecure is set, answering on the bound port', async () => {
    server = new PolycubedGrpcServer(daemon.asDaemon(), { address: '127.0.0.1:0', insecure: true });
    const address = await server.start();
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(address).not.toBe('127.0.0.1:0');
    const res = await new Promise((resolve, reject) =>
      rawClient(address).getCube({ cube: 'c1' }, new grpc.Metadata(), (e, r) => (e ? reject(e) : resolve(r))),
    );
    expect(res).toMatchObject({ name: 'c1', type: 'TC' });
    expect(daemon.calls[0].caller).toBeUndefined(); // no pcn-service metadata: no caller
  });
});

describe('control stream', () => {
  async function unixServer(): Promise<string> {
    server = new PolycubedGrpcServer(daemon.asDaemon(), { socketPath: join(dir, 'p.sock') });
    return server.start();
  }

  it('accepts one Register per stream, forwards replies only after it, and detaches at the end', async () => {
    const stream = rawClient(await unixServer()).attach();
    const seen = watch(stream);
    stream.write({ reply: { id: 1, code: 'OK', message: '', bodyJson: '', errorInfo: '' } }); // before Register
    stream.write({ register: REGISTER });
    stream.write({ register: { ...REGISTER, name: 'other' } }); // ignored
    stream.write({ reply: { id: 2, code: 'OK', message: 'done', bodyJson: '', errorInfo: '' } });
    await waitFor(() => daemon.replies.length === 1 && seen.msgs.length === 1, 'Registered and one reply');
    expect(daemon.registrations.map((r) => r.name)).toEqual(['svc']);
    expect(daemon.replies.map((r) => r.id)).toEqual([2]);
    expect(seen.msgs[0].registered).toEqual({ daemonVersion: 'fake-1.0', replyWrites: false });
    stream.end();
    await waitFor(() => daemon.detached === 1, 'the detach');
    await waitFor(() => seen.ended, 'the server to end its side');
  });

  it('ends a refused Register with the status and message the daemon gave', async () => {
    daemon.attachResult = {
      ok: false,
      status: 'FAILED_PRECONDITION',
      message: 'protocol version 9 is not supported',
    };
    const stream = rawClient(await unixServer()).attach();
    const seen = watch(stream);
    stream.write({ register: { ...REGISTER, protocolVersion: 9 } });
    await waitFor(() => seen.error, 'the stream error');
    expect(seen.error?.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(seen.error?.details).toBe('protocol version 9 is not supported');
    expect(daemon.detached).toBe(0); // never attached, so nothing to detach
  });

  it('stop() ends registered streams and stops the daemon writing to them', async () => {
    const stream = rawClient(await unixServer()).attach();
    const seen = watch(stream);
    stream.write({ register: REGISTER });
    await waitFor(() => seen.msgs.length === 1, 'Registered');
    const link = daemon.link;
    await server?.stop(500);
    server = undefined;
    await waitFor(() => seen.ended || seen.error, 'the stream to end');
    link.send({ portEvent: { cube: 'c', port: 'p', portId: 0, status: 'UP', peer: '' } }); // a no-op now
    expect(seen.msgs).toHaveLength(1);
  });

  it('passes the pcn-service metadata of unary calls as the caller', async () => {
    const c = rawClient(await unixServer());
    const md = new grpc.Metadata();
    md.set(SERVICE_METADATA_KEY, 'lbrp');
    await new Promise((resolve, reject) =>
      c.getCube({ cube: 'x' }, md, (e, r) => (e ? reject(e) : resolve(r))),
    );
    expect(daemon.calls).toEqual([{ method: 'getCube', args: ['x'], caller: 'lbrp' }]);
  });
});
