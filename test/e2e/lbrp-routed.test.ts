// ROUTED port mode end to end (issue 22): the LB host is a namespace with one client-facing
// interface (the cube's only port, FRONTEND) and two backends behind /32 routes over their own
// links, plus a backend on the LB host itself. polycubed and the lbrp service run inside that
// namespace (its routes are the ones the FIB follows); REST is reached with curl inside it.
// TCP, UDP and ICMP to the VIP reach the backends with the client's address and come back from
// the VIP; the host's own service keeps working; the first packet to a backend whose neighbour
// entry is gone is still delivered; the client packets bypass the host's forwarding path (FIB
// redirect: the host's IP forwarding counter sees only the replies); refusals name the field.

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { allFrom, echoReplies } from '../fixtures/echo-replies';
import { Child, LbrpStack, TSX, waitFor, type RestAnswer } from '../fixtures/lbrp/e2e-stack';
import { httpGet, nodeIn, udpAsk } from '../fixtures/lbrp/e2e-net';
import { TestNet } from '../fixtures/netns';

const VIP = '10.10.0.100';
const LB_ADDR = '10.0.0.254';
const CLIENT = '10.0.0.1';
const BACKENDS = [
  { name: 'b1', ip: '192.168.1.11' },
  { name: 'b2', ip: '192.168.1.12' },
];
const LINK_ADDR = '192.168.1.254';
const REST_PORT = 9000;

/** HTTP 8080 and UDP 5353 on every address, answering "<name> <client address>", and a TCP echo
 * on the HTTP port + 1000; prints "ready". */
function serverScript(name: string, httpPort = 8080, udpPort = 5353): string {
  return `const name=${JSON.stringify(name)};let n=0;
require('http').createServer((q,s)=>{s.setHeader('connection','close');s.end(name+' '+q.socket.remoteAddress+'\\n');}).listen(${httpPort},'0.0.0.0',()=>++n===3&&console.log('ready'));
const u=require('dgram').createSocket('udp4');u.on('message',(m,r)=>u.send(name+' '+r.address+' '+m,r.port,r.address));u.bind(${udpPort},'0.0.0.0',()=>++n===3&&console.log('ready'));
require('net').createServer(c=>{c.on('error',()=>{});c.pipe(c);}).listen(${httpPort + 1000},'0.0.0.0',()=>++n===3&&console.log('ready'));`;
}

/** Ip: ForwDatagrams of a namespace (/proc/net/snmp). */
function forwarded(net: TestNet, ns: string): number {
  const lines = net
    .exec(ns, ['cat', '/proc/net/snmp'])
    .split('\n')
    .filter((l) => l.startsWith('Ip:'));
  const names = lines[0].split(/\s+/);
  return Number(lines[1].split(/\s+/)[names.indexOf('ForwDatagrams')]);
}

