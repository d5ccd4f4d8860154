// buildApp over a real TLS listener on 127.0.0.1: bearer-token clients without a certificate and
// mutual-TLS agents share it; plugin routes get the API's error mapping.
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { apiErrorSchema, healthSchema } from '@stampede/protocol';
import { SqliteStore } from '@stampede/store';
import type { FastifyPluginAsync } from 'fastify';
import { CaError, CertificateAuthority } from './ca/index.ts';
import { agentKeyAndCsr, notRevoked } from './ca/test-helpers.ts';
import { withApi, type MakeStore } from './api/testing/harness.ts';

const sqlite: MakeStore = async (clock) => {
  const store = await SqliteStore.open(':memory:', { clock });
  return { store, close: () => store.close() };
};

interface Creds {
  cert: string;
  key: string;
}

function get(
  port: number,
  path: string,
  trust: string,
  options: { creds?: Creds; token?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        ca: [trust],
        agent: false,
        ...(options.creds ?? {}),
        headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
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

test('one TLS listener serves bearer clients without a certificate and mTLS agent routes', async () => {
  const clock = { nowMs: () => Date.now() };
  const ca = await CertificateAuthority.create({ commonName: 'app test CA', clock });
  const server = await ca.issueServerCertificate({ hosts: ['127.0.0.1'] });
  const { csrPem, keyPem } = await agentKeyAndCsr('agent-7');
  const client = await ca.signClientCsr(csrPem, { agentId: 'agent-7' });
  // Stands in for the agent routes: they check the peer certificate themselves.
  const agentRoutes: FastifyPluginAsync = async (app) => {
    app.get('/agent/v1/whoami', async (request) => {
      const peer = (request.raw.socket as TLSSocket).getPeerX509Certificate();
      if (peer === undefined) throw new CaError('CERT_INVALID', 'no client certificate');
      const agent = await ca.verifyClientCertificate(peer, notRevoked);
      return { agentId: agent.agentId };
    });
    app.get('/agent/v1/boom', async () => {
      throw new Error('secret internal detail');
    });
  };

  await withApi(
    sqlite,
    async (h) => {
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (h.app.server.address() as AddressInfo).port;

      const health = await get(port, '/api/v1/health', ca.certPem);
      assert.equal(health.status, 200);
      assert.equal(healthSchema.parse(JSON.parse(health.body)).status, 'ok');
      const runs = await get(port, '/api/v1/runs', ca.certPem, { token: h.tokens.read });
      assert.equal(runs.status, 200, runs.body);
      const noToken = await get(port, '/api/v1/runs', ca.certPem);
      assert.equal(noToken.status, 401);

      const creds = { cert: client.certPem, key: keyPem };
      const agent = await get(port, '/agent/v1/whoami', ca.certPem, { creds });
      assert.equal(agent.status, 200, agent.body);
      assert.deepEqual(JSON.parse(agent.body), { agentId: 'agent-7' });
      const anonymous = await get(port, '/agent/v1/whoami', ca.certPem);
      assert.equal(anonymous.status, 401);
      assert.equal(apiErrorSchema.parse(JSON.parse(anonymous.body)).code, 'CERT_INVALID');

      const boom = await get(port, '/agent/v1/boom', ca.certPem, { creds });
      assert.equal(boom.status, 500);
      assert.equal(apiErrorSchema.parse(JSON.parse(boom.body)).code, 'INTERNAL');
      assert.doesNotMatch(boom.body, /secret internal detail/);
    },
    {
      app: {
        https: { keyPem: server.keyPem, certPem: server.certPem, caPem: ca.certPem },
        plugins: [agentRoutes],
      },
    },
  );
});
