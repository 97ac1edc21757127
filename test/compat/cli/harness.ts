// Compat harness for the CLI: a recording HTTP server on 127.0.0.1 that answers a transcript's
// exchanges in order, and a runner that starts bin/polycubectl.js as a child process with its own
// HOME (config file), stdin and environment.

import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '../../..');
export const CLI = path.join(REPO, 'bin', 'polycubectl.js');

/** One request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query exactly as sent. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: string;
}

/** A canned answer. */
export interface CannedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A server that records every request and answers from a queue (599 when it runs dry). */
export interface RecordingServer {
  port: number;
  base: string;
  requests: RecordedRequest[];
  /** Appends answers to the queue. */
  answer(...responses: CannedResponse[]): void;
  close(): Promise<void>;
}

/** TLS material for an https server; with `ca`, client certificates signed by it are required. */
export interface ServerTls {
  key: Buffer;
  cert: Buffer;
  ca?: Buffer;
}

export async function startRecordingServer(tls?: ServerTls): Promise<RecordingServer> {
  const queue: CannedResponse[] = [];
  const requests: RecordedRequest[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
        ),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const next = queue.shift() ?? { status: 599, body: 'unexpected request' };
      res.writeHead(next.status, next.headers ?? {});
      res.end(next.body ?? '');
    });
  };
  const server: http.Server = tls
    ? https.createServer(
        {
          key: tls.key,
          cert: tls.cert,
          ca: tls.ca,
          requestCert: tls.ca !== undefined,
          rejectUnauthorized: tls.ca !== undefined,
        },
        handler,
      )
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    base: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/polycube/v1/`,
    requests,
    answer: (...r) => void queue.push(...r),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** How to start the CLI. */
export interface CliRun {
  args: string[];
  /** Config file content; undefined = no config file at all. */
  config?: string;
  env?: Record<string, string>;
  /** Given as a regular file on stdin (`< file`). */
  stdin?: string;
}

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number | null;
  home: string;
}

/** Runs bin/polycubectl.js; stdin is /dev/null unless `stdin` is set. */
export async function runCli(run: CliRun): Promise<CliResult> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pcnctl-home-'));
  if (run.config !== undefined) {
    fs.mkdirSync(path.join(home, '.config', 'polycube'), { recursive: true });
    fs.writeFileSync(path.join(home, '.config', 'polycube', 'polycubectl_config.yaml'), run.config);
  }
  let stdinFd: number | 'ignore' = 'ignore';
  if (run.stdin !== undefined) {
    const file = path.join(home, 'stdin.yaml');
    fs.writeFileSync(file, run.stdin);
    stdinFd = fs.openSync(file, 'r');
  }
  const child = spawn(process.execPath, [CLI, ...run.args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: home, POLYCUBECTL_TIMEOUT_MS: '20000', ...run.env },
    stdio: [stdinFd, 'pipe', 'pipe'],
  });
  if (typeof stdinFd === 'number') fs.closeSync(stdinFd);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { stdout, stderr, code, home };
}
