import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { HttpAgent } from './agent.ts';
import { spec, startHttpsServer, startRawServer } from './test-servers.ts';
import type { TestServer } from './test-servers.ts';

describe('HttpAgent over TLS', () => {
  let server: TestServer;
  let lastAlpn: string | false | null = null;
  let lastServername: string | false | null = null;
  before(async () => {
    server = await startHttpsServer((req, res) => {
      const socket = req.socket as TLSSocket;
      lastAlpn = socket.alpnProtocol;
      lastServername = (socket as TLSSocket & { servername: string | false }).servername;
      res.end(`secure ${req.method}`);
    });
  });
  after(() => server.close());

  it('rejects a self-signed certificate without insecureSkipTLSVerify', async () => {
    const agent = new HttpAgent({});
    const res = await agent.request(spec(server.url));
    assert.equal(res.errorCode, 'ETLS');
    assert.match(res.error!, /self[- ]signed/i);
    assert.equal(res.status, 0);
    assert.equal(agent.openConnections, 0);
    agent.close();
  });

  it('accepts it with insecureSkipTLSVerify and measures the handshake', async () => {
    const agent = new HttpAgent({});
    const res = await agent.request(spec(server.url, { insecureSkipTLSVerify: true }));
    assert.equal(res.errorCode, null, res.error ?? '');
    assert.equal(res.body!.toString(), 'secure GET');
    assert.ok(res.timings.connectingMs > 0);
    assert.ok(res.timings.tlsHandshakingMs > 0);
    assert.equal(lastAlpn, 'http/1.1');
    assert.equal(lastServername, false, 'no SNI for an IP address');
    const again = await agent.request(spec(server.url, { insecureSkipTLSVerify: true }));
    assert.equal(again.reusedConnection, true);
    assert.equal(again.timings.tlsHandshakingMs, 0);
    assert.equal(again.timings.connectingMs, 0);
    // A verifying request must not ride on the connection opened without verification.
    const strict = await agent.request(spec(server.url));
    assert.equal(strict.errorCode, 'ETLS');
    agent.close();
  });

  it('sends SNI for host names', async () => {
    const agent = new HttpAgent({});
    const res = await agent.request(
      spec(`https://localhost:${server.port}/`, { insecureSkipTLSVerify: true }),
    );
    assert.equal(res.errorCode, null, res.error ?? '');
    assert.equal(lastServername, 'localhost');
    agent.close();
  });

  it('reports ETLS when the server is not speaking TLS', async () => {
    const raw = await startRawServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const agent = new HttpAgent({});
    const res = await agent.request(
      spec(`https://127.0.0.1:${raw.port}/`, { insecureSkipTLSVerify: true }),
    );
    assert.equal(res.errorCode, 'ETLS');
    agent.close();
    await raw.close();
  });
});
