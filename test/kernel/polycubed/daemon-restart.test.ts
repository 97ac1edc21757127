// Kernel integration of restarts with a long-lived TCP stream flowing through a cube: the service
// going away (cleanly, then SIGKILL) and coming back gets its cubes in a Resync; polycubed
// restarted as a child process (`tsx src/polycubed/main.ts`) and then in process re-adopts the
// pinned dataplane without reloading it. Forwarding never stops and the one connection survives.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../src/polycubed/core/types';
import { unpinAll } from '../../../src/polycubed/runtime/bpf-object';
import { EgressCounter } from '../../fixtures/egress-counter';
import { TestService } from '../../fixtures/test-service/test-service';
import {
  Child,
  describeKernel,
  echoServerScript,
  PolycubedFixture,
  streamBytes,
  streamClientScript,
  TSX,
  waitFor,
} from './polycubed-fixture';

const PORT = 5002;
const STEP_BYTES = 20 * 1024; // the stream moves ~100 KiB/s; this much progress proves it flows

describeKernel('kernel: polycubed restart and service reconnect', () => {
  const fx = new PolycubedFixture();
  let inProcess: TestService | undefined;
  let service: Child;
  let echo: Child;
  let stream: Child;

  /** Waits until the stream moved STEP_BYTES further: traffic flows through the cube right now. */
  const flows = async (what: string): Promise<void> => {
    const from = streamBytes(stream);
    await waitFor(() => streamBytes(stream) >= from + STEP_BYTES, `stream progress ${what}`, 8000);
  };
  const readCube = () => fx.execute({ op: 'READ', cube: 'fw0', path: '/pcntest' });
  const startService = (): Child => fx.spawn([TSX, 'test/fixtures/test-service/main.ts', fx.address]);

  beforeAll(async () => {
    fx.topology();
    await fx.startDaemon();
    inProcess = new TestService(fx.address);
    inProcess.kit.start();
    await inProcess.kit.waitRegistered();
    const res = await fx.execute({
      op: 'CREATE',
      cube: 'fw0',
      path: '/pcntest',
      body: {
        name: 'fw0',
        label: 'kept',
        ports: [
          { name: 'p0', peer: fx.vClient?.a, role: 'client' },
          { name: 'p1', peer: fx.vServer?.a, role: 'server' },
        ],
      },
    });
    if (res.code !== ErrorCode.OK) throw new Error(`cube create failed: ${JSON.stringify(res)}`);
    echo = fx.spawnNode(fx.nsServer, echoServerScript(PORT));
    await echo.waitLine(/listening/);
    stream = fx.spawnNode(fx.nsClient, streamClientScript(PORT));
    await stream.waitLine(/connected/);
    await flows('at start');
  });
  afterAll(async () => {
    await inProcess?.kit.stop();
    await fx.cleanup();
  });

  // Without its service a cube keeps forwarding; requests for it fail with UNAVAILABLE.
  it('keeps forwarding while the service is away and answers UNAVAILABLE', async () => {
    await inProcess?.kit.stop();
    inProcess = undefined;
    await waitFor(() => fx.daemon?.service('pcntest')?.connected === false, 'the service to be gone');
    expect(await readCube()).toEqual({ code: ErrorCode.UNAVAILABLE, message: 'service pcntest unavailable' });
    await flows('without the service');
  });

  // A new service process gets the cube's configuration in a Resync and answers for it again.
  it('gives a reconnecting service its cubes back', async () => {
    service = startService();
    await service.waitLine(/^resync fw0$/);
    const res = await readCube();
    expect(res.code).toBe(ErrorCode.OK);
    expect(res.body).toMatchObject({
      label: 'kept',
      ports: [
        { name: 'p0', role: 'client' },
        { name: 'p1', role: 'server' },
      ],
    });
  });

  // A service killed with SIGKILL: forwarding goes on, and its next incarnation resyncs.
  it('survives a service crash', async () => {
    service.kill('SIGKILL');
    await service.waitExit();
    await waitFor(() => fx.daemon?.service('pcntest')?.connected === false, 'the crash to be noticed');
    await flows('after the service crashed');
    service = startService();
    await service.waitLine(/^resync fw0$/);
    expect((await readCube()).body).toMatchObject({ label: 'kept' });
    await flows('after the service came back');
  });

  // polycubed stops (the dataplane stays), runs again as a child process, stops, and runs again
  // in process: each time it adopts the pinned cube without reloading it; the stream never breaks.
  // The child runs with --no-veth-peer-shortcut: while it does, the stream's frames go out of the
  // host end's veth (its egress sees them); the in-process daemon turns the shortcut back on.
  it('restarts polycubed without losing the TCP connection', async () => {
    const toServer = await EgressCounter.attach(
      Number(readFileSync(`/sys/class/net/${fx.vServer?.a}/ifindex`, 'utf8')),
      fx.options.cacheDir as string,
    );
    try {
      await restarts(toServer);
    } finally {
      toServer.detach();
    }
  });

  async function restarts(toServer: EgressCounter): Promise<void> {
    const programId = fx.daemon?.cube('fw0')?.programId;
    await fx.stopDaemon();
    await flows('with polycubed stopped');

    let mark = service.lines.length;
    const daemon = fx.spawn([
      TSX,
      'src/polycubed/main.ts',
      '--grpc-socket',
      fx.socket,
      '--pin-root',
      fx.pinRoot,
      '--state-file',
      fx.options.stateFile as string,
      '--cache-dir',
      fx.options.cacheDir as string,
      '--port',
      '0', // the REST API: any free port, never the default 9000 another instance may hold
      '--no-veth-peer-shortcut',
    ]);
    await daemon.waitLine(/^polycubed: listening on unix:/, 30000);
    expect(daemon.lines).toContain('polycubed: 1 cubes adopted, 0 waiting for their service');
    await service.waitLine(/^resync fw0$/, 15000, mark);
    let transmitted = toServer.count();
    await flows('with polycubed restarted as a child process');
    expect(toServer.count() - transmitted).toBeGreaterThanOrEqual(10); // 20 KiB: ≥ 14 segments
    daemon.kill('SIGTERM');
    expect(await daemon.waitExit()).toBe(0);
    await flows('after the child polycubed stopped');

    mark = service.lines.length;
    await fx.startDaemon();
    expect(fx.daemon?.startup).toMatchObject({ adopted: ['fw0'], pending: [], orphans: [] });
    expect(fx.daemon?.cube('fw0')).toMatchObject({ programId, dataplaneLoaded: true });
    expect(fx.daemon?.cube('fw0')?.ports.map((p) => p.status)).toEqual(['UP', 'UP']);
    await service.waitLine(/^resync fw0$/, 15000, mark);
    expect((await readCube()).body).toMatchObject({ label: 'kept' });
    transmitted = toServer.count();
    await flows('after the second restart');
    expect(toServer.count()).toBe(transmitted);
    expect(stream.lines.filter((l) => l.startsWith('lost'))).toEqual([]);
    expect(echo.lines.filter((l) => l === 'conn')).toHaveLength(1); // the same connection all along
  }

  // A persisted cube whose pins are gone (as after a reboot) is created again by its service when it
  // registers: it is not in the Resync but gets a CREATE with its configuration.
  it('has the service rebuild a persisted cube whose pins are gone', async () => {
    await fx.stopDaemon();
    unpinAll(join(fx.pinRoot, 'fw0')); // the old program stays attached until the new one replaces it
    const mark = service.lines.length;
    await fx.startDaemon();
    expect(fx.daemon?.startup).toMatchObject({ adopted: [], pending: ['fw0'] });
    await service.waitLine(/^resync $/, 15000, mark);
    await waitFor(() => fx.daemon?.cube('fw0')?.dataplaneLoaded, 'the service to rebuild fw0', 15000);
    expect(existsSync(join(fx.pinRoot, 'fw0', 'prog'))).toBe(true);
    expect((await readCube()).body).toMatchObject({
      label: 'kept',
      ports: [{ name: 'p0', role: 'client' }, {}],
    });
    await flows('through the rebuilt cube');
    expect(stream.lines.filter((l) => l.startsWith('lost'))).toEqual([]);
  });

  // A restored cube is fully managed: a loglevel change reloads it (from the persisted source, maps
  // kept), and deleting it removes its pins.
  it('manages the restored cube: reload keeps the stream, delete cleans up', async () => {
    const before = fx.daemon?.cube('fw0')?.programId;
    expect(await fx.execute({ op: 'UPDATE', cube: 'fw0', path: '/pcntest/loglevel', body: 'WARN' })).toEqual({
      code: ErrorCode.OK,
    });
    expect(fx.daemon?.cube('fw0')?.programId).not.toBe(before);
    await flows('after a reload of the adopted cube');
    stream.kill('SIGTERM');
    expect(await stream.waitExit()).toBe(0);
    expect(stream.lines.filter((l) => l.startsWith('lost'))).toEqual([]);
    expect(await fx.execute({ op: 'DELETE', cube: 'fw0', path: '/pcntest' })).toEqual({ code: ErrorCode.OK });
    expect(existsSync(join(fx.pinRoot, 'fw0'))).toBe(false);
    // The clsact qdiscs polycubed created are gone too: which hooks it created survived the restarts.
    for (const dev of [fx.vClient?.a, fx.vServer?.a]) {
      expect(execFileSync('tc', ['qdisc', 'show', 'dev', dev as string], { encoding: 'utf8' })).not.toMatch(
        /clsact/,
      );
    }
  });
});
