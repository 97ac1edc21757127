// TLS as the real client does it (REST spec §1.1, §8): an https URL with the CA that signed
// polycubed's certificate, an optional client certificate, and Go-worded failures.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli, startRecordingServer, type RecordingServer } from './harness';

let dir: string;
const file = (name: string): string => path.join(dir, name);

/** A throw-away PKI: one CA signing a server certificate for 127.0.0.1 and a client certificate. */
function makePki(): void {
  const ossl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ossl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
  ossl(
    'req',
    '-x509',
    ...key,
    '-keyout',
    'other-ca.key',
    '-out',
    'other-ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=other-ca',
  );
  fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const who of ['server', 'client']) {
    ossl('req', ...key, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
    const ext = who === 'server' ? ['-extfile', 'san.ext'] : [];
    ossl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${who}.pem`,
      '-days',
      '1',
      ...ext,
    );
  }
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcnctl-pki-'));
  makePki();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function withServer(
  requireClientCert: boolean,
  fn: (s: RecordingServer) => Promise<void>,
): Promise<void> {
  const server = await startRecordingServer({
    key: fs.readFileSync(file('server.key')),
    cert: fs.readFileSync(file('server.pem')),
    ca: requireClientCert ? fs.readFileSync(file('ca.pem')) : undefined,
  });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

describe('https', () => {
  // The CA from the config file validates polycubed's certificate.
  test('a server certificate signed by cacert is accepted', async () => {
    await withServer(false, async (server) => {
      server.answer({ status: 200, body: '"multi"' });
      const r = await runCli({
        args: ['lb0', 'port_mode', 'show'],
        config: `url: ${server.base}\ncacert: ${file('ca.pem')}\n`,
      });
      expect([r.stdout, r.code, server.requests.map((q) => `${q.method} ${q.path}`)]).toEqual([
        'multi\n\n',
        0,
        ['GET /polycube/v1/lb0/port_mode/'],
      ]);
    });
  });

  // POLYCUBECTL_CERT/KEY present a client certificate to a server that requires one.
  test('a client certificate is presented', async () => {
    await withServer(true, async (server) => {
      server.answer({ status: 201 });
      const r = await runCli({
        args: ['lbrp', 'add', 'lb0'],
        config: `url: ${server.base}\ncacert: ${file('ca.pem')}\n`,
        env: { POLYCUBECTL_CERT: file('client.pem'), POLYCUBECTL_KEY: file('client.key') },
      });
      expect([r.stdout, r.stderr, r.code, server.requests.length]).toEqual(['', '', 0, 1]);
    });
  });

  // Without a client certificate the handshake fails: a transport error, exit 1.
  test('no client certificate where one is required', async () => {
    await withServer(true, async (server) => {
      const r = await runCli({
        args: ['lb0', 'show'],
        config: `url: ${server.base}\ncacert: ${file('ca.pem')}\n`,
      });
      expect([r.stdout, r.code]).toEqual([
        `Get "${server.base}lb0/": remote error: tls: certificate required\n`,
        1,
      ]);
      expect(server.requests).toEqual([]);
    });
  });

  // A certificate from another CA is refused with Go's wording.
  test('an unknown authority is refused', async () => {
    await withServer(false, async (server) => {
      const r = await runCli({
        args: ['lb0', 'show'],
        config: `url: ${server.base}\ncacert: ${file('other-ca.pem')}\n`,
      });
      expect([r.stdout, r.code]).toEqual([
        `Get "${server.base}lb0/": tls: failed to verify certificate: x509: certificate signed by unknown authority\n`,
        1,
      ]);
    });
  });
});
