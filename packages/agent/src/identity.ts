// The agent's identity: its key (made here, never sent), the short-lived certificate the
// controller's CA issued for it (carrying the agent id), and the CA to trust; kept in the data
// directory so a restarted agent is the same generator until its certificate expires.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import {
  ENROLL_PROTOCOL_VERSION,
  EnrollResponseSchema,
  type EnrollResponse,
} from '@stampede/protocol';
import { createCsr, generateAgentKey, keyFromPem, keyToPem } from './enroll/index.ts';
import { ControllerClient, type TlsMaterial } from './controller-client.ts';
import { AgentError, isAgentError } from './errors.ts';

/** Files of the identity in the data directory. */
export const IDENTITY_FILES = {
  meta: 'identity.json',
  key: 'agent-key.pem',
  cert: 'agent-cert.pem',
  ca: 'ca.pem',
} as const;

/** Everything that makes the agent known to one controller; times are Unix epoch ms. */
export interface AgentIdentity {
  agentId: string;
  name: string;
  controllerUrl: string;
  serial: string;
  issuedAtMs: number;
  notAfterMs: number;
  keyPem: string;
  certPem: string;
  caPem: string;
}

/** How the agent decides to trust the controller before it has the CA. */
export interface TrustOptions {
  /** The controller's CA certificate (PEM): verified from the first byte. */
  caPem?: string;
  /** SHA-256 fingerprint of the controller's CA certificate (hex, colons allowed); the CA must be in the server's TLS chain. */
  caFingerprint?: string;
}

/** Reads a stored identity for `controllerUrl`, or null when there is none or it is for another controller. */
export async function loadIdentity(
  dataDir: string,
  controllerUrl: string,
): Promise<AgentIdentity | null> {
  let meta: Omit<AgentIdentity, 'keyPem' | 'certPem' | 'caPem'>;
  try {
    meta = JSON.parse(await readFile(join(dataDir, IDENTITY_FILES.meta), 'utf8')) as typeof meta;
  } catch {
    return null;
  }
  if (normalizeUrl(meta.controllerUrl) !== normalizeUrl(controllerUrl)) return null;
  try {
    const [keyPem, certPem, caPem] = await Promise.all([
      readFile(join(dataDir, IDENTITY_FILES.key), 'utf8'),
      readFile(join(dataDir, IDENTITY_FILES.cert), 'utf8'),
      readFile(join(dataDir, IDENTITY_FILES.ca), 'utf8'),
    ]);
    return { ...meta, keyPem, certPem, caPem };
  } catch {
    return null;
  }
}

/** Writes the identity (key readable by the owner only), each file replaced atomically. */
export async function saveIdentity(dataDir: string, identity: AgentIdentity): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const { keyPem, certPem, caPem, ...meta } = identity;
  await writeAtomic(join(dataDir, IDENTITY_FILES.key), keyPem, 0o600);
  await writeAtomic(join(dataDir, IDENTITY_FILES.cert), certPem, 0o644);
  await writeAtomic(join(dataDir, IDENTITY_FILES.ca), caPem, 0o644);
  await writeAtomic(
    join(dataDir, IDENTITY_FILES.meta),
    `${JSON.stringify(meta, null, 2)}\n`,
    0o644,
  );
}

async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, '').toLowerCase();
}

/** SHA-256 fingerprint of a PEM certificate as lowercase hex without separators. */
export function certFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
}

/**
 * Decides the TLS trust of the enrollment call: the given CA; or the CA in the server's chain
 * whose fingerprint is pinned; or, with neither, any certificate (trust on first use, `warn`ed).
 */
export async function enrollmentTrust(
  controllerUrl: string,
  trust: TrustOptions,
  warn: (message: string) => void,
): Promise<TlsMaterial> {
  if (trust.caPem !== undefined) return { caPem: trust.caPem };
  if (trust.caFingerprint !== undefined) {
    const wanted = trust.caFingerprint.replace(/[:\s]/g, '').toLowerCase();
    const chain = await serverChain(controllerUrl);
    const ca = chain.find((c) => c.fingerprint256.replace(/:/g, '').toLowerCase() === wanted);
    if (!ca) {
      throw new AgentError(
        'UNTRUSTED_CONTROLLER',
        `no certificate with fingerprint ${trust.caFingerprint} in the controller's TLS chain; pass its CA certificate instead`,
      );
    }
    return { caPem: ca.toString() };
  }
  warn(
    `no controller CA given: trusting the certificate ${controllerUrl} presents on first use; pass the CA or its fingerprint to rule out a man in the middle`,
  );
  return { insecure: true };
}

