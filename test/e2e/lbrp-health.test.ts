// Health checks end to end: the real daemon (host namespace) probes real servers in backend
// namespaces (reached over an extra veth to the router, since the cube's BACKEND port carries only
// the clients' traffic). Driven by polycubectl and REST: a killed TCP server is DOWN within
// interval × fall + one interval and new connections then all succeed on the others; restarted,
// it is UP after rise; HTTP 503 → DOWN; UDP request/response; bad leaf values refused (400 naming
// the leaf); /metrics shows lbrp_service_backend_up.

import { randomInt } from 'node:crypto';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack, waitFor, type Child } from '../fixtures/lbrp/e2e-stack';
import { buildLbNet, spread, udpAsk, type LbBackend, type LbNet } from '../fixtures/lbrp/e2e-net';

const VIP = '10.10.0.100';
const CUBE = `lbh${randomInt(1000, 9999)}`;
const INTERVAL = 500;
const FALL = 2;

/** An HTTP server on 8080 answering "<name> <client>" (status 503 on /healthz when `sick`). */
function httpScript(b: LbBackend, sick: boolean): string {
  return `require('http').createServer((q,s)=>{s.setHeader('connection','close');
if(${sick}&&q.url==='/healthz'){s.statusCode=503;s.end('sick');return;}
s.end(${JSON.stringify(b.name)}+' '+q.socket.remoteAddress+'\\n');}).listen(8080,${JSON.stringify(b.ip)},()=>console.log('ready'));`;
}

/** A UDP server on 5353 answering "<name> <client> <payload>". */
function udpScript(b: LbBackend): string {
  return `const u=require('dgram').createSocket('udp4');u.on('message',(m,r)=>u.send(${JSON.stringify(b.name)}+' '+r.address+' '+m,r.port,r.address));
u.bind(5353,${JSON.stringify(b.ip)},()=>console.log('ready'));`;
}

