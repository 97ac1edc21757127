// The browser guards: Host must be a loopback name or address, the address dialled or an allowed
// name; an Origin must be on the allow list; a declared body type must be JSON or YAML. What the
// real polycubectl and our CLI send (Host localhost:9000, POST application/json, PATCH with no
// Content-Type) passes.

import type { IncomingHttpHeaders } from 'node:http';
import { checkBrowserHeaders, isAcceptedBodyType } from '../../../../src/polycubed/rest/request-guard';

const OPTS = { allowedHosts: ['lb.example.net', '10.9.9.9'], allowedOrigins: ['https://ui.example.net'] };

interface Row {
  name: string;
  headers: IncomingHttpHeaders;
  local?: string;
  wantCode?: string;
}

const ROWS: Row[] = [
  { name: 'polycubectl default url', headers: { host: 'localhost:9000' } },
  {
    name: 'polycubectl POST',
    headers: { host: 'localhost:9000', 'content-type': 'application/json', 'content-length': '2' },
  },
  {
    name: 'polycubectl PATCH without Content-Type',
    headers: { host: 'localhost:9000', 'content-length': '3' },
  },
  { name: '127.0.0.1 with port', headers: { host: '127.0.0.1:9000' } },
  { name: 'another 127/8 address', headers: { host: '127.3.4.5' } },
  { name: '[::1]', headers: { host: '[::1]:9000' } },
  { name: 'LOCALHOST. spelled oddly', headers: { host: 'LOCALHOST.:9000' } },
  { name: 'the address the client dialled', headers: { host: '192.0.2.7:9000' }, local: '192.0.2.7' },
  { name: 'an allowed name', headers: { host: 'LB.example.net:9000' } },
  { name: 'an allowed address', headers: { host: '10.9.9.9' } },
  {
    name: 'YAML with charset',
    headers: { host: 'localhost', 'content-type': 'application/yaml; charset=utf-8', 'content-length': '5' },
  },
  {
    name: 'RESTCONF +json',
    headers: { host: 'localhost', 'content-type': 'application/yang-data+json', 'content-length': '5' },
  },
  { name: 'text/plain without a body', headers: { host: 'localhost', 'content-type': 'text/plain' } },
  { name: 'an allowed origin', headers: { host: 'localhost', origin: 'https://UI.example.net/' } },
  { name: 'a rebinding name', headers: { host: 'evil.example:9000' }, wantCode: 'CUBE_ERR_HOST_REFUSED' },
  {
    name: 'another host address',
    headers: { host: '192.0.2.8:9000' },
    local: '192.0.2.7',
    wantCode: 'CUBE_ERR_HOST_REFUSED',
  },
  {
    name: 'localhost.evil.example',
    headers: { host: 'localhost.evil.example' },
    wantCode: 'CUBE_ERR_HOST_REFUSED',
  },
  {
    name: 'a cross-site origin',
    headers: { host: 'localhost', origin: 'http://evil.example' },
    wantCode: 'CUBE_ERR_ORIGIN_REFUSED',
  },
  {
    name: 'origin null',
    headers: { host: 'localhost', origin: 'null' },
    wantCode: 'CUBE_ERR_ORIGIN_REFUSED',
  },
  {
    name: 'same-origin page',
    headers: { host: '127.0.0.1:9000', origin: 'http://127.0.0.1:9000' },
    wantCode: 'CUBE_ERR_ORIGIN_REFUSED',
  },
  {
    name: 'text/plain body',
    headers: { host: 'localhost', 'content-type': 'text/plain;charset=UTF-8', 'content-length': '2' },
    wantCode: 'CUBE_ERR_CONTENT_TYPE',
  },
  {
    name: 'form body, chunked',
    headers: {
      host: 'localhost',
      'content-type': 'application/x-www-form-urlencoded',
      'transfer-encoding': 'chunked',
    },
    wantCode: 'CUBE_ERR_CONTENT_TYPE',
  },
  {
    name: 'multipart body',
    headers: { host: 'localhost', 'content-type': 'multipart/form-data; boundary=x', 'content-length': '9' },
    wantCode: 'CUBE_ERR_CONTENT_TYPE',
  },
];

