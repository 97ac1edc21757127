// `polycubectl apply` against the real stack: polycubed (child process, REST on a free local port,
// private pin root) and the lbrp service (child process over its unix socket), with the cube's
// ports on real veths, through a recording proxy. Checks what the compat suite checks with the
// generic store, but on lbrp's own answers: creation, idempotence (its GET shapes — true
// port_mode, default weights, counters — must read back as "no changes"), dry run, safe order,
// pruning and the init-only refusal. Needs root; skipped with the reason printed otherwise.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closedPort, runCli, type CliResult } from '../compat/cli/harness';
import { startRecordingProxy, type RecordingProxy } from '../compat/cli/recording-proxy';
import { TestNet } from '../fixtures/netns';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';

const REPO = path.join(__dirname, '../..');
const SVC = '/polycube/v1/lbrp/lba0/service/10.10.0.100/80/TCP/';

describeE2e('e2e: polycubectl apply with the lbrp service', () => {
  const net = new TestNet();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apply-e2e-'));
  const pinRoot = `/sys/fs/bpf/${path.basename(dir)}`;
  const children: ChildProcess[] = [];
  let port = 0;
  let proxy: RecordingProxy;
  let fe = '';
  let be = '';

  function start(args: string[]): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    children.push(child);
    return child;
  }

  async function status(rel: string): Promise<number> {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/polycube/v1/${rel}`);
      return res.status;
    } catch {
      return 0;
    }
  }

  async function waitReady(rel: string, what: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while ((await status(rel)) !== 200) {
      if (Date.now() > deadline) throw new Error(`${what} not ready after 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    const a = net.addVeth();
    const b = net.addVeth();
    [fe, be] = [a.a, b.a];
    port = await closedPort();
    const sock = path.join(dir, 'polycubed.sock');
    start([
      'src/polycubed/main.ts',
      ...['--grpc-socket', sock, '--pin-root', pinRoot, '--no-persistence', '--quiet'],
      ...[
        '--cache-dir',
        path.join(REPO, '.cache/examples/bpf'),
        '--addr',
        '127.0.0.1',
        '--port',
        String(port),
      ],
    ]);
    await waitReady('', 'polycubed');
    start(['src/lbrp/main.ts', '--polycubed', `unix:${sock}`, '--quiet']);
    await waitReady('lbrp/', 'the lbrp service');
    proxy = await startRecordingProxy(port);
  }, 120_000);

  afterAll(async () => {
    await fetch(`http://127.0.0.1:${port}/polycube/v1/lbrp/lba0/`, { method: 'DELETE' }).catch(
      () => undefined,
    );
    await proxy?.close();
    for (const c of children.reverse()) {
      c.kill('SIGTERM');
      await new Promise((r) => (c.exitCode !== null ? r(undefined) : c.once('exit', r)));
    }
    net.cleanup();
    fs.rmSync(pinRoot, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  // Every test starts from no cube and applies the state it starts from (no test relies on
  // another's leftovers).
  beforeEach(async () => {
    const url = `http://127.0.0.1:${port}/polycube/v1/lbrp/lba0/`;
    await fetch(url, { method: 'DELETE' });
    // Polycube's answer for a cube that is not there (test/kernel/rest/compat-errors).
    expect(await (await fetch(url)).text()).toBe('Cube lba0 does not exist');
  }, 60_000);

  const cube = (backends: string, extra = ''): string => `service-name: lbrp
name: lba0
port_mode: SINGLE
ports:
  - {name: fe, type: FRONTEND, peer: ${fe}}
  - {name: be, type: BACKEND, peer: ${be}}
service:
  - vip: 10.10.0.100
    vport: 80
    proto: TCP
    name: web
    backend:
${backends}
${extra}`;
  const THREE = [
    '      - {ip: 192.168.1.10, port: 8080, weight: 1}',
    '      - {ip: 192.168.1.11, port: 8080}',
    '      - {ip: 192.168.1.12, port: 8080, weight: 3, name: b3}',
  ].join('\n');
  const CHANGED = [
    '      - {ip: 192.168.1.11, port: 8080, weight: 4}',
    '      - {ip: 192.168.1.12, port: 8080, weight: 3, name: b3}',
    '      - {ip: 192.168.1.13, port: 8080, weight: 2}',
  ].join('\n');
  const REWRITE = 'src-ip-rewrite: {ip-range: 10.0.0.0/24, new_ip_range: 20.0.0.0/24}\n';

  async function apply(text: string, ...flags: string[]): Promise<CliResult & { writes: string[] }> {
    const file = path.join(dir, `lb-${Date.now()}.yaml`);
    fs.writeFileSync(file, text);
    proxy.requests.length = 0;
    const r = await runCli({ args: ['apply', '-f', file, ...flags], config: `url: ${proxy.base}\n` });
    fs.rmSync(r.home, { recursive: true, force: true });
    return { ...r, writes: proxy.writes() };
  }

  async function config(): Promise<unknown> {
    const res = await fetch(`http://127.0.0.1:${port}/polycube/v1/lbrp/lba0/`);
    const body = (await res.json()) as Record<string, unknown>;
    // Configuration only: drop identities, links and counters.
    return JSON.parse(
      JSON.stringify(body, (k, v: unknown) =>
        ['uuid', '_links', 'status', 'packets', 'bytes', 'active-sessions', 'total-sessions'].includes(k)
          ? undefined
          : v,
      ),
    );
  }

  // Creation, then the same file again: lbrp's answers read back as exactly what was asked.
  test('creates the cube from empty, then finds nothing to change in lbrp’s own answers', async () => {
    const created = await apply(cube(THREE, REWRITE));
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    expect(created.writes).toHaveLength(8);
    const again = await apply(cube(THREE, REWRITE));
    expect({ code: again.code, stdout: again.stdout, writes: again.writes }).toEqual({
      code: 0,
      stdout: '# lbrp lba0: no changes\n',
      writes: [],
    });
  }, 120_000);

  // A dry run changes nothing; the real run then sends exactly the printed plan, backends added
  // and updated before the old one goes.
  test('a dry run changes nothing, and the change it printed keeps the safe order', async () => {
    expect((await apply(cube(THREE, REWRITE))).code).toBe(0);
    const before = await config();
    const plan = await apply(cube(CHANGED), '--prune', '--dry-run');
    expect({ code: plan.code, writes: plan.writes }).toEqual({ code: 0, writes: [] });
    expect(await config()).toEqual(before);
    const lines = plan.stdout.split('\n').filter((l) => /^[A-Z]+ \//.test(l));
    expect(lines).toEqual([
      `PATCH ${SVC}backend/192.168.1.11/ {"weight":4}`,
      `POST ${SVC}backend/192.168.1.13/ {"port":8080,"weight":2}`,
      `DELETE ${SVC}backend/192.168.1.10/`,
    ]);
    const applied = await apply(cube(CHANGED), '--prune');
    expect({ code: applied.code, stderr: applied.stderr }).toEqual({ code: 0, stderr: '' });
    expect(applied.writes).toEqual(lines);
    expect((await apply(cube(CHANGED), '--prune')).writes).toEqual([]);
  }, 120_000);

  // Removal with --prune, deepest first; then the init-only type cannot be patched.
  test('pruning removes a service and a port; a different type is refused without --recreate', async () => {
    expect((await apply(cube(CHANGED))).code).toBe(0);
    const text = `service-name: lbrp
name: lba0
ports:
  - {name: fe, type: FRONTEND, peer: ${fe}}
service: []
`;
    const r = await apply(text, '--prune');
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.writes).toEqual([
      'DELETE /polycube/v1/lbrp/lba0/service/10.10.0.100/80/tcp/',
      'DELETE /polycube/v1/lbrp/lba0/ports/be/',
    ]);
    expect((await apply(text, '--prune')).writes).toEqual([]);
    const refused = await apply('service-name: lbrp\nname: lba0\ntype: XDP_SKB\n');
    expect({ code: refused.code, writes: refused.writes }).toEqual({ code: 1, writes: [] });
    expect(refused.stderr).toContain('init-only members differ: type');
  }, 120_000);
});
