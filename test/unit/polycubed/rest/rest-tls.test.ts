// The REST server speaks HTTPS with --cert/--key, with --cacert refuses every client that does
// not present a certificate signed by that CA, and honours --cert-whitelist / --cert-blacklist.
// Certificates are made with openssl per run; the daemon is a stub (transport only), so no root
// is needed. openssl is required, not optional (scripts/ensure-deps.sh installs it): without it
// these tests fail rather than skip.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  issue('client2', 'ca');
  issue('rogue', 'rogue-ca');
}

/** GET `path` over HTTPS; resolves with the status or the error code of a refused handshake. */
function get(port: number, path: string, opts: https.RequestOptions): Promise<number | string> {
  return getWithBody(port, path, opts).then((r) => (typeof r === 'string' ? r : r.status));
}

/** GET `path` over HTTPS; resolves with status and body, or the error code of a refused handshake. */
function getWithBody(
  port: number,
  path: string,
  opts: https.RequestOptions,
): Promise<{ status: number; body: string } | string> {
  return new Promise((resolve) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false, ...opts },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
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
      // The status page is served over the same TLS listener.
      expect(server.uiUrl).toBe(`https://127.0.0.1:${server.port}/ui/`);
      expect(await get(server.port, '/ui/', { ca: pem('ca.pem') })).toBe(200);
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

  // --cert-whitelist (a directory here, with a non-certificate file in it): exactly the listed
  // certificates get in, even one whose CA the server does not trust; others get a 403 naming them.
  describe('with --cert-whitelist', () => {
    let server: RestServerHandle;
    beforeAll(async () => {
      const allow = file('allow');
      mkdirSync(allow);
      copyFileSync(file('client.pem'), join(allow, 'client.pem'));
      copyFileSync(file('rogue.pem'), join(allow, 'rogue.pem'));
      writeFileSync(join(allow, 'README'), 'not a certificate\n');
      server = await startRestServer(EMPTY_DAEMON, {
        port: 0,
        cert: file('server.pem'),
        key: file('server.key'),
        cacert: file('ca.pem'),
        certWhitelist: allow,
      });
    });
    afterAll(() => server.close());

    it.each([
      ['client', 200, ''],
      ['rogue', 200, ''],
      ['client2', 403, 'permission denied: the client certificate "CN=client2" is not on --cert-whitelist'],
      ['', 403, 'permission denied: the client certificate is missing'],
    ])('answers %j with %d', async (name, status, body) => {
      const opts: https.RequestOptions = { ca: pem('ca.pem') };
      if (name) Object.assign(opts, { cert: pem(`${name}.pem`), key: pem(`${name}.key`) });
      const got = await getWithBody(server.port, '/polycube/v1/version', opts);
      expect(typeof got === 'string' ? got : got.status).toBe(status);
      if (body && typeof got !== 'string') expect(got.body).toBe(body);
    });
  });

  // --cert-blacklist with --cacert: a listed certificate is refused although the CA signed it.
  it('refuses a blacklisted certificate signed by the CA', async () => {
    const server = await startRestServer(EMPTY_DAEMON, {
      port: 0,
      cert: file('server.pem'),
      key: file('server.key'),
      cacert: file('ca.pem'),
      certBlacklist: file('client2.pem'),
    });
    try {
      const as = (name: string): https.RequestOptions => ({
        ca: pem('ca.pem'),
        cert: pem(`${name}.pem`),
        key: pem(`${name}.key`),
      });
      expect(await getWithBody(server.port, '/polycube/v1/version', as('client2'))).toEqual({
        status: 403,
        body: 'permission denied: the client certificate "CN=client2" is on --cert-blacklist',
      });
      expect(await get(server.port, '/polycube/v1/version', as('client'))).toBe(200);
    } finally {
      await server.close();
    }
  });

  // A list that cannot be read, or holds no certificate, stops the start instead of meaning "anyone".
  it('refuses to start with an unreadable or empty certificate list', async () => {
    const tls = { port: 0, cert: file('server.pem'), key: file('server.key'), cacert: file('ca.pem') };
    await expect(startRestServer(EMPTY_DAEMON, { ...tls, certWhitelist: file('nope') })).rejects.toThrow(
      `cannot read --cert-whitelist ${file('nope')}: ENOENT`,
    );
    await expect(startRestServer(EMPTY_DAEMON, { ...tls, certBlacklist: file('san.ext') })).rejects.toThrow(
      `--cert-blacklist ${file('san.ext')} holds no PEM certificate`,
    );
  });

  // Unreadable TLS files fail the start with the file named, instead of serving plain HTTP.
  it('refuses to start when a TLS file cannot be read', async () => {
    await expect(
      startRestServer(EMPTY_DAEMON, { port: 0, cert: file('nope.pem'), key: file('server.key') }),
    ).rejects.toThrow(`cannot read certificate ${file('nope.pem')}: ENOENT`);
  });
});
