// Mutual TLS with real sockets on 127.0.0.1: the CA's server certificate, agent client
// certificates, and verifyClientCertificate in the request path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { CertificateAuthority } from './certificate-authority.ts';
import type { RevocationCheck } from './certificate-authority.ts';
import { CaError } from './errors.ts';
import { agentKeyAndCsr, testClock } from './test-helpers.ts';

const clock = testClock();
const revoked = new Set<string>();
const revocation: RevocationCheck = { isRevoked: (serial) => revoked.has(serial) };

let ca: CertificateAuthority;
let foreignCa: CertificateAuthority;
let strict: https.Server;
let lenient: FastifyInstance;
let strictPort = 0;
let lenientPort = 0;

interface ClientCreds {
  cert: string;
  key: string;
  serial: string;
  notAfterMs: number;
}

async function agentCreds(
  issuer: CertificateAuthority,
  agentId: string,
  validityMs?: number,
): Promise<ClientCreds> {
  const { csrPem, keyPem } = await agentKeyAndCsr(agentId);
  const issued = await issuer.signClientCsr(csrPem, {
    agentId,
    ...(validityMs === undefined ? {} : { validityMs }),
  });
  return {
    cert: issued.certPem,
    key: keyPem,
    serial: issued.serial,
    notAfterMs: issued.notAfterMs,
  };
}

/** GET / with optional client credentials; the server is always verified against `trust`. */
function get(
  port: number,
  creds: ClientCreds | undefined,
  trust: string = ca.certPem,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        ca: [trust],
        agent: false,
        ...(creds ? { cert: creds.cert, key: creds.key } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Asserts that the TLS layer refused the connection (any socket/TLS error, never a response). */
async function refusedAtTls(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (err: NodeJS.ErrnoException) => {
    assert.match(String(err.code ?? err.message), /ERR_SSL|ECONNRESET|EPIPE|alert/i, String(err));
    return true;
  });
}

before(async () => {
  ca = await CertificateAuthority.create({ commonName: 'Stampede mTLS test CA', clock });
  foreignCa = await CertificateAuthority.create({ commonName: 'Stampede mTLS test CA', clock });
  const server = await ca.issueServerCertificate({
    hosts: ['127.0.0.1', 'localhost'],
    validityMs: 3600_000,
  });

  // Strict listener: TLS itself demands a client certificate from our CA.
  strict = https.createServer(
    {
      key: server.keyPem,
      cert: server.certPem,
      ca: [ca.certPem],
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerX509Certificate();
      if (!peer) {
        res.writeHead(401).end('no client certificate');
        return;
      }
      ca.verifyClientCertificate(peer, revocation).then(
        (agent) => res.writeHead(200).end(agent.agentId),
        (err: unknown) =>
          res
            .writeHead(err instanceof CaError ? 403 : 500)
            .end(err instanceof CaError ? err.code : ''),
      );
    },
  );
  await new Promise<void>((resolve) => strict.listen(0, '127.0.0.1', resolve));
  strictPort = (strict.address() as AddressInfo).port;

  // Lenient listener, as fastify would be configured: TLS asks for a certificate but lets the
  // request through; an onRequest hook decides (per route in the real controller).
  lenient = Fastify({
    https: {
      key: server.keyPem,
      cert: server.certPem,
      ca: [ca.certPem],
      requestCert: true,
      rejectUnauthorized: false,
    },
  });
  lenient.addHook('onRequest', async (request, reply) => {
    const peer = (request.raw.socket as TLSSocket).getPeerX509Certificate();
    if (!peer) return reply.code(401).send({ code: 'CERT_REQUIRED' });
    try {
      request.headers['x-test-agent-id'] = (
        await ca.verifyClientCertificate(peer, revocation)
      ).agentId;
    } catch (err) {
      if (err instanceof CaError) return reply.code(401).send({ code: err.code });
      throw err;
    }
    return undefined;
  });
  lenient.get('/', async (request) => request.headers['x-test-agent-id']);
  await lenient.listen({ port: 0, host: '127.0.0.1' });
  lenientPort = (lenient.server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((resolve) => strict.close(() => resolve()));
  await lenient.close();
});

test('strict: a client with an issued certificate gets 200 and is identified', async () => {
  const creds = await agentCreds(ca, 'agent-ok');
  assert.deepEqual(await get(strictPort, creds), { status: 200, body: 'agent-ok' });
});

test('strict: the client verifies the server against the CA', async () => {
  const creds = await agentCreds(ca, 'agent-ok');
  await assert.rejects(get(strictPort, creds, foreignCa.certPem), (err: NodeJS.ErrnoException) => {
    assert.match(
      String(err.code),
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_SIGNATURE_FAILURE|SELF_SIGNED_CERT_IN_CHAIN/,
    );
    return true;
  });
});

test('strict: no client certificate is refused at TLS', async () => {
  await refusedAtTls(get(strictPort, undefined));
});

test('strict: a certificate from a foreign CA is refused at TLS', async () => {
  await refusedAtTls(get(strictPort, await agentCreds(foreignCa, 'intruder')));
});

test('strict: an expired certificate is refused at TLS', async () => {
  const now = clock.t;
  clock.t = now - 2 * 3600_000; // issue two hours ago, valid for one minute
  const creds = await agentCreds(ca, 'agent-old', 60_000);
  clock.t = now;
  assert.ok(creds.notAfterMs < Date.now());
  await refusedAtTls(get(strictPort, creds));
});

test('strict: a revoked certificate passes TLS but is refused by verifyClientCertificate', async () => {
  const creds = await agentCreds(ca, 'agent-revoked');
  assert.equal((await get(strictPort, creds)).status, 200);
  revoked.add(creds.serial);
  assert.deepEqual(await get(strictPort, creds), { status: 403, body: 'CERT_REVOKED' });
});

test('lenient (fastify): a valid certificate gets 200', async () => {
  const creds = await agentCreds(ca, 'agent-f');
  assert.deepEqual(await get(lenientPort, creds), { status: 200, body: 'agent-f' });
});

test('lenient (fastify): no certificate, foreign CA, expired and revoked get 401 with a code', async () => {
  const codeOf = async (creds: ClientCreds | undefined): Promise<string> => {
    const res = await get(lenientPort, creds);
    assert.equal(res.status, 401);
    return (JSON.parse(res.body) as { code: string }).code;
  };
  assert.equal(await codeOf(undefined), 'CERT_REQUIRED');
  assert.equal(await codeOf(await agentCreds(foreignCa, 'intruder')), 'CERT_UNKNOWN_CA');

  const now = clock.t;
  clock.t = now - 2 * 3600_000;
  const old = await agentCreds(ca, 'agent-old', 60_000);
  clock.t = now;
  assert.equal(await codeOf(old), 'CERT_EXPIRED');

  const revokedCreds = await agentCreds(ca, 'agent-r');
  revoked.add(revokedCreds.serial);
  assert.equal(await codeOf(revokedCreds), 'CERT_REVOKED');
});

test('lenient (fastify): a certificate expires by the injected clock, with no waiting', async () => {
  const creds = await agentCreds(ca, 'agent-clock', 60_000);
  assert.equal((await get(lenientPort, creds)).status, 200);
  const now = clock.t;
  clock.t = creds.notAfterMs + 1;
  try {
    // TLS still accepts it (real time), the CA check with the advanced clock does not.
    assert.deepEqual(await get(lenientPort, creds), {
      status: 401,
      body: '{"code":"CERT_EXPIRED"}',
    });
  } finally {
    clock.t = now;
  }
});
