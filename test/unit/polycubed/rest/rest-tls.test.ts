// The REST server speaks HTTPS with --cert/--key, and with --cacert refuses every client that does
// not present a certificate signed by that CA. Certificates are made with openssl per run; the
// daemon is a stub (transport only), so no root is needed. openssl is required, not optional
// (scripts/ensure-deps.sh installs it): without it these tests fail rather than skip.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RestDaemon } from '../../../../src/polycubed/rest/rest-context';
import { startRestServer, type RestServerHandle } from '../../../../src/polycubed/rest/serve';

/** A daemon with nothing in it: enough for framework endpoints. */
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

/** Makes a CA and a certificate it signs for `cn` (with an IP SAN for the server). */
function makePki(dir: string): void {
  const ssl = (...args: string[]): void => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    } catch (e) {
      throw new Error(
        `openssl ${args[0]} failed (is openssl installed? scripts/ensure-deps.sh installs it): ${e}`,
      );
    }
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const ca of ['ca', 'rogue-ca']) {
    ssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.pem`,
      '-days',
      '1',
      '-subj',
      `/CN=${ca}`,
    );
  }
  const issue = (name: string, ca: string, ext?: string): void => {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      ...(ext ? ['-extfile', ext] : []),
    );
  };
  issue('server', 'ca', 'san.ext');
  issue('client', 'ca');
  issue('rogue', 'rogue-ca');
}

/** GET `path` over HTTPS; resolves with the status or the error code of a refused handshake. */
function get(port: number, path: string, opts: https.RequestOptions): Promise<number | string> {
  return new Promise((resolve) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false, ...opts },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

describe('REST over TLS', () => {
  let dir: string;
  const file = (name: string): string => join(dir, name);
  const pem = (name: string): Buffer => readFileSync(file(name));
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lbrp-rest-tls-'));
    makePki(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // --cert/--key alone: HTTPS for anyone who trusts the server certificate.
  it('serves HTTPS with --cert and --key', async () => {
    const server = await startRestServer(EMPTY_DAEMON, {
      port: 0,
      cert: file('server.pem'),
      key: file('server.key'),
    });
    try {
      expect(server.url).toBe(`https://127.0.0.1:${server.port}/polycube/v1/`);
      expect(await get(server.port, '/polycube/v1/version', { ca: pem('ca.pem') })).toBe(200);
    } finally {
      await server.close();
    }
  });

  describe('with --cacert', () => {
    let server: RestServerHandle;
    beforeAll(async () => {
      server = await startRestServer(EMPTY_DAEMON, {
        port: 0,
        cert: file('server.pem'),
        key: file('server.key'),
        cacert: file('ca.pem'),
      });
    });
    afterAll(() => server.close());

    // A client certificate signed by the CA is let in.
    it('accepts a client certificate signed by the CA', async () => {
      const status = await get(server.port, '/polycube/v1/cubes', {
        ca: pem('ca.pem'),
        cert: pem('client.pem'),
        key: pem('client.key'),
      });
      expect(status).toBe(200);
    });

    // No certificate, or one from another CA: the handshake fails and no request is served.
    it.each([
      ['without a client certificate', {}],
      ['with a certificate of another CA', { cert: 'rogue.pem', key: 'rogue.key' }],
    ])('refuses a client %s', async (_name, creds: { cert?: string; key?: string }) => {
      const opts: https.RequestOptions = { ca: pem('ca.pem') };
      if (creds.cert && creds.key) Object.assign(opts, { cert: pem(creds.cert), key: pem(creds.key) });
      const status = await get(server.port, '/polycube/v1/cubes', opts);
      expect(typeof status).toBe('string');
      expect(String(status)).toMatch(/ECONNRESET|EPIPE|CERTIFICATE|ALERT/);
    });
  });

  // Unreadable TLS files fail the start with the file named, instead of serving plain HTTP.
  it('refuses to start when a TLS file cannot be read', async () => {
    await expect(
      startRestServer(EMPTY_DAEMON, { port: 0, cert: file('nope.pem'), key: file('server.key') }),
    ).rejects.toThrow(`cannot read certificate ${file('nope.pem')}: ENOENT`);
  });
});
