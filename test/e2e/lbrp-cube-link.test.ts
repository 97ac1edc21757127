// Cube-to-cube links carry traffic: lb0 (FRONTEND toward a client) has its BACKEND port connected
// to lb1's FRONTEND port (`connect lb0:to1 lb1:from0`), and lb1's BACKEND port faces the router
// and the backends. A VIP of lb0 and a VIP of lb1 are both reached through the chain (each cube
// passes the other's traffic untouched and reverse-translates its own), on TC and on XDP_SKB; the
// link is a veth pair the daemon made, kept across a polycubed restart, and removed with the link.

import { execFileSync } from 'node:child_process';
import { cubeLinkNames } from '../../src/polycubed/core/cube-link';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { allFrom, echoReplies } from '../fixtures/echo-replies';
import { LbrpStack, waitFor } from '../fixtures/lbrp/e2e-stack';
import { buildLbNet, httpGet, startServers, udpAsk, type LbNet } from '../fixtures/lbrp/e2e-net';

const VIP_A = '10.10.0.100'; // lb0's
const VIP_B = '10.10.0.200'; // lb1's

/** Whether netdev `name` exists in this (the daemon's) namespace. */
function linkExists(name: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', 'dev', name], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describeE2e('e2e: cube-to-cube links carry traffic', () => {
  const stack = new LbrpStack();
  let lb: LbNet;
  const pair = (): { mine: string; theirs: string } => cubeLinkNames('lb0:to1', 'lb1:from0', stack.pinRoot);

  beforeAll(async () => {
    lb = buildLbNet();
    await stack.start();
    await startServers(lb, (argv) => stack.spawn(argv));
  }, 120000);

  afterAll(async () => {
    await stack.cleanup();
    // A failed test may leave the link's pair behind (the daemon was killed, not asked).
    if (linkExists(pair().mine)) execFileSync('ip', ['link', 'del', pair().mine]);
    lb?.net.cleanup();
  });

  afterEach(async () => {
    for (const c of ['lb0', 'lb1']) await stack.rest('DELETE', `lbrp/${c}/`);
  });

  /** The two chained cubes of `type`, each with a TCP, UDP and ICMP service on its VIP. */
  async function chain(type: string): Promise<void> {
    const services = (vip: string) => [
      { vip, vport: 80, proto: 'TCP', backend: lb.backends.map((b) => ({ ip: b.ip, port: 8080 })) },
      { vip, vport: 53, proto: 'UDP', backend: lb.backends.map((b) => ({ ip: b.ip, port: 5353 })) },
      { vip, vport: 0, proto: 'ICMP', backend: lb.backends.map((b) => ({ ip: b.ip, port: 0 })) },
    ];
    await stack.ok('POST', 'lbrp/lb0/', {
      type,
      port_mode: 'SINGLE',
      ports: [
        { name: 'fe', type: 'FRONTEND', peer: lb.clients[0].dev },
        { name: 'to1', type: 'BACKEND' },
      ],
      service: services(VIP_A),
    });
    await stack.ok('POST', 'lbrp/lb1/', {
      type,
      port_mode: 'SINGLE',
      ports: [
        { name: 'from0', type: 'FRONTEND' },
        { name: 'be', type: 'BACKEND', peer: lb.backendDev },
      ],
      service: services(VIP_B),
    });
    await stack.ok('POST', 'connect', { peer1: 'lb0:to1', peer2: 'lb1:from0' });
  }

  /** TCP, UDP and ICMP to both VIPs from the client, answered from the VIP asked. */
  async function bothVipsAnswer(): Promise<void> {
    const client = lb.clients[0];
    for (const vip of [VIP_A, VIP_B]) {
      expect(await httpGet(client.ns, vip, 80)).toMatch(
        new RegExp(`^b[123] ${client.ip.replace(/\./g, '\\.')}$`),
      );
      expect(await udpAsk(client.ns, vip, 53, 'x')).toMatch(
        new RegExp(`^b[123] .* x from ${vip.replace(/\./g, '\\.')}:53$`),
      );
      expect(await echoReplies(client.ns, vip, 2)).toEqual(allFrom(vip, 2));
    }
  }

  it.each(['TC', 'XDP_SKB'])(
    '%s: both cubes balance through the link, which is a veth pair of the daemon',
    async (type) => {
      await chain(type);
      expect(await stack.ok('GET', 'lbrp/lb0/ports/to1/status/')).toBe('UP');
      expect(await stack.ok('GET', 'lbrp/lb1/ports/from0/status/')).toBe('UP');
      expect([linkExists(pair().mine), linkExists(pair().theirs)]).toEqual([true, true]);
      await bothVipsAnswer();
      // Each cube counted its own VIP's sessions (counters are refreshed about once a second).
      const sessions = async (cube: string, vip: string) =>
        (await stack.ok('GET', `lbrp/${cube}/service/${vip}/80/TCP/total-sessions/`)) as number;
      await waitFor(async () => (await sessions('lb0', VIP_A)) > 0, 'lb0 counting its sessions', 10000);
      await waitFor(async () => (await sessions('lb1', VIP_B)) > 0, 'lb1 counting its sessions', 10000);

      // Disconnected: both ports DOWN, the pair gone, nothing crosses.
      await stack.ok('POST', 'disconnect', { peer1: 'lb0:to1', peer2: 'lb1:from0' });
      expect(await stack.ok('GET', 'lbrp/lb0/ports/to1/status/')).toBe('DOWN');
      expect([linkExists(pair().mine), linkExists(pair().theirs)]).toEqual([false, false]);
      expect(() =>
        execFileSync('ip', ['netns', 'exec', lb.clients[0].ns, 'curl', '-s', '-m', '2', `http://${VIP_B}/`], {
          stdio: 'pipe',
        }),
      ).toThrow(); // no answer within 2 s
    },
    120000,
  );

  it('keeps the link through a polycubed restart and removes it with a cube', async () => {
    await chain('TC');
    await bothVipsAnswer();
    await stack.stopPolycubed();
    expect(linkExists(pair().mine)).toBe(true); // the cubes forward meanwhile, through it
    expect(await httpGet(lb.clients[0].ns, VIP_B, 80)).toMatch(/^b[123] /);
    await stack.startPolycubed();
    await waitFor(
      async () => (await stack.rest('GET', 'lbrp/lb1/ports/from0/status/')).json === 'UP',
      'link up again',
      30000,
    );
    await bothVipsAnswer();
    await stack.ok('DELETE', 'lbrp/lb1/');
    await waitFor(() => !linkExists(pair().mine), 'the pair removed with the cube', 10000);
    expect(await stack.ok('GET', 'lbrp/lb0/ports/to1/status/')).toBe('DOWN');
  }, 120000);
});
