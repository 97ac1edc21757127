// The read-only status page at `/ui/`: the HTML, JS and CSS of src/ui/, read once when the REST
// server starts and answered from memory (GET and HEAD only) with a strict Content-Security-Policy.
// The page itself reads the public REST API; nothing here touches the daemon.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PLAIN_TEXT, type Reply } from './reply';
import type { RestRequest } from './rest-context';

/** Where the page is served (`/ui` answers the same as `/ui/`). */
export const UI_PATH = '/ui';

/** The page's files in the repository: browser code, imported by nothing under src/. */
export const UI_DIR = path.resolve(__dirname, '../../ui');

/** Asset file → its content type. `/ui/` is index.html; anything else under /ui/ is a 404. */
const ASSET_TYPES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'status-page.css': 'text/css; charset=utf-8',
  'status-model.js': 'text/javascript; charset=utf-8',
  'status-page.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * Only the page's own files may load, it may only fetch from its own origin, never be framed,
 * never submit a form; no inline script or style (the page sets none).
 */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every answer under /ui/ carries. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': UI_CSP,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

interface Asset {
  type: string;
  body: string;
  etag: string;
}

/** The status page's assets, loaded once. */
export interface StatusPage {
  /** True when `req` is for the page (`/ui` or below); such requests go to {@link answer}. */
  owns(req: RestRequest): boolean;
  /**
   * The answer to a request it owns: the asset for GET/HEAD (304 when `If-None-Match` matches),
   * 404 for an unknown name, 405 with `Allow: GET, HEAD` for any other method. Never reads a file.
   */
  answer(req: RestRequest): Reply;
}

function withSecurity(status: number, headers: Record<string, string>, body: string): Reply {
  return { status, headers: { ...SECURITY_HEADERS, ...headers }, body };
}

/** Reads the assets from `dir` (throws naming the file when one is missing). */
export function loadStatusPage(dir: string = UI_DIR): StatusPage {
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(ASSET_TYPES)) {
    const body = fs.readFileSync(path.join(dir, name), 'utf8');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { type, body, etag });
  }
  const segmentsOf = (req: RestRequest): string[] => req.target.segments;
  return {
    owns: (req) => segmentsOf(req)[0] === UI_PATH.slice(1),
    answer: (req) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return withSecurity(405, { 'Content-Type': PLAIN_TEXT, Allow: 'GET, HEAD' }, 'Method Not Allowed');
      }
      const rest = segmentsOf(req).slice(1);
      // Names are looked up exactly: `..`, encoded or not, or a deeper path is simply unknown.
      const name = rest.length === 0 ? 'index.html' : rest.length === 1 ? rest[0] : '';
      const asset = assets.get(name);
      if (!asset) return withSecurity(404, { 'Content-Type': PLAIN_TEXT }, 'Not Found');
      // Assets change only when the daemon restarts: revalidate each time, answer 304 when unchanged.
      const cache = { 'Cache-Control': 'no-cache', ETag: asset.etag };
      if (req.headers['if-none-match'] === asset.etag) return withSecurity(304, cache, '');
      return withSecurity(
        200,
        { ...cache, 'Content-Type': asset.type, 'Content-Length': String(Buffer.byteLength(asset.body)) },
        req.method === 'HEAD' ? '' : asset.body,
      );
    },
  };
}
