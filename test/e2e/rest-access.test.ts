// Who may change the load balancer, against the real daemon (polycubed and the lbrp service as
// children, LbrpStack): a non-root user's writes get 403 and change nothing, its reads work; a
// member of --write-group writes; root, our CLI and plain curl keep working; cross-origin, rebinding
// and text/plain requests are refused; a slow client is cut off by the header timeout while
// `GET /version/` keeps being answered; the connection and in-flight caps hold. While the hostile
// requests run, `GET /version/` is probed concurrently: every probe 200, none held for a second (not during
// the cap tests, where a probe would take one of the capped slots). Needs root.

import { execFile } from 'node:child_process';
import * as net from 'node:net';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack, TSX } from '../fixtures/lbrp/e2e-stack';
import { rawRequest, type RawResponse } from '../fixtures/rest/http-client';
import { PROBES_OK, probeVerdict, whileProbing } from '../fixtures/rest/version-prober';

/** Runs curl as `user` (setpriv, no supplementary groups) or as root; resolves with status and body. */
function curl(user: 'root' | 'nobody' | 'daemon', args: string[]): Promise<{ status: number; body: string }> {
  const drop = {
    root: [],
    nobody: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'],
    daemon: ['setpriv', '--reuid=daemon', '--regid=daemon', '--clear-groups'],
  }[user];
  const argv = [...drop, 'curl', '-s', '-o', '-', '-w', '\n%{http_code}', ...args];
  return new Promise((resolve, reject) => {
    execFile(argv[0], argv.slice(1), { timeout: 30000 }, (err, stdout) => {
      if (err && !stdout) return reject(err);
      const i = stdout.lastIndexOf('\n');
      resolve({ status: Number(stdout.slice(i + 1)), body: stdout.slice(0, i) });
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const WRITE_DENIED = (who: string, group: string): string =>
  `permission denied: ${who} may not change the configuration (writers: root and members of group "${group}")`;

describeE2e('e2e: REST access control and client limits', () => {
  const stack = new LbrpStack();
  /** Group that exists on no test machine, so only root may write. */
  const GROUP = `lbrp-none-${process.pid}`;
  const url = (rel: string): string => `${stack.url}${rel}`;
  const get = (path: string): Promise<RawResponse> => rawRequest(stack.port, { method: 'GET', path });
  /** The whole configuration as root sees it. */
  const config = async (): Promise<string> => (await get('/polycube/v1/lbrp/')).body;
  const json = ['-H', 'Content-Type: application/json'];
  /** A body without Content-Type, as polycubectl sends PATCH (curl would say it is a form). */
  const untyped = ['-H', 'Content-Type:'];

  /** Runs the hostile requests of `what` while probing; every probe 200 within the bound. */
  const probed = async (what: string, work: () => Promise<void>): Promise<void> => {
    const { probes } = await whileProbing(stack.port, what, work);
    expect([what, probeVerdict(probes)]).toEqual([what, PROBES_OK]);
  };

  beforeAll(async () => {
    stack.polycubedArgs = [
      '--write-group',
      GROUP,
      '--http-headers-timeout',
      '1000',
      '--http-request-timeout',
      '5000',
      '--http-keepalive-timeout',
      '30000',
      '--http-max-connections',
      '6',
      '--http-max-in-flight',
      '2',
    ];
    await stack.start();
    expect((await curl('root', ['-X', 'POST', ...json, '-d', '{}', url('lbrp/lbroot/')])).status).toBe(201);
  }, 120_000);
  afterAll(() => stack.cleanup(), 30_000);

  // nobody's POST, PATCH and DELETE are refused with a 403 naming the user; nothing changes.
  it('refuses writes of a user who is neither root nor in the write group', async () => {
    const before = await config();
    expect(before).toContain('lbroot');
    const denied = { status: 403, body: WRITE_DENIED('uid 65534 (nobody)', GROUP) };
    await probed('writes as nobody', async () => {
      expect(await curl('nobody', ['-X', 'POST', ...json, '-d', '{}', url('lbrp/pwn/')])).toEqual(denied);
      expect(
        await curl('nobody', ['-X', 'PATCH', ...untyped, '-d', '"TRACE"', url('lbrp/lbroot/loglevel/')]),
      ).toEqual(denied);
      expect(await curl('nobody', ['-X', 'DELETE', url('lbrp/lbroot/')])).toEqual(denied);
    });
    expect(await config()).toBe(before);
  }, 60_000);

  // Reads stay open by default: nobody can GET a cube and ask for help.
  it('lets any local user read', async () => {
    const got = await curl('nobody', [url('lbrp/lbroot/')]);
    expect(got.status).toBe(200);
    expect(JSON.parse(got.body)).toMatchObject({ name: 'lbroot' });
    expect((await curl('nobody', ['-X', 'OPTIONS', `${url('lbrp')}?help=NONE`])).status).toBe(200);
    // The status page is a read too.
    expect((await curl('nobody', [`http://127.0.0.1:${stack.port}/ui/`])).status).toBe(200);
  }, 30_000);

  // A client that sends a write and lets go of its socket at once must not pass for root (a
  // socket no process holds shows uid 0 in the table): each try is refused, nothing is created.
  it('never mistakes a client that already closed for root', async () => {
    const before = await config();
    const script = `const n=require('net');let left=20;const go=()=>{const s=n.connect(${stack.port},'127.0.0.1',()=>{s.end('POST /polycube/v1/lbrp/ghost/ HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: 2\\r\\n\\r\\n{}');s.destroy();if(--left>0)setTimeout(go,20);});s.on('error',()=>{});};go();`;
    await new Promise<void>((resolve, reject) =>
      execFile(
        'setpriv',
        ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', script],
        { timeout: 30000 },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    await sleep(500);
    expect(await config()).toBe(before);
  }, 60_000);

  // Root's writes and our CLI (as root) keep working.
  it('lets root write with curl and with polycubectl', async () => {
    expect(
      (await curl('root', ['-X', 'PATCH', ...untyped, '-d', '"DEBUG"', url('lbrp/lbroot/loglevel/')])).status,
    ).toBe(200);
    const add = await stack.cli(['lbrp', 'add', 'lbcli']);
    expect(add).toEqual({ code: 0, out: '' });
    expect(await config()).toContain('lbcli');
    expect((await stack.cli(['lbrp', 'del', 'lbcli'])).code).toBe(0);
  }, 60_000);

  // Browser-borne requests, even from root's own browser: cross-origin, a rebound name, a
  // text/plain or form body. Each gets its status and message, and nothing changes.
  it('refuses cross-origin, rebinding and non-JSON requests before anything else', async () => {
    const before = await config();
    const post = ['-X', 'POST', '-d', '{}', url('lbrp/csrf/')];
    await probed('browser-borne requests', async () => {
      expect(await curl('root', [...json, '-H', 'Origin: http://evil.example', ...post])).toEqual({
        status: 403,
        body: 'origin "http://evil.example" is refused: only --allowed-origin web origins may send requests (cross-site request guard)',
      });
      expect(await curl('root', [...json, '-H', `Host: rebind.example:${stack.port}`, ...post])).toEqual({
        status: 403,
        body: `host "rebind.example:${stack.port}" is refused: the API answers to loopback names, the address it was reached on and --allowed-host names (DNS rebinding guard)`,
      });
      const typeRefused = (t: string): { status: number; body: string } => ({
        status: 415,
        body: `content type "${t}" is refused: a request body must be JSON (application/json) or YAML (application/yaml, text/yaml, application/x-yaml)`,
      });
      expect(await curl('root', ['-H', 'Content-Type: text/plain', ...post])).toEqual(
        typeRefused('text/plain'),
      );
      // curl -d without a type sends a form, as an HTML form would.
      expect(await curl('root', post)).toEqual(typeRefused('application/x-www-form-urlencoded'));
    });
    expect(await config()).toBe(before);
  }, 60_000);

  // A slowloris client trickling its headers is answered 408 and cut off after the header timeout,
  // long before it is done, while GET /version/ is answered all along.
  it('cuts off a client that sends its headers byte by byte, and keeps serving others', async () => {
    const head = `GET /polycube/v1/version/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${'a'.repeat(40)}\r\n\r\n`;
    const slow = net.connect(stack.port, '127.0.0.1');
    let sent = 0;
    let reply = '';
    slow.on('data', (d: Buffer) => (reply += d.toString()));
    slow.on('error', () => undefined);
    const closed = new Promise<void>((r) => slow.once('close', () => r()));
    const trickle = setInterval(() => {
      if (sent < head.length && slow.writable) slow.write(head[sent++]);
    }, 100);
    const { probes } = await whileProbing(stack.port, 'a slowloris client', () => closed);
    clearInterval(trickle);
    expect(reply).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(sent).toBeLessThan(head.length);
    expect(probeVerdict(probes)).toEqual(PROBES_OK);
  }, 60_000);

  // --http-max-in-flight 2: two requests still sending their bodies hold both slots; a third is
  // told 503 with Retry-After; once they finish, requests are served again.
  it('answers 503 with Retry-After past the in-flight cap', async () => {
    const holders = [0, 1].map(() => net.connect(stack.port, '127.0.0.1'));
    const answers = holders.map(
      (s) =>
        new Promise<string>((resolve) => {
          let got = '';
          s.on('data', (d: Buffer) => (got += d.toString()));
          s.on('close', () => resolve(got));
          s.on('error', () => undefined);
        }),
    );
    for (const s of holders) {
      s.write('POST /polycube/v1/connect/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n' +
        'Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{'); // prettier-ignore
    }
    await sleep(300);
    const busy = await get('/polycube/v1/version/');
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.body).toBe('too many requests in progress (limit 2): retry later');
    for (const s of holders) s.end('}');
    for (const a of await Promise.all(answers)) expect(a).toMatch(/^HTTP\/1\.1 400 /); // peer1 is missing
    expect((await get('/polycube/v1/version/')).status).toBe(200);
  }, 60_000);

  // --http-max-connections 6: with six idle keep-alive connections open, a seventh is closed
  // unanswered; after they go, new connections are served.
  it('closes connections past the connection cap', async () => {
    const idle: net.Socket[] = [];
    for (let i = 0; i < 6; i++) {
      const s = net.connect(stack.port, '127.0.0.1');
      s.on('error', () => undefined);
      await new Promise<void>((r) => {
        s.once('data', () => r());
        s.write('GET /polycube/v1/version/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      });
      idle.push(s);
    }
    try {
      const refused = await rawRequest(stack.port, { method: 'GET', path: '/polycube/v1/version/' });
      expect(refused.status).toBe(0);
    } finally {
      for (const s of idle) s.destroy();
    }
    await sleep(300);
    expect((await get('/polycube/v1/version/')).status).toBe(200);
  }, 60_000);

  // polycubed will not serve a routable address without client certificates unless told loudly.
  it('refuses to start on a non-loopback address without client certificates', async () => {
    const child = stack.spawn([
      TSX,
      'src/polycubed/main.ts',
      '--addr',
      '0.0.0.0',
      '--port',
      '0',
      '--no-persistence',
    ]);
    expect(await child.waitExit(60_000)).toBe(1);
    expect(child.lines).toContain(
      'polycubed: refusing to listen on 0.0.0.0 without client certificates: anyone who reaches it could change the load balancer. Use --cert/--key with --cacert or --cert-whitelist, or listen on 127.0.0.1, or pass --insecure-allow-remote-writes-without-client-certs',
    );
  }, 90_000);

  // Restarted with --write-group nogroup --read-access writers: nobody (primary group nogroup)
  // writes; daemon (not in it) can neither write nor read.
  it('lets members of --write-group write and limits reads with --read-access writers', async () => {
    await stack.stopPolycubed();
    stack.polycubedArgs = ['--write-group', 'nogroup', '--read-access', 'writers'];
    await stack.startPolycubed();
    // The lbrp service reconnects on its own; wait (bounded) until its routes are back.
    for (let i = 0; i < 200 && (await get('/polycube/v1/lbrp/')).status !== 200; i++) await sleep(100);
    const created = await curl('nobody', ['-X', 'POST', ...json, '-d', '{}', url('lbrp/lbnobody/')]);
    expect(created.status).toBe(201);
    expect(await config()).toContain('lbnobody');
    expect((await curl('nobody', [url('lbrp/lbnobody/')])).status).toBe(200);
    expect(await curl('daemon', [url('lbrp/lbnobody/')])).toEqual({
      status: 403,
      body: 'permission denied: uid 1 (daemon) may not read the configuration (--read-access writers: root and members of group "nogroup")',
    });
    // The status page obeys the same read rule as the API it shows.
    expect((await curl('daemon', [`http://127.0.0.1:${stack.port}/ui/`])).status).toBe(403);
    expect((await curl('nobody', [`http://127.0.0.1:${stack.port}/ui/`])).status).toBe(200);
    expect(await curl('daemon', ['-X', 'DELETE', url('lbrp/lbnobody/')])).toEqual({
      status: 403,
      body: WRITE_DENIED('uid 1 (daemon)', 'nogroup'),
    });
    expect((await curl('nobody', ['-X', 'DELETE', url('lbrp/lbnobody/')])).status).toBe(200);
  }, 120_000);
});