/** The certificates the server at `url` sends in its TLS handshake (leaf first), unverified. */
async function serverChain(url: string): Promise<X509Certificate[]> {
  const u = new URL(url);
  const port = Number(u.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port,
      rejectUnauthorized: false,
      ...(/^[\d.]+$|:/.test(u.hostname) ? {} : { servername: u.hostname }),
    });
    socket.setTimeout(10_000, () =>
      socket.destroy(new AgentError('TIMEOUT', `no TLS handshake with ${url}`)),
    );
    socket.once('error', (error) => reject(new AgentError('NETWORK', (error as Error).message)));
    socket.once('secureConnect', () => {
      const out: X509Certificate[] = [];
      const seen = new Set<string>();
      let cert: PeerCertificate | undefined = socket.getPeerCertificate(true);
      while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        out.push(new X509Certificate(cert.raw));
        cert = (cert as PeerCertificate & { issuerCertificate?: PeerCertificate })
          .issuerCertificate;
      }
      socket.destroy();
      resolve(out);
    });
  });
}

/** Enrolls with a join token: new key, CSR, `POST /agent/v1/enroll`; returns the identity (not yet saved). */
export async function enroll(opts: {
  controllerUrl: string;
  joinToken: string;
  name: string;
  trust: TlsMaterial;
}): Promise<AgentIdentity> {
  const keys = await generateAgentKey();
  const csrPem = await createCsr(keys, opts.name);
  const client = new ControllerClient(opts.controllerUrl, opts.trust);
  let res: EnrollResponse;
  try {
    // Not retried: a join token is single use, and a lost answer cannot be asked for again.
    res = await client.json({
      method: 'POST',
      path: '/agent/v1/enroll',
      body: {
        protocolVersion: ENROLL_PROTOCOL_VERSION,
        joinToken: opts.joinToken,
        agentName: opts.name,
        csrPem,
      },
      schema: EnrollResponseSchema,
      timeoutMs: 30_000,
      idempotent: false,
    });
  } catch (error) {
    if (isAgentError(error, 'HTTP_STATUS')) {
      throw new AgentError('ENROLL_FAILED', `enrollment refused: ${error.message}`, error.details);
    }
    throw error;
  } finally {
    await client.close();
  }
  const identity: AgentIdentity = {
    agentId: res.agentId,
    name: opts.name,
    controllerUrl: opts.controllerUrl,
    serial: res.serial,
    issuedAtMs: res.issuedAtMs,
    notAfterMs: res.notAfterMs,
    keyPem: await keyToPem(keys.privateKey),
    certPem: res.certPem,
    caPem: res.caPem,
  };
  checkIssued(identity);
  if (
    opts.trust.caPem !== undefined &&
    certFingerprint(opts.trust.caPem) !== certFingerprint(res.caPem)
  ) {
    throw new AgentError(
      'UNTRUSTED_CONTROLLER',
      'the controller answered with another CA than the one trusted',
    );
  }
  return identity;
}

/** Renews the certificate over mutual TLS with the same key (`POST /agent/v1/renew`). */
export async function renew(
  client: ControllerClient,
  identity: AgentIdentity,
): Promise<AgentIdentity> {
  const csrPem = await createCsr(await keyFromPem(identity.keyPem), identity.name);
  let res: EnrollResponse;
  try {
    res = await client.json({
      method: 'POST',
      path: '/agent/v1/renew',
      body: { protocolVersion: ENROLL_PROTOCOL_VERSION, csrPem },
      schema: EnrollResponseSchema,
      timeoutMs: 15_000,
      // Asking twice only issues a second certificate for the same key.
      idempotent: true,
    });
  } catch (error) {
    if (isAgentError(error, 'HTTP_STATUS') && Number(error.details['status']) < 500) {
      throw new AgentError('ENROLL_FAILED', `renewal refused: ${error.message}`, error.details);
    }
    throw error;
  }
  if (res.agentId !== identity.agentId) {
    throw new AgentError(
      'INVALID_RESPONSE',
      `renewal answered for agent ${res.agentId}, not ${identity.agentId}`,
    );
  }
  const next: AgentIdentity = {
    ...identity,
    serial: res.serial,
    issuedAtMs: res.issuedAtMs,
    notAfterMs: res.notAfterMs,
    certPem: res.certPem,
    caPem: res.caPem,
  };
  checkIssued(next);
  return next;
}

/** Checks that the certificate was issued by the CA and holds the agent's public key. */
function checkIssued(identity: AgentIdentity): void {
  const cert = new X509Certificate(identity.certPem);
  const ca = new X509Certificate(identity.caPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    throw new AgentError(
      'INVALID_RESPONSE',
      'the certificate was not issued by the CA the controller sent',
    );
  }
  if (!cert.checkPrivateKey(createPrivateKey(identity.keyPem))) {
    throw new AgentError('INVALID_RESPONSE', "the certificate does not hold this agent's key");
  }
}
