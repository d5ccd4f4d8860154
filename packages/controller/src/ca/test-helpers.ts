// Test helpers: what an agent does (mirrors packages/agent/src/enroll/keys.ts, which this package
// may not import) and a clock that moves only when told.
import { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { CaClock } from './certificate-authority.ts';

/** A settable clock for tests; `t` is Unix epoch ms. */
export interface TestClock extends CaClock {
  t: number;
}

/** Returns a clock frozen at `t` (Unix epoch ms; default now, whole seconds as in X.509) until `t` is assigned. */
export function testClock(t: number = Math.floor(Date.now() / 1000) * 1000): TestClock {
  return {
    t,
    nowMs() {
      return this.t;
    },
  };
}

/** Makes a key pair and a CSR like an agent would; `algorithm` picks EC P-256 or RSA of `rsaBits`. */
export async function agentKeyAndCsr(
  name: string,
  opts: { rsaBits?: number } = {},
): Promise<{ keyPem: string; csrPem: string; keys: webcrypto.CryptoKeyPair }> {
  const alg =
    opts.rsaBits === undefined
      ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
      : {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: opts.rsaBits,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        };
  const keys = (await webcrypto.subtle.generateKey(alg, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [name] }],
    keys,
    signingAlgorithm: alg,
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    keys,
    csrPem: csr.toString('pem') + '\n',
    keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n',
  };
}

/** Revocation check that never revokes. */
export const notRevoked = { isRevoked: (): boolean => false };
