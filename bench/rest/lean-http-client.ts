// A minimal keep-alive HTTP/1.1 GET client over one TCP socket, for rate rows that should measure
// the server rather than the client: node's http.Agent spends about as much CPU per request as
// polycubed does answering it, so on a 2-core host its figure is half client. One request at a
// time; replies must carry Content-Length (polycubed's do).

import { connect, type Socket } from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');

export interface LeanAnswer {
  status: number;
  body: Buffer;
}

export class LeanHttpClient {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { resolve: (a: LeanAnswer) => void; reject: (e: Error) => void } | undefined;

  private constructor(
    private readonly sock: Socket,
    private readonly host: string,
  ) {
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.parse();
    });
    const fail = (e: Error): void => {
      this.pending?.reject(e);
      this.pending = undefined;
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed')));
  }

  static open(port: number, host = '127.0.0.1'): Promise<LeanHttpClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new LeanHttpClient(s, `${host}:${port}`)));
      s.once('error', reject);
    });
  }

  get(path: string): Promise<LeanAnswer> {
    if (this.pending) return Promise.reject(new Error('one request at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.sock.write(`GET ${path} HTTP/1.1\r\nHost: ${this.host}\r\n\r\n`);
    });
  }

  close(): void {
    this.sock.destroy();
  }

  private parse(): void {
    const end = this.buf.indexOf(HEADER_END);
    if (end < 0 || !this.pending) return;
    const head = this.buf.subarray(0, end).toString('latin1');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
    if (!status || length === undefined) {
      this.pending.reject(new Error(`unexpected reply head: ${head.slice(0, 200)}`));
      this.pending = undefined;
      return;
    }
    const total = end + HEADER_END.length + Number(length);
    if (this.buf.length < total) return;
    const body = this.buf.subarray(end + HEADER_END.length, total);
    this.buf = this.buf.subarray(total);
    const p = this.pending;
    this.pending = undefined;
    p.resolve({ status, body });
  }
}
