// The status page in a real browser (Debian's headless chromium driven by puppeteer-core): the
// daemon serves /ui/, a cube with three backends carries HTTP traffic from a namespace, and the
// page's table must show what the REST API says, follow a weight change within two refreshes,
// make only GET requests, raise no CSP or script error, and fit a narrow screen. A screenshot is
// written to .cache/status-page.png (and to docs/status-page.png with SCREENSHOT_UPDATE=1).

// The page functions below run in the browser: their bodies see the DOM.
/// <reference lib="dom" />

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack, REPO, waitFor } from '../fixtures/lbrp/e2e-stack';
import { buildLbNet, spread, startServers, type LbNet } from '../fixtures/lbrp/e2e-net';

const CHROMIUM = '/usr/bin/chromium';
const VIP = '10.10.0.100';
const CUBE = 'lbui';
const SVC = `lbrp/${CUBE}/service/${VIP}/80/tcp/`;
const SVC_KEY = `${VIP}:80/TCP`;

interface BackendJson {
  ip: string;
  weight: number;
  'active-sessions': number;
  'total-sessions': number;
}

/** One backend row as the page shows it: the raw value of each numeric cell (data-value). */
type PageRow = Record<string, string | null>;

/** The rows of the web service's table, keyed by backend IP. */
async function pageRows(page: Page): Promise<Record<string, PageRow>> {
  return page.evaluate((key: string) => {
    const out: Record<string, Record<string, string | null>> = {};
    const rows = document.querySelectorAll(`section[data-service="${key}"] tr[data-backend]`);
    rows.forEach((tr) => {
      const cells: Record<string, string | null> = {};
      tr.querySelectorAll('td[data-col]').forEach((td) => {
        cells[td.getAttribute('data-col') as string] = td.getAttribute('data-value');
      });
      out[tr.getAttribute('data-backend') as string] = cells;
    });
    return out;
  }, SVC_KEY);
}

/** The cube's drop counters by reason, from REST. */
async function restDrops(stack: LbrpStack): Promise<Record<string, number>> {
  const list = (await stack.ok('GET', `lbrp/${CUBE}/drop/`)) as { reason: string; packets: number }[];
  // (a collection ends with a `_links` element, which has no reason)
  return Object.fromEntries(list.filter((d) => d.reason !== undefined).map((d) => [d.reason, d.packets]));
}

/** The cube's drop counters by reason, from /metrics (lbrp_drop_packets_total). */
function metricDrops(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const re = new RegExp(`^lbrp_drop_packets_total\\{cube="${CUBE}",reason="([a-z0-9-]+)"\\} (\\d+)$`, 'gm');
  for (const m of text.matchAll(re)) out[m[1]] = Number(m[2]);
  return out;
}

/**
 * Sends `n` later IPv4 fragments (offset 800, no MF, UDP) to `dst` from namespace `ns` through a
 * raw socket: the dataplane cannot match them to a session and drops them as "fragment".
 */
function sendLaterFragments(ns: string, dst: string, n: number): void {
  const script = [
    'import socket, struct, sys',
    's = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)',
    'dst = sys.argv[1]',
    "payload = b'x' * 16",
    // version/IHL, TOS, total length, id, flags+offset (100 × 8 bytes), TTL, UDP, checksum and
    // source 0 (the kernel fills them), destination.
    "hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 0x4242, 100, 64, 17, 0, bytes(4), socket.inet_aton(dst))",
    'for _ in range(int(sys.argv[2])): s.sendto(hdr + payload, (dst, 0))',
  ].join('\n');
  execFileSync('ip', ['netns', 'exec', ns, 'python3', '-c', script, dst, String(n)], { timeout: 10000 });
}

/** Drop reasons that background ARP traffic may bump at any moment (punted to the slow path). */
const BACKGROUND_REASONS = ['arp-reply-punted', 'flood-punted'];

async function refreshes(page: Page): Promise<number> {
  return Number(await page.evaluate(() => document.body.getAttribute('data-refreshes') ?? '0'));
}