describeE2e('e2e: health checks', () => {
  const stack = new LbrpStack();
  let lb: LbNet;
  const http = new Map<string, Child>();
  const udp = new Map<string, Child>();

  async function startHttp(b: LbBackend, sick = false): Promise<void> {
    const c = stack.spawn(['ip', 'netns', 'exec', b.ns, process.execPath, '-e', httpScript(b, sick)]);
    await c.waitLine(/^ready$/, 15000);
    http.set(b.name, c);
  }

  async function stopHttp(b: LbBackend): Promise<void> {
    const c = http.get(b.name);
    c?.kill('SIGKILL');
    await c?.waitExit();
    http.delete(b.name);
  }

  const svcPath = (vport: number, proto: string) => `lbrp/${CUBE}/service/${VIP}/${vport}/${proto}`;

  async function health(vport: number, proto: string, b: LbBackend): Promise<Record<string, unknown>> {
    return (await stack.ok('GET', `${svcPath(vport, proto)}/backend/${b.ip}/`)) as Record<string, unknown>;
  }

  async function waitHealth(vport: number, proto: string, b: LbBackend, want: string, ms = 15000) {
    return waitFor(
      async () => {
        const h = await health(vport, proto, b);
        return h.health === want ? h : undefined;
      },
      `${b.name} ${want} on ${vport}/${proto}`,
      ms,
    );
  }

  beforeAll(async () => {
    lb = buildLbNet();
    // The daemon's path to the backends: host ↔ router veth, /32 routes (gone with the veth).
    const sub = `172.31.${randomInt(0, 256)}`;
    lb.net.addVeth({ nsB: lb.router, ipA: `${sub}.1/30`, ipB: `${sub}.2/30` });
    for (const b of lb.backends)
      lb.net.exec(undefined, ['ip', 'route', 'replace', `${b.ip}/32`, 'via', `${sub}.2`]);
    await stack.start();
    for (const b of lb.backends) {
      await startHttp(b);
      const u = stack.spawn(['ip', 'netns', 'exec', b.ns, process.execPath, '-e', udpScript(b)]);
      await u.waitLine(/^ready$/, 15000);
      udp.set(b.name, u);
    }
    const backends = (port: number) => lb.backends.map((b) => ({ ip: b.ip, port }));
    await stack.ok('POST', `lbrp/${CUBE}/`, {
      ports: [
        { name: 'fe', type: 'FRONTEND', peer: lb.clients[0].dev },
        { name: 'be', type: 'BACKEND', peer: lb.backendDev },
      ],
      service: [
        { vip: VIP, vport: 80, proto: 'TCP', backend: backends(8080) },
        { vip: VIP, vport: 53, proto: 'UDP', backend: backends(5353) },
      ],
    });
  }, 120000);

  afterAll(async () => {
    await stack.rest('DELETE', `lbrp/${CUBE}/`).catch(() => undefined);
    await stack.cleanup();
    lb?.net.cleanup();
  });

  it('refuses bad leaf values naming the leaf, and changes nothing', async () => {
    for (const [body, leaf] of [
      [{ rise: 0 }, 'rise'],
      [{ interval: 50 }, 'interval'],
      [{ 'http-status': '200-1000' }, 'http-status'],
      [{ 'udp-payload': 'xyz' }, 'udp-payload'],
      [{ interval: 1000, timeout: 1000 }, 'timeout'],
    ] as const) {
      const r = await stack.rest('PATCH', `${svcPath(80, 'tcp')}/health-check/`, body);
      expect([r.status, r.text.includes(leaf)]).toEqual([400, true]);
    }
    const bad = await stack.cli([
      CUBE,
      'service',
      VIP,
      '80',
      'TCP',
      'health-check',
      'set',
      'http-status=abc',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain('http-status');
    expect(await stack.ok('GET', `${svcPath(80, 'tcp')}/health-check/type/`)).toBe('none');
  });

  it('TCP: a killed server is DOWN in time, new connections all succeed, UP again after rise', async () => {
    const set = await stack.cli([
      CUBE,
      'service',
      VIP,
      '80',
      'TCP',
      'health-check',
      'set',
      'type=TCP',
      `interval=${INTERVAL}`,
      `fall=${FALL}`,
    ]);
    expect(set).toMatchObject({ code: 0 });
    for (const b of lb.backends) await waitHealth(80, 'tcp', b, 'up');
    const [b1] = lb.backends;
    await stopHttp(b1);
    const killedAt = Date.now();
    const down = await waitHealth(80, 'tcp', b1, 'down', 10000);
    // The monitor's own time of the change (health-detail "DOWN since <ISO time>; …").
    const since = Date.parse(/^DOWN since (\S+);/.exec(String(down['health-detail']))?.[1] ?? '');
    expect(since - killedAt).toBeLessThanOrEqual(INTERVAL * FALL + INTERVAL);
    expect(down).toMatchObject({ up: 0, port: 8080, weight: 1 });
    const metrics = (await stack.rest('GET', 'metrics')).text;
    expect(metrics).toMatch(
      new RegExp(
        `lbrp_service_backend_up\\{[^}]*cube="${CUBE}"[^}]*ip="${b1.ip.replace(/\./g, '\\.')}"[^}]*\\} 0`,
      ),
    );
    // Every new connection now succeeds, on the others.
    const counts = await spread(lb.clients[0].ns, VIP, 80, 40);
    expect(counts.error).toBeUndefined();
    expect(counts[b1.name]).toBeUndefined();
    expect((counts.b2 ?? 0) + (counts.b3 ?? 0)).toBe(40);

    await startHttp(b1);
    await waitHealth(80, 'tcp', b1, 'up');
    await waitFor(
      async () => ((await spread(lb.clients[0].ns, VIP, 80, 20))[b1.name] ?? 0) > 0,
      'b1 taking new connections again',
      15000,
    );
  }, 120000);

  it('HTTP: a 503 on the health path is DOWN; a 200 is UP', async () => {
    await stack.ok('PATCH', `${svcPath(80, 'tcp')}/health-check/`, {
      type: 'HTTP',
      'http-path': '/healthz',
      'http-status': '200-299',
    });
    const [, b2] = lb.backends;
    for (const b of lb.backends) await waitHealth(80, 'tcp', b, 'up');
    await stopHttp(b2);
    await startHttp(b2, true);
    const down = await waitHealth(80, 'tcp', b2, 'down', 10000);
    expect(String(down['health-detail'])).toContain('HTTP 503');
    const counts = await spread(lb.clients[0].ns, VIP, 80, 20);
    expect([counts.error, counts.b2]).toEqual([undefined, undefined]);
    await stopHttp(b2);
    await startHttp(b2);
    await waitHealth(80, 'tcp', b2, 'up');
  }, 120000);

  it('UDP: request/response probes; a silent port is DOWN while the VIP keeps answering', async () => {
    await stack.ok('PATCH', `${svcPath(53, 'udp')}/health-check/`, {
      type: 'UDP',
      interval: INTERVAL,
      fall: FALL,
      'udp-payload': Buffer.from('health').toString('hex'),
      'udp-expect': Buffer.from('b').toString('hex'),
    });
    for (const b of lb.backends) await waitHealth(53, 'udp', b, 'up');
    const b3 = lb.backends[2];
    const u = udp.get(b3.name);
    u?.kill('SIGKILL');
    await u?.waitExit();
    await waitHealth(53, 'udp', b3, 'down', 10000);
    for (let i = 0; i < 10; i++)
      expect(await udpAsk(lb.clients[0].ns, VIP, 53)).toMatch(/^b[12] 10\.0\.0\.1 ping from /);
  }, 120000);

  it('ICMP: echo probes from the daemon make every backend UP', async () => {
    await stack.ok('POST', `${svcPath(0, 'icmp')}/`, {
      backend: lb.backends.map((b) => ({ ip: b.ip, port: 0 })),
      'health-check': { type: 'ICMP', interval: INTERVAL, rise: 1 },
    });
    for (const b of lb.backends) {
      const h = await waitHealth(0, 'icmp', b, 'up');
      expect(String(h['health-detail'])).toContain('ICMP echo reply');
    }
  }, 60000);

  it('a restart of the lbrp service keeps a DOWN backend out of the table (no flap)', async () => {
    await stack.ok('PATCH', `${svcPath(80, 'tcp')}/health-check/`, {
      type: 'TCP',
      interval: INTERVAL,
      fall: FALL,
    });
    const b3 = lb.backends[2];
    for (const b of lb.backends) await waitHealth(80, 'tcp', b, 'up');
    await stopHttp(b3);
    await waitHealth(80, 'tcp', b3, 'down', 10000);
    await stack.stopLbrp();
    await stack.startLbrp();
    // Right after the resync: not UP (unknown, held out, or DOWN again), and no new connection
    // reaches it or fails.
    const h = await health(80, 'tcp', b3);
    expect([h.up, h.health === 'up']).toEqual([0, false]);
    const counts = await spread(lb.clients[0].ns, VIP, 80, 30);
    expect([counts.error, counts[b3.name]]).toEqual([undefined, undefined]);
    await waitHealth(80, 'tcp', b3, 'down', 10000);
    await startHttp(b3);
    await waitHealth(80, 'tcp', b3, 'up');
  }, 120000);
});
