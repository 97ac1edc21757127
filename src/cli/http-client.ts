// Sends one request the way Go's net/http client does for polycubectl: Content-Type only on POST,
// redirects followed (307/308 keep method and body, 301-303 turn into GET) with a Referer, at most
// 10 hops, TLS with a CA file and optional client certificate, errors worded like Go's url.Error.

import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type { CliRequest } from './request-builder';

/** TLS files and timeout for requests. */
export interface HttpOptions {
  cacert: string;
  cert: string;
  key: string;
  /** 0 = wait forever, as the real client. */
  timeoutMs: number;
  /** Sent as User-Agent. */
  userAgent: string;
}

/** A response: status code, Go-style status line ("404 Not Found") and the raw body. */
export interface HttpResponse {
  statusCode: number;
  status: string;
  body: Buffer;
}

/** A transport failure, with the text Go would print. */
export class TransportError extends Error {}

const MAX_REDIRECTS = 10;

/** Go's url.Error.Op: the method with only its first letter upper-case ("Get", "Options"). */
function errorOp(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}

interface SplitUrl {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Path and query exactly as built, never normalised (no dot-segment removal). */
  path: string;
}

function splitUrl(url: string): SplitUrl | string {
  const m = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!m) return `unsupported protocol scheme "${url.split(':')[0]}"`;
  const scheme = m[1].toLowerCase() as 'http' | 'https';
  const hp = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d*))?$/.exec(m[2]);
  if (!hp) return `invalid host "${m[2]}"`;
  const host = hp[1] ?? hp[2];
  if (host === '') return 'no Host in request URL';
  const port = hp[3] ? Number(hp[3]) : scheme === 'https' ? 443 : 80;
  const path = m[3] === '' ? '/' : m[3].startsWith('/') ? m[3] : '/' + m[3];
  return { scheme, host, port, path };
}

type NetError = NodeJS.ErrnoException & { address?: string; port?: number; errors?: NetError[] };

function describeNetError(err: NetError, u: SplitUrl): string {
  // Several addresses tried (Node's AggregateError): Go reports the first failure.
  const e = err.errors?.[0] ?? err;
  const address = e.address !== undefined && e.address.includes(':') ? `[${e.address}]` : e.address;
  const target = `${address ?? u.host}:${e.port ?? u.port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${target}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${target}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${target}: connect: network is unreachable`;
    case 'ETIMEDOUT':
      return `dial tcp ${target}: connect: connection timed out`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${u.host}: no such host`;
    case 'ECONNRESET':
      return 'EOF';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is not valid for ${u.host}`;
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    default: {
      // TLS alerts from the peer, worded as Go's crypto/tls ("remote error: tls: bad certificate").
      const alert = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(.+)$/.exec(e.code ?? '');
      if (alert) return `remote error: tls: ${alert[1].toLowerCase().replace(/_/g, ' ')}`;
      return e.message.trim();
    }
  }
}

function readPem(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EACCES'
          ? 'permission denied'
          : (e as Error).message;
    throw new TransportError(`open ${file}: ${why}`);
  }
}

interface Hop {
  method: string;
  url: string;
  body: string | undefined;
  headers: Record<string, string>;
}

function sendOnce(
  hop: Hop,
  opts: HttpOptions,
  tls: https.AgentOptions,
): Promise<HttpResponse & { location?: string }> {
  const u = splitUrl(hop.url);
  if (typeof u === 'string') return Promise.reject(new TransportError(u));
  const headers: Record<string, string> = { 'User-Agent': opts.userAgent, ...hop.headers };
  // Go sends Content-Length for POST/PUT/PATCH even when empty, and for any non-empty body.
  if (hop.body !== undefined && (hop.body !== '' || ['POST', 'PUT', 'PATCH'].includes(hop.method))) {
    headers['Content-Length'] = String(Buffer.byteLength(hop.body));
  }
  const mod = u.scheme === 'https' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        host: u.host,
        port: u.port,
        path: u.path,
        method: hop.method,
        headers,
        agent: false,
        ...(u.scheme === 'https' ? tls : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e: NetError) => reject(new TransportError(describeNetError(e, u))));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          const status = res.statusMessage ? `${code} ${res.statusMessage}` : String(code);
          resolve({ statusCode: code, status, body: Buffer.concat(chunks), location: res.headers.location });
        });
      },
    );
    if (opts.timeoutMs > 0) {
      req.setTimeout(opts.timeoutMs, () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'CLI_TIMEOUT' })),
      );
    }
    req.on('error', (e: NetError) =>
      reject(
        new TransportError(
          e.code === 'CLI_TIMEOUT'
            ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
            : describeNetError(e, u),
        ),
      ),
    );
    req.end(hop.body);
  });
}

function resolveLocation(location: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(location)) return location;
  const u = splitUrl(base) as SplitUrl;
  const origin = `${u.scheme}://${u.host.includes(':') ? `[${u.host}]` : u.host}:${u.port}`;
  if (location.startsWith('//')) return `${u.scheme}:${location}`;
  if (location.startsWith('/')) return origin + location;
  return new URL(location, base).toString();
}

/**
 * Performs `request`, following redirects as Go's http.Client does. Resolves with the final
 * response (any status); rejects with a {@link TransportError} whose message is what the real
 * client prints (`Get "<url>": dial tcp …`).
 */
export async function performRequest(request: CliRequest, opts: HttpOptions): Promise<HttpResponse> {
  const tls: https.AgentOptions = {};
  if (opts.cacert !== '') {
    tls.ca = readPem(opts.cacert);
    if (opts.cert !== '') {
      tls.cert = readPem(opts.cert);
      tls.key = readPem(opts.key);
    }
  }
  const op = errorOp(request.method);
  let hop: Hop = {
    method: request.method,
    url: request.url,
    body: request.body,
    headers: request.method === 'POST' ? { 'Content-Type': 'application/json' } : {},
  };
  for (let redirects = 0; ; redirects++) {
    let res: HttpResponse & { location?: string };
    try {
      res = await sendOnce(hop, opts, tls);
    } catch (e) {
      if (e instanceof TransportError)
        throw new TransportError(`${op} ${JSON.stringify(hop.url)}: ${e.message}`);
      throw e;
    }
    const redirect = [301, 302, 303, 307, 308].includes(res.statusCode) && res.location;
    if (!redirect) return res;
    // Go's CheckRedirect refuses the redirect that would make an 11th request.
    if (redirects + 1 >= MAX_REDIRECTS) {
      throw new TransportError(`${op} ${JSON.stringify(hop.url)}: stopped after ${MAX_REDIRECTS} redirects`);
    }
    const next = resolveLocation(res.location as string, hop.url);
    const keep = res.statusCode === 307 || res.statusCode === 308;
    const method = keep || hop.method === 'GET' || hop.method === 'HEAD' ? hop.method : 'GET';
    const headers: Record<string, string> = keep ? { ...hop.headers } : {};
    // Go sets Referer to the previous URL, except when going from https to http.
    if (!(hop.url.startsWith('https:') && next.startsWith('http:'))) headers.Referer = hop.url;
    else delete headers.Referer;
    hop = { method, url: next, body: keep ? hop.body : undefined, headers };
  }
}
