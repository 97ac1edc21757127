// Kernel integration of polycubed with the pcntest service over real gRPC: a cube whose two ports
// are peered with veths into two namespaces forwards ping and TCP; logs, packet-in and packet-out
// work; bad programs are refused with their logs while the old one keeps running; a loglevel
// change reloads keeping map state; ports follow their netdev; deletion leaves nothing behind.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../src/polycubed/core/types';
import { BpfMap } from '../../../src/polycubed/runtime/bpf-map';
import { libbpf, libc } from '../../../src/polycubed/runtime/libbpf-ffi';
import { queryXdp } from '../../../src/polycubed/runtime/netdev-attach';
import { DataplaneError } from '../../../src/service-kit';
import { EgressCounter } from '../../fixtures/egress-counter';
import { udp } from '../../fixtures/packets';
import { BAD_PROGRAMS, TestService } from '../../fixtures/test-service/test-service';
import {
  CLIENT_IP,
  describeKernel,
  echoServerScript,
  PolycubedFixture,
  SERVER_IP,
  waitFor,
} from './polycubed-fixture';

/** True while a program with kernel id `id` exists. */
function programExists(id: number): boolean {
  const fd = libbpf.bpf_prog_get_fd_by_id(id);
  if (fd < 0) return false;
  libc.close(fd);
  return true;
}

const tc = (args: string[]): string => execFileSync('tc', args, { encoding: 'utf8' });

