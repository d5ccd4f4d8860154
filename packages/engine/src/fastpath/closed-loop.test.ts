import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { MetricRegistry } from '../metrics/registry.ts';
import { startHttpServer } from '../transport/http/test-servers.ts';
import { runClosedLoop } from './closed-loop.ts';
import { startRawServer, totals } from './test-helpers.ts';

const base = { timeoutMs: 2000, tags: { scenario: 'default' } };

test('iterations mode sends exactly the budget over keep-alive and records metrics', async () => {
  let hits = 0;
  const server = await startHttpServer((req, res) => {
    hits++;
    if (req.url === '/chunked') {
      res.write('a');
      res.end('b');
    } else res.end('ok');
  });
  try {
    const registry = new MetricRegistry();
    const counts = await runClosedLoop({
      ...base,
      registry,
      templates: [
        { method: 'GET', url: `${server.url}/x`, expectStatus: 200 },
        { method: 'POST', url: `${server.url}/chunked`, body: 'payload', name: 'chunky' },
      ],
      connections: 4,
      iterations: 50,
    });
    assert.equal(counts.requests, 100);
    assert.equal(counts.iterations, 50);
    assert.equal(counts.errors, 0);
    assert.equal(hits, 100);
    assert.equal(server.connections(), 4);
    const t = totals(registry);
    assert.equal(t.get('http_reqs'), 100);
    assert.equal(t.get('http_reqs{name=chunky}'), 50);
    assert.equal(t.get('http_req_duration{status=200}'), 100);
    assert.equal(t.get('http_req_waiting'), 100);
    assert.equal(t.get('http_req_failed'), 100);
    assert.equal(t.get('iterations'), 50);
    assert.equal(t.get('checks'), 50);
    assert.ok((t.get('data_sent') ?? 0) > 0 && (t.get('data_received') ?? 0) > 0);
  } finally {
    await server.close();
  }
});

test('Connection: close responses reconnect without errors', async () => {
  const server = await startHttpServer((_req, res) => {
    res.setHeader('Connection', 'close');
    res.end('bye');
  });
  try {
    const registry = new MetricRegistry();
    const counts = await runClosedLoop({
      ...base,
      registry,
      templates: [{ method: 'GET', url: server.url }],
      connections: 2,
      iterations: 20,
    });
    assert.equal(counts.requests, 20);
    assert.equal(counts.errors, 0);
    assert.equal(server.connections(), 20);
  } finally {
    await server.close();
  }
});

test('pipelined responses are matched to their requests in order', async () => {
  // Answers only once three requests arrived, all in one write, status = the path.
  const server = await startRawServer((s: Socket) => {
    let buffered = '';
    s.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      const heads = buffered.split('\r\n\r\n');
      if (heads.length < 4) return;
      buffered = heads.slice(3).join('\r\n\r\n');
      let out = '';
      for (const h of heads.slice(0, 3)) {
        const status = /^GET \/(\d+)/.exec(h)?.[1] ?? '500';
        out += `HTTP/1.1 ${status} X\r\nContent-Length: 3\r\n\r\n${status}`;
      }
      s.write(out);
    });
  });
  try {
    const registry = new MetricRegistry();
    const url = `http://127.0.0.1:${server.port}`;
    const counts = await runClosedLoop({
      ...base,
      registry,
      templates: [
        { method: 'GET', url: `${url}/200`, name: 'a' },
        { method: 'GET', url: `${url}/201`, name: 'b' },
        { method: 'GET', url: `${url}/202`, name: 'c' },
      ],
      connections: 1,
      pipelining: 3,
      iterations: 10,
    });
    assert.equal(counts.requests, 30);
    assert.equal(counts.errors, 0);
    const statusByName = new Map<string, string>();
    for (const s of registry.snapshot('t', 0, 0, 0, []).series) {
      if (s.metric !== 'http_reqs') continue;
      const name = s.tags['name'] as string;
      assert.equal(statusByName.get(name) ?? s.tags['status'], s.tags['status']);
      statusByName.set(name, s.tags['status'] as string);
    }
    assert.deepEqual(Object.fromEntries(statusByName), { a: '200', b: '201', c: '202' });
  } finally {
    await server.close();
  }
});

