import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { HttpAgent } from './agent.ts';
import { onRequestHead, spec, startHttpServer, startRawServer } from './test-servers.ts';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('HttpAgent failures', () => {
  it(
    'times out on a server that never answers, within bounded time',
    { timeout: 10_000 },
    async (t) => {
      const silent = await startRawServer(() => {});
      t.after(() => silent.close());
      const agent = new HttpAgent({});
      t.after(() => agent.close());
      const started = performance.now();
      const res = await agent.request(spec(silent.url, { timeoutMs: 100 }));
      const elapsed = performance.now() - started;
      assert.equal(res.errorCode, 'ETIMEDOUT');
      assert.equal(res.status, 0);
      assert.match(res.error!, /timed out/);
      // A timer never fires early; the upper bound (50 times the timeout) only tells "ended on its
      // timer" from "hung", so a busy machine cannot fail it.
      assert.ok(elapsed >= 95 && elapsed < 5000, `elapsed ${elapsed}`);
      // How the 100 ms split between connecting, sending and waiting depends on the machine's load
      // (run 1 of issue 13 saw 63 ms waiting); what is sure is that it ended while waiting and that
      // the phases fit in the time the caller waited.
      const { connectingMs, sendingMs, waitingMs } = res.timings;
      assert.ok(waitingMs > 0, `waiting ${waitingMs}`);
      assert.ok(connectingMs + sendingMs + waitingMs <= elapsed + 1, JSON.stringify(res.timings));
      assert.ok(res.bytesSent > 0);
      assert.equal(res.bytesReceived, 0);
      assert.equal(agent.openConnections, 0);
    },
  );

  it('times out while blocked waiting for a connection slot', async (t) => {
    const silent = await startRawServer(() => {});
    t.after(() => silent.close());
    const agent = new HttpAgent({ maxConnectionsPerOrigin: 1 });
    t.after(() => agent.close());
    const first = agent.request(spec(silent.url, { timeoutMs: 300 }));
    const second = await agent.request(spec(silent.url, { timeoutMs: 50 }));
    assert.equal(second.errorCode, 'ETIMEDOUT');
    assert.ok(second.timings.blockedMs >= 40);
    assert.equal(second.bytesSent, 0);
    assert.equal((await first).errorCode, 'ETIMEDOUT');
  });

  it('reports ECONNREFUSED for a closed port', async (t) => {
    const port = await closedPort();
    const agent = new HttpAgent({});
    t.after(() => agent.close());
    const res = await agent.request(spec(`http://127.0.0.1:${port}/`));
    assert.equal(res.errorCode, 'ECONNREFUSED');
    assert.equal(res.status, 0);
    assert.equal(agent.openConnections, 0);
  });

  it('reports ECONNRESET when the server resets mid-response', async (t) => {
    const raw = await startRawServer((s) => {
      onRequestHead(s, () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial', () => {
          setTimeout(() => s.resetAndDestroy(), 10);
          t.after(() => raw.close());
        });
      });
    });
    const agent = new HttpAgent({});
    t.after(() => agent.close());
    const res = await agent.request(spec(raw.url));
    assert.equal(res.errorCode, 'ECONNRESET');
    assert.equal(res.status, 200);
    assert.equal(res.body, null);
    assert.ok(res.bytesReceived > 0);
  });

  it('reports EPARSE for a malformed status line', async (t) => {
    const raw = await startRawServer((s) => {
      onRequestHead(s, () => s.end('HTTP/1.1 abc Nope\r\n\r\n'));
      t.after(() => raw.close());
    });
    const agent = new HttpAgent({});
    t.after(() => agent.close());
    const res = await agent.request(spec(raw.url));
    assert.equal(res.errorCode, 'EPARSE');
    assert.match(res.error!, /status line/);
    assert.equal(res.status, 0);
  });

  it('reports EBODYTOOLARGE and closes the connection', async (t) => {
    const server = await startHttpServer((_req, res) => res.end('z'.repeat(10_000)));
    t.after(() => server.close());
    const agent = new HttpAgent({});
    t.after(() => agent.close());
    const res = await agent.request(spec(server.url, { maxBodyBytes: 1000 }));
    assert.equal(res.errorCode, 'EBODYTOOLARGE');
    assert.equal(res.status, 200);
    assert.equal(res.body, null);
    assert.ok(res.bytesReceived > 1000);
    assert.equal(agent.openConnections, 0);
    const ok = await agent.request(spec(server.url, { maxBodyBytes: 10_000 }));
    assert.equal(ok.body!.length, 10_000);
  });

  it('aborts with EABORTED, also before the request starts', async (t) => {
    const silent = await startRawServer(() => {});
    t.after(() => silent.close());
    const agent = new HttpAgent({});
    t.after(() => agent.close());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const res = await agent.request(spec(silent.url, { signal: controller.signal }));
    assert.equal(res.errorCode, 'EABORTED');
    assert.equal(agent.openConnections, 0);
    const again = await agent.request(spec(silent.url, { signal: controller.signal }));
    assert.equal(again.errorCode, 'EABORTED');
    assert.equal(again.bytesSent, 0);
  });

  it('fails requests in flight with EABORTED when the agent closes', async (t) => {
    const silent = await startRawServer(() => {});
    t.after(() => silent.close());
    const agent = new HttpAgent({});
    t.after(() => agent.close());
    const pending = agent.request(spec(silent.url, { timeoutMs: 0 }));
    setTimeout(() => agent.close(), 20);
    const res = await pending;
    assert.equal(res.errorCode, 'EABORTED');
    assert.equal(agent.openConnections, 0);
  });

  it('reports EINVALID for bad URLs, schemes and header values', async (t) => {
    const agent = new HttpAgent({});
    t.after(() => agent.close());
    assert.equal((await agent.request(spec('not a url'))).errorCode, 'EINVALID');
    assert.equal((await agent.request(spec('ftp://127.0.0.1/'))).errorCode, 'EINVALID');
    const injected = await agent.request(
      spec('http://127.0.0.1:1/', { headers: { 'X-A': 'a\r\nX-Injected: 1' } }),
    );
    assert.equal(injected.errorCode, 'EINVALID');
  });

  it('reports ENOTFOUND for a name that does not resolve', async (t) => {
    const agent = new HttpAgent({});
    t.after(() => agent.close());
    const res = await agent.request(spec('http://does-not-exist.invalid/', { timeoutMs: 3000 }));
    // Sandboxes without DNS may leave the lookup hanging until the timeout instead.
    assert.ok(res.errorCode === 'ENOTFOUND' || res.errorCode === 'ETIMEDOUT', res.error ?? '');
  });
});
