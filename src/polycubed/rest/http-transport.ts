// The socket side of the REST API: an HTTP/1.1 (or HTTPS, optionally requiring client
// certificates) server with header, request and idle timeouts and a connection cap. Each request
// passes the guards first (browser headers, client certificate, in-flight cap, who may write),
// then its body is read up to the size limit (413 beyond it) and handed to the handler.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ERRORS, cubeError, type CubeError, type CubeErrorCode } from '../../common/errors';
import { checkAccess, type AccessPolicy } from './access-check';
import { checkClientCert, loadCertList, type ClientCertLists } from './client-certs';
import { PLAIN_TEXT, errorReply, type Reply } from './reply';
import { checkBrowserHeaders } from './request-guard';
import { parseTarget } from './request-path';
import type { RestRequest } from './rest-context';
import type { RestOptions } from './rest-options';

/** Keeps draining an oversized upload after answering 413 up to this many bytes, then hangs up. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/** Seconds a client told "too busy" should wait (Retry-After). */
const RETRY_AFTER_S = 1;

/** Handles one decoded request. */
export type RequestHandler = (req: RestRequest) => Promise<Reply>;

/** Told the catalogue code of each request refused before routing (for `/metrics`). */
export type RefusalListener = (code: CubeErrorCode) => void;

/** True when `opts` make clients authenticate with certificates (then the certificate is the identity). */
export function requiresClientCerts(opts: RestOptions): boolean {
  return opts.cert !== undefined && (opts.cacert !== undefined || opts.certWhitelist !== undefined);
}

/** Reads the TLS files named in `opts`; undefined for plain HTTP. Throws with the file name when unreadable. */
export function tlsOptions(opts: RestOptions): https.ServerOptions | undefined {
  if (opts.cert === undefined || opts.key === undefined) return undefined;
  const read = (file: string, what: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new Error(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  };
  const tls: https.ServerOptions = { cert: read(opts.cert, 'certificate'), key: read(opts.key, 'key') };
  if (opts.cacert !== undefined) tls.ca = read(opts.cacert, 'CA certificate');
  if (requiresClientCerts(opts)) {
    tls.requestCert = true;
    // A whitelisted certificate gets in whoever signed it (polycubed), so the handshake lets
    // every certificate through and the request is checked against the list.
    tls.rejectUnauthorized = opts.certWhitelist === undefined;
  }
  tls.handshakeTimeout = opts.headersTimeoutMs;
  return tls;
}

/** The whitelist and blacklist of `opts`, read now (throws naming the file when unreadable). */
function certLists(opts: RestOptions): ClientCertLists {
  const lists: ClientCertLists = {};
  if (opts.certWhitelist !== undefined)
    lists.whitelist = loadCertList(opts.certWhitelist, '--cert-whitelist');
  if (opts.certBlacklist !== undefined)
    lists.blacklist = loadCertList(opts.certBlacklist, '--cert-blacklist');
  return lists;
}

function writeReply(res: http.ServerResponse, reply: Reply, close = false): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (close) headers.Connection = 'close';
  // The length up front: head and body then leave in one write, not as chunks (204 and 304
  // carry no body and no length).
  if (reply.status !== 204 && reply.status !== 304)
    headers['Content-Length'] = String(Buffer.byteLength(reply.body));
  try {
    res.writeHead(reply.status, headers);
  } catch {
    // A header value the client smuggled in (e.g. through a redirect Location) that HTTP cannot carry.
    res.writeHead(400, { 'Content-Type': PLAIN_TEXT });
    res.end('Bad Request');
    return;
  }
  res.end(reply.body);
}

/** The path part of an absolute-form request target (`http://h/p?q` → `/p?q`). */
function originForm(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*(.*)$/i.exec(url);
  if (!m) return url;
  return m[1] === '' || m[1].startsWith('?') ? `/${m[1]}` : m[1];
}

/** Answers `reply` and closes, discarding (up to DRAIN_LIMIT) whatever body is still coming. */
function refuse(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply): void {
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT) req.destroy();
  });
  req.on('error', () => res.destroy());
  writeReply(res, reply, true);
}

/** What every request of one server shares. */
interface TransportState {
  opts: RestOptions;
  handler: RequestHandler;
  lists: ClientCertLists;
  access: AccessPolicy;
  /** Requests past the guards whose answer is not written yet. */
  inFlight: number;
  onRefused: RefusalListener;
}

