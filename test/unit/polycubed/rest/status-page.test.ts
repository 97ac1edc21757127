// The status page's files are answered from memory with their content types, no-cache plus an
// ETag, and the security headers (CSP, no framing, nosniff); only GET and HEAD; an unknown name,
// a deeper path or a `..` is a 404 and never reads a file. Over HTTP the page passes the same
// guards as the API, and --no-ui leaves /ui/ unrouted.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RestDaemon, RestRequest } from '../../../../src/polycubed/rest/rest-context';
import { parseTarget } from '../../../../src/polycubed/rest/request-path';
import { startRestServer } from '../../../../src/polycubed/rest/serve';
import { UI_CSP, UI_DIR, loadStatusPage } from '../../../../src/polycubed/rest/status-page';
import { rawRequest } from '../../../fixtures/rest/http-client';

const page = loadStatusPage();

function request(method: string, target: string, headers: Record<string, string> = {}): RestRequest {
  return { method, target: parseTarget(target), headers, body: '' };
}

const EMPTY_DAEMON = {
  services: () => [],
  service: () => undefined,
  cubes: () => [],
  cube: () => undefined,
  cubeBase: () => undefined,
  netdevs: () => [],
  execute: async () => ({ code: 'GENERIC_ERROR' }),
} as unknown as RestDaemon;

