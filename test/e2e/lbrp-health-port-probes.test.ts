// Health probes through the cube's BACKEND port, in Polycube's own topology: the backends sit
// behind the router reached only through the cube's BACKEND veth, and the daemon's host gets no
// route to them (unlike lbrp-health.test.ts, no extra veth). With probe-source 10.0.0.250 and
// probe-next-hop the router, TCP half-open and ICMP echo probes leave as packet-out on the BACKEND
// port and their replies are handed up by the dataplane (counted as probe-reply-punted, never
// forwarded to the client). A killed server is DOWN within interval × fall + one interval and new
// connections then all succeed on the others; restarted, it is UP; an address removed from its
// namespace fails its ICMP probes (DOWN), and back it is UP. TC SINGLE, then XDP_SKB MULTI.

import { randomInt } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack, waitFor, type Child } from '../fixtures/lbrp/e2e-stack';
import { buildLbNet, ROUTER_FRONT_IP, spread, type LbBackend, type LbNet } from '../fixtures/lbrp/e2e-net';

const VIP = '10.10.0.100';
const CUBE = `lbpr${randomInt(1000, 9999)}`;
const PROBE_SOURCE = '10.0.0.250';
const INTERVAL = 500;
const FALL = 2;

/** An HTTP server on 8080 answering "<name> <client>". */
function httpScript(b: LbBackend): string {
  return `require('http').createServer((q,s)=>{s.setHeader('connection','close');
s.end(${JSON.stringify(b.name)}+' '+q.socket.remoteAddress+'\\n');}).listen(8080,${JSON.stringify(b.ip)},()=>console.log('ready'));`;
}

