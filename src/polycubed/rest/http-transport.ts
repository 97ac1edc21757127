// The socket side of the REST API: an HTTP/1.1 (or HTTPS, optionally requiring client
// certificates) server that reads each body up to the size limit (413 beyond it), hands the
// decoded request to a handler and writes its Reply. Malformed HTTP is answered by Node's parser
// (400/431) without reaching the handler.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { ERRORS } from '../../common/errors';
import { PLAIN_TEXT, type Reply } from './reply';
import { parseTarget } from './request-path';
import type { RestRequest } from './rest-context';
import type { RestOptions } from './rest-options';

/** Keeps draining an oversized upload after answering 413 up to this many bytes, then hangs up. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/** Handles one decoded request. */
export type RequestHandler = (req: RestRequest) => Promise<Reply>;

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
  if (opts.cacert !== undefined) {
    tls.ca = read(opts.cacert, 'CA certificate');
    tls.requestCert = true;
    tls.rejectUnauthorized = true;
  }
  return tls;
}

function writeReply(res: http.ServerResponse, reply: Reply, close = false): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (close) headers.Connection = 'close';
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

function tooLarge(res: http.ServerResponse): void {
  const def = ERRORS.CUBE_ERR_BODY_TOO_LARGE;
  writeReply(res, { status: def.status, headers: { 'Content-Type': PLAIN_TEXT }, body: def.message }, true);
}

/** The path part of an absolute-form request target (`http://h/p?q` → `/p?q`). */
function originForm(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*(.*)$/i.exec(url);
  if (!m) return url;
  return m[1] === '' || m[1].startsWith('?') ? `/${m[1]}` : m[1];
}

/** Reads the body of `req` and dispatches it; answers 413 past `maxBody` bytes. */
function onRequest(
  handler: RequestHandler,
  maxBody: number,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  const refuse = (): void => {
    refused = true;
    chunks.length = 0;
    tooLarge(res);
  };
  if (declared > maxBody) refuse();
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (refused) {
      if (size > DRAIN_LIMIT) req.destroy();
      return;
    }
    if (size > maxBody) return refuse();
    chunks.push(chunk);
  });
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
      .then(() => handler(request))
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

/** Answers what Node's HTTP parser refused (bad request line, huge headers) and closes. */
function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Creates the (not yet listening) server for `opts`, dispatching to `handler`. */
export function createRestHttpServer(opts: RestOptions, handler: RequestHandler): http.Server {
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void =>
    onRequest(handler, opts.maxBodyBytes, req, res);
  const tls = tlsOptions(opts);
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  server.on('clientError', onClientError);
  return server;
}
