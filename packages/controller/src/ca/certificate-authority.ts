// The controller's certificate authority: an EC P-256 root that issues the controller's own
// server certificate and short-lived client certificates to enrolled agents (CSR based).
import { createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type { X509Certificate as NodeX509Certificate } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { CaError } from './errors.ts';

x509.cryptoProvider.set(globalThis.crypto);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** Wall-clock time source (Unix epoch ms), injected so expiry is tested without waiting. */
export interface CaClock {
  nowMs(): number;
}

/** Prefix of the URI SAN that carries an agent's id in its client certificate. */
export const AGENT_URI_PREFIX = 'urn:stampede:agent:';
/** Validity of a root CA created by `CertificateAuthority.create`, in ms (10 years). */
export const CA_VALIDITY_MS = 10 * 365.25 * 24 * 3600 * 1000;
/** Default validity of an agent client certificate, in ms (1 hour). */
export const DEFAULT_CLIENT_VALIDITY_MS = 3600 * 1000;
/** Default validity of the controller's server certificate, in ms (90 days). */
export const DEFAULT_SERVER_VALIDITY_MS = 90 * 24 * 3600 * 1000;
/** Backdating of notBefore to tolerate clock skew between controller and agents, in ms. */
export const CLOCK_SKEW_MS = 60 * 1000;
/** Largest CSR accepted, in characters of PEM. */
export const MAX_CSR_PEM_CHARS = 16 * 1024;

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const AGENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MIN_RSA_BITS = 2048;

/** The CA in persistable form: certificate and PKCS#8 private key, both PEM. */
export interface CaPem {
  certPem: string;
  keyPem: string;
}

/** A certificate and its private key (PKCS#8 PEM), ready for `https.createServer({ cert, key })`. */
export interface IssuedKeyPair {
  certPem: string;
  keyPem: string;
  serial: string;
  notAfterMs: number;
}

/** A client certificate issued from a CSR; `serial` is lowercase hex, `notAfterMs` Unix epoch ms. */
export interface IssuedClientCertificate {
  certPem: string;
  serial: string;
  notBeforeMs: number;
  notAfterMs: number;
}

/** The identity proven by a verified client certificate; `notAfterMs` is Unix epoch ms. */
export interface VerifiedAgent {
  agentId: string;
  serial: string;
  notAfterMs: number;
}

/** Revocation lookup by lowercase hex serial, typically backed by the store. */
export interface RevocationCheck {
  isRevoked(serial: string): boolean | Promise<boolean>;
}

function pemEncode(der: ArrayBuffer, label: string): string {
  return x509.PemConverter.encode(der, label) + '\n';
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40; // positive, no leading zero byte, 127 random bits
  return bytes.toString('hex');
}

/** Returns the certificate's serial in the normalized form used for revocation (lowercase hex). */
export function normalizeSerial(serial: string): string {
  return serial.toLowerCase().replace(/^(00)+(?=[0-9a-f])/, '');
}

function assertValidity(validityMs: number): void {
  if (!Number.isFinite(validityMs) || validityMs <= 0) {
    throw new CaError('INVALID_VALIDITY', 'validityMs must be a positive number', { validityMs });
  }
}

function parseCsr(csrPem: string): x509.Pkcs10CertificateRequest {
  if (typeof csrPem !== 'string' || csrPem.length > MAX_CSR_PEM_CHARS) {
    throw new CaError('INVALID_CSR', 'CSR must be a PEM string of at most 16 KiB');
  }
  if (!csrPem.includes('-----BEGIN CERTIFICATE REQUEST-----')) {
    throw new CaError('INVALID_CSR', 'CSR is not a PEM "CERTIFICATE REQUEST"');
  }
  try {
    return new x509.Pkcs10CertificateRequest(csrPem);
  } catch (err) {
    throw new CaError('INVALID_CSR', 'CSR does not parse', { cause: String(err) });
  }
}

/** Checks the CSR's key type (EC P-256/384/521 or RSA ≥ 2048 bits); returns it for logging. */
function checkCsrKey(csr: x509.Pkcs10CertificateRequest): string {
  let key;
  try {
    key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  } catch (err) {
    throw new CaError('INVALID_CSR', 'CSR public key does not parse', { cause: String(err) });
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve ?? '';
    if (!['prime256v1', 'secp384r1', 'secp521r1'].includes(curve)) {
      throw new CaError('INVALID_CSR', `EC curve ${curve} is not accepted`, { curve });
    }
    return `ec ${curve}`;
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      throw new CaError('INVALID_CSR', `RSA key of ${bits} bits is too small`, { bits });
    }
    return `rsa ${bits}`;
  }
  throw new CaError('INVALID_CSR', `key type ${key.asymmetricKeyType} is not accepted (EC or RSA)`);
}

function toPeculiar(cert: string | NodeX509Certificate): x509.X509Certificate {
  try {
    return typeof cert === 'string'
      ? new x509.X509Certificate(cert)
      : new x509.X509Certificate(cert.raw);
  } catch (err) {
    throw new CaError('CERT_INVALID', 'client certificate does not parse', { cause: String(err) });
  }
}