/** Reads the body of `req` and dispatches it; answers 413 past `maxBody` bytes. */
function readAndDispatch(state: TransportState, req: http.IncomingMessage, res: http.ServerResponse): void {
  const maxBody = state.opts.maxBodyBytes;
  const declared = Number(req.headers['content-length'] ?? 0);
  const tooLarge = (): Reply => ({
    status: ERRORS.CUBE_ERR_BODY_TOO_LARGE.status,
    headers: { 'Content-Type': PLAIN_TEXT },
    body: ERRORS.CUBE_ERR_BODY_TOO_LARGE.message,
  });
  if (declared > maxBody) return refuse(req, res, tooLarge());
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size <= maxBody) return void chunks.push(chunk);
    refused = true;
    chunks.length = 0;
    req.off('data', onData);
    refuse(req, res, tooLarge());
  };
  req.on('data', onData);
  req.on('error', () => res.destroy());
  req.on('end', () => {
    if (refused) return;
    const request: RestRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      target: parseTarget(originForm(req.url ?? '/')),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    Promise.resolve()
      .then(() => state.handler(request))
      .then(
        (reply) => writeReply(res, reply),
        (e: Error) =>
          writeReply(res, {
            status: 500,
            headers: { 'Content-Type': PLAIN_TEXT },
            body: `internal error: ${e.message}`,
          }),
      );
  });
}

/**
 * The guards, in order: browser headers (Host, Origin, Content-Type), the client certificate
 * lists, the in-flight cap, then who may read or write; only then is the body read.
 */
function onRequest(state: TransportState, req: http.IncomingMessage, res: http.ServerResponse): void {
  const socket = req.socket as Socket;
  const certs = requiresClientCerts(state.opts);
  const early: CubeError | undefined =
    checkBrowserHeaders(req.headers, socket.localAddress, state.opts) ??
    (certs ? checkClientCert(socket as TLSSocket, state.lists) : undefined);
  const refuseWith = (err: CubeError, headers: Record<string, string> = {}): void => {
    state.onRefused(err.code);
    const reply = errorReply([err]);
    Object.assign(reply.headers, headers);
    refuse(req, res, reply);
  };
  if (early) return refuseWith(early);
  if (state.inFlight >= state.opts.maxInFlight) {
    const busy = cubeError('CUBE_ERR_TOO_BUSY', { limit: state.opts.maxInFlight });
    return refuseWith(busy, { 'Retry-After': String(RETRY_AFTER_S) });
  }
  state.inFlight++;
  res.once('close', () => state.inFlight--);
  const method = (req.method ?? 'GET').toUpperCase();
  // With client certificates the certificate is the identity; otherwise the socket's owner.
  const allowed = certs ? Promise.resolve(undefined) : checkAccess(method, socket, state.access);
  allowed.then(
    (denied) => (denied ? refuseWith(denied) : readAndDispatch(state, req, res)),
    (e: Error) =>
      refuse(
        req,
        res,
        errorReply([cubeError('CUBE_ERR_INTERNAL', { message: `access check: ${e.message}` })]),
      ),
  );
}

/** Answers what Node's HTTP parser refused (bad request line, huge headers) and closes. */
function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Node's timers and caps of `opts`. */
function httpServerOptions(opts: RestOptions): http.ServerOptions {
  return {
    headersTimeout: opts.headersTimeoutMs,
    requestTimeout: opts.requestTimeoutMs,
    keepAliveTimeout: opts.keepAliveTimeoutMs,
    // Node checks the header and request timers only this often (default 30 s): a quarter of the
    // header timeout keeps the cut-off within 25 % of what was asked.
    connectionsCheckingInterval: Math.max(50, Math.floor(opts.headersTimeoutMs / 4)),
  };
}

/**
 * Creates the (not yet listening) server for `opts`, dispatching to `handler` and telling
 * `onRefused` of each request refused before routing. Throws when a TLS file or a certificate
 * list cannot be read.
 */
export function createRestHttpServer(
  opts: RestOptions,
  handler: RequestHandler,
  onRefused: RefusalListener = () => undefined,
): http.Server {
  const state: TransportState = {
    opts,
    handler,
    lists: certLists(opts),
    access: {
      writeGroup: opts.writeGroup,
      readAccess: opts.readAccess,
      insecureRemoteWrites: opts.insecureRemoteWrites,
      daemonUid: process.getuid?.() ?? 0,
    },
    inFlight: 0,
    onRefused,
  };
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => onRequest(state, req, res);
  const tls = tlsOptions(opts);
  const base = httpServerOptions(opts);
  const server = tls ? https.createServer({ ...base, ...tls }, listener) : http.createServer(base, listener);
  server.maxConnections = opts.maxConnections;
  server.on('clientError', onClientError);
  return server;
}
