// The agent's side of enrollment: its own key pair (never leaves the agent), the CSR sent to the
// controller, and when to renew the short-lived certificate.
import { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

/** A WebCrypto key pair (ECDSA P-256). */
export type AgentKeyPair = webcrypto.CryptoKeyPair;

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Fraction of a certificate's lifetime after which the agent renews it. */
export const RENEW_AT_FRACTION = 2 / 3;

/** Generates the agent's EC P-256 key pair (extractable, so it can be written to disk as PKCS#8). */
export async function generateAgentKey(): Promise<AgentKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as AgentKeyPair;
}

/** Creates a PEM CSR signed with `keys.privateKey` (ECDSA SHA-256) and subject CN `agentName`. */
export async function createCsr(keys: AgentKeyPair, agentName: string): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [agentName] }],
    keys,
    signingAlgorithm: SIGNING,
  });
  return csr.toString('pem') + '\n';
}

/** Exports a private key as PKCS#8 PEM, the form `tls.connect({ key })` and `https.request` accept. */
export async function keyToPem(privateKey: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', privateKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

/** Imports a PKCS#8 PEM EC P-256 private key written by `keyToPem` (for signing renewal CSRs). */
export async function keyFromPem(keyPem: string): Promise<AgentKeyPair> {
  const der = x509.PemConverter.decodeFirst(keyPem);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, EC_P256, true, ['sign']);
  // Recover the public half through JWK (drop the private scalar `d`).
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
  const { d: _d, key_ops: _ops, ...pub } = jwk;
  const publicKey = await webcrypto.subtle.importKey('jwk', pub, EC_P256, true, ['verify']);
  return { privateKey, publicKey };
}

/**
 * True once `nowMs` is past 2/3 of the certificate lifetime from `issuedAtMs` to `notAfterMs`
 * (all Unix epoch ms), or when the lifetime is empty or already over.
 */
export function shouldRenew(notAfterMs: number, issuedAtMs: number, nowMs: number): boolean {
  const lifetimeMs = notAfterMs - issuedAtMs;
  if (!(lifetimeMs > 0)) return true;
  return nowMs >= issuedAtMs + lifetimeMs * RENEW_AT_FRACTION;
}

/** Delay in ms from `nowMs` until `shouldRenew` turns true (0 if it already is). */
export function renewDelayMs(notAfterMs: number, issuedAtMs: number, nowMs: number): number {
  const lifetimeMs = notAfterMs - issuedAtMs;
  if (!(lifetimeMs > 0)) return 0;
  return Math.max(0, issuedAtMs + lifetimeMs * RENEW_AT_FRACTION - nowMs);
}