describe('status page assets', () => {
  // Each asset comes with its own type and its exact bytes; `/ui` and `/ui/` are the HTML.
  it.each([
    { name: '/ui/', inFile: 'index.html', wantType: 'text/html; charset=utf-8' },
    { name: '/ui', inFile: 'index.html', wantType: 'text/html; charset=utf-8' },
    { name: '/ui/status-page.js', inFile: 'status-page.js', wantType: 'text/javascript; charset=utf-8' },
    { name: '/ui/status-model.js', inFile: 'status-model.js', wantType: 'text/javascript; charset=utf-8' },
    { name: '/ui/status-page.css', inFile: 'status-page.css', wantType: 'text/css; charset=utf-8' },
    { name: '/ui/favicon.svg', inFile: 'favicon.svg', wantType: 'image/svg+xml' },
  ])('GET $name is $inFile as $wantType', ({ name, inFile, wantType }) => {
    const reply = page.answer(request('GET', name));
    const body = fs.readFileSync(path.join(UI_DIR, inFile), 'utf8');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe(body);
    expect(reply.headers).toMatchObject({
      'Content-Type': wantType,
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': UI_CSP,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
    });
    expect(reply.headers.ETag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
  });

  // The policy allows the page's own files and same-origin fetches only: no inline code, no framing.
  it('sends a CSP without inline script or style, framing or foreign origins', () => {
    expect(UI_CSP).toContain("default-src 'self'");
    expect(UI_CSP).toContain("frame-ancestors 'none'");
    expect(UI_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
  });

  // The HTML loads nothing from elsewhere and carries no inline script or style.
  it('has an HTML that loads only /ui/ files and holds no inline code', () => {
    const html = fs.readFileSync(path.join(UI_DIR, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(2);
    for (const r of refs) expect(r).toMatch(/^\/ui\/[a-z-]+\.(js|css|svg)$/);
    expect(html).not.toMatch(/<script>|<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  });

  // HEAD answers the headers of GET, Content-Length included, without a body.
  it('answers HEAD with the headers of GET and no body', () => {
    const get = page.answer(request('GET', '/ui/'));
    const head = page.answer(request('HEAD', '/ui/'));
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers).toEqual(get.headers);
  });

  // A client holding the current ETag gets 304 without the body.
  it('answers 304 to a matching If-None-Match', () => {
    const etag = page.answer(request('GET', '/ui/status-page.js')).headers.ETag;
    const again = page.answer(request('GET', '/ui/status-page.js', { 'if-none-match': etag }));
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(page.answer(request('GET', '/ui/status-page.js', { 'if-none-match': '"x"' })).status).toBe(200);
  });

  // Names are matched exactly: nothing outside the list, nothing in a subfolder, no traversal.
  it.each([
    '/ui/nothing.js',
    '/ui/../rest-options.ts',
    '/ui/%2e%2e/%2e%2e/package.json',
    '/ui/..%2f..%2fpackage.json',
    '/ui/status-model.d.ts',
    '/ui/x/index.html',
    '/ui/index.html/x',
    '/ui/INDEX.HTML',
  ])('answers 404 to %s', (target) => {
    const reply = page.answer(request('GET', target));
    expect(reply.status).toBe(404);
    expect(reply.body).toBe('Not Found');
    expect(reply.headers['X-Content-Type-Options']).toBe('nosniff');
  });

  // The page is read-only: every other method is refused with the methods it allows.
  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('answers %s with 405 and Allow', (method) => {
    const reply = page.answer(request(method, '/ui/'));
    expect(reply.status).toBe(405);
    expect(reply.headers.Allow).toBe('GET, HEAD');
  });

  // Only /ui and what is below it belong to the page; the API's paths stay the router's.
  it.each([
    ['/ui', true],
    ['/ui/', true],
    ['/ui/a/b', true],
    ['/uix', false],
    ['/', false],
    ['/polycube/v1/ui/', false],
    ['/metrics', false],
  ])('owns(%s) is %s', (target, want) => {
    expect(page.owns(request('GET', target))).toBe(want);
  });

  it('refuses to load from a folder without the files', () => {
    expect(() => loadStatusPage(path.join(UI_DIR, 'missing'))).toThrow(/index\.html/);
  });
});

describe('status page over HTTP', () => {
  // Served by default, behind the same Host and Origin guards as the API.
  it('is served at /ui/ and passes through the browser guards', async () => {
    const server = await startRestServer(EMPTY_DAEMON, { port: 0 });
    try {
      expect(server.uiUrl).toBe(`http://127.0.0.1:${server.port}/ui/`);
      const get = (headers: Record<string, string> = {}) =>
        rawRequest(server.port, { method: 'GET', path: '/ui/', headers });
      const ok = await get();
      expect(ok.status).toBe(200);
      expect(ok.headers['content-security-policy']).toBe(UI_CSP);
      expect(ok.body).toContain('<title>lbrp status</title>');
      expect((await get({ Host: 'rebind.example' })).status).toBe(403);
      expect((await get({ Origin: 'http://evil.example' })).status).toBe(403);
      const head = await rawRequest(server.port, { method: 'HEAD', path: '/ui/status-page.css' });
      expect(head.status).toBe(200);
      expect(head.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(head.body).toBe('');
      const post = await rawRequest(server.port, { method: 'POST', path: '/ui/', body: '{}' });
      expect(post.status).toBe(405);
    } finally {
      await server.close();
    }
  });

  // --no-ui: the path is not the page's any more (the router's 404 for paths outside the API).
  it('is not served with ui off', async () => {
    const server = await startRestServer(EMPTY_DAEMON, { port: 0, ui: false });
    try {
      expect(server.uiUrl).toBeUndefined();
      const r = await rawRequest(server.port, { method: 'GET', path: '/ui/' });
      expect(r.status).toBe(404);
      expect(r.headers['content-security-policy']).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe('status page headers of every answer', () => {
  const security = {
    'Content-Security-Policy': UI_CSP,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };

  it('sends exactly the security headers plus each answer’s own', () => {
    const get = page.answer(request('GET', '/ui/favicon.svg'));
    const etag = get.headers.ETag;
    expect(get.headers).toEqual({
      ...security,
      'Cache-Control': 'no-cache',
      ETag: etag,
      'Content-Type': 'image/svg+xml',
      'Content-Length': String(Buffer.byteLength(get.body)),
    });
    expect(page.answer(request('HEAD', '/ui/favicon.svg', { 'if-none-match': etag }))).toEqual({
      status: 304,
      headers: { ...security, 'Cache-Control': 'no-cache', ETag: etag },
      body: '',
    });
    expect(page.answer(request('GET', '/ui/nope'))).toEqual({
      status: 404,
      headers: { ...security, 'Content-Type': 'text/plain; charset=utf-8' },
      body: 'Not Found',
    });
    expect(page.answer(request('get', '/ui/'))).toEqual({
      status: 405,
      headers: { ...security, 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' },
      body: 'Method Not Allowed',
    });
  });

  it('gives each file its own ETag, from its content', () => {
    const tags = [
      '/ui/',
      '/ui/status-page.js',
      '/ui/status-model.js',
      '/ui/status-page.css',
      '/ui/favicon.svg',
    ].map((t) => page.answer(request('GET', t)).headers.ETag);
    expect(new Set(tags).size).toBe(5);
    expect(loadStatusPage().answer(request('GET', '/ui/')).headers.ETag).toBe(tags[0]);
  });
});
