// Client-certificate allow and deny lists (polycubed's `--cert-whitelist`, `--cert-blacklist`):
// each names a directory of PEM files or one PEM file; a certificate matches when it is
// byte-for-byte one of them. With a whitelist only listed certificates get in, whoever signed them.

import { createHash, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { cubeError, type CubeError } from '../../common/errors';

/** SHA-256 fingerprints (hex) of the DER of each listed certificate. */
export type CertList = ReadonlySet<string>;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function fingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** The certificates of one PEM text; throws when a block does not parse. */
function certsOfPem(text: string, file: string): string[] {
  return (text.match(PEM_CERT) ?? []).map((pem) => {
    try {
      return fingerprint(new X509Certificate(pem).raw);
    } catch (e) {
      throw new Error(`cannot parse a certificate in ${file}: ${(e as Error).message}`);
    }
  });
}

/**
 * Reads every certificate of `path` (a file, or each regular file of a directory; files holding
 * no PEM certificate are skipped, as a hashed-directory's other files). Throws naming `path`
 * when it cannot be read or holds no certificate, so a typo never means "nobody" or "anybody".
 */
export function loadCertList(path: string, flag: string): CertList {
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .map((f) => join(path, f))
          .filter((f) => statSync(f).isFile())
      : [path];
  } catch (e) {
    throw new Error(`cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const out = new Set<string>();
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'latin1');
    } catch (e) {
      throw new Error(`cannot read ${flag} ${f}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    for (const fp of certsOfPem(text, f)) out.add(fp);
  }
  if (out.size === 0) throw new Error(`${flag} ${path} holds no PEM certificate`);
  return out;
}

/** The lists in force (either may be absent). */
export interface ClientCertLists {
  whitelist?: CertList;
  blacklist?: CertList;
}

/**
 * Undefined when the client certificate of `socket` may pass, else the 403 to answer. With a
 * whitelist: only a listed certificate passes (the CA was not asked). Else the TLS layer already
 * checked the CA, and a blacklisted certificate is refused.
 */
export function checkClientCert(socket: TLSSocket, lists: ClientCertLists): CubeError | undefined {
  if (!lists.whitelist && !lists.blacklist) return undefined;
  const cert = socket.getPeerCertificate();
  const raw = (cert as { raw?: Buffer }).raw;
  if (!raw || raw.length === 0) return cubeError('CUBE_ERR_CERT_REFUSED', { why: 'is missing' });
  const subject = JSON.stringify(new X509Certificate(raw).subject.replace(/\n/g, ', '));
  const fp = fingerprint(raw);
  if (lists.whitelist && !lists.whitelist.has(fp)) {
    return cubeError('CUBE_ERR_CERT_REFUSED', { why: `${subject} is not on --cert-whitelist` });
  }
  if (!lists.whitelist && lists.blacklist?.has(fp)) {
    return cubeError('CUBE_ERR_CERT_REFUSED', { why: `${subject} is on --cert-blacklist` });
  }
  return undefined;
}