function agentIdOf(cert: x509.X509Certificate): string | undefined {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const uris = (san?.names.toJSON() ?? []).filter(
    (n) => n.type === 'url' && n.value.startsWith(AGENT_URI_PREFIX),
  );
  if (uris.length !== 1 || uris[0] === undefined) return undefined;
  const id = uris[0].value.slice(AGENT_URI_PREFIX.length);
  return AGENT_ID.test(id) ? id : undefined;
}

/** The parsed CSR once its key type and signature (proof of key possession) check out. */
async function verifiedCsr(csrPem: string): Promise<x509.Pkcs10CertificateRequest> {
  const csr = parseCsr(csrPem);
  checkCsrKey(csr);
  let valid = false;
  try {
    valid = await csr.verify();
  } catch (err) {
    throw new CaError('INVALID_CSR', 'CSR signature cannot be verified', { cause: String(err) });
  }
  if (!valid) throw new CaError('INVALID_CSR', 'CSR signature does not verify');
  return csr;
}

/** A root CA held in memory; create it once, persist it with `toPem`, reload it with `fromPem`. */
export class CertificateAuthority {
  readonly #cert: x509.X509Certificate;
  readonly #privateKey: CryptoKey;
  readonly #clock: CaClock;
  readonly #certPem: string;

  private constructor(cert: x509.X509Certificate, privateKey: CryptoKey, clock: CaClock) {
    this.#cert = cert;
    this.#privateKey = privateKey;
    this.#clock = clock;
    this.#certPem = cert.toString('pem') + '\n';
  }

