// A recording HTTP proxy for CLI tests against a running polycubed: forwards every request to
// 127.0.0.1:<target> unchanged and keeps method, path and body in arrival order, so a test can
// assert exactly which REST calls a command made and in which order.

import * as http from 'http';
import type * as net from 'net';
import type { RecordedRequest } from './harness';

/** A running proxy. */
export interface RecordingProxy {
  /** Base URL for polycubectl: `http://127.0.0.1:<port>/polycube/v1/`. */
  base: string;
  requests: RecordedRequest[];
  /** Requests that can change state (not GET or OPTIONS), as "METHOD path body". */
  writes(): string[];
  close(): Promise<void>;
}

export async function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
        ),
        body: body.toString('utf8'),
      });
      const headers = { ...req.headers, host: `127.0.0.1:${targetPort}` };
      const up = http.request(
        { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers, agent: false },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.on('error', (e) => {
        res.writeHead(502);
        res.end(e.message);
      });
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}/polycube/v1/`,
    requests,
    writes: () =>
      requests
        .filter((r) => r.method !== 'GET' && r.method !== 'OPTIONS')
        .map((r) => `${r.method} ${r.path}${r.body ? ` ${r.body}` : ''}`),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
