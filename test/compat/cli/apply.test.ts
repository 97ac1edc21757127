// `polycubectl apply` against the running stack (polycubed's REST server, a service registered
// over gRPC with lbrp's YANG and the generic configuration store behind it), through a recording
// proxy: what it sends, in which order, and what the running configuration becomes.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeAsRoot } from '../../fixtures/rest/describe-root';
import { startRestStack, type RestStack } from '../../fixtures/rest/rest-stack';
import { closedPort, runCli, type CliResult } from './harness';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy';

const SVC = '/polycube/v1/lbrp/lb0/service/10.0.0.100/80/TCP/';

interface Backend {
  ip: string;
  port: number;
  weight: number;
}

describeAsRoot('polycubectl apply against the running daemon', () => {
  let stack: RestStack;
  let proxy: RecordingProxy;
  let dir: string;
  let fe: string;
  let be: string;

  beforeAll(async () => {
    stack = await startRestStack({ netdevCount: 2 });
    [fe, be] = stack.netdevs;
    proxy = await startRecordingProxy(stack.port);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apply-test-'));
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await stack?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The desired lb0: two ports, one service with `backends`, optional extra YAML lines. */
  const lb0 = (backends: Backend[], extra = ''): string =>
    `service-name: lbrp
name: lb0
port_mode: SINGLE
ports:
  - {name: fe, type: FRONTEND, peer: ${fe}}
  - {name: be, type: BACKEND, peer: ${be}}
service:
  - vip: 10.0.0.100
    vport: 80
    proto: TCP
    name: web
    backend:
${backends.map((b) => `      - {ip: ${b.ip}, port: ${b.port}, weight: ${b.weight}}`).join('\n')}
${extra}`;

  const THREE: Backend[] = [
    { ip: '192.168.1.10', port: 8080, weight: 1 },
    { ip: '192.168.1.11', port: 8080, weight: 2 },
    { ip: '192.168.1.12', port: 8080, weight: 3 },
  ];

  /** Runs `polycubectl apply -f <file with text> …flags`, recording only this run's requests. */
  async function apply(text: string, ...flags: string[]): Promise<CliResult & { writes: string[] }> {
    const file = path.join(dir, `lb-${Date.now()}.yaml`);
    fs.writeFileSync(file, text);
    proxy.requests.length = 0;
    const r = await runCli({ args: ['apply', '-f', file, ...flags], config: `url: ${proxy.base}\n` });
    fs.rmSync(r.home, { recursive: true, force: true });
    return { ...r, writes: proxy.writes() };
  }

  const requestLines = (stdout: string): string[] => stdout.split('\n').filter((l) => /^[A-Z]+ \//.test(l));

  async function running(): Promise<Record<string, unknown>> {
    const r = await stack.request('GET', '/polycube/v1/lbrp/lb0/');
    return JSON.parse(r.body.toString()) as Record<string, unknown>;
  }

  // Creation from nothing: one request per node, the cube first and backends last.
  test('creating from empty sends the cube, its ports, the service and its backends, in that order', async () => {
    const r = await apply(lb0(THREE, 'src-ip-rewrite: {ip-range: 10.0.0.0/24, new_ip_range: 20.0.0.0/24}\n'));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.writes).toEqual([
      'POST /polycube/v1/lbrp/lb0/ {"port_mode":"SINGLE"}',
      `POST /polycube/v1/lbrp/lb0/ports/fe/ {"type":"FRONTEND","peer":"${fe}"}`,
      `POST /polycube/v1/lbrp/lb0/ports/be/ {"type":"BACKEND","peer":"${be}"}`,
      'PATCH /polycube/v1/lbrp/lb0/src-ip-rewrite/ {"ip-range":"10.0.0.0/24","new_ip_range":"20.0.0.0/24"}',
      `POST ${SVC} {"name":"web"}`,
      `POST ${SVC}backend/192.168.1.10/ {"port":8080,"weight":1}`,
      `POST ${SVC}backend/192.168.1.11/ {"port":8080,"weight":2}`,
      `POST ${SVC}backend/192.168.1.12/ {"port":8080,"weight":3}`,
    ]);
    expect(requestLines(r.stdout)).toEqual(r.writes);
    expect(r.stdout).toMatch(/^# lbrp lb0: 8 requests\n[^]*# lbrp lb0: applied\n$/);
    const cube = await running();
    expect(cube['src-ip-rewrite']).toEqual({ 'ip-range': '10.0.0.0/24', new_ip_range: '20.0.0.0/24' });
    const svc = (cube.service as { backend: Backend[] }[])[0];
    expect(svc.backend.map((b) => [b.ip, b.weight])).toEqual(THREE.map((b) => [b.ip, b.weight]));
  });

  // Idempotence: the running configuration already matches, so only reads go out.
  test('applying the same file again sends nothing but GET and OPTIONS and says "no changes"', async () => {
    const r = await apply(lb0(THREE, 'src-ip-rewrite: {ip-range: 10.0.0.0/24, new_ip_range: 20.0.0.0/24}\n'));
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr, writes: r.writes }).toEqual({
      code: 0,
      stdout: '# lbrp lb0: no changes\n',
      stderr: '',
      writes: [],
    });
    expect(new Set(proxy.requests.map((q) => q.method))).toEqual(new Set(['GET', 'OPTIONS']));
  });

  const CHANGED: Backend[] = [
    { ip: '192.168.1.11', port: 8080, weight: 5 },
    { ip: '192.168.1.12', port: 8080, weight: 3 },
    { ip: '192.168.1.13', port: 8080, weight: 1 },
  ];

  // A dry run prints what a real run would send, and sends none of it.
  test('a dry run prints the plan, one line per request, and changes nothing', async () => {
    const before = stack.store?.snapshot();
    const r = await apply(lb0(CHANGED), '--dry-run', '--prune');
    expect({ code: r.code, stderr: r.stderr, writes: r.writes }).toEqual({ code: 0, stderr: '', writes: [] });
    expect(stack.store?.snapshot()).toBe(before);
    expect(r.stdout).toBe(
      [
        '# lbrp lb0: 3 requests (dry run: nothing sent)',
        `PATCH ${SVC}backend/192.168.1.11/ {"weight":5}`,
        `POST ${SVC}backend/192.168.1.13/ {"port":8080,"weight":1}`,
        `DELETE ${SVC}backend/192.168.1.10/`,
        '',
      ].join('\n'),
    );
  });

  // Safe order: sessions on old backends can move only after the new backends are in place.
  test('a change adds and updates backends before the old backend is deleted (--prune)', async () => {
    const r = await apply(lb0(CHANGED), '--prune');
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.writes).toEqual([
      `PATCH ${SVC}backend/192.168.1.11/ {"weight":5}`,
      `POST ${SVC}backend/192.168.1.13/ {"port":8080,"weight":1}`,
      `DELETE ${SVC}backend/192.168.1.10/`,
    ]);
    const svc = ((await running()).service as { backend: Backend[] }[])[0];
    expect(svc.backend.map((b) => b.ip).sort()).toEqual(['192.168.1.11', '192.168.1.12', '192.168.1.13']);
    expect((await apply(lb0(CHANGED), '--prune')).writes).toEqual([]);
  });

  // Without --prune nothing is deleted; the entries left alone are named.
  test('without --prune, entries missing from the file are kept and reported', async () => {
    const r = await apply(lb0(CHANGED.slice(0, 2)));
    expect({ code: r.code, writes: r.writes }).toEqual({ code: 0, writes: [] });
    expect(r.stdout).toBe(
      '# lbrp lb0 service 10.0.0.100 80 TCP backend 192.168.1.13 is running but not in the file: kept (--prune deletes it)\n' +
        '# lbrp lb0: no changes\n',
    );
  });

  // Removal: a service and a port go, deepest first, and only after the additions.
  test('removing a service and a port with --prune deletes them last, the service before the port', async () => {
    const text = `service-name: lbrp
name: lb0
ports:
  - {name: be, type: BACKEND, peer: ${be}}
service:
  - {vip: 10.0.0.200, vport: 53, proto: UDP, backend: [{ip: 192.168.1.20, port: 53}]}
`;
    const r = await apply(text, '--prune');
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.writes).toEqual([
      'POST /polycube/v1/lbrp/lb0/service/10.0.0.200/53/UDP/ {}',
      'POST /polycube/v1/lbrp/lb0/service/10.0.0.200/53/UDP/backend/192.168.1.20/ {"port":53}',
      `DELETE /polycube/v1/lbrp/lb0/service/10.0.0.100/80/tcp/`,
      'DELETE /polycube/v1/lbrp/lb0/ports/fe/',
    ]);
    const cube = await running();
    expect((cube.ports as { name: string }[]).map((p) => p.name)).toEqual(['be']);
    expect((cube.service as { vip: string }[]).map((s) => s.vip)).toEqual(['10.0.0.200']);
    expect((cube['src-ip-rewrite'] as Record<string, string>)['ip-range']).toBe('10.0.0.0/24');
  });

  // Init-only members cannot be patched: refusing is the safe default.
  test('an init-only member that differs is refused (exit 1, nothing sent) unless --recreate', async () => {
    const text = 'service-name: lbrp\nname: lb0\ntype: XDP_SKB\n';
    const refused = await apply(text);
    expect({ code: refused.code, writes: refused.writes, stdout: refused.stdout }).toEqual({
      code: 1,
      writes: [],
      stdout: '',
    });
    expect(refused.stderr).toBe(
      'apply: lbrp lb0: init-only members differ: type (running "TC", file "XDP_SKB"); they can only be set ' +
        'when it is created: delete it and apply again, or apply with --recreate\napply: nothing was changed\n',
    );
    const plan = await apply(text, '--recreate', '--dry-run');
    expect(requestLines(plan.stdout)).toEqual([
      'DELETE /polycube/v1/lbrp/lb0/',
      'POST /polycube/v1/lbrp/lb0/ {"type":"XDP_SKB"}',
    ]);
  });

  // A refused step stops the run and says what was and was not applied.
  test('a failed step exits 2, names the step and the answer, and reports what was applied', async () => {
    const text = `service-name: lbrp
name: lb0
service:
  - {vip: 10.0.0.200, vport: 53, proto: UDP, name: dns}
  - {vip: 10.0.0.201, vport: 53, proto: UDP, backend: [{ip: 192.168.1.21, weight: 1}]}
`;
    const r = await apply(text);
    expect(r.code).toBe(2);
    expect(r.writes).toEqual([
      'PATCH /polycube/v1/lbrp/lb0/service/10.0.0.200/53/UDP/ {"name":"dns"}',
      'POST /polycube/v1/lbrp/lb0/service/10.0.0.201/53/UDP/ {}',
      'POST /polycube/v1/lbrp/lb0/service/10.0.0.201/53/UDP/backend/192.168.1.21/ {"weight":1}',
    ]);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(
      'apply: step 3 of 3 for lbrp lb0 failed: POST /polycube/v1/lbrp/lb0/service/10.0.0.201/53/UDP/backend/192.168.1.21/ {"weight":1}',
    );
    expect(lines[1]).toMatch(/^apply: polycubed answered 4\d\d /);
    expect(lines[2]).toBe('apply: already applied: lbrp lb0 (requests 1-2 of 3, printed above)');
    expect(requestLines(r.stdout)).toEqual(r.writes.slice(0, 2));
  });

  // Several cubes: each is planned before anything is sent, and applied in file order.
  test('a file of several YAML documents applies each cube', async () => {
    const text = 'service-name: lbrp\nname: lb1\nport_mode: MULTI\n---\nservice-name: lbrp\nname: lb2\n';
    const r = await apply(text);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.writes).toEqual([
      'POST /polycube/v1/lbrp/lb1/ {"port_mode":"MULTI"}',
      'POST /polycube/v1/lbrp/lb2/ {}',
    ]);
    expect((await apply(text)).stdout).toBe('# lbrp lb1: no changes\n# lbrp lb2: no changes\n');
  });
});

