// The HTTP side of `polycubectl apply`: one request at a time through the CLI's own client
// (redirects, TLS and errors as the real polycubectl), relative to the configured base URL.

import { performRequest, type HttpOptions } from '../http-client';

/** A server answer of any status. */
export interface RestAnswer {
  status: number;
  /** Go-style status line, e.g. "409 Conflict". */
  statusLine: string;
  text: string;
}

/** A request the server did not accept (non-2xx), with what it said. */
export class RestRefusal extends Error {
  constructor(
    readonly request: string,
    readonly answer: RestAnswer,
  ) {
    super(
      `${request}: polycubed answered ${answer.statusLine}${answer.text ? `: ${answer.text.trim()}` : ''}`,
    );
  }
}

/** Requests relative to one base URL (`http://host:9000/polycube/v1/`). */
export class RestClient {
  constructor(
    private readonly base: string,
    private readonly http: HttpOptions,
  ) {}

  /** The URL path of `rel` as printed in plans: "/polycube/v1/" + rel. */
  pathOf(rel: string): string {
    const m = /^[a-z]+:\/\/[^/]*(\/.*)?$/i.exec(this.base);
    const basePath = m?.[1] ?? '/';
    return (basePath.endsWith('/') ? basePath : basePath + '/') + rel;
  }

  /**
   * Sends `method rel` with an optional JSON body text. Resolves with any status; rejects with the
   * CLI's TransportError (Go-worded) when the server cannot be reached.
   */
  async send(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'OPTIONS',
    rel: string,
    body?: string,
  ): Promise<RestAnswer> {
    const res = await performRequest({ method, url: this.base + rel, body }, this.http);
    return { status: res.statusCode, statusLine: res.status, text: res.body.toString('utf8') };
  }

  /** Sends and parses a 2xx JSON answer; a non-2xx answer rejects with {@link RestRefusal}. */
  async json(method: 'GET' | 'OPTIONS', rel: string): Promise<unknown> {
    const answer = await this.send(method, rel);
    if (answer.status < 200 || answer.status > 299)
      throw new RestRefusal(`${method} ${this.pathOf(rel)}`, answer);
    if (answer.text.trim() === '') return undefined;
    try {
      return JSON.parse(answer.text) as unknown;
    } catch {
      throw new RestRefusal(`${method} ${this.pathOf(rel)}`, {
        ...answer,
        statusLine: `${answer.statusLine} with a body that is not JSON`,
      });
    }
  }
}