describeE2e('e2e: lbrp ROUTED port mode (one interface, backends behind routes)', () => {
  const stack = new LbrpStack();
  const net = new TestNet();
  let lbNs: string;
  let clientNs: string;
  let frontDev: string;
  let daemons: Child[] = [];

  /** One REST request inside the LB namespace. */
  function rest(method: string, path: string, body?: unknown): Promise<RestAnswer> {
    const argv = ['netns', 'exec', lbNs, 'curl', '-sS', '-m', '60', '-X', method, '-w', '\n%{http_code}'];
    if (body !== undefined) argv.push('-H', 'content-type: application/json', '-d', JSON.stringify(body));
    argv.push(`http://127.0.0.1:${REST_PORT}/polycube/v1/${path}`);
    return new Promise((resolve, reject) =>
      execFile('ip', argv, { timeout: 90_000 }, (err, out) => {
        if (err) return reject(err);
        const i = out.lastIndexOf('\n');
        const text = out.slice(0, i);
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: Number(out.slice(i + 1)), text, json });
      }),
    );
  }
  async function ok(method: string, path: string, body?: unknown): Promise<unknown> {
    const r = await rest(method, path, body);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} → ${r.status} ${r.text}`);
    return r.json;
  }

  /** A bpffs mounted here, in the test's mount namespace, is what each `ip netns exec` copies:
   * polycubed's pins outlive it (a bpffs it mounted itself would die with its namespace). */
  const pinRoot = (): string => join(stack.dir, 'bpf');

  /** polycubed (persisting to the stack's state file) and the lbrp service, inside the LB host. */
  async function startDaemons(): Promise<void> {
    const polycubed = stack.spawn([
      'ip',
      'netns',
      'exec',
      lbNs,
      TSX,
      'src/polycubed/main.ts',
      '--grpc-socket',
      join(stack.dir, 'polycubed.sock'),
      '--pin-root',
      pinRoot(),
      '--state-file',
      join(stack.dir, 'cubes.json'),
      '--cache-dir',
      join(stack.dir, 'cache'),
      '--addr',
      '127.0.0.1',
      '--port',
      String(REST_PORT),
      '--quiet',
    ]);
    await polycubed.waitLine(/REST API on/, 60000);
    const lbrp = stack.spawn([
      'ip',
      'netns',
      'exec',
      lbNs,
      TSX,
      'src/lbrp/main.ts',
      '--polycubed',
      `unix:${join(stack.dir, 'polycubed.sock')}`,
    ]);
    await lbrp.waitLine(/registered with polycubed/, 60000);
    daemons = [polycubed, lbrp];
  }

  beforeAll(async () => {
    lbNs = net.addNetns();
    clientNs = net.addNetns();
    net.exec(lbNs, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    const front = net.addVeth({ nsA: lbNs, ipA: `${LB_ADDR}/24`, nsB: clientNs, ipB: `${CLIENT}/24` });
    frontDev = front.a;
    net.exec(clientNs, ['ip', 'route', 'add', 'default', 'via', LB_ADDR]);
    const servers = [];
    for (const b of BACKENDS) {
      const ns = net.addNetns();
      const v = net.addVeth({ nsA: lbNs, ipA: `${LINK_ADDR}/32`, nsB: ns, ipB: `${b.ip}/32` });
      net.exec(lbNs, ['ip', 'route', 'add', `${b.ip}/32`, 'dev', v.a]);
      net.exec(ns, ['ip', 'route', 'add', `${LINK_ADDR}/32`, 'dev', v.b]);
      net.exec(ns, ['ip', 'route', 'add', 'default', 'via', LINK_ADDR, 'dev', v.b]);
      servers.push(stack.spawn(['ip', 'netns', 'exec', ns, process.execPath, '-e', serverScript(b.name)]));
    }
    // The LB host's own servers: "self" on 8022/5354 (a service of the host, not behind the VIP)
    // and the same process serves as the local backend of VIP:81.
    servers.push(
      stack.spawn(['ip', 'netns', 'exec', lbNs, process.execPath, '-e', serverScript('self', 8022, 5354)]),
    );
    for (const s of servers) await s.waitLine(/^ready$/, 15000);

    mkdirSync(pinRoot());
    execFileSync('mount', ['-t', 'bpf', 'bpf', pinRoot()]);
    await startDaemons();

    await ok('POST', 'lbrp/rt0/', {
      port_mode: 'ROUTED',
      ports: [{ name: 'fe', type: 'FRONTEND', peer: frontDev }],
      service: [
        {
          vip: VIP,
          vport: 80,
          proto: 'TCP',
          backend: BACKENDS.map((b) => ({ ip: b.ip, port: 8080, weight: 1 })),
        },
        {
          vip: VIP,
          vport: 53,
          proto: 'UDP',
          backend: BACKENDS.map((b) => ({ ip: b.ip, port: 5353, weight: 1 })),
        },
        {
          vip: VIP,
          vport: 0,
          proto: 'ICMP',
          backend: BACKENDS.map((b) => ({ ip: b.ip, port: 0, weight: 1 })),
        },
        { vip: VIP, vport: 81, proto: 'TCP', backend: [{ ip: LB_ADDR, port: 8022, weight: 1 }] },
      ],
    });
  }, 180_000);

  afterAll(async () => {
    spawnSync('umount', ['-l', pinRoot()]);
    await stack.cleanup();
    net.cleanup();
  });

  it('refuses a BACKEND port and an XDP cube, naming the field', async () => {
    const be = await rest('POST', 'lbrp/rt0/ports/be/', { type: 'BACKEND' });
    expect(be.status).toBe(400);
    expect(be.text).toContain('invalid type in ROUTED port mode');
    const xdp = await rest('POST', 'lbrp/rtx/', { type: 'XDP_SKB', port_mode: 'ROUTED' });
    expect(xdp.status).toBe(400);
    expect(xdp.text).toContain('invalid port_mode in ROUTED port mode');
    // Nothing of it was created.
    expect(await rest('GET', 'lbrp/rtx/')).toMatchObject({ text: 'Cube rtx does not exist' });
  });

  it('balances HTTP over TCP to the backends, which see the client address', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 16 && seen.size < 2; i++) {
      const body = await httpGet(clientNs, VIP, 80);
      expect(body).toMatch(new RegExp(`^b[12] ${CLIENT.replace(/\./g, '\\.')}$`));
      seen.add(body.split(' ')[0]);
    }
    expect([...seen].sort()).toEqual(['b1', 'b2']);
  });

  // 1 MB each way through the VIP: large segments (GSO from the client's TCP) take the FIB
  // redirect too, and arrive intact.
  it('carries a bulk TCP stream through the VIP both ways', async () => {
    await ok('POST', `lbrp/rt0/service/${VIP}/9080/TCP/`, {
      backend: BACKENDS.map((b) => ({ ip: b.ip, port: 9080, weight: 1 })),
    });
    const got = await nodeIn(
      clientNs,
      `const c=require('net').connect(9080,'${VIP}');const want=1<<20;const h=require('crypto').createHash('sha256');const s=require('crypto').randomBytes(want);let n=0;c.write(s);c.on('data',x=>{h.update(x);n+=x.length;if(n>=want){c.destroy();process.stdout.write(String(n)+' '+(h.digest('hex')===require('crypto').createHash('sha256').update(s).digest('hex')));}});c.on('error',e=>{console.error(e.message);process.exit(1);});`,
    );
    expect(got).toBe(`${1 << 20} true`);
  });

  it('answers UDP from the VIP and ICMP echo from the VIP', async () => {
    expect(await udpAsk(clientNs, VIP, 53, 'hi')).toMatch(
      new RegExp(`^b[12] ${CLIENT.replace(/\./g, '\\.')} hi from ${VIP.replace(/\./g, '\\.')}:53$`),
    );
    expect(await echoReplies(clientNs, VIP, 3)).toEqual(allFrom(VIP, 3));
  });

  it("leaves the host's own service alone, and reaches a backend on the host itself through the VIP", async () => {
    expect(await httpGet(clientNs, LB_ADDR, 8022)).toBe(`self ${CLIENT}`);
    expect(await udpAsk(clientNs, LB_ADDR, 5354, 'x')).toBe(`self ${CLIENT} x from ${LB_ADDR}:5354`);
    // VIP:81 → 10.0.0.254:8022 on the LB host: DNAT, local delivery, reverse NAT at egress.
    expect(await httpGet(clientNs, VIP, 81)).toBe(`self ${CLIENT}`);
    // A long exchange with the host itself (an ssh stand-in): 1 MB echoed, many segments each way.
    const got = await nodeIn(
      clientNs,
      `const c=require('net').connect(9022,'${LB_ADDR}');const want=1<<20;let n=0;c.write(Buffer.alloc(want,97));c.on('data',x=>{n+=x.length;if(n>=want){process.stdout.write(String(n));c.destroy();}});c.on('error',e=>{console.error(e.message);process.exit(1);});`,
    );
    expect(got).toBe(String(1 << 20));
  });

  it('delivers the first datagram when the backend neighbour is not resolved yet', async () => {
    for (let round = 0; round < 3; round++) {
      net.exec(lbNs, ['ip', 'neigh', 'flush', 'all']);
      // One datagram, no retry: lost while the neighbour resolves = a timeout here.
      expect(await udpAsk(clientNs, VIP, 53, `n${round}`)).toContain(`n${round} from ${VIP}:53`);
    }
  });

  it("sends client packets past the host's forwarding path (only replies are forwarded by the stack)", async () => {
    await echoReplies(clientNs, VIP, 1); // neighbours resolved
    const before = forwarded(net, lbNs);
    const n = 20;
    expect(await echoReplies(clientNs, VIP, n)).toEqual(allFrom(VIP, n));
    const delta = forwarded(net, lbNs) - before;
    // The n replies cross the stack (backend link → eth0); the n requests were redirected by the
    // FIB at TC ingress. Through the stack it would be 2n.
    expect(delta).toBeGreaterThanOrEqual(n);
    expect(delta).toBeLessThan(n + n / 2);
  });

  it('counts the sessions per service and backend', async () => {
    const svc = (await ok('GET', `lbrp/rt0/service/${VIP}/80/tcp/`)) as { packets?: number };
    expect(svc.packets ?? 0).toBeGreaterThan(0);
    await waitFor(
      async () => ((await rest('GET', 'lbrp/rt0/')).status === 200 ? true : undefined),
      'cube readable',
      5000,
    );
  });

  /** lbrp's TC filters on the FRONTEND netdev, by direction (program names as tc prints them). */
  function filters(dir: 'ingress' | 'egress'): string {
    const out = net.exec(lbNs, ['tc', 'filter', 'show', 'dev', frontDev, dir]);
    return [...out.matchAll(/ (pcn_entry_\w+)/g)].map((m) => m[1]).join(',');
  }

  /** Ids of the programs lbrp's TC filters run on the FRONTEND netdev (ingress, egress). */
  function programIds(): string[] {
    return (['ingress', 'egress'] as const).map((dir) =>
      [
        ...net
          .exec(lbNs, ['tc', 'filter', 'show', 'dev', frontDev, dir])
          .matchAll(/ id (\d+) name pcn_entry/g),
      ]
        .map((m) => m[1])
        .join(','),
    );
  }

  /** The cube's mode, ports and services as configured (counters left out). */
  async function routedConfig(): Promise<{ port_mode?: string; ports: unknown[]; services: string[] }> {
    const cube = (await ok('GET', 'lbrp/rt0/')) as {
      port_mode?: string;
      ports?: { name: string; type: string; peer?: string }[];
      service?: {
        vip: string;
        vport: number;
        proto: string;
        backend?: { ip: string; port: number; weight: number }[];
      }[];
    };
    return {
      port_mode: cube.port_mode,
      ports: (cube.ports ?? []).map((p) => [p.name, p.type, p.peer]),
      services: (cube.service ?? [])
        .map(
          (s) =>
            `${s.vip}:${s.vport}/${s.proto} ${(s.backend ?? [])
              .map((b) => `${b.ip}:${b.port}*${b.weight}`)
              .sort()
              .join(',')}`,
        )
        .sort(),
    };
  }

  // A restart of both daemons (the cube keeps forwarding meanwhile): an open TCP connection keeps
  // its backend (a different backend would reset it), both entry points stay attached, the
  // persisted ROUTED cube comes back with its services, and new flows are balanced again.
  it('keeps forwarding through a restart of polycubed and the lbrp service, and restores the cube', async () => {
    await ok('POST', `lbrp/rt0/service/${VIP}/9088/TCP/`, {
      backend: BACKENDS.map((b) => ({ ip: b.ip, port: 9080, weight: 1 })),
    });
    const before = await routedConfig();
    expect(before.port_mode).toBe('routed'); // Polycube spells enum values in lower case on reads
    const attached = [filters('ingress'), filters('egress')];
    expect(attached[1]).toMatch(/^pcn_entry_tc_e/);
    const programs = programIds();
    expect(programs.every((id) => /^\d+$/.test(id))).toBe(true);
    // One line every 50 ms over one connection; the echo comes back line by line.
    const talker = stack.spawn([
      'ip',
      'netns',
      'exec',
      clientNs,
      process.execPath,
      '-e',
      `const c=require('net').connect(9088,'${VIP}');let n=0,got='';c.setNoDelay(true);