describe('checkBrowserHeaders', () => {
  it.each(ROWS.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const got = checkBrowserHeaders(row.headers, row.local ?? '127.0.0.1', OPTS);
    expect(got?.code).toBe(row.wantCode);
  });

  // The messages name the refused value and the way to allow it.
  it('names the refused value in its message', () => {
    expect(checkBrowserHeaders({ host: 'evil.example:9000' }, '127.0.0.1', OPTS)?.message).toBe(
      'host "evil.example:9000" is refused: the API answers to loopback names, the address it was reached on and --allowed-host names (DNS rebinding guard)',
    );
    expect(
      checkBrowserHeaders({ host: 'localhost', origin: 'http://evil.example' }, '127.0.0.1', OPTS)?.message,
    ).toBe(
      'origin "http://evil.example" is refused: only --allowed-origin web origins may send requests (cross-site request guard)',
    );
  });

  // Host forms: spaces and case ignored, brackets only around the whole host with an optional
  // numeric port; allowed addresses compare as addresses, not as text.
  it.each([
    [' LocalHost ', undefined],
    ['[::1]', undefined],
    ['[::1]:9000', undefined],
    ['[::1]:', undefined],
    ['evil[::1]', 'CUBE_ERR_HOST_REFUSED'],
    ['[::1]:90x', 'CUBE_ERR_HOST_REFUSED'],
    ['[::1]x', 'CUBE_ERR_HOST_REFUSED'],
    // --allowed-host 2001:db8::1 (bare IPv6: its last group is not a port).
    ['[2001:DB8:0:0::1]:9000', undefined],
    ['[2001:db8::2]', 'CUBE_ERR_HOST_REFUSED'],
    ['2001.example', 'CUBE_ERR_HOST_REFUSED'],
  ])('Host %j → %s', (host, want) => {
    const opts = { ...OPTS, allowedHosts: ['2001:db8::1'] };
    expect(checkBrowserHeaders({ host }, '10.1.1.1', opts)?.code).toBe(want);
  });

  it('passes a request without Host (HTTP/1.0) to the other checks', () => {
    expect(checkBrowserHeaders({}, '127.0.0.1', OPTS)).toBeUndefined();
    expect(checkBrowserHeaders({ origin: 'http://evil.example' }, '127.0.0.1', OPTS)?.code).toBe(
      'CUBE_ERR_ORIGIN_REFUSED',
    );
  });

  // Origins compare without case, surrounding spaces or trailing slashes.
  it.each([
    [' HTTPS://UI.example.NET// ', undefined],
    ['https://ui.example.net/', undefined],
    ['https://ui.example.net/x', 'CUBE_ERR_ORIGIN_REFUSED'],
  ])('Origin %j → %s', (origin, want) => {
    expect(checkBrowserHeaders({ host: 'localhost', origin }, '127.0.0.1', OPTS)?.code).toBe(want);
  });

  it('reads media types with parameters, in any case, +json suffixes anchored', () => {
    expect(isAcceptedBodyType(' Application/JSON ; charset=utf-8')).toBe(true);
    expect(isAcceptedBodyType('application/merge-patch+json')).toBe(true);
    expect(isAcceptedBodyType('xapplication/a+json')).toBe(false);
    expect(isAcceptedBodyType('application/a+jsonx')).toBe(false);
    expect(isAcceptedBodyType('text/html')).toBe(false);
  });

  // The refused value is quoted at most 256 characters long (a hostile header is not echoed whole).
  it('quotes refused values cut to 256 characters', () => {
    const long = 'a'.repeat(1000);
    const quoted = (e?: { message: string }): string => /"([^"]*)"/.exec(e?.message ?? '')?.[1] ?? '';
    expect(quoted(checkBrowserHeaders({ host: long }, '127.0.0.1', OPTS))).toBe('a'.repeat(256));
    expect(quoted(checkBrowserHeaders({ host: 'localhost', origin: long }, '127.0.0.1', OPTS))).toBe(
      'a'.repeat(256),
    );
    const type = checkBrowserHeaders(
      { host: 'localhost', 'content-type': `text/${long}`, 'content-length': '1' },
      '127.0.0.1',
      OPTS,
    );
    expect([type?.code, quoted(type)]).toEqual(['CUBE_ERR_CONTENT_TYPE', `text/${long}`.slice(0, 256)]);
  });
});
