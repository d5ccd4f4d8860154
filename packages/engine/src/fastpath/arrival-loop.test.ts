import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricRegistry } from '../metrics/registry.ts';
import { startHttpServer } from '../transport/http/test-servers.ts';
import { constantRate, runArrivalLoop } from './arrival-loop.ts';
import { totals } from './test-helpers.ts';

const base = { timeoutMs: 2000, tags: { scenario: 'open' } };

test('every arrival runs at its time and records corrected and service times', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'));
  try {
    const registry = new MetricRegistry();
    const started = performance.now();
    const counts = await runArrivalLoop({
      ...base,
      registry,
      templates: [
        { method: 'GET', url: `${server.url}/a` },
        { method: 'GET', url: `${server.url}/b` },
      ],
      schedule: constantRate(200, 300),
      maxConnections: 20,
    });
    const took = performance.now() - started;
    assert.ok(took >= 280 && took < 3000, `took ${took}`);
    assert.equal(counts.iterations + counts.dropped, 60);
    assert.equal(counts.dropped, 0);
    assert.equal(counts.requests, 120);
    const t = totals(registry);
    assert.equal(t.get('http_req_duration'), 120);
    assert.equal(t.get('http_req_service_time'), 120);
    assert.equal(t.get('send_lag'), 60);
    assert.equal(t.get('iterations'), 60);
  } finally {
    await server.close();
  }
});

test('arrivals with no free connection are dropped', async () => {
  const server = await startHttpServer((_req, res) => {
    setTimeout(() => res.end('slow'), 100);
  });
  try {
    const registry = new MetricRegistry();
    const counts = await runArrivalLoop({
      ...base,
      registry,
      templates: [{ method: 'GET', url: server.url }],
      schedule: [0, 10, 20, 30, 150],
      maxConnections: 1,
    });
    assert.equal(counts.iterations, 2);
    assert.equal(counts.dropped, 3);
    assert.equal(totals(registry).get('dropped_iterations'), 3);
    assert.equal(server.connections(), 1);
  } finally {
    await server.close();
  }
});