c.on('connect',()=>{console.log('open');setInterval(()=>c.write('l'+(n++)+'\\n'),50);});
c.on('data',d=>{got+=d;const p=got.split('\\n');got=p.pop();for(const l of p)console.log('echo '+l);});
c.on('error',e=>{console.log('error '+e.message);process.exit(1);});c.on('close',()=>{console.log('closed');process.exit(1);});`,
    ]);
    const echoes = (): number => talker.lines.filter((l) => l.startsWith('echo ')).length;
    await talker.waitLine(/^echo l3$/, 15000);

    for (const d of [...daemons].reverse()) {
      d.kill('SIGTERM');
      await d.waitExit(20000);
    }
    const whileDown = echoes();
    await waitFor(() => echoes() >= whileDown + 5 || undefined, 'echoes while both daemons are down', 10000);
    await startDaemons();

    await waitFor(
      async () => ((await rest('GET', 'lbrp/rt0/')).status === 200 ? true : undefined),
      'cube back',
      30000,
    );
    expect(await routedConfig()).toEqual(before);
    expect([filters('ingress'), filters('egress')]).toEqual(attached);
    // Adopted from its pins, not rebuilt: the same programs run, on the same maps (sessions).
    expect(programIds()).toEqual(programs);
    expect(daemons[0].lines).toContain('polycubed: 1 cubes adopted, 0 waiting for their service');
    const sinceRestart = echoes();
    await waitFor(() => echoes() >= sinceRestart + 5 || undefined, 'echoes after the restart', 10000);
    expect(talker.lines.filter((l) => !l.startsWith('echo ') && l !== 'open')).toEqual([]);
    talker.kill('SIGTERM');
    // New flows: TCP, UDP and ICMP through the VIP after the restart.
    expect(await httpGet(clientNs, VIP, 80)).toMatch(new RegExp(`^b[12] ${CLIENT.replace(/\./g, '\\.')}$`));
    expect(await udpAsk(clientNs, VIP, 53, 'again')).toContain(`again from ${VIP}:53`);
    expect(await echoReplies(clientNs, VIP, 2)).toEqual(allFrom(VIP, 2));
  });

  // The runtime attaches the egress entry point beside the ingress one, keeps both across a
  // reload (a log level change recompiles) and removes both with the cube.
  it('attaches the egress program with the ingress one, reloads both and removes both', async () => {
    expect(filters('ingress')).toMatch(/^pcn_entry_tc(:|,|$)/);
    expect(filters('egress')).toMatch(/^pcn_entry_tc_e/);
    await ok('PATCH', 'lbrp/rt0/', { loglevel: 'DEBUG' });
    expect(filters('egress')).toMatch(/^pcn_entry_tc_e/);
    expect(await udpAsk(clientNs, VIP, 53, 'reloaded')).toContain(`reloaded from ${VIP}:53`);
    await ok('DELETE', 'lbrp/rt0/');
    expect(filters('ingress')).toBe('');
    expect(filters('egress')).toBe('');
    expect(await httpGet(clientNs, LB_ADDR, 8022)).toBe(`self ${CLIENT}`);
  });
});
