// The socket side of the REST API with a handler that echoes what it was given: absolute-form
// targets reduced to their path, bodies read whole up to the limit and refused past it (413, the
// connection closed), a failing handler answered 500, an unsendable header 400, what Node's parser
// refuses answered 400/431, and the in-flight cap answered 503 with Retry-After.

import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import type { Server } from 'node:http';
import {
  createRestHttpServer,
  requiresClientCerts,
  tlsOptions,
  type RequestHandler,
} from '../../../../src/polycubed/rest/http-transport';
import type { Reply } from '../../../../src/polycubed/rest/reply';
import { DEFAULT_REST_OPTIONS, type RestOptions } from '../../../../src/polycubed/rest/rest-options';
import { rawRequest } from '../../../fixtures/rest/http-client';

/** Answers with what the transport handed over. */
const echo: RequestHandler = async (req) => ({
  status: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({
    method: req.method,
    path: req.target.path,
    query: req.target.query,
    body: req.body,
  }),
});

async function serve(
  handler: RequestHandler,
  opts: Partial<RestOptions> = {},
  refused: string[] = [],
): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createRestHttpServer(
    { ...DEFAULT_REST_OPTIONS, maxBodyBytes: 16, ...opts },
    handler,
    (c) => refused.push(c),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Bytes written as given; resolves with everything the server sent until it closed. */
function rawBytes(port: number, bytes: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no close'));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

describe('REST HTTP transport', () => {
  let s: { port: number; close: () => Promise<void> };
  afterEach(async () => {
    await s?.close();
  });

  const get = async (path: string, body?: string, headers?: Record<string, string>) => {
    const r = await rawRequest(s.port, { method: 'GET', path, body, headers });
    return { ...r, seen: r.status === 200 ? (JSON.parse(r.body) as Record<string, unknown>) : undefined };
  };

  // An absolute-form target (RFC 9112 §3.2.2) is routed by its path and query only.
  it.each([
    ['/polycube/v1/cubes?help=NONE', '/polycube/v1/cubes', [{ name: 'help', value: 'NONE' }]],
    [
      'http://127.0.0.1:9000/polycube/v1/cubes?help=NONE',
      '/polycube/v1/cubes',
      [{ name: 'help', value: 'NONE' }],
    ],
    ['HTTP://h', '/', []],
    ['http://h?x=1', '/', [{ name: 'x', value: '1' }]],
    ['https://h:1/a/b/', '/a/b', []],
    // Only a target that starts with a scheme is absolute-form; `://` later on is data.
    [
      '/polycube/v1/cubes?next=http://h/evil',
      '/polycube/v1/cubes',
      [{ name: 'next', value: 'http://h/evil' }],
    ],
    ['/a/http://h/evil', '/a/http:/h/evil', []],
  ])('routes %s by its path', async (target, path, query) => {
    s = await serve(echo);
    const r = await get(target);
    expect(r.seen).toEqual({ method: 'GET', path, query, body: '' });
  });

  it('hands over a body up to the limit whole, sent in any number of pieces', async () => {
    s = await serve(echo);
    expect((await get('/x', '0123456789abcdef')).seen?.body).toBe('0123456789abcdef');
    const chunked = await rawBytes(
      s.port,
      'GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n',
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 200 /);
    expect(chunked).toContain('"body":"0123456789abcdef"');
  });

  // The length goes with the head (one write, no chunked framing); 204 carries neither.
  it('sends Content-Length (in bytes) with every reply that has a body, and none with a 204', async () => {
    s = await serve(async (req): Promise<Reply> =>
      req.target.path === '/none'
        ? { status: 204, headers: {}, body: '' }
        : { status: 200, headers: { 'Content-Type': 'application/json' }, body: '"é"' },
    );
    const body = await rawBytes(s.port, 'GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(body).toMatch(/\r\nContent-Length: 4\r\n/);
    expect(body).not.toMatch(/Transfer-Encoding/i);
    const none = await rawBytes(s.port, 'GET /none HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(none).toMatch(/^HTTP\/1\.1 204 /);
    expect(none).not.toMatch(/Content-Length|Transfer-Encoding/i);
  });

  // Past the limit: 413 and the connection closed, whether announced or only seen while reading.
  it('answers 413 and closes past the body limit', async () => {
    let calls = 0;
    s = await serve(async (req) => {
      calls++;
      return echo(req);
    });
    const declared = await get('/x', '0123456789abcdefX');
    expect([
      declared.status,
      declared.body,
      declared.headers.connection,
      declared.headers['content-type'],
    ]).toEqual([413, 'Request exceeded maximum buffer size', 'close', 'text/plain; charset=utf-8']);
    const streamed = await rawBytes(
      s.port,
      'GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '8\r\n01234567\r\n9\r\n89abcdefX\r\n0\r\n\r\n',
    );
    expect(streamed).toMatch(/^HTTP\/1\.1 413 /);
    expect(streamed).toContain('Connection: close');
    expect(streamed).toContain('Request exceeded maximum buffer size');
    expect(calls).toBe(0);
  });

  it('answers 500 naming a handler failure, and 400 for a header HTTP cannot carry', async () => {
    s = await serve(async (req) => {
      if (req.target.path === '/boom') throw new Error('boom');
      return { status: 308, headers: { Location: '/a\nb' }, body: '' };
    });
    const boom = await get('/boom');
    expect([boom.status, boom.body, boom.headers['content-type']]).toEqual([
      500,
      'internal error: boom',
      'text/plain; charset=utf-8',
    ]);
    const bad = await get('/x');
    expect([bad.status, bad.body, bad.headers['content-type']]).toEqual([
      400,
      'Bad Request',
      'text/plain; charset=utf-8',
    ]);
  });

  // What Node's parser refuses never reaches the handler: a bad request line, huge headers.
  it('answers what the HTTP parser refuses and closes', async () => {
    s = await serve(echo);
    expect(await rawBytes(s.port, 'NOT HTTP AT ALL\r\n\r\n')).toBe(
      'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
    const huge = `GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    expect(await rawBytes(s.port, huge)).toBe(
      'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('answers 408 when the headers do not arrive in time', async () => {
    s = await serve(echo, { headersTimeoutMs: 200, requestTimeoutMs: 300 });
    const answer = await rawBytes(s.port, 'GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(answer).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  // The cap counts requests being answered; one more is refused (and reported) until one ends.
  it('refuses requests past the in-flight cap with 503 and Retry-After', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const refused: string[] = [];
    s = await serve(
      async (req) => {
        if (req.target.path === '/hold') {
          entered();
          await held;
        }
        return echo(req);
      },
      { maxInFlight: 1 },
      refused,
    );
    const first = get('/hold');
    await inHandler;
    const busy = await get('/x');
    expect([busy.status, busy.headers['retry-after'], busy.headers.connection]).toEqual([503, '1', 'close']);
    expect(refused).toEqual(['CUBE_ERR_TOO_BUSY']);
    release();
    expect((await first).status).toBe(200);
    expect((await get('/x')).status).toBe(200);
  });

  // Client certificates are required when a CA or a whitelist is given with the certificate; a
  // whitelist lets any signer through the handshake (the request is checked against the list).
  it('derives the TLS options from the flags', () => {
    const file = __filename;
    const o = (extra: Partial<RestOptions>): RestOptions => ({ ...DEFAULT_REST_OPTIONS, ...extra });
    expect(requiresClientCerts(o({ cert: file }))).toBe(false);
    expect(requiresClientCerts(o({ cacert: file }))).toBe(false);
    expect(requiresClientCerts(o({ cert: file, cacert: file }))).toBe(true);
    expect(requiresClientCerts(o({ cert: file, certWhitelist: file }))).toBe(true);
    expect(tlsOptions(o({ cert: file }))).toBeUndefined();
    expect(tlsOptions(o({ key: file }))).toBeUndefined();
    const plain = tlsOptions(o({ cert: file, key: file, headersTimeoutMs: 1234 }));
    expect(plain).toMatchObject({ handshakeTimeout: 1234 });
    expect(plain).not.toHaveProperty('requestCert');
    expect(plain).not.toHaveProperty('ca');
    expect(tlsOptions(o({ cert: file, key: file, cacert: file }))).toMatchObject({
      ca: expect.any(Buffer),
      requestCert: true,
      rejectUnauthorized: true,
    });
    expect(tlsOptions(o({ cert: file, key: file, certWhitelist: file }))).toMatchObject({
      requestCert: true,
      rejectUnauthorized: false,
    });
  });

  it('names the TLS file it cannot read', () => {
    const o = { ...DEFAULT_REST_OPTIONS, cert: __filename, key: __filename };
    expect(() => tlsOptions({ ...o, cert: '/nonexistent/c.pem' })).toThrow(
      'cannot read certificate /nonexistent/c.pem: ENOENT',
    );
    expect(() => tlsOptions({ ...o, key: '/nonexistent/k.pem' })).toThrow(
      'cannot read key /nonexistent/k.pem: ENOENT',
    );
    expect(() => tlsOptions({ ...o, cacert: '/nonexistent/ca.pem' })).toThrow(
      'cannot read CA certificate /nonexistent/ca.pem: ENOENT',
    );
  });
});
