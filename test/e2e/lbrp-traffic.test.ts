// End to end through the REST API, for TC, XDP_SKB and XDP_DRV and for SINGLE and MULTI: HTTP over TCP,
// UDP (also datagrams larger than the MTU, in fragments) and ping to a VIP reach the backends
// (which see the real client address) and come back from the VIP; traffic to other addresses and
// ARP pass the load balancer untouched; the counters show up in GET and on /metrics.

import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { allFrom, echoReplies } from '../fixtures/echo-replies';
import { LbrpStack, waitFor } from '../fixtures/lbrp/e2e-stack';
import {
  buildLbNet,
  httpGet,
  startServers,
  udpAsk,
  ROUTER_FRONT_IP,
  type LbNet,
} from '../fixtures/lbrp/e2e-net';

const VIP = '10.10.0.100';

describeE2e('e2e: VIP traffic through lbrp cubes', () => {
  const stack = new LbrpStack();
  let lb: LbNet;

  beforeAll(async () => {
    lb = buildLbNet();
    await stack.start();
    await startServers(lb, (argv) => stack.spawn(argv));
  }, 120000);

  afterAll(async () => {
    await stack.cleanup();
    lb?.net.cleanup();
  });

  /** The cube the running test made: removed after it even when it failed, so the next test's
   * cube can take the same links. */
  let made: string | undefined;
  afterEach(async () => {
    if (made !== undefined) await stack.rest('DELETE', `lbrp/${made}/`);
    made = undefined;
  });

  const CASES = [
    { hook: 'TC', mode: 'SINGLE' },
    { hook: 'TC', mode: 'MULTI' },
    { hook: 'XDP_SKB', mode: 'SINGLE' },
    { hook: 'XDP_SKB', mode: 'MULTI' },
    { hook: 'XDP_DRV', mode: 'SINGLE' },
    { hook: 'XDP_DRV', mode: 'MULTI' },
  ] as const;

  /** Pings the client's IPv6 link-local address from the router (through the cube). */
  async function ping6FromRouter(ns: string): Promise<boolean> {
    const dev = lb.net.exec(ns, ['ip', '-o', 'route', 'get', ROUTER_FRONT_IP]).split(/\s+/)[2];
    const ll = /inet6 (fe80::[0-9a-f:]+)\//.exec(
      lb.net.exec(ns, ['ip', '-o', '-6', 'addr', 'show', 'dev', dev, 'scope', 'link']),
    );
    const rB = lb.net
      .exec(lb.router, ['ip', '-o', 'addr', 'show', 'to', `${ROUTER_FRONT_IP}/32`])
      .split(/\s+/)[1];
    if (!ll) throw new Error(`no link-local address on ${dev} in ${ns}`);
    // Answered by the client's own address (ping prints it with or without the %zone).
    const got = await echoReplies(lb.router, `${ll[1]}%${rB}`, 2);
    return got.received === 2 && got.from.map((a) => a.replace(/%.*$/, '')).join() === ll[1];
  }

  /**
   * Native XDP on veth (DESIGN §4): a frame redirected into a veth is dropped unless the receiving
   * end has GRO on (or an XDP program), and it cannot carry a partial checksum — so the namespace
   * ends that receive from the cube get GRO on and TX checksum offload off.
   */
  function prepareNativeXdp(): void {
    for (const c of lb.clients) {
      const dev = lb.net.exec(c.ns, ['ip', '-o', 'route', 'get', ROUTER_FRONT_IP]).split(/\s+/)[2];
      lb.net.exec(c.ns, ['ethtool', '-K', dev, 'gro', 'on', 'tx', 'off']);
    }
    const rB = lb.net
      .exec(lb.router, ['ip', '-o', 'addr', 'show', 'to', `${ROUTER_FRONT_IP}/32`])
      .split(/\s+/)[1];
    lb.net.exec(lb.router, ['ethtool', '-K', rB, 'gro', 'on', 'tx', 'off']);
  }

  // One cube per case on the same links: created with its ports and services in one POST, then
  // exercised from every client its mode serves, then deleted.
  it.each(CASES)(
    '$hook $mode: HTTP, UDP and ping to the VIP are balanced and translated; other traffic and ARP pass',
    async ({ hook, mode }) => {
      const cube = `lb${hook === 'TC' ? 't' : hook === 'XDP_SKB' ? 'x' : 'd'}${mode === 'SINGLE' ? 's' : 'm'}`;
      made = cube;
      if (hook === 'XDP_DRV') prepareNativeXdp();
      const clients = mode === 'SINGLE' ? lb.clients.slice(0, 1) : lb.clients;
      const ports =
        mode === 'SINGLE'
          ? [{ name: 'fe', type: 'FRONTEND', peer: lb.clients[0].dev }]
          : clients.map((c, i) => ({ name: `fe${i + 1}`, type: 'FRONTEND', peer: c.dev, ip: c.ip }));
      const backends = (port: number) => lb.backends.map((b) => ({ ip: b.ip, port }));
      await stack.ok('POST', `lbrp/${cube}/`, {
        type: hook,
        port_mode: mode,
        ports: [...ports, { name: 'be', type: 'BACKEND', peer: lb.backendDev }],
        service: [
          { vip: VIP, vport: 80, proto: 'TCP', name: 'web', backend: backends(8080) },
          { vip: VIP, vport: 53, proto: 'UDP', name: 'dns', backend: backends(5353) },
          { vip: VIP, vport: 0, proto: 'ICMP', name: 'ping', backend: backends(0) },
        ],
      });
      expect(await stack.ok('GET', `lbrp/${cube}/port_mode/`)).toBe(mode.toLowerCase());

      for (const c of clients) {
        // Non-VIP traffic and ARP (the gateway's address is resolved through the cube).
        expect(await echoReplies(c.ns, ROUTER_FRONT_IP)).toEqual(allFrom(ROUTER_FRONT_IP));
        expect(await httpGet(c.ns, lb.backends[0].ip, 8080)).toBe(`b1 ${c.ip}`);
        // Non-IP from the backend side (IPv6 neighbour discovery, then echo): in MULTI it is
        // punted and flooded to every FRONTEND port by the slow path.
        expect(await ping6FromRouter(c.ns)).toBe(true);
        // VIP traffic: the backend sees the client's own address; the reply comes from the VIP.
        const seen = new Set<string>();
        for (let i = 0; i < 8; i++) {
          const body = await httpGet(c.ns, VIP, 80);
          expect(body).toMatch(new RegExp(`^b[123] ${c.ip.replace(/\./g, '\\.')}$`));
          seen.add(body.split(' ')[0]);
        }
        expect(seen.size).toBeGreaterThan(1);
        expect(await udpAsk(c.ns, VIP, 53)).toMatch(
          new RegExp(`^b[123] ${c.ip.replace(/\./g, '\\.')} ping from ${VIP}:53$`),
        );
        expect(await echoReplies(c.ns, VIP, 3)).toEqual(allFrom(VIP, 3));
        // A datagram larger than the MTU travels as fragments both ways: every later fragment is
        // translated as its first (frag_track), or the reply could not be reassembled.
        expect(await udpAsk(c.ns, VIP, 53, 'f'.repeat(3000))).toMatch(
          new RegExp(`^b[123] ${c.ip.replace(/\./g, '\\.')} f{3000} from ${VIP}:53$`),
        );
      }

      // Counters are read from the kernel at most once a second: poll until they show the traffic.
      await waitFor(
        async () => {
          const web = (await stack.ok('GET', `lbrp/${cube}/service/${VIP}/80/tcp/`)) as Record<
            string,
            number
          >;
          return web.packets > 0 && web['total-sessions'] >= 8 * clients.length;
        },
        'the web service counters',
        10000,
      );
      const metrics = (await stack.rest('GET', 'metrics')).text;
      expect(metrics).toMatch(new RegExp(`lbrp_service_packets_total\\{[^}]*cube="${cube}"[^}]*\\} [1-9]`));
      await stack.ok('DELETE', `lbrp/${cube}/`);
    },
    180000,
  );

  // src-ip-rewrite (fixed, Polycube bug 7): the backend sees the client in the new range, its
  // reply comes back to the client from the VIP; the router learns the new address through the
  // slow path's rewritten copy of the client's ARP reply.
  it('TC SINGLE with src-ip-rewrite: backends see the client in the new range, replies come back', async () => {
    const cube = 'lbrw';
    made = cube;
    const c = lb.clients[0];
    const rB = lb.net
      .exec(lb.router, ['ip', '-o', 'addr', 'show', 'to', `${ROUTER_FRONT_IP}/32`])
      .split(/\s+/)[1];
    lb.net.exec(lb.router, ['ip', 'route', 'replace', '20.0.0.0/24', 'dev', rB]);
    await stack.ok('POST', `lbrp/${cube}/`, {
      ports: [
        { name: 'fe', type: 'FRONTEND', peer: c.dev },
        { name: 'be', type: 'BACKEND', peer: lb.backendDev },
      ],
      'src-ip-rewrite': { 'ip-range': '10.0.0.1/24', new_ip_range: '20.0.0.0/24' },
      service: [
        { vip: VIP, vport: 80, proto: 'TCP', backend: lb.backends.map((b) => ({ ip: b.ip, port: 8080 })) },
      ],
    });
    expect(await httpGet(c.ns, VIP, 80)).toMatch(/^b[123] 20\.0\.0\.1$/);
    const clientMac = lb.net
      .exec(c.ns, [
        'cat',
        '/sys/class/net/' +
          lb.net.exec(c.ns, ['ip', '-o', 'route', 'get', ROUTER_FRONT_IP]).split(/\s+/)[2] +
          '/address',
      ])
      .trim();
    expect(lb.net.exec(lb.router, ['ip', 'neigh', 'show', '20.0.0.1'])).toContain(`lladdr ${clientMac}`);
    expect(await stack.ok('GET', `lbrp/${cube}/src-ip-rewrite/`)).toMatchObject({
      'ip-range': '10.0.0.1/24',
      new_ip_range: '20.0.0.0/24',
    });
    await stack.ok('DELETE', `lbrp/${cube}/`);
    lb.net.exec(lb.router, ['ip', 'route', 'del', '20.0.0.0/24']);
  }, 120000);
});