describeKernel('kernel: polycubed cube lifecycle', () => {
  const fx = new PolycubedFixture();
  let svc: TestService;
  let programId = 0;
  /** `ip -d link` + qdiscs + filters of both host ends: compared before and after the cube. */
  const netdevState = (): string =>
    [fx.vClient?.a, fx.vServer?.a]
      .map((dev) =>
        [
          execFileSync('ip', ['-d', 'link', 'show', 'dev', dev as string], { encoding: 'utf8' }),
          tc(['qdisc', 'show', 'dev', dev as string]),
          tc(['filter', 'show', 'dev', dev as string, 'ingress']),
        ].join('\n'),
      )
      .join('\n')
      // A recreated veth has a new ifindex and MAC; everything else must be as it was.
      .replace(/^\d+: /gm, '')
      .replace(/@if\d+/g, '')
      .replace(/link\/ether [0-9a-f:]+/g, '');
  let stateBefore = '';

  beforeAll(async () => {
    fx.topology();
    stateBefore = netdevState();
    await fx.startDaemon();
    svc = new TestService(fx.address);
    svc.kit.start();
  });
  afterAll(async () => {
    await svc?.kit.stop();
    await fx.cleanup();
  });

  // The service registers over the unix socket (owner-only) and polycubed parses its YANG.
  it('registers the service over an owner-only unix socket', async () => {
    await svc.kit.waitRegistered();
    expect(fx.daemon?.service('pcntest')).toMatchObject({
      name: 'pcntest',
      version: '0.1.0',
      connected: true,
    });
    expect(execFileSync('stat', ['-c', '%a', fx.socket], { encoding: 'utf8' }).trim()).toBe('600');
  });

  // Creating the cube peers its ports with the veths, loads the service's program and attaches it.
  it('creates a cube whose ports are peered with netdevs and UP', async () => {
    const res = await fx.execute({
      op: 'CREATE',
      cube: 'fw0',
      path: '/pcntest',
      body: {
        name: 'fw0',
        type: 'TC',
        loglevel: 'INFO',
        shadow: false,
        span: false,
        label: 'one',
        ports: [
          { name: 'p0', peer: fx.vClient?.a, role: 'client' },
          { name: 'p1', peer: fx.vServer?.a },
        ],
      },
    });
    expect(res).toEqual({ code: ErrorCode.OK });
    const cube = fx.daemon?.cube('fw0');
    expect(cube).toMatchObject({ type: 'TC', dataplaneLoaded: true });
    expect(cube?.ports.map((p) => [p.name, p.id, p.status])).toEqual([
      ['p0', 0, 'UP'],
      ['p1', 1, 'UP'],
    ]);
    programId = cube?.programId ?? 0;
    expect(tc(['filter', 'show', 'dev', fx.vClient?.a as string, 'ingress'])).toMatch(/direct-action/);
    expect(existsSync(join(fx.pinRoot, 'fw0', 'prog'))).toBe(true);
    expect(existsSync(join(fx.pinRoot, 'fw0', 'maps', 'fwd_port'))).toBe(true);
    // The ingress-port maps: the array fast path (port id + 1) and the hash, per peer ifindex.
    const array = BpfMap.fromPinned(join(fx.pinRoot, 'fw0', 'maps', 'pcn_ifindex_array'));
    const hash = BpfMap.fromPinned(join(fx.pinRoot, 'fw0', 'maps', 'pcn_ifindex_to_port'));
    try {
      for (const p of cube?.ports ?? []) {
        const key = Buffer.alloc(4);
        key.writeUInt32LE(p.ifindex);
        // The array has a slot only below its size: a host that has made many netdevs since boot
        // gives higher ifindexes, found through the hash alone.
        if (p.ifindex < array.maxEntries) expect(array.lookup(key)?.readUInt16LE(0)).toBe(p.id + 1);
        expect(hash.lookup(key)?.readUInt16LE(0)).toBe(p.id);
      }
    } finally {
      array.close();
      hash.close();
    }
  });

  // The cube READ merges polycubed's base members with the service's, and the state file holds the config.
  it('answers a cube READ in REST order and persists the configuration', async () => {
    const res = await fx.execute({ op: 'READ', cube: 'fw0', path: '/pcntest' });
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
    expect(body.ports).toEqual([
      { name: 'p0', uuid: expect.any(String), status: 'UP', peer: fx.vClient?.a, role: 'client' },
      { name: 'p1', uuid: expect.any(String), status: 'UP', peer: fx.vServer?.a },
    ]);
    await fx.daemon?.flushPersistence();
    const saved = JSON.parse(readFileSync(fx.options.stateFile as string, 'utf8')) as Array<
      Record<string, unknown>
    >;
    expect(saved).toHaveLength(1);
    expect(Object.keys(saved[0]).slice(0, 2)).toEqual(['service-name', 'name']);
    expect(saved[0]).toMatchObject({
      'service-name': 'pcntest',
      name: 'fw0',
      loglevel: 'INFO',
      label: 'one',
    });
    expect(saved[0]).not.toHaveProperty('frames'); // config false: not configuration
  });

  // Real traffic crosses the cube: ICMP echo and a TCP exchange between the two namespaces.
  it('forwards ping and a TCP connection between the namespaces', async () => {
    expect(fx.ping()).toBe(true);
    const server = fx.spawnNode(fx.nsServer, echoServerScript(5001));
    await server.waitLine(/listening/);
    const out = fx.net.exec(fx.nsClient, [
      process.execPath,
      '-e',
      `const c=require('net').connect(5001,'${SERVER_IP}',()=>c.end('hello through the cube'));let got='';
       c.on('data',d=>got+=d);c.on('close',()=>{console.log(got);});setTimeout(()=>process.exit(3),5000).unref();`,
    ]);
    expect(out.trim()).toBe('hello through the cube');
    server.kill('SIGKILL');
  });

  // TC, veth ends in other namespaces: a frame for the peer's MAC skips the host end's transmit
  // (its egress hook never sees it) and goes straight into the peer; a frame for any other MAC is
  // transmitted as before and dropped by the peer (not its address), exactly as without the
  // shortcut. The shortcut follows a peer that changes its MAC (netdev watch).
  it('hands frames for the veth peer straight to it, and others through the veth', async () => {
    const clientEnd = fx.vClient?.b as string;
    const serverEnd = fx.vServer?.b as string;
    const counters = await Promise.all(
      [fx.vServer?.a, fx.vClient?.a].map((dev) =>
        EgressCounter.attach(
          Number(readFileSync(`/sys/class/net/${dev}/ifindex`, 'utf8')),
          fx.options.cacheDir as string,
        ),
      ),
    );
    try {
      expect(fx.ping(1)).toBe(true); // neighbours resolved
      const sent = (): number[] => counters.map((c) => c.count());
      let before = sent();
      expect(fx.ping(5)).toBe(true);
      expect(sent().map((n, i) => n - before[i])).toEqual([0, 0]); // 5 requests, 5 replies
      // The client's neighbour entry names another MAC: the frames go out of the server-side host
      // end (plain redirect) and the server drops them.
      fx.net.exec(fx.nsClient, [
        ...['ip', 'neigh', 'replace', SERVER_IP, 'lladdr', '02:00:5e:00:53:99'],
        ...['dev', clientEnd, 'nud', 'permanent'],
      ]);
      before = sent();
      expect(fx.ping(3)).toBe(false);
      expect(counters[0].count() - before[0]).toBeGreaterThanOrEqual(3);
      fx.net.exec(fx.nsClient, ['ip', 'neigh', 'del', SERVER_IP, 'dev', clientEnd]);
      // The server end takes a new MAC: once the watch has seen it, its frames skip the veth again.
      fx.net.exec(fx.nsServer, ['ip', 'link', 'set', 'dev', serverEnd, 'address', '02:00:5e:00:53:42']);
      fx.net.exec(fx.nsClient, ['ip', 'neigh', 'flush', 'all']);
      expect(fx.ping(1)).toBe(true);
      await waitFor(
        () => {
          before = sent();
          return fx.ping(2) && counters[0].count() === before[0];
        },
        'frames to the new MAC to skip the veth',
        5000,
      );
    } finally {
      for (const c of counters) c.detach();
    }
  });

  // ARP is logged (pcn_log, %M formatted) and copied to the service as a packet-in with its reason.
  it('delivers a pcn_log line and a packet-in for an ARP frame', async () => {
    fx.net.exec(fx.nsClient, ['ip', 'neigh', 'flush', 'all']);
    svc.packetIns.length = 0;
    const logsBefore = fx.logs.length;
    expect(fx.ping(1)).toBe(true);
    const line = await waitFor(
      () =>
        fx.logs
          .slice(logsBefore)
          .find((l) => l.cube === 'fw0' && /^arp on port 0 from [0-9a-f:]{17}$/.test(l.message)),
      'an ARP log line',
    );
    expect(line.level).toBe('INFO');
    const pin = await waitFor(() => svc.packetIns.find((p) => p.portName === 'p0'), 'a packet-in from p0');
    expect(pin).toMatchObject({ cube: 'fw0', portId: 0, reason: 7 });
    expect(pin.packet.readUInt16BE(12)).toBe(0x0806);
    expect(fx.logs.slice(logsBefore).some((l) => l.level === 'DEBUG')).toBe(false); // below the cube's level
  });

  // A frame the service sends out of p1 arrives in the server namespace.
  it('sends a packet-out that arrives in the other namespace', async () => {
    const listener = fx.spawnNode(
      fx.nsServer,
      `const s=require('dgram').createSocket('udp4');s.on('message',m=>{console.log('got '+m);process.exit(0);});
       s.bind(4242,'${SERVER_IP}',()=>console.log('bound'));setTimeout(()=>process.exit(3),8000);`,
    );
    await listener.waitLine(/bound/);
    const macOf = (ns: string, dev: string): string =>
      /link\/ether ([0-9a-f:]+)/.exec(fx.net.exec(ns, ['ip', 'link', 'show', 'dev', dev]))?.[1] as string;
    const frame = udp(CLIENT_IP, SERVER_IP, 4242, {
      srcMac: macOf(fx.nsClient, fx.vClient?.b as string),
      dstMac: macOf(fx.nsServer, fx.vServer?.b as string),
      payload: 'packet-out',
    });
    await svc.kit.sendPacket('fw0', 'p1', frame);
    expect(await listener.waitLine(/^got /, 8000)).toBe('got packet-out');
  });

  // Programs that do not compile or verify are refused with clang's or the verifier's log; the old one keeps running.
  it('refuses bad programs with their logs and keeps the running one', async () => {
    const load = (files: Record<string, string>) =>
      svc.kit.loadDataplane({ cube: 'fw0', files, entry: Object.keys(files)[0] }).then(
        () => undefined,
        (e: unknown) => e,
      );
    const compile = await load(BAD_PROGRAMS.syntax);
    expect(compile).toBeInstanceOf(DataplaneError);
    expect(compile).toMatchObject({ kind: 'COMPILE' });
    expect((compile as DataplaneError).log).toMatch(/bad_syntax\.c:\d+:\d+: error:/);
    const verifier = await load(BAD_PROGRAMS.verifier);
    expect(verifier).toMatchObject({ kind: 'VERIFIER' });
    expect((verifier as DataplaneError).log).toMatch(/invalid access to packet|R\d+ invalid mem access/);
    expect(fx.daemon?.cube('fw0')?.programId).toBe(programId);
    expect(fx.ping()).toBe(true);
  });

  // A loglevel PATCH recompiles and reloads: DEBUG lines appear, the program changes, map contents stay.
  it('reloads on a loglevel change without losing map state', async () => {
    const before = await svc.frames('fw0');
    expect(before).toBeGreaterThan(0);
    const res = await fx.execute({ op: 'UPDATE', cube: 'fw0', path: '/pcntest/loglevel', body: 'DEBUG' });
    expect(res).toEqual({ code: ErrorCode.OK });
    const cube = fx.daemon?.cube('fw0');
    expect(cube?.loglevel).toBe('DEBUG');
    expect(cube?.programId).not.toBe(programId);
    const oldId = programId;
    await waitFor(() => !programExists(oldId), 'the old program to be freed (RCU-deferred)');
    programId = cube?.programId ?? 0;
    expect(await svc.frames('fw0')).toBeGreaterThanOrEqual(before); // counter not reset
    const logsBefore = fx.logs.length;
    expect(fx.ping()).toBe(true); // fwd_port entries survived the reload
    await waitFor(
      () =>
        fx.logs
          .slice(logsBefore)
          .find((l) => l.level === 'DEBUG' && l.message === `ipv4 ${CLIENT_IP} -> ${SERVER_IP}`),
      'a DEBUG line of the reloaded program',
    );
  });

  // A port whose netdev disappears goes DOWN; when it comes back the program is attached to it again.
  it('follows a netdev that disappears and comes back', async () => {
    const dev = fx.vServer?.a as string;
    const peerEnd = fx.vServer?.b as string;
    execFileSync('ip', ['link', 'del', dev]);
    await waitFor(() => fx.daemon?.cube('fw0')?.ports[1].status === 'DOWN', 'p1 DOWN');
    await waitFor(
      () => svc.portEvents.find((e) => e.port === 'p1' && e.status === 'DOWN'),
      'a DOWN port event',
    );
    execFileSync('ip', ['link', 'add', dev, 'type', 'veth', 'peer', 'name', peerEnd]);
    execFileSync('ip', ['link', 'set', peerEnd, 'netns', fx.nsServer]);
    fx.net.exec(fx.nsServer, ['ip', 'addr', 'add', `${SERVER_IP}/24`, 'dev', peerEnd]);
    fx.net.exec(fx.nsServer, ['ip', 'link', 'set', peerEnd, 'up']);
    execFileSync('ip', ['link', 'set', dev, 'up']);
    fx.net.exec(fx.nsClient, ['ip', 'neigh', 'flush', 'all']); // the server end has a new MAC
    await waitFor(() => fx.daemon?.cube('fw0')?.ports[1].status === 'UP', 'p1 UP again');
    expect(tc(['filter', 'show', 'dev', dev, 'ingress'])).toMatch(/direct-action/);
    expect(await waitFor(() => fx.ping(1), 'ping through the new netdev')).toBe(true);
  });

  // Deleting the cube removes its filters, qdiscs it created, program and pins; the netdevs are as before.
  it('deletes the cube leaving nothing in the kernel', async () => {
    const res = await fx.execute({ op: 'DELETE', cube: 'fw0', path: '/pcntest' });
    expect(res).toEqual({ code: ErrorCode.OK });
    expect(fx.daemon?.cube('fw0')).toBeUndefined();
    expect(existsSync(join(fx.pinRoot, 'fw0'))).toBe(false);
    await waitFor(() => !programExists(programId), 'the program to be freed');
    expect(netdevState()).toBe(stateBefore);
    await fx.daemon?.flushPersistence();
    expect(JSON.parse(readFileSync(fx.options.stateFile as string, 'utf8'))).toEqual([]);
    expect(fx.ping(1)).toBe(false);
  });

  // XDP cubes attach in the mode their type names (generic for XDP_SKB, native for XDP_DRV) and detach on delete.
  it.each([
    { type: 'XDP_SKB', mode: 'skbProgId' },
    { type: 'XDP_DRV', mode: 'drvProgId' },
  ] as const)('attaches an $type cube in its XDP mode and removes it on delete', async ({ type, mode }) => {
    const res = await fx.execute({
      op: 'CREATE',
      cube: 'fx0',
      path: '/pcntest',
      body: { name: 'fx0', type, ports: [{ name: 'p0', peer: fx.vClient?.a }] },
    });
    expect(res).toEqual({ code: ErrorCode.OK });
    const ifindex = fx.daemon?.cube('fx0')?.ports[0].ifindex as number;
    const id = fx.daemon?.cube('fx0')?.programId;
    expect(queryXdp(ifindex)[mode]).toBe(id);
    expect(await fx.execute({ op: 'DELETE', cube: 'fx0', path: '/pcntest' })).toEqual({ code: ErrorCode.OK });
    expect(queryXdp(ifindex)).toMatchObject({ skbProgId: 0, drvProgId: 0 });
    expect(existsSync(join(fx.pinRoot, 'fx0'))).toBe(false);
  });

  // /netdevs lists up, non-loopback devices; /connect and /disconnect set and clear a port's peer.
  it('lists netdevs and connects and disconnects peers', async () => {
    const devs = fx.daemon?.netdevs() ?? [];
    expect(devs.map((d) => d.name)).toEqual(expect.arrayContaining([fx.vClient?.a, fx.vServer?.a]));
    expect(devs.map((d) => d.name)).not.toContain('lo');
    const create = await fx.execute({
      op: 'CREATE',
      cube: 'fw1',
      path: '/pcntest',
      body: { ports: [{ name: 'p0' }] },
    });
    expect(create).toEqual({ code: ErrorCode.OK });
    const dev = fx.vClient?.a as string;
    expect(await fx.daemon?.connectPeers('fw1:p0', dev)).toEqual({ code: ErrorCode.OK });
    expect(fx.daemon?.cube('fw1')?.ports[0]).toMatchObject({ peer: dev, status: 'UP' });
    expect(await fx.daemon?.connectPeers('fw1:p0', dev)).toEqual({
      code: ErrorCode.GENERIC_ERROR,
      message: `fw1:p0 already has a peer ${dev}`,
    });
    expect(await fx.daemon?.connectPeers('nope0', 'nope1')).toEqual({
      code: ErrorCode.GENERIC_ERROR,
      message: 'Error setting peer',
    });
    expect(await fx.daemon?.disconnectPeers('fw1:p0', dev)).toEqual({ code: ErrorCode.OK });
    expect(fx.daemon?.cube('fw1')?.ports[0]).toMatchObject({ peer: '', status: 'DOWN' });
    expect(await fx.daemon?.disconnectPeers('fw1:p0', dev)).toEqual({
      code: ErrorCode.GENERIC_ERROR,
      message: `fw1:p0 is not connected to ${dev}`,
    });
    expect(tc(['qdisc', 'show', 'dev', dev])).not.toMatch(/clsact/);
    expect(await fx.execute({ op: 'DELETE', cube: 'fw1', path: '/pcntest' })).toEqual({ code: ErrorCode.OK });
  });
});