// Failures before anything is sent: local problems exit 1 and say that nothing changed.
describe('polycubectl apply without a usable input or server', () => {
  const run = async (args: string[], stdin?: string, url?: string): Promise<CliResult> => {
    const r = await runCli({
      args,
      config: `url: ${url ?? `http://127.0.0.1:${await closedPort()}/polycube/v1/`}\n`,
      stdin,
    });
    fs.rmSync(r.home, { recursive: true, force: true });
    return r;
  };

  test('a missing file', async () => {
    const r = await run(['apply', '-f', '/nonexistent/lb.yaml']);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(
      /^apply: cannot read \/nonexistent\/lb\.yaml: .*no such file.*\napply: nothing was changed\n$/,
    );
  });

  test('a cube without its service', async () => {
    const r = await run(['apply', '-f', '-'], 'name: lb0\n');
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 1,
      stderr:
        'apply: stdin: "service-name" is required (the cube\'s service, e.g. lbrp)\napply: nothing was changed\n',
    });
  });

  test('usage errors print the usage', async () => {
    const r = await run(['apply', '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^apply: -f FILE is required\nusage: polycubectl apply -f FILE/);
  });

  test('an unreachable server: the Go-worded error, exit 1', async () => {
    const port = await closedPort();
    const r = await run(
      ['apply', '-f', '-'],
      'service-name: lbrp\nname: lb0\n',
      `http://127.0.0.1:${port}/polycube/v1/`,
    );
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 1,
      stderr:
        `apply: Options "http://127.0.0.1:${port}/polycube/v1/lbrp?help=NONE": dial tcp 127.0.0.1:${port}: ` +
        'connect: connection refused\napply: nothing was changed\n',
    });
  });
});
