import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate as NodeX509 } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { CertificateAuthority, AGENT_URI_PREFIX, CLOCK_SKEW_MS } from './certificate-authority.ts';
import { CaError } from './errors.ts';
import { agentKeyAndCsr, notRevoked, testClock } from './test-helpers.ts';

function rejectsWith(code: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof CaError, `expected CaError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

test('CSR round trip: the issued certificate verifies and carries the agentId', async () => {
  const clock = testClock();
  const ca = await CertificateAuthority.create({ commonName: 'Stampede test CA', clock });
  const { csrPem } = await agentKeyAndCsr('agent-name-from-csr');
  const issued = await ca.signClientCsr(csrPem, { agentId: 'ag_123' });

  assert.equal(issued.notAfterMs, clock.t + 3600_000);
  assert.equal(issued.notBeforeMs, clock.t - CLOCK_SKEW_MS);
  assert.match(issued.serial, /^[0-9a-f]{32}$/);

  // Cross-check with OpenSSL (node:crypto), not only with the library that made it.
  const cert = new NodeX509(issued.certPem);
  assert.ok(cert.checkIssued(new NodeX509(ca.certPem)));
  assert.ok(cert.verify(new NodeX509(ca.certPem).publicKey));
  assert.equal(cert.subject, 'CN=ag_123'); // from the controller, not from the CSR
  assert.equal(cert.subjectAltName, `URI:${AGENT_URI_PREFIX}ag_123`);
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.equal(cert.ca, false);

  const verified = await ca.verifyClientCertificate(issued.certPem, notRevoked);
  assert.deepEqual(verified, {
    agentId: 'ag_123',
    serial: issued.serial,
    notAfterMs: issued.notAfterMs,
  });
  // Also accepts a node:crypto X509Certificate, as getPeerX509Certificate() returns.
  assert.equal((await ca.verifyClientCertificate(cert, notRevoked)).agentId, 'ag_123');
});

test('CA certificate: P-256, ECDSA SHA-256, CA:TRUE, 10 years', async () => {
  const clock = testClock(Date.UTC(2030, 0, 1));
  const ca = await CertificateAuthority.create({ commonName: 'Stampede CA', clock });
  const cert = new NodeX509(ca.certPem);
  assert.equal(cert.ca, true);
  assert.equal(cert.subject, 'CN=Stampede CA');
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const parsed = new x509.X509Certificate(ca.certPem);
  const sigAlg = parsed.signatureAlgorithm as unknown as { name: string; hash?: { name: string } };
  assert.equal(sigAlg.name, 'ECDSA');
  assert.equal(sigAlg.hash?.name, 'SHA-256');
  const years = (ca.notAfterMs - clock.t) / (365.25 * 24 * 3600 * 1000);
  assert.equal(Math.round(years), 10);
});

test('toPem/fromPem: a reloaded CA verifies certificates issued before, and issues new ones', async () => {
  const clock = testClock();
  const ca = await CertificateAuthority.create({ commonName: 'persist', clock });
  const { csrPem } = await agentKeyAndCsr('a');
  const before = await ca.signClientCsr(csrPem, { agentId: 'a1' });
  const { certPem, keyPem } = await ca.toPem();
  assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----/);

  const again = await CertificateAuthority.fromPem(certPem, keyPem, { clock });
  assert.equal(again.certPem, ca.certPem);
  assert.equal((await again.verifyClientCertificate(before.certPem, notRevoked)).agentId, 'a1');
  const after = await again.signClientCsr(csrPem, { agentId: 'a1' });
  assert.equal((await ca.verifyClientCertificate(after.certPem, notRevoked)).agentId, 'a1');

  const other = await (await CertificateAuthority.create({ commonName: 'other', clock })).toPem();
  await assert.rejects(
    CertificateAuthority.fromPem(certPem, other.keyPem, { clock }),
    rejectsWith('INVALID_CA'),
  );
  await assert.rejects(
    CertificateAuthority.fromPem('garbage', keyPem, { clock }),
    rejectsWith('INVALID_CA'),
  );
});

test('server certificate: IP and DNS SANs, serverAuth, chains to the CA', async () => {
  const ca = await CertificateAuthority.create({ commonName: 'srv', clock: testClock() });
  const srv = await ca.issueServerCertificate({
    hosts: ['127.0.0.1', 'localhost', '::1'],
    validityMs: 86_400_000,
  });
  const cert = new NodeX509(srv.certPem);
  assert.ok(cert.checkIssued(new NodeX509(ca.certPem)));
  assert.equal(
    cert.subjectAltName,
    'IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1',
  );
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(cert.checkHost('localhost'), 'localhost');
  assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(srv.keyPem)));
  // A server certificate is not an agent certificate.
  await assert.rejects(
    ca.verifyClientCertificate(srv.certPem, notRevoked),
    rejectsWith('CERT_INVALID'),
  );
});

test('RSA CSRs of 2048 bits are accepted, smaller ones refused', async () => {
  const ca = await CertificateAuthority.create({ commonName: 'rsa', clock: testClock() });
  const ok = await agentKeyAndCsr('r', { rsaBits: 2048 });
  const issued = await ca.signClientCsr(ok.csrPem, { agentId: 'rsa-agent' });
  assert.equal(new NodeX509(issued.certPem).publicKey.asymmetricKeyType, 'rsa');
  const weak = await agentKeyAndCsr('r', { rsaBits: 1024 });
  await assert.rejects(ca.signClientCsr(weak.csrPem, { agentId: 'x' }), rejectsWith('INVALID_CSR'));
});

test('bad input: garbage CSR, tampered CSR, bad agentId, bad validity', async () => {
  const ca = await CertificateAuthority.create({ commonName: 'bad', clock: testClock() });
  for (const garbage of [
    '',
    'hello',
    '-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n-----END CERTIFICATE REQUEST-----\n',
    ca.certPem, // a certificate is not a CSR
    'x'.repeat(100_000),
  ]) {
    await assert.rejects(ca.signClientCsr(garbage, { agentId: 'a' }), rejectsWith('INVALID_CSR'));
  }

  // Signature mismatch: B's signed request body, with A's public key spliced in.
  const a = new x509.Pkcs10CertificateRequest((await agentKeyAndCsr('same')).csrPem);
  const b = new x509.Pkcs10CertificateRequest((await agentKeyAndCsr('same')).csrPem);
  const aDer = Buffer.from(a.rawData);
  const bDer = Buffer.from(b.rawData);
  const aKey = Buffer.from(a.publicKey.rawData);
  const bKey = Buffer.from(b.publicKey.rawData);
  const at = bDer.indexOf(bKey);
  assert.ok(at > 0 && aDer.includes(aKey));
  const tampered = Buffer.concat([bDer.subarray(0, at), aKey, bDer.subarray(at + bKey.length)]);
  const tamperedPem = x509.PemConverter.encode(tampered, 'CERTIFICATE REQUEST');
  await assert.rejects(ca.signClientCsr(tamperedPem, { agentId: 'a' }), rejectsWith('INVALID_CSR'));

  const { csrPem } = await agentKeyAndCsr('ok');
  for (const agentId of ['', 'has space', 'CN=evil,O=x', 'a'.repeat(65), 'ü']) {
    await assert.rejects(ca.signClientCsr(csrPem, { agentId }), rejectsWith('INVALID_AGENT_ID'));
  }
  for (const validityMs of [0, -1, Number.NaN, Infinity]) {
    await assert.rejects(
      ca.signClientCsr(csrPem, { agentId: 'a', validityMs }),
      rejectsWith('INVALID_VALIDITY'),
    );
  }
});

test('verifyClientCertificate: expiry, not-yet-valid, revocation and foreign CA by code', async () => {
  const clock = testClock();
  const ca = await CertificateAuthority.create({ commonName: 'v', clock });
  const foreign = await CertificateAuthority.create({ commonName: 'v', clock }); // same name!
  const { csrPem } = await agentKeyAndCsr('a');
  const issued = await ca.signClientCsr(csrPem, { agentId: 'a1', validityMs: 60_000 });
  const start = clock.t;

  clock.t = start + 60_001;
  await assert.rejects(
    ca.verifyClientCertificate(issued.certPem, notRevoked),
    rejectsWith('CERT_EXPIRED'),
  );
  clock.t = start - CLOCK_SKEW_MS - 1;
  await assert.rejects(
    ca.verifyClientCertificate(issued.certPem, notRevoked),
    rejectsWith('CERT_NOT_YET_VALID'),
  );
  clock.t = start + 30_000;
  const revoked = new Set([issued.serial]);
  await assert.rejects(
    ca.verifyClientCertificate(issued.certPem, { isRevoked: async (s) => revoked.has(s) }),
    rejectsWith('CERT_REVOKED'),
  );
  await assert.rejects(
    foreign.verifyClientCertificate(issued.certPem, notRevoked),
    rejectsWith('CERT_UNKNOWN_CA'),
  );
  await assert.rejects(ca.verifyClientCertificate('nope', notRevoked), rejectsWith('CERT_INVALID'));
  // The CA certificate itself is issued by the CA but is no client certificate.
  await assert.rejects(
    ca.verifyClientCertificate(ca.certPem, notRevoked),
    rejectsWith('CERT_INVALID'),
  );
});

test('client certificates never outlive the CA', async () => {
  const clock = testClock();
  const ca = await CertificateAuthority.create({ commonName: 'short', clock });
  const { csrPem } = await agentKeyAndCsr('a');
  const issued = await ca.signClientCsr(csrPem, {
    agentId: 'a',
    validityMs: 20 * 365 * 86_400_000,
  });
  assert.equal(issued.notAfterMs, ca.notAfterMs);
});
