import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IntervalSnapshot } from '@stampede/protocol';
import { Histogram } from './histogram.ts';
import { addSnapshotLine, decodeSnapshotLine, encodeSnapshotLine } from './ndjson.ts';
import { MetricRegistry } from './registry.ts';
import { MetricTotals, percentile, trendValues } from './totals.ts';

function workerSnapshots(
  source: string,
  seqs: number,
  record: (r: MetricRegistry, seq: number) => void,
): IntervalSnapshot[] {
  const r = new MetricRegistry();
  const out: IntervalSnapshot[] = [];
  for (let seq = 0; seq < seqs; seq++) {
    record(r, seq);
    out.push(r.snapshot(source, seq, 1000 * seq, 1000 * (seq + 1), []));
  }
  return out;
}

test('totals merge counters, rates and trends across sources and intervals', () => {
  const totals = new MetricTotals();
  const all: number[] = [];
  for (const source of ['w0', 'w1', 'w2']) {
    for (const s of workerSnapshots(source, 5, (r, seq) => {
      for (let i = 0; i < 100; i++) {
        const ms = ((i * 37 + seq * 11 + source.charCodeAt(1)) % 200) + 0.5;
        all.push(ms);
        r.add('http_req_duration', { status: i % 10 === 0 ? '500' : '200' }, ms);
        r.add('http_reqs', { status: i % 10 === 0 ? '500' : '200' }, 1);
        r.add('http_req_failed', {}, i % 10 === 0);
      }
    })) {
      assert.equal(totals.add(s), true);
    }
  }
  const reqs = totals.query('http_reqs');
  assert.deepEqual(reqs, { type: 'counter', isData: false, value: 1500 });
  assert.deepEqual(totals.query('http_reqs', { status: '500' }), {
    type: 'counter',
    isData: false,
    value: 150,
  });
  assert.deepEqual(totals.query('http_req_failed'), { type: 'rate', passes: 150, fails: 1350 });
  const d = totals.query('http_req_duration');
  assert.ok(d?.type === 'trend');
  const v = trendValues(d);
  all.sort((a, b) => a - b);
  assert.equal(v.count, 1500);
  assert.equal(v.min, all[0]);
  assert.equal(v.max, all.at(-1));
  assert.ok(Math.abs(v.mean - all.reduce((a, b) => a + b, 0) / all.length) < 1e-9);
  for (const [p, got] of [
    [50, v.p50],
    [90, v.p90],
    [99, v.p99],
  ] as const) {
    const exact = all[Math.ceil((p / 100) * all.length - 1e-9) - 1] as number;
    assert.ok(Math.abs(got - exact) <= exact / 1000 + 0.001, `p(${p}) exact=${exact} got=${got}`);
  }
  // A sub-metric only merges the matching series.
  const sub = totals.query('http_req_duration', { status: '500' });
  assert.ok(sub?.type === 'trend');
  assert.equal(sub.count, 150);
  assert.equal(totals.query('http_req_duration', { status: '404' }), undefined);
  assert.equal(totals.query('nope'), undefined);
  assert.deepEqual(totals.metricNames(), ['http_req_duration', 'http_req_failed', 'http_reqs']);
  assert.equal(totals.metricType('http_req_failed'), 'rate');
  assert.equal(totals.startMs, 0);
  assert.equal(totals.endMs, 5000);
});

test('merging is the same as recording everything into one histogram', () => {
  const one = new Histogram();
  const totals = new MetricTotals();
  for (const source of ['a', 'b']) {
    for (const s of workerSnapshots(source, 10, (r, seq) => {
      for (let i = 0; i < 50; i++) {
        const ms = ((i * 7919 + seq * 104729 + source.length) % 100_000) / 10;
        one.record(ms * 1000);
        r.add('iteration_duration', {}, ms);
      }
    }))
      totals.add(s);
  }
  const agg = totals.query('iteration_duration');
  assert.ok(agg?.type === 'trend');
  for (const p of [10, 50, 95, 99.9]) {
    assert.equal(agg.hist.valueAtPercentile(p), one.valueAtPercentile(p));
  }
  assert.equal(totals.percentile(agg, 100), agg.max);
});

test('re-sent snapshots are ignored; a metric cannot change type', () => {
  const totals = new MetricTotals();
  const [s] = workerSnapshots('w0', 1, (r) => r.add('http_reqs', {}, 2));
  assert.ok(s);
  assert.equal(totals.add(s), true);
  assert.equal(totals.add(s), false);
  assert.deepEqual(totals.query('http_reqs'), { type: 'counter', isData: false, value: 2 });
  const bad: IntervalSnapshot = {
    ...s,
    seq: 1,
    series: [{ type: 'rate', metric: 'http_reqs', tags: {}, passes: 1, fails: 0 }],
  };
  assert.throws(() => totals.add(bad), /metric "http_reqs" is a rate here but a counter before/);
});

