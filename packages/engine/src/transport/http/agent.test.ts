import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpAgent } from './agent.ts';
import { onRequestHead, spec, startHttpServer, startRawServer } from './test-servers.ts';
import type { TestServer } from './test-servers.ts';

describe('HttpAgent basics', () => {
  let echo: TestServer;
  let serverSockets = new Set<unknown>();
  before(async () => {
    echo = await startHttpServer((req, res) => {
      serverSockets.add(req.socket);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/close') res.setHeader('Connection', 'close');
        res.setHeader('Content-Type', 'application/json');
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            headers: req.headers,
            rawHeaders: req.rawHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
    });
  });
  after(() => echo.close());

  it('sends GET with headers and reads the response', async () => {
    const agent = new HttpAgent({ userAgent: 'test-agent/1' });
    const res = await agent.request(
      spec(`${echo.url}/path?q=1#frag`, { headers: { 'X-Custom': 'yes', 'X-Multi': ['a', 'b'] } }),
    );
    assert.equal(res.errorCode, null, res.error ?? '');
    assert.equal(res.status, 200);
    assert.equal(res.statusText, 'OK');
    assert.equal(res.headers['content-type'], 'application/json');
    const seen = JSON.parse(res.body!.toString('utf8')) as {
      method: string;
      url: string;
      headers: Record<string, string>;
      rawHeaders: string[];
    };
    assert.equal(seen.method, 'GET');
    assert.equal(seen.url, '/path?q=1');
    assert.equal(seen.headers['host'], `127.0.0.1:${echo.port}`);
    assert.equal(seen.headers['user-agent'], 'test-agent/1');
    assert.equal(seen.headers['x-multi'], 'a, b');
    assert.ok(seen.rawHeaders.includes('X-Custom'), 'header case preserved');
    assert.equal(seen.headers['content-length'], undefined);
    assert.equal(seen.headers['connection'], 'keep-alive');
    assert.equal(res.reusedConnection, false);
    assert.ok(res.timings.connectingMs > 0);
    assert.equal(res.timings.tlsHandshakingMs, 0);
    const t = res.timings;
    assert.ok(Math.abs(t.durationMs - (t.sendingMs + t.waitingMs + t.receivingMs)) < 1e-9);
    assert.ok(res.startedAtMs > 0 && res.startedAtMs <= performance.now());
    agent.close();
  });

  it('sends POST bodies (string as UTF-8, Uint8Array) with Content-Length', async () => {
    const agent = new HttpAgent({});
    const res = await agent.request(
      spec(echo.url, { method: 'POST', body: 'héllo', headers: { 'Content-Type': 'text/plain' } }),
    );
    const seen = JSON.parse(res.body!.toString()) as {
      body: string;
      headers: Record<string, string>;
    };
    assert.equal(seen.body, 'héllo');
    assert.equal(seen.headers['content-length'], '6');
    assert.equal(seen.headers['content-type'], 'text/plain');
    assert.match(seen.headers['user-agent']!, /^Stampede\//);
    const bytes = await agent.request(
      spec(echo.url, { method: 'PUT', body: new Uint8Array([0x61, 0x62, 0x63]) }),
    );
    assert.equal((JSON.parse(bytes.body!.toString()) as { body: string }).body, 'abc');
    const empty = await agent.request(spec(echo.url, { method: 'PATCH' }));
    const emptySeen = JSON.parse(empty.body!.toString()) as { headers: Record<string, string> };
    assert.equal(emptySeen.headers['content-length'], '0');
    agent.close();
  });

  it('reuses keep-alive connections', async () => {
    serverSockets = new Set();
    const agent = new HttpAgent({});
    const first = await agent.request(spec(echo.url));
    const second = await agent.request(spec(echo.url));
    assert.equal(first.reusedConnection, false);
    assert.equal(second.reusedConnection, true);
    assert.equal(second.timings.connectingMs, 0);
    assert.equal(second.timings.blockedMs, 0);
    assert.equal(serverSockets.size, 1);
    assert.equal(agent.openConnections, 1);
    agent.close();
    assert.equal(agent.openConnections, 0);
  });

  it('closes after a server "Connection: close" and when keepAlive is off', async () => {
    serverSockets = new Set();
    const agent = new HttpAgent({});
    const first = await agent.request(spec(`${echo.url}/close`));
    assert.equal(first.status, 200);
    assert.equal(agent.openConnections, 0);
    const second = await agent.request(spec(echo.url));
    assert.equal(second.reusedConnection, false);
    assert.equal(serverSockets.size, 2);
    agent.close();

    const noKa = new HttpAgent({ keepAlive: false });
    const a = await noKa.request(spec(echo.url));
    assert.equal(
      (JSON.parse(a.body!.toString()) as { headers: Record<string, string> }).headers['connection'],
      'close',
    );
    const b = await noKa.request(spec(echo.url));
    assert.equal(b.reusedConnection, false);
    noKa.close();
  });

  it('waits for a slot beyond maxConnectionsPerOrigin and reports blocked time', async () => {
    const slow = await startHttpServer((_req, res) => setTimeout(() => res.end('x'), 50));
    const agent = new HttpAgent({ maxConnectionsPerOrigin: 1 });
    const [a, b] = await Promise.all([
      agent.request(spec(slow.url)),
      agent.request(spec(slow.url)),
    ]);
    assert.equal(a.timings.blockedMs, 0);
    assert.ok(b.timings.blockedMs >= 30, `blocked ${b.timings.blockedMs}`);
    assert.equal(b.reusedConnection, true);
    assert.equal(slow.connections(), 1);
    agent.close();
    await slow.close();
  });

  it('counts bytes sent and received exactly', async () => {
    let received = 0;
    const response = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc';
    const raw = await startRawServer((s) => {
      s.on('data', (c: Buffer) => {
        received += c.length;
        if (c.includes('\r\n\r\n')) s.end(response);
      });
    });
    const agent = new HttpAgent({});
    const res = await agent.request(spec(raw.url, { method: 'POST', body: 'x' }));
    assert.equal(res.body!.toString(), 'abc');
    assert.equal(res.bytesReceived, response.length);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(res.bytesSent, received);
    agent.close();
    await raw.close();
  });

  it('reads chunked bodies split across writes, with trailers', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', Trailer: 'X-Sum' });
      res.write('hello ');
      setTimeout(() => {
        res.write('chunked ');
        setTimeout(() => {
          res.addTrailers({ 'X-Sum': '42' });
          res.end('world');
        }, 10);
      }, 10);
    });
    const agent = new HttpAgent({});
    const res = await agent.request(spec(server.url));
    assert.equal(res.errorCode, null);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.equal(res.body!.toString(), 'hello chunked world');
    assert.equal(res.headers['x-sum'], '42');
    assert.ok(res.timings.receivingMs >= 10);
    const again = await agent.request(spec(server.url));
    assert.equal(again.reusedConnection, true);
    agent.close();
    await server.close();
  });

  it('reads a close-delimited body from a raw server', async () => {
    const raw = await startRawServer((s) => {
      onRequestHead(s, () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ');
        setTimeout(() => s.end('part two'), 10);
      });
    });
    const agent = new HttpAgent({});
    const res = await agent.request(spec(raw.url));
    assert.equal(res.errorCode, null);
    assert.equal(res.body!.toString(), 'part one, part two');
    assert.equal(agent.openConnections, 0);
    agent.close();
    await raw.close();
  });

  it('handles HEAD, 204 and 304 without bodies and keeps the connection', async () => {
    const server = await startHttpServer((req, res) => {
      if (req.url === '/204') res.writeHead(204).end();
      else if (req.url === '/304') res.writeHead(304, { ETag: '"x"' }).end();
      else
        res
          .writeHead(200, { 'Content-Length': '1000' })
          .end(req.method === 'HEAD' ? undefined : 'x'.repeat(1000));
    });
    const agent = new HttpAgent({});
    const head = await agent.request(spec(server.url, { method: 'HEAD' }));
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '1000');
    assert.equal(head.body!.length, 0);
    const noContent = await agent.request(spec(`${server.url}/204`));
    assert.equal(noContent.status, 204);
    assert.equal(noContent.reusedConnection, true);
    const notModified = await agent.request(spec(`${server.url}/304`));
    assert.equal(notModified.status, 304);
    assert.equal(notModified.reusedConnection, true);
    const full = await agent.request(spec(server.url));
    assert.equal(full.body!.length, 1000);
    assert.equal(server.connections(), 1);
    agent.close();
    await server.close();
  });

  it('skips 100 Continue before the real response', async () => {
    const raw = await startRawServer((s) => {
      onRequestHead(s, () => {
        s.write('HTTP/1.1 100 Continue\r\n\r\n');
        setTimeout(() => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), 5);
      });
    });
    const agent = new HttpAgent({});
    const res = await agent.request(spec(raw.url));
    assert.equal(res.status, 200);
    assert.equal(res.body!.toString(), 'ok');
    agent.close();
    await raw.close();
  });

  it('discards bodies but counts their bytes', async () => {
    const server = await startHttpServer((_req, res) => res.end('y'.repeat(5000)));
    const agent = new HttpAgent({});
    const res = await agent.request(spec(server.url, { discardBody: true, maxBodyBytes: 10 }));
    assert.equal(res.errorCode, null);
    assert.equal(res.body, null);
    assert.ok(res.bytesReceived > 5000);
    agent.close();
    await server.close();
  });

  it('retries once on a new connection when a reused one was closed by the server', async () => {
    let heads = 0;
    const raw = await startRawServer((s) => {
      let onThisSocket = 0;
      s.on('data', (c: Buffer) => {
        if (!c.includes('\r\n\r\n')) return;
        heads++;
        onThisSocket++;
        // The second request on a socket meets a server that has just given up on it.
        if (onThisSocket === 1) s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        else s.destroy();
      });
    });
    const agent = new HttpAgent({});
    const first = await agent.request(spec(raw.url));
    assert.equal(first.status, 200);
    const second = await agent.request(spec(raw.url));
    assert.equal(second.errorCode, null, second.error ?? '');
    assert.equal(second.status, 200);
    assert.equal(second.reusedConnection, false);
    assert.equal(heads, 3);
    assert.equal(raw.connections(), 2);
    agent.close();
    await raw.close();
  });

  it('does not retry a reused connection that failed after response bytes', async () => {
    const raw = await startRawServer((s) => {
      let onThisSocket = 0;
      s.on('data', (c: Buffer) => {
        if (!c.includes('\r\n\r\n')) return;
        onThisSocket++;
        if (onThisSocket === 1) s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        else s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      });
    });
    const agent = new HttpAgent({});
    await agent.request(spec(raw.url));
    const second = await agent.request(spec(raw.url));
    assert.equal(second.errorCode, 'ECONNRESET');
    assert.equal(second.status, 200, 'status kept when the head arrived');
    assert.equal(second.body, null);
    assert.equal(raw.connections(), 1);
    agent.close();
    await raw.close();
  });
  it('keeps at most maxConnectionsPerOrigin sockets under concurrent load', async () => {
    const agent = new HttpAgent({ maxConnectionsPerOrigin: 3 });
    let maxOpen = 0;
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        agent.request(spec(`${echo.url}/n${i}`)).then((res) => {
          maxOpen = Math.max(maxOpen, agent.openConnections);
          return res;
        }),
      ),
    );
    assert.ok(results.every((r) => r.errorCode === null && r.status === 200));
    assert.ok(maxOpen <= 3, `max open ${maxOpen}`);
    assert.equal(agent.openConnections, 3);
    agent.close();
    assert.equal(agent.openConnections, 0);
  });

  it('drops an idle connection the server closed', async () => {
    const raw = await startRawServer((s) => {
      onRequestHead(s, () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    });
    const agent = new HttpAgent({});
    const res = await agent.request(spec(raw.url));
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(agent.openConnections, 0);
    agent.close();
    await raw.close();
  });
});
