import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intervalSnapshotSchema } from '@stampede/protocol';
import type { SeriesSnapshot } from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import { BUILTIN_METRICS, builtinMetric } from './builtin.ts';
import { Histogram } from './histogram.ts';
import { MetricRegistry } from './registry.ts';

function find(
  series: SeriesSnapshot[],
  metric: string,
  tags: Record<string, string> = {},
): SeriesSnapshot {
  const s = series.find(
    (x) => x.metric === metric && JSON.stringify(x.tags) === JSON.stringify(tags),
  );
  assert.ok(s, `series ${metric} ${JSON.stringify(tags)}`);
  return s;
}

test('the built-in catalogue has the expected kinds', () => {
  assert.equal(builtinMetric('http_req_duration')?.type, 'trend');
  assert.equal(builtinMetric('http_req_duration')?.isTime, true);
  assert.equal(builtinMetric('data_sent')?.isData, true);
  assert.equal(builtinMetric('checks')?.type, 'rate');
  assert.equal(builtinMetric('vus_max')?.type, 'gauge');
  assert.equal(builtinMetric('send_lag')?.isTime, true);
  assert.equal(builtinMetric('http_req_service_time')?.type, 'trend');
  assert.equal(builtinMetric('nope'), undefined);
  assert.equal(new Set(BUILTIN_METRICS.map((m) => m.name)).size, BUILTIN_METRICS.length);
});

test('define: custom metrics, idempotent, conflicting types and bad names throw', () => {
  const r = new MetricRegistry();
  r.define('my_trend', 'trend', { isTime: true });
  r.define('my_trend', 'trend', { isTime: true });
  assert.equal(r.metricType('my_trend'), 'trend');
  assert.throws(
    () => r.define('my_trend', 'counter'),
    (e: unknown) =>
      e instanceof EngineError &&
      e.message === 'metric "my_trend" is already defined as a trend; it cannot also be a counter',
  );
  assert.throws(() => r.define('my_trend', 'trend'), /already defined with isTime=true/);
  assert.throws(() => r.define('http_reqs', 'gauge'), /already defined as a counter/);
  assert.throws(() => r.define('1abc', 'counter'), /invalid metric name "1abc"/);
  assert.throws(() => r.define('a-b', 'counter'), /invalid metric name/);
  assert.throws(() => r.series('undefined_metric'), /not defined/);
});

test('series handles are cached by sorted tags', () => {
  const r = new MetricRegistry();
  const a = r.series('http_reqs', { method: 'GET', status: '200' });
  const b = r.series('http_reqs', { status: '200', method: 'GET' });
  assert.equal(a, b);
  a.add(1);
  b.add(2);
  const snap = r.snapshot('w0', 0, 1000, 2000, []);
  assert.equal(snap.series.length, 1);
  assert.deepEqual(snap.series[0], {
    type: 'counter',
    metric: 'http_reqs',
    tags: { method: 'GET', status: '200' },
    isData: false,
    value: 3,
  });
});

test('a tags object mutated between calls records into the right series', () => {
  const r = new MetricRegistry();
  const tags: Record<string, string> = { status: '200' };
  r.add('http_reqs', tags, 1);
  tags['status'] = '500';
  r.add('http_reqs', tags, 1);
  tags['method'] = 'GET';
  r.add('http_reqs', tags, 1);
  const series = r.snapshot('w0', 0, 0, 1, []).series;
  assert.deepEqual(
    series.map((s) => [s.tags, s.type === 'counter' ? s.value : -1]),
    [
      [{ status: '200' }, 1],
      [{ status: '500' }, 1],
      [{ method: 'GET', status: '500' }, 1],
    ],
  );
});

test('snapshot reports the interval and resets it; gauges keep their last value', () => {
  const r = new MetricRegistry(() => 42);
  r.define('score', 'trend');
  const health = [
    {
      worker: 'w0',
      eventLoopDelayP99Ms: 1,
      eventLoopDelayMaxMs: 2,
      cpuUtilization: 0.5,
      heapUsedBytes: 1e6,
    },
  ];
  r.add('http_req_duration', { status: '200' }, 1.5);
  r.add('http_req_duration', { status: '200' }, 0.25);
  r.add('http_req_duration', { status: '200' }, -1);
  r.add('score', {}, 2.0004);
  r.add('http_req_failed', {}, false);
  r.add('http_req_failed', {}, true);
  r.add('http_req_failed', {}, 0);
  r.add('vus', {}, 3);
  r.add('vus', {}, 7);
  r.add('vus', {}, 5);
  r.add('data_sent', {}, 1234);

  const s0 = r.snapshot('w0', 0, 1000, 2000, health);
  assert.deepEqual(intervalSnapshotSchema.parse(s0), s0);
  assert.equal(s0.seq, 0);
  assert.deepEqual(s0.health, health);
  const d = find(s0.series, 'http_req_duration', { status: '200' });
  assert.equal(d.type, 'trend');
  if (d.type === 'trend') {
    assert.equal(d.isTime, true);
    assert.equal(d.count, 3);
    assert.equal(d.sum, 0.75);
    assert.equal(d.min, -1);
    assert.equal(d.max, 1.5);
    const h = Histogram.decode(d.hdr);
    assert.equal(h.count, 3);
    assert.equal(h.valueAtPercentile(0), 0); // -1 ms clamps to 0 µs
    assert.equal(h.valueAtPercentile(50), 250); // 0.25 ms = 250 µs
    assert.equal(h.valueAtPercentile(100), 1500);
  }
  const score = find(s0.series, 'score');
  if (score.type === 'trend') {
    assert.equal(score.isTime, false);
    assert.equal(Histogram.decode(score.hdr).valueAtPercentile(100), 2000); // thousandths, rounded
  }
  assert.deepEqual(find(s0.series, 'http_req_failed'), {
    type: 'rate',
    metric: 'http_req_failed',
    tags: {},
    passes: 1,
    fails: 2,
  });
  assert.deepEqual(find(s0.series, 'vus'), {
    type: 'gauge',
    metric: 'vus',
    tags: {},
    value: 5,
    min: 3,
    max: 7,
    setAtMs: 42,
  });
  const data = find(s0.series, 'data_sent');
  assert.equal(data.type === 'counter' && data.isData, true);

  // Next interval: nothing recorded except the gauge, which reports its level.
  const s1 = r.snapshot('w0', 1, 2000, 3000, []);
  assert.deepEqual(s1.series, [
    { type: 'gauge', metric: 'vus', tags: {}, value: 5, min: 5, max: 5, setAtMs: 42 },
  ]);
  r.add('vus', {}, 9);
  r.add('http_reqs', {}, 1);
  const s2 = r.snapshot('w0', 2, 3000, 4000, []);
  assert.deepEqual(find(s2.series, 'vus'), {
    type: 'gauge',
    metric: 'vus',
    tags: {},
    value: 9,
    min: 9,
    max: 9,
    setAtMs: 42,
  });
  assert.equal(s2.series.length, 2);
});

test('non-finite values are ignored', () => {
  const r = new MetricRegistry();
  r.add('http_reqs', {}, Number.NaN);
  r.add('iteration_duration', {}, Number.POSITIVE_INFINITY);
  r.add('vus', {}, Number.NaN);
  assert.deepEqual(r.snapshot('w0', 0, 0, 1, []).series, []);
});
