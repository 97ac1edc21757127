// The browser guards, checked on the headers before anything else: a `Host` that is not a
// loopback name or address, the address the client reached, or an allowed name (DNS rebinding);
// an `Origin` not on the allow list (cross-site requests); a body that is neither JSON nor YAML.

import type { IncomingHttpHeaders } from 'node:http';
import { cubeError, type CubeError } from '../../common/errors';
import { ipBytes, isLoopbackIp } from './ip-bytes';

/** What the guard accepts beyond loopback. */
export interface BrowserGuardOptions {
  /** Extra `Host` names or addresses (no port). */
  allowedHosts: readonly string[];
  /** Origins (`scheme://host[:port]`) allowed to send requests. */
  allowedOrigins: readonly string[];
}

/**
 * Media types a body may declare. A body without any Content-Type is accepted: the real
 * polycubectl sends PATCH bodies that way, and a browser never sends a body without either a
 * Content-Type (forms) or an `Origin` (fetch), both refused here.
 */
const BODY_TYPES = new Set([
  'application/json',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
]);

/**
 * `Host` (or an --allowed-host value) without its port and brackets, lower-case, without a
 * trailing dot. A bare IPv6 address (as an --allowed-host value is naturally written) has no
 * port: its last group is not one.
 */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  const bracket = /^\[([^\]]*)\](?::\d*)?$/.exec(h);
  const name = bracket ? bracket[1] : ipBytes(h) ? h : h.replace(/:\d*$/, '');
  return name.replace(/\.$/, '');
}

function hostAllowed(host: string, localAddress: string | undefined, allowed: readonly string[]): boolean {
  const name = hostName(host);
  if (name === 'localhost') return true;
  const ip = ipBytes(name);
  if (ip) {
    if (isLoopbackIp(ip)) return true;
    // The address the client dialled: an IP literal cannot be rebound, only a name can.
    const local = ipBytes(localAddress ?? '');
    if (local && local.equals(ip)) return true;
  }
  return allowed.some((a) => {
    const n = hostName(a);
    const aip = ipBytes(n);
    return aip && ip ? aip.equals(ip) : n === name;
  });
}

function normaliseOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

/** True when the request carries a body (a length above 0, or chunked). */
function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  return Number(headers['content-length'] ?? 0) > 0;
}

/** True for JSON and YAML media types, with or without parameters (`; charset=utf-8`), and `+json`. */
export function isAcceptedBodyType(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return BODY_TYPES.has(type) || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

/**
 * Undefined when the headers pass, else the error to answer (403 for Host and Origin, 415 for
 * the body type). `localAddress` is the server address the connection arrived on.
 */
export function checkBrowserHeaders(
  headers: IncomingHttpHeaders,
  localAddress: string | undefined,
  opts: BrowserGuardOptions,
): CubeError | undefined {
  const host = headers.host;
  // HTTP/1.1 without Host is refused by Node's parser; HTTP/1.0 ones come from no browser.
  if (host !== undefined && !hostAllowed(host, localAddress, opts.allowedHosts)) {
    return cubeError('CUBE_ERR_HOST_REFUSED', { host: host.slice(0, 256) });
  }
  const origin = headers.origin;
  if (origin !== undefined) {
    const o = normaliseOrigin(origin);
    if (!opts.allowedOrigins.some((a) => normaliseOrigin(a) === o)) {
      return cubeError('CUBE_ERR_ORIGIN_REFUSED', { origin: origin.slice(0, 256) });
    }
  }
  const type = headers['content-type'];
  if (type !== undefined && hasBody(headers) && !isAcceptedBodyType(type)) {
    return cubeError('CUBE_ERR_CONTENT_TYPE', { type: type.slice(0, 256) });
  }
  return undefined;
}
