// Polycube's own lbrp test scripts (runtime spec §6.2 test_single.sh with the polycubectl CLI, §6.3
// test_multi.sh through the REST API): L2/L3 transparency, test_weight and
// test_service_reachability. test_multi gets the routing fix the spec notes: the backend-side
// namespace forwards, so DNATed pings to a backend behind a FRONTEND port come back.

import { TestNet } from '../fixtures/netns';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { allFrom, echoReplies } from '../fixtures/echo-replies';
import { LbrpStack } from '../fixtures/lbrp/e2e-stack';

describeE2e('e2e: Polycube lbrp scenarios', () => {
  const stack = new LbrpStack();
  const net = new TestNet();

  beforeAll(async () => {
    await stack.start();
  }, 120000);

  afterAll(async () => {
    await stack.cleanup();
    net.cleanup();
  });

  /** Runs a polycubectl command that must succeed; returns its output. */
  async function pcn(line: string): Promise<string> {
    const r = await stack.cli(line.split(' '));
    if (r.code !== 0) throw new Error(`polycubectl ${line} → exit ${r.code}: ${r.out}`);
    return r.out;
  }

  // test_single.sh: ns1 (FRONTEND) and ns2 (BACKEND) on one /24, through the CLI.
  it('test_single: transparency, test_weight and test_service_reachability with polycubectl', async () => {
    const ns1 = net.addNetns();
    const ns2 = net.addNetns();
    const v1 = net.addVeth({ nsB: ns1, ipB: '192.178.1.1/24' });
    const v2 = net.addVeth({ nsB: ns2, ipB: '192.178.1.2/24' });
    net.exec(ns1, ['ip', 'route', 'add', 'default', 'via', '192.178.1.2']);
    await pcn('lbrp add lb0 port_mode=SINGLE loglevel=TRACE');
    await pcn(`lb0 ports add to_ns1 type=FRONTEND peer=${v1.a}`);
    await pcn(`lb0 ports add to_ns2 type=BACKEND peer=${v2.a}`);
    expect(await echoReplies(ns1, '192.178.1.2')).toEqual(allFrom('192.178.1.2'));
    expect(await echoReplies(ns2, '192.178.1.1')).toEqual(allFrom('192.178.1.1'));

    // test_weight
    await pcn('lb0 service add 10.0.0.1 80 TCP name=my-service');
    for (const [ip, w] of [
      ['192.178.1.11', 20],
      ['192.178.1.12', 30],
      ['192.178.1.13', 20],
    ])
      await pcn(`lb0 service 10.0.0.1 80 TCP backend add ${ip} port=80 weight=${w}`);
    const row = (out: string, has: string): string[] =>
      (out.split('\n').find((l) => l.includes(has)) ?? '').split(/\s+/);
    expect(row(await pcn('lb0 service 10.0.0.1 80 TCP backend show'), '192.178.1.12')).toEqual(
      expect.arrayContaining(['192.178.1.12', '80', '30']),
    );
    expect(row(await pcn('lb0 service show'), 'my-service')).toEqual(
      expect.arrayContaining(['my-service', '10.0.0.1', '80', 'tcp']),
    );
    expect(await pcn('lb0 show')).toMatch(/port_mode: single/);
    for (const ip of ['192.178.1.11', '192.178.1.12', '192.178.1.13'])
      await pcn(`lb0 service 10.0.0.1 80 TCP backend del ${ip}`);
    await pcn('lb0 service show');
    await pcn('lb0 service del 10.0.0.1 80 TCP');
    await pcn('lb0 service show');

    // test_service_reachability
    await pcn('lb0 service add 10.0.0.1 80 ALL');
    await pcn('lb0 service 10.0.0.1 80 TCP backend add 192.178.1.2 port=80 weight=20');
    await pcn('lb0 service 10.0.0.1 80 UDP backend add 192.178.1.2 port=80 weight=20');
    await pcn('lb0 service 10.0.0.1 0 ICMP backend add 192.178.1.2 port=0 weight=20');
    expect(await echoReplies(ns1, '10.0.0.1')).toEqual(allFrom('10.0.0.1'));
    await pcn('lb0 service del 10.0.0.1 80 TCP');
    const left = await pcn('lb0 service show');
    expect(left).toMatch(/udp/);
    expect(left).toMatch(/icmp/);
    expect(left).not.toMatch(/tcp/);
    await pcn('lbrp del lb0');
  }, 120000);

  // test_multi.sh: ns1 and ns2 (/32 with a peer, FRONTENDs with ip=) and ns3 (BACKEND, the
  // gateway, forwarding), through REST.
  it('test_multi: transparency, test_weight and test_service_reachability through REST', async () => {
    const [ns1, ns2, ns3] = [net.addNetns(), net.addNetns(), net.addNetns()];
    const veths = [ns1, ns2].map((ns, i) => {
      const v = net.addVeth({ nsB: ns });
      net.exec(ns, ['ip', 'addr', 'add', `192.178.1.${i + 1}`, 'peer', '192.178.1.254', 'dev', v.b]);
      net.exec(ns, ['ip', 'route', 'add', 'default', 'via', '192.178.1.254']);
      return v;
    });
    const v3 = net.addVeth({ nsB: ns3, ipB: '192.178.1.254/24' });
    for (const k of [
      'net.ipv4.ip_forward=1',
      'net.ipv4.conf.all.send_redirects=0',
      `net.ipv4.conf.${v3.b}.send_redirects=0`,
    ])
      net.exec(ns3, ['sysctl', '-qw', k]);

    await stack.ok('POST', 'lbrp/lb1/', { port_mode: 'MULTI', loglevel: 'TRACE' });
    await stack.ok('POST', 'lb1/ports/to_ns1/', { type: 'FRONTEND', peer: veths[0].a, ip: '192.178.1.1' });
    await stack.ok('POST', 'lb1/ports/to_ns2/', { type: 'FRONTEND', peer: veths[1].a, ip: '192.178.1.2' });
    await stack.ok('POST', 'lb1/ports/to_ns3/', { type: 'BACKEND', peer: v3.a });
    expect(await echoReplies(ns1, '192.178.1.254')).toEqual(allFrom('192.178.1.254'));
    expect(await echoReplies(ns2, '192.178.1.254')).toEqual(allFrom('192.178.1.254'));
    expect(await echoReplies(ns3, '192.178.1.1')).toEqual(allFrom('192.178.1.1'));
    expect(await echoReplies(ns3, '192.178.1.2')).toEqual(allFrom('192.178.1.2'));

    // test_weight
    const svc = 'lbrp/lb1/service/10.0.0.1/80/TCP';
    await stack.ok('POST', `${svc}/`, { name: 'my-service' });
    for (const [ip, weight] of [
      ['192.178.1.11', 20],
      ['192.178.1.12', 30],
      ['192.178.1.13', 20],
    ])
      await stack.ok('POST', `${svc}/backend/${ip}/`, { port: 80, weight });
    const listed = (await stack.ok('GET', `${svc}/backend/`)) as unknown[];
    expect(listed.filter((e) => !Array.isArray(e)).length).toBe(3); // the last element is ["_links", …]
    expect(await stack.ok('GET', `${svc}/name/`)).toBe('my-service');
    expect((await stack.ok('GET', 'lbrp/lb1/')) as Record<string, unknown>).toMatchObject({
      port_mode: 'multi',
    });
    for (const ip of ['192.178.1.11', '192.178.1.12', '192.178.1.13'])
      await stack.ok('DELETE', `${svc}/backend/${ip}/`);
    expect(await stack.ok('GET', `${svc}/backend/`)).toBeNull();
    await stack.ok('DELETE', `${svc}/`);
    expect(await stack.ok('GET', 'lbrp/lb1/service/')).toBeNull();

    // test_service_reachability
    await stack.ok('POST', 'lbrp/lb1/service/10.0.0.1/80/ALL/', {});
    for (const [proto, vport, port] of [
      ['TCP', 80, 80],
      ['UDP', 80, 80],
      ['ICMP', 0, 0],
    ] as const)
      await stack.ok('POST', `lbrp/lb1/service/10.0.0.1/${vport}/${proto}/backend/192.178.1.2/`, {
        port,
        weight: 20,
      });
    expect(await echoReplies(ns1, '10.0.0.1')).toEqual(allFrom('10.0.0.1'));
    await stack.ok('DELETE', `${svc}/`);
    const left = (await stack.ok('GET', 'lbrp/lb1/service/')) as Array<Record<string, unknown>>;
    expect(left.filter((s) => !Array.isArray(s)).map((s) => s.proto)).toEqual(['udp', 'icmp']);
    await stack.ok('DELETE', 'lbrp/lb1/');
  }, 120000);
});