test('gauges: latest value per source, summed across sources, with min/max', () => {
  const totals = new MetricTotals();
  const g = (
    source: string,
    seq: number,
    value: number,
    min = value,
    max = value,
  ): IntervalSnapshot => ({
    v: 1,
    source,
    seq,
    startMs: seq * 1000,
    endMs: seq * 1000 + 1000,
    series: [{ type: 'gauge', metric: 'vus', tags: {}, value, min, max }],
    health: [],
  });
  totals.add(g('w0', 0, 5, 0, 5));
  totals.add(g('w1', 0, 3, 0, 3));
  totals.add(g('w0', 1, 10, 5, 10));
  totals.add(g('w1', 1, 10, 3, 10));
  assert.deepEqual(totals.query('vus'), {
    type: 'gauge',
    value: 20,
    min: 0,
    max: 20,
    setAtMs: 2000,
  });
  totals.add(g('w0', 3, 2));
  totals.add(g('w0', 2, 12, 12, 12)); // late: widens max but must not replace the newer level
  assert.deepEqual(totals.query('vus'), {
    type: 'gauge',
    value: 12,
    min: 0,
    max: 22,
    setAtMs: 4000,
  });
  // The same snapshots in another order give the same totals.
  const again = new MetricTotals();
  for (const s of [
    g('w0', 2, 12, 12, 12),
    g('w1', 1, 10, 3, 10),
    g('w0', 3, 2),
    g('w0', 0, 5, 0, 5),
    g('w1', 0, 3, 0, 3),
    g('w0', 1, 10, 5, 10),
  ]) {
    again.add(s);
  }
  assert.deepEqual(again.query('vus'), totals.query('vus'));
});

test('a custom gauge is the value set last across workers, with the min and max of all, never a sum', () => {
  const g = (source: string, seq: number, value: number, setAtMs: number): IntervalSnapshot => ({
    v: 1,
    source,
    seq,
    startMs: 0,
    endMs: 1000,
    series: [
      { type: 'gauge', metric: 'queue_depth', tags: {}, value, min: value, max: value, setAtMs },
    ],
    health: [],
  });
  const orders = [
    [g('w0', 0, 7, 900), g('w1', 0, 3, 400)],
    [g('w1', 0, 3, 400), g('w0', 0, 7, 900)],
  ];
  for (const snaps of orders) {
    const totals = new MetricTotals();
    for (const s of snaps) totals.add(s);
    assert.deepEqual(totals.query('queue_depth'), {
      type: 'gauge',
      value: 7,
      min: 3,
      max: 7,
      setAtMs: 900,
    });
  }
  // Each worker keeps reporting its last level; w1 set 1 later than w0's 7: that is the level.
  const totals = new MetricTotals();
  for (const s of [g('w0', 0, 7, 900), g('w1', 0, 3, 400), g('w1', 1, 1, 1500)]) totals.add(s);
  for (const s of [g('w0', 1, 7, 900)]) totals.add(s);
  assert.equal((totals.query('queue_depth') as { value: number }).value, 1);
});

test('a registry stamps when a gauge was set', () => {
  let now = 5000;
  const r = new MetricRegistry(() => now);
  r.define('level', 'gauge');
  r.add('level', {}, 4);
  now = 9000;
  const snap = r.snapshot('w0', 0, 4000, 9000, []);
  const series = snap.series.find((x) => x.metric === 'level');
  assert.ok(series?.type === 'gauge');
  assert.equal(series.setAtMs, 5000);
});

test('NDJSON lines decode, validate and re-add', () => {
  const snaps = workerSnapshots('w0', 3, (r, seq) => {
    r.add('http_req_duration', {}, 10 + seq);
    r.add('checks', { check: 'ok' }, seq !== 1);
  });
  const text = snaps.map(encodeSnapshotLine).join('') + '\n';
  const totals = new MetricTotals();
  let added = 0;
  for (const line of text.split('\n')) if (addSnapshotLine(totals, line)) added++;
  assert.equal(added, 3);
  const d = totals.query('http_req_duration');
  assert.ok(d?.type === 'trend');
  assert.equal(d.count, 3);
  // HDR reports the top of the value's bucket: 11 ms within 3 significant digits.
  assert.ok(Math.abs(percentile(d, 50) - 11) <= 0.011);
  assert.deepEqual(totals.query('checks', { check: 'ok' }), { type: 'rate', passes: 2, fails: 1 });
  assert.throws(
    () => decodeSnapshotLine('{', 'run.ndjson:3'),
    /^EngineError: run\.ndjson:3: not JSON/,
  );
  assert.throws(
    () => decodeSnapshotLine('{"v":2}', 'run.ndjson:4'),
    /run\.ndjson:4: not an interval snapshot \(v: /,
  );
});

test('trendValues of an empty trend are zeros', () => {
  const v = trendValues({
    type: 'trend',
    isTime: true,
    count: 0,
    sum: 0,
    min: Infinity,
    max: -Infinity,
    hist: new Histogram(),
  });
  assert.deepEqual(v, {
    count: 0,
    min: 0,
    mean: 0,
    p50: 0,
    p90: 0,
    p95: 0,
    p99: 0,
    p999: 0,
    max: 0,
  });
});
