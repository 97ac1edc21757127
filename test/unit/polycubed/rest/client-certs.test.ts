// Client-certificate lists read from PEM files and directories (every certificate of every
// regular file; a bad block or an empty list stops the start), and the decision on a
// connection's certificate: whitelist alone decides when given, else the blacklist refuses.
// Certificates are made with openssl per run (required, as in rest-tls.test.ts).

import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { checkClientCert, loadCertList } from '../../../../src/polycubed/rest/client-certs';

let dir: string;
const file = (name: string): string => join(dir, name);
/** SHA-256 of the certificate's DER, computed here from the PEM text. */
const fp = (name: string): string =>
  createHash('sha256')
    .update(new X509Certificate(readFileSync(file(`${name}.pem`))).raw)
    .digest('hex');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rm-client-certs-'));
  for (const [name, subj] of [
    ['a', '/CN=alpha'],
    ['b', '/O=Ops Team/CN=beta'],
    ['c', '/CN=gamma'],
  ]) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.pem`,
        '-days',
        '1',
        '-subj',
        subj,
      ],
      { cwd: dir, stdio: 'ignore' },
    );
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadCertList', () => {
  it('reads every certificate of a file, with text around the blocks', () => {
    const two = file('two.pem');
    writeFileSync(
      two,
      `subject=alpha\n${readFileSync(file('a.pem'), 'utf8')}\nnote\n${readFileSync(file('b.pem'), 'utf8')}`,
    );
    expect([...loadCertList(two, '--cert-whitelist')].sort()).toEqual([fp('a'), fp('b')].sort());
    expect([...loadCertList(file('c.pem'), '--x')]).toEqual([fp('c')]);
  });

  it('reads the regular files of a directory, skipping those without a certificate and subfolders', () => {
    const d = file('dir');
    mkdirSync(d);
    mkdirSync(join(d, 'sub'));
    writeFileSync(join(d, 'sub', 'c.pem'), readFileSync(file('c.pem')));
    writeFileSync(join(d, 'a.pem'), readFileSync(file('a.pem')));
    writeFileSync(join(d, 'b.crt'), readFileSync(file('b.pem')));
    writeFileSync(join(d, 'index.txt'), 'no certificate here\n');
    writeFileSync(join(d, 'a.key'), readFileSync(file('a.key')));
    expect([...loadCertList(d, '--cert-blacklist')].sort()).toEqual([fp('a'), fp('b')].sort());
  });

  it('names the flag and the path when it cannot read, finds nothing, or a block does not parse', () => {
    expect(() => loadCertList(file('missing'), '--cert-whitelist')).toThrow(
      `cannot read --cert-whitelist ${file('missing')}: ENOENT`,
    );
    const empty = file('empty-dir');
    mkdirSync(empty);
    expect(() => loadCertList(empty, '--cert-blacklist')).toThrow(
      `--cert-blacklist ${empty} holds no PEM certificate`,
    );
    expect(() => loadCertList(file('a.key'), '--w')).toThrow(`--w ${file('a.key')} holds no PEM certificate`);
    const broken = file('broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(() => loadCertList(broken, '--w')).toThrow(
      new RegExp(`^cannot parse a certificate in ${broken}: .`),
    );
  });
});

describe('checkClientCert', () => {
  /** A TLS socket whose peer certificate is `name`'s (or none), counting the lookups. */
  const socket = (name?: string, raw?: Buffer): TLSSocket & { asked: number } => {
    const s = {
      asked: 0,
      getPeerCertificate() {
        s.asked++;
        return name
          ? { raw: new X509Certificate(readFileSync(file(`${name}.pem`))).raw }
          : raw
            ? { raw }
            : {};
      },
    };
    return s as unknown as TLSSocket & { asked: number };
  };

  it('asks nothing when no list is in force', () => {
    const s = socket('a');
    expect(checkClientCert(s, {})).toBeUndefined();
    expect(s.asked).toBe(0);
  });

  it('with a whitelist, lets in exactly its certificates, whatever the blacklist says', () => {
    const whitelist = new Set([fp('a'), fp('b')]);
    expect(checkClientCert(socket('a'), { whitelist, blacklist: new Set([fp('a')]) })).toBeUndefined();
    expect(checkClientCert(socket('b'), { whitelist })).toBeUndefined();
    expect(checkClientCert(socket('c'), { whitelist })?.message).toBe(
      'permission denied: the client certificate "CN=gamma" is not on --cert-whitelist',
    );
  });

  it('with a blacklist only, refuses its certificates and lets the others in', () => {
    const blacklist = new Set([fp('b')]);
    expect(checkClientCert(socket('b'), { blacklist })?.message).toBe(
      'permission denied: the client certificate "O=Ops Team, CN=beta" is on --cert-blacklist',
    );
    expect(checkClientCert(socket('a'), { blacklist })).toBeUndefined();
  });

  it('refuses a connection without a certificate when a list is in force', () => {
    for (const lists of [{ whitelist: new Set([fp('a')]) }, { blacklist: new Set([fp('a')]) }]) {
      expect(checkClientCert(socket(), lists)?.message).toBe(
        'permission denied: the client certificate is missing',
      );
      expect(checkClientCert(socket(undefined, Buffer.alloc(0)), lists)?.message).toBe(
        'permission denied: the client certificate is missing',
      );
    }
  });
});
