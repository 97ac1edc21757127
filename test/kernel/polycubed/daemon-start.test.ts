// Kernel tests of polycubed's start-up and gRPC edge: a corrupt state file is set aside and
// reported, orphan pins are reported, Register is refused for a wrong protocol version, a
// mismatched name or a second instance, TCP requires TLS with a client certificate, and the daemon
// mounts its own bpffs when started under `ip netns exec`.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Daemon } from '../../../src/polycubed/core/daemon';
import { PolycubedGrpcServer } from '../../../src/polycubed/grpc/grpc-server';
import {
  loadPolycubedService,
  type DaemonMessageMsg,
  type ServiceMessageMsg,
} from '../../../src/proto/polycube-types';
import { TestService } from '../../fixtures/test-service/test-service';
import { describeKernel, PolycubedFixture, TSX, waitFor } from './polycubed-fixture';

const YANG = readFileSync(join(__dirname, '../../fixtures/test-service/pcntest.yang'), 'utf8');
const { client: Client } = loadPolycubedService();

/** Opens Attach, sends one Register, and resolves with the first message or the stream's error. */
function register(
  client: grpc.Client,
  reg: Partial<NonNullable<ServiceMessageMsg['register']>>,
): Promise<{
  msg?: DaemonMessageMsg;
  err?: grpc.ServiceError;
  call: grpc.ClientDuplexStream<ServiceMessageMsg, DaemonMessageMsg>;
}> {
  const call = (
    client as unknown as { attach(): grpc.ClientDuplexStream<ServiceMessageMsg, DaemonMessageMsg> }
  ).attach();
  return new Promise((resolve) => {
    call.on('data', (msg: DaemonMessageMsg) => resolve({ msg, call }));
    call.on('error', (err: grpc.ServiceError) => resolve({ err, call }));
    call.write({
      register: {
        protocolVersion: 1,
        name: 'pcntest',
        yang: YANG,
        imports: {},
        version: '',
        description: '',
        ...reg,
      },
    });
  });
}

/** Makes a CA, a server certificate for localhost/127.0.0.1 and a client certificate, in `dir`. */
function makeCerts(
  dir: string,
): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', Buffer> {
  const ssl = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl([
    'req',
    '-x509',
    ...key,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=pcn-test-ca',
    '-days',
    '1',
  ]);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const [name, cn] of [
    ['server', 'localhost'],
    ['client', 'pcntest'],
  ]) {
    ssl(['req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '1', ...(name === 'server' ? ['-extfile', 'san.ext'] : [])]); // prettier-ignore
  }
  const read = (f: string): Buffer => readFileSync(join(dir, f));
  return {
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
  };
}

describeKernel('kernel: polycubed start-up and gRPC edge', () => {
  const fx = new PolycubedFixture();
  const services: TestService[] = [];
  const clients: grpc.Client[] = [];
  let tlsServer: PolycubedGrpcServer | undefined;

  afterAll(async () => {
    for (const s of services) await s.kit.stop();
    for (const c of clients) c.close();
    await tlsServer?.stop(200);
    await fx.cleanup();
  });

  // An unreadable state file is moved aside (content intact) and reported; leftover pins of unknown
  // cubes are listed and removed, while bpffs files that are not a cube's pins are left alone.
  it('sets a corrupt state file aside and removes orphan pins', async () => {
    const stateFile = fx.options.stateFile as string;
    mkdirSync(dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, '[{"service-name": "pcntest", "name": ');
    mkdirSync(join(fx.pinRoot, 'ghost', 'maps'), { recursive: true });
    mkdirSync(join(fx.pinRoot, 'not-a-cube'), { recursive: true });
    const daemon = await fx.startDaemon();
    expect(daemon.startup.corrupt?.reason).toMatch(/unreadable/);
    expect(readFileSync(daemon.startup.corrupt?.movedTo as string, 'utf8')).toBe(
      '[{"service-name": "pcntest", "name": ',
    );
    expect(daemon.startup.orphans).toEqual(['ghost']);
    expect(existsSync(join(fx.pinRoot, 'ghost'))).toBe(false);
    expect(existsSync(join(fx.pinRoot, 'not-a-cube'))).toBe(true);
    expect(fx.logs.some((l) => l.level === 'ERR' && /state file .* is unusable/.test(l.message))).toBe(true);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual([]);
    expect(readdirSync(dirname(stateFile)).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  // Register is refused for an unknown protocol version, a name that is not the YANG's, and a second instance.
  it('refuses bad registrations with clear statuses', async () => {
    const client = new Client(fx.address, grpc.credentials.createInsecure());
    clients.push(client);
    const version = await register(client, { protocolVersion: 2 });
    expect(version.err).toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringMatching(/protocol version 2/),
    });
    const name = await register(client, { name: 'other' });
    expect(name.err).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'Inconsistent module name, service-name, and request name.',
    });
    const first = await register(client, {});
    expect(first.msg?.registered?.daemonVersion).toMatch(/polycubed/);
    const second = await register(client, {});
    expect(second.err).toMatchObject({
      code: grpc.status.ALREADY_EXISTS,
      details: 'service pcntest is already connected',
    });
    first.call.cancel();
    await waitFor(() => fx.daemon?.service('pcntest')?.connected === false, 'the first stream to end');
  });

  // Over TCP the server demands TLS with a client certificate signed by the configured CA.
  it('serves TCP only with TLS and client certificates', async () => {
    const certDir = join(fx.dir, 'certs');
    mkdirSync(certDir);
    const c = makeCerts(certDir);
    tlsServer = new PolycubedGrpcServer(fx.daemon as Daemon, {
      address: '127.0.0.1:0',
      tls: { cert: c.serverCert, key: c.serverKey, ca: c.ca },
    });
    const bound = await tlsServer.start();
    const port = Number(bound.split(':').pop());
    expect(() => new PolycubedGrpcServer(fx.daemon as Daemon, { address: '127.0.0.1:0' })).toThrow(/TLS/);

    const svc = new TestService(`localhost:${port}`, undefined, {
      ca: c.ca,
      cert: c.clientCert,
      key: c.clientKey,
    });
    services.push(svc);
    svc.kit.start();
    await svc.kit.waitRegistered();

    const noCert = new Client(`localhost:${port}`, grpc.credentials.createSsl(c.ca));
    clients.push(noCert);
    const err = await new Promise<grpc.ServiceError | null>((resolve) => {
      (
        noCert as unknown as Record<
          string,
          (r: unknown, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null) => void) => void
        >
      ).getCube({ cube: 'x' }, { deadline: Date.now() + 3000 }, (e) => resolve(e));
    });
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
  });

  // Under `ip netns exec` /sys is remounted and hides the host's bpffs: polycubed mounts its own.
  it('mounts a bpffs at its pin root inside `ip netns exec`', async () => {
    const ns = fx.net.addNetns();
    const child = fx.spawn([
      'ip', 'netns', 'exec', ns, TSX, 'src/polycubed/main.ts',
      '--grpc-socket', join(fx.dir, 'ns.sock'),
      '--pin-root', '/sys/fs/bpf/lbrp-netns-test',
      '--no-persistence',
      '--cache-dir', join(fx.dir, 'cache'),
      '--port', '0',
    ]); // prettier-ignore
    await child.waitLine(/^polycubed: listening on unix:/, 30000);
    child.kill('SIGTERM');
    expect(await child.waitExit()).toBe(0);
    expect(existsSync('/sys/fs/bpf/lbrp-netns-test')).toBe(false); // it was the namespace's own bpffs
  }, 30000);
});
