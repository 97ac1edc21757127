// session-affinity and drain-timeout end to end (TC, SINGLE), through the REST API with real
// connections in namespaces: 100 new connections from one client go to one backend with
// CLIENT_IP affinity (and spread without it); the affinity expires after affinity-timeout without
// traffic (new connections then follow Maglev again); a long-lived TCP connection through a
// drained backend keeps flowing until drain-timeout, and is broken after it (its next packet is
// balanced to another backend, which resets it).

import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { singleCubeSuite } from '../fixtures/lbrp/single-cube';
import type { Child } from '../fixtures/lbrp/e2e-stack';
import { spread, streamAdvances, streamScript, type LbNet } from '../fixtures/lbrp/e2e-net';

const VIP = '10.10.0.120';
const CUBE = 'lbaff';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeE2e('e2e: lbrp session affinity and drain-timeout', () => {
  // Every test starts from the cube with its ports and no service.
  const suite = singleCubeSuite(CUBE);
  const { stack } = suite;
  let lb: LbNet;
  beforeAll(() => {
    lb = suite.lb;
  });
  const svc = `lbrp/${CUBE}/service/${VIP}`;

  it('sends 100 connections of one client to one backend with CLIENT_IP, and lets it expire', async () => {
    const ns = lb.clients[0].ns;
    await stack.ok('POST', `${svc}/80/TCP/`, { backend: lb.backends.map((b) => ({ ip: b.ip, port: 8080 })) });
    const without = await spread(ns, VIP, 80, 60);
    expect(without.error ?? 0).toBe(0);
    expect(Object.keys(without).length).toBeGreaterThan(1);

    // Bad values: 400 naming the leaf over REST, refused by polycubectl; then set by polycubectl.
    for (const [leaf, body] of [
      ['affinity-timeout', 0],
      ['affinity-timeout', 86401],
      ['drain-timeout', -1],
      ['session-affinity', '"COOKIE"'],
    ] as const) {
      const r = await stack.rest('PATCH', `${svc}/80/TCP/${leaf}/`, body);
      expect({ leaf, status: r.status }).toEqual({ leaf, status: 400 });
      expect(r.text).toContain(leaf);
    }
    const bad = await stack.cli([CUBE, 'service', VIP, '80', 'TCP', 'set', 'affinity-timeout=0']);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain('affinity-timeout');
    const set = await stack.cli([CUBE, 'service', VIP, '80', 'TCP', 'set', 'session-affinity=CLIENT_IP']);
    expect(set).toMatchObject({ code: 0 });
    expect(await stack.ok('GET', `${svc}/80/TCP/session-affinity/`)).toBe('client_ip');
    const pinned = await spread(ns, VIP, 80, 100);
    expect(pinned.error ?? 0).toBe(0);
    expect(Object.values(pinned)).toEqual([100]);

    // affinity-timeout 1 s: after ~2.5 s without traffic each round starts afresh by Maglev, so
    // the client soon lands on another backend (after 14 rounds all on one: (1/3)^13 < 10⁻⁶ by
    // chance), while the 5 connections of one round stay together.
    await stack.ok('PATCH', `${svc}/80/TCP/affinity-timeout/`, 1);
    const firsts = new Set<string>();
    for (let round = 0; round < 14 && firsts.size < 2; round++) {
      await sleep(2500);
      const got = await spread(ns, VIP, 80, 5);
      expect(got.error ?? 0).toBe(0);
      expect(Object.values(got)).toEqual([5]);
      firsts.add(Object.keys(got)[0]);
    }
    expect(firsts.size).toBeGreaterThan(1);
  }, 120000);

  it('breaks a connection through a drained backend only after drain-timeout', async () => {
    const [b1, b2] = lb.backends;
    await stack.ok('POST', `${svc}/9000/TCP/`, {
      'drain-timeout': 3,
      backend: [b1, b2].map((b) => ({ ip: b.ip, port: 9000 })),
    });
    expect(await stack.ok('GET', `${svc}/9000/TCP/drain-timeout/`)).toBe(3);
    const stream: Child = stack.spawn([
      'ip',
      'netns',
      'exec',
      lb.clients[0].ns,
      process.execPath,
      '-e',
      streamScript(VIP, 9000),
    ]);
    const own = (await stream.waitLine(/^hello b\d$/, 30000)).replace('hello ', '');
    const ownB = lb.backends.find((b) => b.name === own);
    if (!ownB) throw new Error(`unexpected backend ${own}`);
    await streamAdvances(stream);

    const drained = Date.now();
    await stack.ok('PATCH', `${svc}/9000/TCP/backend/${ownB.ip}/weight/`, 0);
    // Before the timeout the connection keeps flowing.
    while (Date.now() - drained < 2000) await streamAdvances(stream, 1024);
    // After it, the stream breaks (a reset from the other backend), within a bounded wait.
    const lost = await stream.waitLine(/^lost/, 15000);
    const after = Date.now() - drained;
    expect(lost).toMatch(/^lost/);
    expect(after).toBeGreaterThanOrEqual(3000);
    await stack.lbrp?.waitLine(
      new RegExp(`cube ${CUBE}: drain-timeout: ended \\d+ sessions of ${ownB.ip.replace(/\./g, '\\.')}`),
      10000,
    );
  }, 120000);
});
