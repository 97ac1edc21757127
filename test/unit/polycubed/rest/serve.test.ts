// startRestServer checks its options like the command line does (a program embedding the REST
// server cannot open a routable listener without client certificates by accident), and counts
// the requests its guards refuse in /metrics.

import * as http from 'node:http';
import type { RestDaemon } from '../../../../src/polycubed/rest/rest-context';
import { startRestServer } from '../../../../src/polycubed/rest/serve';
import { rawRequest } from '../../../fixtures/rest/http-client';

/** A daemon with nothing in it: enough for framework endpoints and /metrics. */
const EMPTY_DAEMON = {
  services: () => [],
  service: () => undefined,
  cubes: () => [],
  cube: () => undefined,
  cubeBase: () => undefined,
  netdevs: () => [],
  execute: async () => ({ code: 'GENERIC_ERROR' }),
  connectPeers: async () => ({ code: 'GENERIC_ERROR' }),
  disconnectPeers: async () => ({ code: 'GENERIC_ERROR' }),
} as unknown as RestDaemon;

describe('startRestServer', () => {
  it('refuses a non-loopback address without client certificates', async () => {
    await expect(startRestServer(EMPTY_DAEMON, { addr: '0.0.0.0', port: 0 })).rejects.toThrow(
      /^refusing to listen on 0\.0\.0\.0 without client certificates/,
    );
  });

  // Two rebinding requests and one cross-site one show up by code; answered requests do not.
  it('counts refused requests by code in /metrics', async () => {
    const server = await startRestServer(EMPTY_DAEMON, { port: 0 });
    try {
      const send = (headers: Record<string, string>): Promise<number> =>
        rawRequest(server.port, { method: 'GET', path: '/polycube/v1/version', headers }).then(
          (r) => r.status,
        );
      expect(await send({ Host: 'rebind.example' })).toBe(403);
      expect(await send({ Host: 'rebind.example:9000' })).toBe(403);
      expect(await send({ Origin: 'http://evil.example' })).toBe(403);
      expect(await send({})).toBe(200);
      const metrics = (await rawRequest(server.port, { method: 'GET', path: '/metrics' })).body;
      expect(metrics).toContain('polycubed_rest_refused_total{code="CUBE_ERR_HOST_REFUSED"} 2\n');
      expect(metrics).toContain('polycubed_rest_refused_total{code="CUBE_ERR_ORIGIN_REFUSED"} 1\n');
      expect(metrics).not.toContain('CUBE_ERR_WRITE_FORBIDDEN');
    } finally {
      await server.close();
    }
  });
});

describe('startRestServer: addresses, page and close', () => {
  it('names its URLs with the bound port, IPv6 in brackets, and links with it', async () => {
    const server = await startRestServer(EMPTY_DAEMON, { addr: '::1', port: 0 });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://[::1]:${server.port}/polycube/v1/`);
      expect(server.uiUrl).toBe(`http://[::1]:${server.port}/ui/`);
      expect(server.router.ctx.authority).toBe(`[::1]:${server.port}`);
      const root = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
        http
          .get({ host: '::1', port: server.port, path: '/polycube/v1/' }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode, body }));
          })
          .on('error', reject);
      });
      expect(root.status).toBe(200);
      expect(root.body).toContain(`"href": "//[::1]:${server.port}/polycube/v1/"`);
    } finally {
      await server.close();
    }
  });

  it('serves the page unless ui is off, and shares its metrics registry with the router', async () => {
    const on = await startRestServer(EMPTY_DAEMON, { port: 0 });
    const off = await startRestServer(EMPTY_DAEMON, { port: 0, ui: false });
    try {
      expect(on.url).toBe(`http://127.0.0.1:${on.port}/polycube/v1/`);
      expect((await rawRequest(on.port, { method: 'GET', path: '/ui/' })).status).toBe(200);
      expect(off.uiUrl).toBeUndefined();
      expect((await rawRequest(off.port, { method: 'GET', path: '/ui/' })).status).not.toBe(200);
      expect(on.router.ctx.metrics).toBe(on.metrics);
      on.metrics.addCollector('t', () => [
        { name: 'rm_probe', help: 'h', type: 'gauge', samples: [{ value: 7 }] },
      ]);
      expect((await rawRequest(on.port, { method: 'GET', path: '/metrics' })).body).toContain(
        '\nrm_probe 7\n',
      );
      // The refusal family is registered before any refusal.
      expect((await rawRequest(off.port, { method: 'GET', path: '/metrics' })).body).toContain(
        '# TYPE polycubed_rest_refused_total counter\n',
      );
    } finally {
      await on.close();
      await off.close();
    }
  });

  it('rejects when the port is taken, and stops listening on close', async () => {
    const first = await startRestServer(EMPTY_DAEMON, { port: 0 });
    await expect(startRestServer(EMPTY_DAEMON, { port: first.port })).rejects.toThrow(/EADDRINUSE/);
    await first.close();
    // Refused: the client sees the connection close without an answer.
    expect((await rawRequest(first.port, { method: 'GET', path: '/polycube/v1/version' })).status).toBe(0);
  });
});