describeE2e('e2e: health probes through the BACKEND port (no host route to the backends)', () => {
  const stack = new LbrpStack();
  let lb: LbNet;
  const http = new Map<string, Child>();

  async function startHttp(b: LbBackend): Promise<void> {
    const c = stack.spawn(['ip', 'netns', 'exec', b.ns, process.execPath, '-e', httpScript(b)]);
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
  const health = async (vport: number, proto: string, b: LbBackend) =>
    (await stack.ok('GET', `${svcPath(vport, proto)}/backend/${b.ip}/`)) as Record<string, unknown>;
  const waitHealth = (vport: number, proto: string, b: LbBackend, want: string, ms = 15000) =>
    waitFor(
      async () => {
        const h = await health(vport, proto, b);
        return h.health === want ? h : undefined;
      },
      `${b.name} ${want} on ${vport}/${proto}`,
      ms,
    );
  /** The monitor's own time of the last change ("DOWN since <ISO time>; …"). */
  const since = (h: Record<string, unknown>): number =>
    Date.parse(/^\w+ since (\S+);/.exec(String(h['health-detail']))?.[1] ?? '');
  const punted = async (): Promise<number> => {
    const list = (await stack.ok('GET', `lbrp/${CUBE}/drop/`)) as { reason: string; packets: number }[];
    return list.find((d) => d.reason === 'probe-reply-punted')?.packets ?? -1;
  };
  /** The backend's interface (the one holding its address) in its namespace. */
  const devOf = (b: LbBackend): string => {
    const out = execFileSync('ip', ['-n', b.ns, '-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
    const line = out.split('\n').find((l) => l.includes(` ${b.ip}/`));
    return (line?.split(/\s+/)[1] ?? '').replace(/@.*/, '');
  };

  beforeAll(async () => {
    lb = buildLbNet();
    await stack.start();
    for (const b of lb.backends) await startHttp(b);
    const backends = (port: number) => lb.backends.map((b) => ({ ip: b.ip, port }));
    await stack.ok('POST', `lbrp/${CUBE}/`, {
      ports: [
        { name: 'fe', type: 'FRONTEND', peer: lb.clients[0].dev },
        { name: 'be', type: 'BACKEND', peer: lb.backendDev },
      ],
      'probe-source': PROBE_SOURCE,
      'probe-next-hop': ROUTER_FRONT_IP,
      service: [
        {
          vip: VIP,
          vport: 80,
          proto: 'TCP',
          backend: backends(8080),
          'health-check': { type: 'TCP', interval: INTERVAL, fall: FALL, rise: 2 },
        },
        {
          vip: VIP,
          vport: 0,
          proto: 'ICMP',
          backend: backends(0),
          'health-check': { type: 'ICMP', interval: INTERVAL, fall: FALL, rise: 1 },
        },
      ],
    });
  }, 120000);

  afterAll(async () => {
    await stack.rest('DELETE', `lbrp/${CUBE}/`).catch(() => undefined);
    await stack.cleanup();
    lb?.net.cleanup();
  });

  it('the host itself has no path to the backends through the test links', () => {
    const ours = [lb.backendDev, ...lb.clients.map((c) => c.dev)];
    for (const b of lb.backends) {
      let route = '';
      try {
        route = execFileSync('ip', ['-o', 'route', 'get', b.ip], { encoding: 'utf8' });
      } catch {
        route = 'unreachable';
      }
      expect(ours.filter((d) => route.includes(`dev ${d} `))).toEqual([]);
    }
  });

  it('TCP: UP through the BACKEND port; a killed server is DOWN in time, then UP again', async () => {
    const before = await punted();
    for (const b of lb.backends) {
      const h = await waitHealth(80, 'tcp', b, 'up');
      expect(String(h['health-detail'])).toMatch(/TCP SYN-ACK in \d+ ms \(port be\)/);
    }
    // The replies (and the router's ARP for the probe source) are handed up, not forwarded: the
    // cube counts them (its counters are read at most once a second, so wait for a later read).
    expect(before).toBeGreaterThanOrEqual(0);
    await waitFor(
      async () => (await punted()) - before >= lb.backends.length,
      'probe replies counted as probe-reply-punted',
      10000,
    );
    const [b1] = lb.backends;
    await stopHttp(b1);
    const killedAt = Date.now();
    const down = await waitHealth(80, 'tcp', b1, 'down', 10000);
    expect(since(down) - killedAt).toBeLessThanOrEqual(INTERVAL * FALL + INTERVAL);
    expect(String(down['health-detail'])).toContain('TCP refused (RST)');
    const counts = await spread(lb.clients[0].ns, VIP, 80, 40);
    expect([counts.error, counts[b1.name]]).toEqual([undefined, undefined]);
    expect((counts.b2 ?? 0) + (counts.b3 ?? 0)).toBe(40);
    await startHttp(b1);
    await waitHealth(80, 'tcp', b1, 'up');
    await waitFor(
      async () => ((await spread(lb.clients[0].ns, VIP, 80, 20))[b1.name] ?? 0) > 0,
      'b1 taking new connections again',
      15000,
    );
  }, 120000);

  it('ICMP: echo probes through the BACKEND port; an address removed from its namespace is DOWN', async () => {
    for (const b of lb.backends) {
      const h = await waitHealth(0, 'icmp', b, 'up');
      expect(String(h['health-detail'])).toMatch(/ICMP echo reply in \d+ ms \(port be\)/);
    }
    const b3 = lb.backends[2];
    const dev = devOf(b3);
    expect(dev).not.toBe('');
    lb.net.exec(b3.ns, ['ip', 'addr', 'del', `${b3.ip}/24`, 'dev', dev]);
    const removedAt = Date.now();
    const down = await waitHealth(0, 'icmp', b3, 'down', 10000);
    expect(since(down) - removedAt).toBeLessThanOrEqual(INTERVAL * FALL + INTERVAL);
    lb.net.exec(b3.ns, ['ip', 'addr', 'add', `${b3.ip}/24`, 'dev', dev]);
    lb.net.exec(b3.ns, ['ip', 'route', 'replace', 'default', 'via', '192.168.1.254']);
    await waitHealth(0, 'icmp', b3, 'up');
  }, 120000);

  it('XDP_SKB MULTI: the same probes through the BACKEND port; a killed server is DOWN', async () => {
    await stack.ok('DELETE', `lbrp/${CUBE}/`);
    await stack.ok('POST', `lbrp/${CUBE}/`, {
      type: 'XDP_SKB',
      port_mode: 'MULTI',
      ports: [
        ...lb.clients.map((c, i) => ({ name: `fe${i + 1}`, type: 'FRONTEND', peer: c.dev, ip: c.ip })),
        { name: 'be', type: 'BACKEND', peer: lb.backendDev },
      ],
      'probe-source': PROBE_SOURCE,
      'probe-next-hop': ROUTER_FRONT_IP,
      service: [
        {
          vip: VIP,
          vport: 80,
          proto: 'TCP',
          backend: lb.backends.map((b) => ({ ip: b.ip, port: 8080 })),
          'health-check': { type: 'TCP', interval: INTERVAL, fall: FALL, rise: 2 },
        },
      ],
    });
    for (const b of lb.backends) {
      const h = await waitHealth(80, 'tcp', b, 'up');
      expect(String(h['health-detail'])).toMatch(/TCP SYN-ACK in \d+ ms \(port be\)/);
    }
    const b2 = lb.backends[1];
    await stopHttp(b2);
    const killedAt = Date.now();
    const down = await waitHealth(80, 'tcp', b2, 'down', 10000);
    expect(since(down) - killedAt).toBeLessThanOrEqual(INTERVAL * FALL + INTERVAL);
    for (const c of lb.clients) {
      const counts = await spread(c.ns, VIP, 80, 20);
      expect([counts.error, counts[b2.name]]).toEqual([undefined, undefined]);
    }
    await startHttp(b2);
    await waitHealth(80, 'tcp', b2, 'up');
  }, 120000);
});