describeE2e('e2e: the status page in headless chromium', () => {
  const stack = new LbrpStack();
  let lb: LbNet;
  let browser: Browser | undefined;
  let page: Page;
  const profile = mkdtempSync(join(tmpdir(), 'lbrp-ui-chromium-'));
  /** Every request the page made (method and URL), and every console error or failed request. */
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/ensure-deps.sh installs it`);
    lb = buildLbNet();
    await stack.start();
    await startServers(lb, (argv) => stack.spawn(argv));
    await stack.ok('POST', `lbrp/${CUBE}/`, {
      ports: [
        { name: 'fe', type: 'FRONTEND', peer: lb.clients[0].dev },
        { name: 'be', type: 'BACKEND', peer: lb.backendDev },
      ],
      service: [
        {
          vip: VIP,
          vport: 80,
          proto: 'TCP',
          name: 'web',
          backend: lb.backends.map((b, i) => ({ ip: b.ip, port: 8080, weight: i === 2 ? 2 : 1 })),
        },
      ],
    });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root cannot use chromium's sandbox; the profile is private to this run.
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${(e as Error).message}`));
    page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
  }, 180000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await stack.cleanup();
    lb?.net.cleanup();
    rmSync(profile, { recursive: true, force: true });
  });

  // The page is served with its security headers and lists the cube once loaded.
  it('serves /ui/ with a strict CSP and shows the cube, its ports and backends', async () => {
    const res = await page.goto(`http://127.0.0.1:${stack.port}/ui/#lbrp/${CUBE}`);
    expect(res?.status()).toBe(200);
    const h = res!.headers();
    expect(h['content-security-policy']).toContain("default-src 'self'");
    expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(h['x-content-type-options']).toBe('nosniff');
    await page.waitForSelector(`section[data-service="${SVC_KEY}"] tr[data-backend]`, { timeout: 10000 });
    const cubes = await page.$$eval('#cubes a', (as) => as.map((a) => a.textContent));
    expect(cubes).toEqual([CUBE]);
    const ports = await page.$$eval('#ports tr[data-port]', (trs) =>
      trs.map((t) => t.getAttribute('data-port')),
    );
    expect(ports.sort()).toEqual(['be', 'fe']);
    expect(Object.keys(await pageRows(page)).sort()).toEqual(lb.backends.map((b) => b.ip).sort());
  });

  // Every numeric leaf of the cube is shown with its value, whatever its name (new counters too).
  it("shows each of the cube's numeric leaves with the REST API's value", async () => {
    const cube = (await stack.ok('GET', `lbrp/${CUBE}/`)) as Record<string, unknown>;
    const want = Object.fromEntries(
      Object.entries(cube)
        .filter(([, v]) => typeof v === 'number')
        .map(([k, v]) => [k, String(v)]),
    );
    expect(Object.keys(want).length).toBeGreaterThan(2);
    const got = await page.$$eval('#cube-facts dd[data-value]', (dds) =>
      Object.fromEntries(dds.map((d) => [d.getAttribute('data-leaf'), d.getAttribute('data-value')])),
    );
    expect(got).toEqual(want);
  });

  // Later fragments to the VIP are dropped as "fragment": that reason, and only it, grows by the
  // frames sent, in REST, in /metrics and on the page (drops by reason, issue 19).
  it('counts frames dropped for a known reason in REST, /metrics and on the page', async () => {
    const before = await restDrops(stack);
    expect(Object.keys(before)).toContain('fragment');
    sendLaterFragments(lb.clients[0].ns, VIP, 3);
    let after: Record<string, number> = {};
    await waitFor(
      async () => (after = await restDrops(stack)).fragment >= before.fragment + 3,
      'the fragment drops in REST',
      10000,
    );
    const grown = Object.keys(after).filter((r) => after[r] !== before[r] && !BACKGROUND_REASONS.includes(r));
    expect(grown).toEqual(['fragment']);
    expect(after.fragment - before.fragment).toBe(3);
    expect(await stack.ok('GET', `lbrp/${CUBE}/drop/fragment/packets/`)).toBe(after.fragment);
    const shown = await stack.cli([CUBE, 'drop', 'show']);
    expect(shown.code).toBe(0);
    // (polycubectl orders a list's columns by name: packets, reason)
    expect(shown.out).toMatch(new RegExp(`^ *${after.fragment}(\\.0+)? +fragment *$`, 'm'));
    const metrics = metricDrops((await stack.rest('GET', 'metrics')).text);
    expect(metrics.fragment).toBe(after.fragment);
    expect(Object.keys(metrics).sort()).toEqual(Object.keys(after).sort());
    await waitFor(
      async () =>
        (await page
          .$eval('#drops tr[data-reason="fragment"] td[data-value]', (td) => td.getAttribute('data-value'))
          .catch(() => null)) === String(after.fragment),
      'the page to show the fragment drops',
      10000,
    );
  });

  // /metrics follows Prometheus' conventions: promtool (Debian's prometheus) finds nothing to say.
  it('serves /metrics that promtool check metrics accepts without a complaint', async () => {
    const text = (await stack.rest('GET', 'metrics')).text;
    expect(text).toMatch(/^# TYPE lbrp_service_backend_packets_total counter$/m);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30000 });
    expect(r.error).toBeUndefined();
    expect({ code: r.status, out: `${r.stdout}${r.stderr}` }).toEqual({ code: 0, out: '' });
  });

  // After traffic the table's weights, shares and session counters equal what the REST API says.
  it('shows the same weights, weight shares and session counters as the REST API', async () => {
    const counts = await spread(lb.clients[0].ns, VIP, 80, 40);
    expect(counts.error).toBeUndefined();
    let last = '';
    await waitFor(
      async () => {
        const backends = ((await stack.ok('GET', SVC)) as { backend: BackendJson[] }).backend;
        const rows = await pageRows(page);
        const sum = backends.reduce((a, b) => a + b.weight, 0);
        const want = Object.fromEntries(
          backends.map((b) => [
            b.ip,
            [b.weight, b.weight / sum, b['total-sessions'], b['active-sessions']].map(String),
          ]),
        );
        const got = Object.fromEntries(
          Object.entries(rows).map(([ip, r]) => [
            ip,
            [r.weight, r['weight-share'], r['total-sessions'], r['active-sessions']],
          ]),
        );
        last = `page ${JSON.stringify(got)} REST ${JSON.stringify(want)}`;
        const total = backends.reduce((a, b) => a + b['total-sessions'], 0);
        return total >= 40 && JSON.stringify(got) === JSON.stringify(want);
      },
      'the page to match the REST API',
      15000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${last}`);
    });
  }, 120000);

  // A weight changed over REST shows on the page by the second refresh after the change.
  it('follows a weight change within two refreshes', async () => {
    const ip = lb.backends[0].ip;
    await stack.ok('PATCH', `${SVC}backend/${ip}/`, { weight: 7 });
    const at = await refreshes(page);
    await waitFor(async () => (await pageRows(page))[ip]?.weight === '7', 'the new weight', 10000);
    expect((await refreshes(page)) - at).toBeLessThanOrEqual(2);
    const rows = await pageRows(page);
    // 7 / (7 + 1 + 2)
    expect(Number(rows[ip]['weight-share'])).toBeCloseTo(0.7, 9);
    expect(Number(rows[lb.backends[2].ip]['weight-share'])).toBeCloseTo(0.2, 9);
  });

  // While sessions are being made, the observed shares are present and add up to 100 %.
  it('shows an observed share of new sessions per backend while traffic flows', async () => {
    const traffic = spread(lb.clients[0].ns, VIP, 80, 1500);
    let seen = '';
    await waitFor(
      async () => {
        const rows = Object.values(await pageRows(page));
        const shares = rows.map((r) => r['observed-share']);
        seen = JSON.stringify(shares);
        if (shares.some((s) => s === null)) return false;
        const sum = shares.reduce((a, s) => a + Number(s), 0);
        return Math.abs(sum - 1) < 1e-9 && rows.every((r) => Number(r.packets) >= 0);
      },
      'observed shares',
      20000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${seen}`);
    });
    const plotted = await page.$$eval('#plot path.line', (ps) => ps.length);
    expect(plotted).toBe(lb.backends.length);
    // A screenshot with a full window of traffic behind the shares (for the README).
    const at = await refreshes(page);
    await waitFor(async () => (await refreshes(page)) >= at + 6, 'six more refreshes', 20000);
    mkdirSync(join(REPO, '.cache'), { recursive: true });
    const shot = join(REPO, '.cache', 'status-page.png');
    await page.screenshot({ path: shot });
    if (process.env.SCREENSHOT_UPDATE === '1') copyFileSync(shot, join(REPO, 'docs', 'status-page.png'));
    await traffic;
  }, 180000);

  // The page reads only: every request it made was a GET of its own files or the public API.
  it('made only same-origin GET requests of /ui/, the API and /metrics, with no error', async () => {
    const origin = `http://127.0.0.1:${stack.port}`;
    expect(requests.length).toBeGreaterThan(5);
    for (const r of requests) {
      expect(r).toMatch(new RegExp(`^GET ${origin}/(ui/|polycube/v1/|metrics$)`));
    }
    expect(problems).toEqual([]);
  });

  // At a phone's width nothing sticks out of the page (wide tables scroll inside their box).
  it('fits a narrow screen', async () => {
    await page.setViewport({ width: 400, height: 800 });
    await new Promise((r) => setTimeout(r, 300));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
