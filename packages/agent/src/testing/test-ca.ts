// A certificate authority for the agent's tests, issuing what the controller's CA issues (its
// server certificate; client certificates whose URI SAN names the agent). The controller package
// may not be imported here, so this is a small stand-in built on the same library.
import { webcrypto, randomBytes } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Prefix of the URI SAN carrying an agent's id (as the controller's CA writes it). */
export const AGENT_URI_PREFIX = 'urn:stampede:agent:';

function serial(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x40;
  return b.toString('hex');
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
}

async function pkcs8(key: webcrypto.CryptoKey): Promise<string> {
  return (
    x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY') + '\n'
  );
}

/** A test CA: its certificate, a server certificate for 127.0.0.1, and CSR signing for agents. */
export interface TestCa {
  certPem: string;
  server: { certPem: string; keyPem: string };
  signClient(
    csrPem: string,
    agentId: string,
    validityMs: number,
  ): Promise<{ certPem: string; serial: string; notAfterMs: number }>;
  /** Whether `der` (a peer certificate) was issued by this CA; returns its agent id or null. */
  agentIdOf(der: Buffer): Promise<string | null>;
}

/** Creates a CA valid for a day and a server certificate for 127.0.0.1 and localhost. */
export async function createTestCa(): Promise<TestCa> {
  const now = Date.now();
  const caKeys = await keyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: ['Stampede agent test CA'] }],
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    signingAlgorithm: SIGN,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const issue = async (
    cn: string,
    publicKey: x509.PublicKeyType,
    validityMs: number,
    extensions: x509.Extension[],
  ) =>
    x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: [{ CN: [cn] }],
      issuer: ca.subjectName,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + validityMs),
      signingAlgorithm: SIGN,
      publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
        ...extensions,
      ],
    });
  const serverKeys = await keyPair();
  const serverCert = await issue('127.0.0.1', serverKeys.publicKey, 24 * 3600_000, [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      { type: 'ip', value: '127.0.0.1' },
      { type: 'dns', value: 'localhost' },
    ]),
  ]);
  const caPem = ca.toString('pem') + '\n';
  return {
    certPem: caPem,
    server: {
      certPem: serverCert.toString('pem') + '\n',
      keyPem: await pkcs8(serverKeys.privateKey),
    },
    async signClient(csrPem, agentId, validityMs) {
      const csr = new x509.Pkcs10CertificateRequest(csrPem);
      if (!(await csr.verify())) throw new Error('CSR signature does not verify');
      const cert = await issue(agentId, csr.publicKey, validityMs, [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'url', value: AGENT_URI_PREFIX + agentId },
        ]),
      ]);
      return {
        certPem: cert.toString('pem') + '\n',
        serial: cert.serialNumber.toLowerCase(),
        notAfterMs: cert.notAfter.getTime(),
      };
    },
    async agentIdOf(der) {
      const cert = new x509.X509Certificate(der);
      if (cert.issuer !== ca.subject) return null;
      if (!(await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }))) return null;
      if (cert.notAfter.getTime() < Date.now()) return null;
      const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
      const uri = san?.names
        .toJSON()
        .find((n) => n.type === 'url' && n.value.startsWith(AGENT_URI_PREFIX));
      return uri ? uri.value.slice(AGENT_URI_PREFIX.length) : null;
    },
  };
}