  /** Creates a self-signed EC P-256 root valid for 10 years (notBefore backdated by 1 min). */
  static async create(opts: { commonName: string; clock: CaClock }): Promise<CertificateAuthority> {
    const keys = (await webcrypto.subtle.generateKey(EC_P256, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const now = opts.clock.nowMs();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: [{ CN: [opts.commonName] }],
      notBefore: new Date(now - CLOCK_SKEW_MS),
      notAfter: new Date(now + CA_VALIDITY_MS),
      signingAlgorithm: SIGNING,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new CertificateAuthority(cert, keys.privateKey, opts.clock);
  }

  /** Loads a CA persisted by `toPem` (certificate PEM and PKCS#8 private key PEM). */
  static async fromPem(
    certPem: string,
    keyPem: string,
    opts: { clock: CaClock },
  ): Promise<CertificateAuthority> {
    let cert: x509.X509Certificate;
    let privateKey: CryptoKey;
    try {
      cert = new x509.X509Certificate(certPem);
      const der = x509.PemConverter.decodeFirst(keyPem);
      privateKey = await webcrypto.subtle.importKey('pkcs8', der, EC_P256, true, ['sign']);
    } catch (err) {
      throw new CaError('INVALID_CA', 'CA certificate or key PEM is unusable', {
        cause: String(err),
      });
    }
    const bc = cert.getExtension(x509.BasicConstraintsExtension);
    if (!bc?.ca || !(await cert.isSelfSigned())) {
      throw new CaError('INVALID_CA', 'certificate is not a self-signed CA certificate');
    }
    // Prove the key belongs to the certificate: sign a challenge and verify with the cert's key.
    const challenge = randomBytes(32);
    const publicKey = await cert.publicKey.export(EC_P256, ['verify']);
    const sig = await webcrypto.subtle.sign(SIGNING, privateKey, challenge);
    if (!(await webcrypto.subtle.verify(SIGNING, publicKey, sig, challenge))) {
      throw new CaError('INVALID_CA', 'private key does not match the CA certificate');
    }
    return new CertificateAuthority(cert, privateKey, opts.clock);
  }

  /** The CA certificate as PEM, to hand to agents and to use as `ca` in TLS options. */
  get certPem(): string {
    return this.#certPem;
  }

  /** The CA's notAfter as Unix epoch ms. */
  get notAfterMs(): number {
    return this.#cert.notAfter.getTime();
  }

  /** Exports certificate and private key (PKCS#8) as PEM for persistence; keep `keyPem` secret. */
  async toPem(): Promise<CaPem> {
    const der = await webcrypto.subtle.exportKey('pkcs8', this.#privateKey);
    return { certPem: this.#certPem, keyPem: pemEncode(der, 'PRIVATE KEY') };
  }

  #window(validityMs: number): { notBefore: Date; notAfter: Date } {
    assertValidity(validityMs);
    const now = this.#clock.nowMs();
    const notAfterMs = Math.min(now + validityMs, this.notAfterMs); // never outlive the CA
    return { notBefore: new Date(now - CLOCK_SKEW_MS), notAfter: new Date(notAfterMs) };
  }

  async #issue(
    subjectCn: string,
    publicKey: x509.PublicKeyType,
    validityMs: number,
    extensions: x509.Extension[],
  ): Promise<x509.X509Certificate> {
    const serialNumber = randomSerial();
    return x509.X509CertificateGenerator.create({
      serialNumber,
      subject: [{ CN: [subjectCn] }],
      issuer: this.#cert.subjectName,
      ...this.#window(validityMs),
      signingAlgorithm: SIGNING,
      publicKey,
      signingKey: this.#privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        await x509.AuthorityKeyIdentifierExtension.create(this.#cert.publicKey),
        await x509.SubjectKeyIdentifierExtension.create(publicKey),
        ...extensions,
      ],
    });
  }

  /** Issues the controller's HTTPS server certificate with a fresh EC P-256 key; `hosts` become IP or DNS SANs. */
  async issueServerCertificate(opts: {
    hosts: readonly string[];
    validityMs?: number;
  }): Promise<IssuedKeyPair> {
    const first = opts.hosts[0];
    if (first === undefined) throw new CaError('INVALID_HOSTS', 'hosts must not be empty');
    const keys = (await webcrypto.subtle.generateKey(EC_P256, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const names = opts.hosts.map((h) => ({
      type: isIP(h) ? ('ip' as const) : ('dns' as const),
      value: h,
    }));
    const cert = await this.#issue(
      first,
      keys.publicKey,
      opts.validityMs ?? DEFAULT_SERVER_VALIDITY_MS,
      [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names),
      ],
    );
    const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    return {
      certPem: cert.toString('pem') + '\n',
      keyPem: pemEncode(der, 'PRIVATE KEY'),
      serial: normalizeSerial(cert.serialNumber),
      notAfterMs: cert.notAfter.getTime(),
    };
  }

  /** Checks a CSR as `signClientCsr` would (PEM, key type, signature) without signing: INVALID_CSR otherwise. */
  async checkClientCsr(csrPem: string): Promise<void> {
    await verifiedCsr(csrPem);
  }

  /**
   * Signs an agent's CSR after verifying its signature (proof of key possession); only the CSR's
   * public key is used: subject CN and the URI SAN `urn:stampede:agent:<agentId>` come from the
   * controller, never from the CSR. Validity defaults to 1 hour (`validityMs`).
   */
  async signClientCsr(
    csrPem: string,
    opts: { agentId: string; validityMs?: number },
  ): Promise<IssuedClientCertificate> {
    if (!AGENT_ID.test(opts.agentId)) {
      throw new CaError('INVALID_AGENT_ID', 'agentId must match [A-Za-z0-9._-]{1,64}', {
        agentId: opts.agentId,
      });
    }
    const csr = await verifiedCsr(csrPem);
    const cert = await this.#issue(
      opts.agentId,
      csr.publicKey,
      opts.validityMs ?? DEFAULT_CLIENT_VALIDITY_MS,
      [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'url', value: AGENT_URI_PREFIX + opts.agentId },
        ]),
      ],
    );
    return {
      certPem: cert.toString('pem') + '\n',
      serial: normalizeSerial(cert.serialNumber),
      notBeforeMs: cert.notBefore.getTime(),
      notAfterMs: cert.notAfter.getTime(),
    };
  }

  /**
   * Verifies an agent's client certificate (PEM, or `tlsSocket.getPeerX509Certificate()`): issued
   * by this CA, within validity at the injected clock, clientAuth EKU, agent URI SAN, not revoked.
   */
  async verifyClientCertificate(
    cert: string | NodeX509Certificate,
    revocation: RevocationCheck,
  ): Promise<VerifiedAgent> {
    const c = toPeculiar(cert);
    let signedByUs = false;
    if (c.issuer === this.#cert.subject) {
      try {
        signedByUs = await c.verify({ publicKey: this.#cert.publicKey, signatureOnly: true });
      } catch {
        signedByUs = false;
      }
    }
    if (!signedByUs) {
      throw new CaError('CERT_UNKNOWN_CA', 'client certificate was not issued by this CA', {
        issuer: c.issuer,
      });
    }
    const serial = normalizeSerial(c.serialNumber);
    const now = this.#clock.nowMs();
    const notAfterMs = c.notAfter.getTime();
    if (now < c.notBefore.getTime()) {
      throw new CaError('CERT_NOT_YET_VALID', 'client certificate is not valid yet', {
        serial,
        notBeforeMs: c.notBefore.getTime(),
      });
    }
    if (now > notAfterMs) {
      throw new CaError('CERT_EXPIRED', 'client certificate has expired', { serial, notAfterMs });
    }
    const eku = c.getExtension(x509.ExtendedKeyUsageExtension);
    if (!eku?.usages.includes(x509.ExtendedKeyUsage.clientAuth)) {
      throw new CaError('CERT_INVALID', 'client certificate lacks the clientAuth EKU', { serial });
    }
    const bc = c.getExtension(x509.BasicConstraintsExtension);
    if (bc?.ca) throw new CaError('CERT_INVALID', 'a CA certificate is not a client certificate');
    const agentId = agentIdOf(c);
    if (agentId === undefined || c.subjectName.getField('CN')[0] !== agentId) {
      throw new CaError('CERT_INVALID', 'client certificate carries no agent identity', { serial });
    }
    if (await revocation.isRevoked(serial)) {
      throw new CaError('CERT_REVOKED', 'client certificate is revoked', { serial, agentId });
    }
    return { agentId, serial, notAfterMs };
  }
}
