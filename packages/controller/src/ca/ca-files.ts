// The CA persisted in the controller's data directory: ca.crt (public, handed to agents) and
// ca.key (PKCS#8, mode 0600). Created on first start, loaded on every later one.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateAuthority, type CaClock } from './certificate-authority.ts';
import { CaError } from './errors.ts';

/** Paths of the CA files under a directory. */
export function caPaths(dir: string): { certFile: string; keyFile: string } {
  return { certFile: join(dir, 'ca.crt'), keyFile: join(dir, 'ca.key') };
}

/** Loads the CA kept in `dir`, or creates and writes one; `created` says which happened. */
export async function loadOrCreateCa(
  dir: string,
  opts: { clock: CaClock; commonName?: string },
): Promise<{ ca: CertificateAuthority; certFile: string; keyFile: string; created: boolean }> {
  const { certFile, keyFile } = caPaths(dir);
  const hasCert = existsSync(certFile);
  const hasKey = existsSync(keyFile);
  if (hasCert && hasKey) {
    const ca = await CertificateAuthority.fromPem(
      readFileSync(certFile, 'utf8'),
      readFileSync(keyFile, 'utf8'),
      { clock: opts.clock },
    );
    return { ca, certFile, keyFile, created: false };
  }
  if (hasCert || hasKey) {
    // Half a CA is a broken installation; making a new one would orphan every enrolled agent.
    throw new CaError('INVALID_CA', `${dir} holds only one of ca.crt and ca.key`, { dir });
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = await CertificateAuthority.create({
    commonName: opts.commonName ?? 'Stampede controller CA',
    clock: opts.clock,
  });
  const pem = await ca.toPem();
  writeFileSync(keyFile, pem.keyPem, { mode: 0o600, flag: 'wx' });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, pem.certPem, { mode: 0o644, flag: 'wx' });
  return { ca, certFile, keyFile, created: true };
}
