// A minimal keep-alive HTTP/1.1 GET client over one TCP socket, for rate rows that should measure
// the server rather than the client: node's http.Agent spends about as much CPU per request as
// polycubed does answering it, so on a 2-core host its figure is half client. One request at a
// time; replies framed by Content-Length or chunked.

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
    const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
    if (!status || (length === undefined && !chunked))
      return this.fail(`unexpected reply head: ${head.slice(0, 200)}`);
    const start = end + HEADER_END.length;
    const framed =
      length !== undefined
        ? { body: this.buf.subarray(start, start + Number(length)), next: start + Number(length) }
        : this.dechunk(start);
    if (!framed || this.buf.length < framed.next) return; // not all here yet
    this.buf = this.buf.subarray(framed.next);
    const p = this.pending;
    this.pending = undefined;
    p.resolve({ status, body: framed.body });
  }

  /** A chunked body from `at` (RFC 9112 §7.1, no trailers), or undefined until all of it is here. */
  private dechunk(at: number): { body: Buffer; next: number } | undefined {
    const parts: Buffer[] = [];
    for (;;) {
      const eol = this.buf.indexOf('\r\n', at);
      if (eol < 0) return undefined;
      const size = parseInt(this.buf.subarray(at, eol).toString('latin1'), 16);
      if (Number.isNaN(size)) return void this.fail('bad chunk size');
      const data = eol + 2;
      if (this.buf.length < data + size + 2) return undefined;
      if (size === 0) return { body: Buffer.concat(parts), next: data + 2 };
      parts.push(this.buf.subarray(data, data + size));
      at = data + size + 2;
    }
  }

  private fail(why: string): undefined {
    this.pending?.reject(new Error(why));
    this.pending = undefined;
    return undefined;
  }
}
