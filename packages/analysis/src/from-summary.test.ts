import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarySchema } from '@stampede/protocol';
import { runStatisticsFromSummary } from './from-summary.ts';

const trend = { count: 3, min: 1, mean: 2, p50: 2, p90: 3, p95: 3, p99: 3, p999: 3, max: 3 };
const summary = summarySchema.parse({
  version: 1,
  tool: { name: 'stampede', version: '0.1.0' },
  startedAt: '2026-12-01T00:00:00.000Z',
  endedAt: '2026-12-01T00:00:01.000Z',
  durationMs: 1000,
  result: 'passed',
  abortReason: null,
  scenarios: {
    b: { executor: 'constant-vus', iterations: 3, droppedIterations: 0 },
    a: { executor: 'shared-iterations', iterations: 3, droppedIterations: 0 },
  },
  metrics: {
    http_req_duration: { type: 'trend', contains: 'time', values: trend },
    'http_req_duration{name:x}': {
      type: 'trend',
      contains: 'time',
      values: { ...trend, count: 0 },
    },
    cart_value: { type: 'trend', contains: 'default', values: trend },
    data_received: { type: 'counter', contains: 'data', values: { count: 300, rate: 300 } },
    vus: { type: 'gauge', values: { value: 1, min: 1, max: 1 } },
  },
  thresholds: {},
  checks: [{ name: 'ok', group: '::g', passes: 3, fails: 1 }],
  generator: {
    workers: 1,
    eventLoopDelayP99Ms: 1,
    cpuUtilization: 0.1,
    cpuUtilizationMax: 0.1,
    saturated: false,
    reasons: [],
  },
});

test('statistics of a summary: units, directions, no gauges, no empty trends, checks by group', () => {
  const r = runStatisticsFromSummary(summary, {
    source: 'a.json',
    directions: { cart_value: 'lower-is-worse' },
  });
  assert.equal(r.testKey, 'a=shared-iterations,b=constant-vus');
  const keys = r.statistics.map((s) => `${s.metric}:${s.statistic}`);
  assert.ok(keys.includes('http_req_duration:p99'));
  assert.ok(!keys.some((k) => k.startsWith('vus') || k.startsWith('http_req_duration{name:x}')));
  const get = (k: string) => r.statistics.find((s) => `${s.metric}:${s.statistic}` === k);
  assert.equal(get('cart_value:mean')?.direction, 'lower-is-worse');
  assert.equal(get('cart_value:mean')?.unit, 'value');
  assert.equal(get('data_received:rate')?.unit, 'bytes-per-second');
  assert.equal(get('data_received:rate')?.direction, 'lower-is-worse');
  assert.deepEqual(get('checks{group:::g,check:ok}:rate'), {
    metric: 'checks{group:::g,check:ok}',
    statistic: 'rate',
    value: 0.75,
    unit: 'ratio',
    direction: 'lower-is-worse',
  });
});
