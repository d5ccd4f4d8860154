import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  createCsr,
  generateAgentKey,
  keyFromPem,
  keyToPem,
  renewDelayMs,
  shouldRenew,
} from './keys.ts';
import {
  EnrollRequestSchema,
  EnrollResponseSchema,
  ENROLL_PROTOCOL_VERSION,
} from '@stampede/protocol';

test('generateAgentKey + createCsr: a P-256 CSR whose signature verifies', async () => {
  const keys = await generateAgentKey();
  const csrPem = await createCsr(keys, 'gen-01');
  assert.match(csrPem, /^-----BEGIN CERTIFICATE REQUEST-----/);
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  assert.ok(await csr.verify());
  assert.equal(csr.subject, 'CN=gen-01');
  const pub = createPublicKey({
    key: Buffer.from(csr.publicKey.rawData),
    format: 'der',
    type: 'spki',
  });
  assert.equal(pub.asymmetricKeyDetails?.namedCurve, 'prime256v1');
});

test('keyToPem / keyFromPem: PKCS#8 that OpenSSL reads, and renewal CSRs from a reloaded key', async () => {
  const keys = await generateAgentKey();
  const pem = await keyToPem(keys.privateKey);
  assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n/);
  const key = createPrivateKey(pem);
  assert.equal(key.asymmetricKeyType, 'ec');
  const again = await keyFromPem(pem);
  const csr = new x509.Pkcs10CertificateRequest(await createCsr(again, 'gen-01'));
  assert.ok(await csr.verify());
  const original = new x509.Pkcs10CertificateRequest(await createCsr(keys, 'gen-01'));
  assert.deepEqual(Buffer.from(csr.publicKey.rawData), Buffer.from(original.publicKey.rawData));
});

test('shouldRenew: true past 2/3 of the lifetime', () => {
  const issued = 1_000_000;
  const notAfter = issued + 3_600_000; // 1 hour
  assert.equal(shouldRenew(notAfter, issued, issued), false);
  assert.equal(shouldRenew(notAfter, issued, issued + 2_399_999), false);
  assert.equal(shouldRenew(notAfter, issued, issued + 2_400_000), true);
  assert.equal(shouldRenew(notAfter, issued, notAfter + 1), true);
  assert.equal(shouldRenew(issued, issued, issued), true); // empty lifetime
  assert.equal(renewDelayMs(notAfter, issued, issued + 400_000), 2_000_000);
  assert.equal(renewDelayMs(notAfter, issued, notAfter), 0);
});

test('wire schemas: enrollment request and response', async () => {
  const csrPem = await createCsr(await generateAgentKey(), 'gen-01');
  const ok = {
    protocolVersion: ENROLL_PROTOCOL_VERSION,
    joinToken: 'stj_' + 'A'.repeat(43),
    agentName: 'gen-01',
    csrPem,
  };
  assert.deepEqual(EnrollRequestSchema.parse(ok), ok);
  assert.ok(!EnrollRequestSchema.safeParse({ ...ok, joinToken: 'sta_' + 'A'.repeat(43) }).success);
  assert.ok(!EnrollRequestSchema.safeParse({ ...ok, protocolVersion: 2 }).success);
  assert.ok(!EnrollRequestSchema.safeParse({ ...ok, extra: 1 }).success);
  assert.ok(
    EnrollResponseSchema.safeParse({
      protocolVersion: 1,
      agentId: 'a1',
      certPem: 'x',
      caPem: 'y',
      serial: '4f00',
      issuedAtMs: 1,
      notAfterMs: 2,
    }).success,
  );
});
