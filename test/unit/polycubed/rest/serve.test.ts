// startRestServer checks its options like the command line does (a program embedding the REST
// server cannot open a routable listener without client certificates by accident), and counts
// the requests its guards refuse in /metrics.

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