test('errors are counted with their code and the loop carries on', async () => {
  const reset = await startRawServer((s) => s.on('data', () => s.resetAndDestroy()));
  const silent = await startRawServer(() => {});
  const garbage = await startRawServer((s) => s.on('data', () => s.write('NOT HTTP\r\n\r\n')));
  const refused = await startRawServer(() => {});
  const refusedPort = refused.port;
  await refused.close();
  try {
    const cases: [number, string][] = [
      [reset.port, 'ECONNRESET'],
      [silent.port, 'ETIMEDOUT'],
      [garbage.port, 'EPARSE'],
      [refusedPort, 'ECONNREFUSED'],
    ];
    for (const [port, code] of cases) {
      const registry = new MetricRegistry();
      const counts = await runClosedLoop({
        ...base,
        timeoutMs: 100,
        registry,
        templates: [{ method: 'GET', url: `http://127.0.0.1:${port}/` }],
        connections: 2,
        iterations: 4,
      });
      assert.equal(counts.requests, 4, code);
      assert.equal(counts.errors, 4, code);
      assert.equal(totals(registry).get(`http_reqs{error_code=${code}}`), 4, code);
    }
  } finally {
    await Promise.all([reset.close(), silent.close(), garbage.close()]);
  }
});

test('duration mode stops on time and abort stops at once', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'));
  try {
    const started = performance.now();
    const counts = await runClosedLoop({
      ...base,
      registry: new MetricRegistry(),
      templates: [{ method: 'GET', url: server.url }],
      connections: 2,
      durationMs: 200,
    });
    const took = performance.now() - started;
    assert.ok(took >= 190 && took < 2000, `took ${took}`);
    assert.ok(counts.requests > 10);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const aborted = await runClosedLoop({
      ...base,
      registry: new MetricRegistry(),
      templates: [{ method: 'GET', url: server.url }],
      connections: 2,
      durationMs: 60_000,
      signal: ac.signal,
    });
    assert.ok(aborted.requests > 0);
  } finally {
    await server.close();
  }
});

test('pipelined requests after a Connection: close reply are resent on a new connection', async () => {
  // Answers only the first request of each connection, with Connection: close.
  let answered = 0;
  const server = await startRawServer((s: Socket) => {
    let done = false;
    s.on('data', () => {
      if (done) return;
      done = true;
      answered++;
      s.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
    });
  });
  try {
    const registry = new MetricRegistry();
    const counts = await runClosedLoop({
      ...base,
      registry,
      templates: [{ method: 'GET', url: `http://127.0.0.1:${server.port}/` }],
      connections: 2,
      pipelining: 3,
      iterations: 12,
    });
    assert.equal(counts.requests, 12);
    assert.equal(counts.errors, 0);
    assert.equal(answered, 12);
    assert.equal(totals(registry).get('http_reqs{status=200}'), 12);
  } finally {
    await server.close();
  }
});

test('a keep-alive connection the server closes after a reply is retried, not failed', async () => {
  // Keep-alive replies (no Connection: close), but the server ends every connection after one.
  let answered = 0;
  const server = await startRawServer((s: Socket) => {
    let done = false;
    s.on('data', () => {
      if (done) return;
      done = true;
      answered++;
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => s.end(), 5);
    });
  });
  try {
    const registry = new MetricRegistry();
    const counts = await runClosedLoop({
      ...base,
      registry,
      templates: [{ method: 'GET', url: `http://127.0.0.1:${server.port}/` }],
      connections: 2,
      iterations: 10,
    });
    assert.equal(counts.requests, 10);
    assert.equal(counts.errors, 0);
    assert.equal(answered, 10);
    assert.equal(totals(registry).get('http_reqs{status=200}'), 10);
  } finally {
    await server.close();
  }
});
