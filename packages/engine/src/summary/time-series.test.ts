import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IntervalSnapshot } from '@stampede/protocol';
import { Histogram } from '../metrics/histogram.ts';
import { timeSeriesOf } from './time-series.ts';

/** A 1 s interval of `source` ending at `endMs` with these request durations (ms). */
function snap(
  source: string,
  seq: number,
  endMs: number,
  durationsMs: number[],
  failed = 0,
  vus = 2,
): IntervalSnapshot {
  const h = new Histogram();
  for (const d of durationsMs) h.record(d * 1000);
  const n = durationsMs.length;
  return {
    v: 1,
    source,
    seq,
    startMs: endMs - 1000,
    endMs,
    series: [
      { type: 'counter', metric: 'http_reqs', tags: {}, isData: false, value: n },
      { type: 'rate', metric: 'http_req_failed', tags: {}, passes: failed, fails: n - failed },
      {
        type: 'trend',
        metric: 'http_req_duration',
        tags: {},
        isTime: true,
        count: n,
        sum: durationsMs.reduce((a, b) => a + b, 0),
        min: n ? Math.min(...durationsMs) : 0,
        max: n ? Math.max(...durationsMs) : 0,
        hdr: h.encode(),
      },
      { type: 'gauge', metric: 'vus', tags: {}, value: vus, min: vus, max: vus },
    ],
    health: [],
  };
}

test('one point per second; the sources of a second are merged, not averaged', () => {
  const fast = Array<number>(95).fill(10);
  const slow = Array<number>(5).fill(800);
  const series = timeSeriesOf([
    // Out of order and with a few ms of jitter between workers, as real workers send them.
    snap('w1', 0, 1_000_003, slow, 5),
    snap('w0', 0, 1_000_000, fast),
    snap('w0', 1, 1_001_000, [20, 20]),
    snap('w1', 1, 1_000_998, [], 0, 1),
  ]);
  assert.deepEqual(series.timesSec, [1000, 1001]);
  assert.deepEqual(series.ratePerSec, [100, 2]);
  assert.deepEqual(series.vus, [4, 3]);
  assert.ok(Math.abs((series.p50Ms[0] ?? 0) - 10) < 0.1);
  // Merged: 5 % of all requests are slow, so p99 is slow (an average of p99s would be ~405).
  assert.ok(Math.abs((series.p99Ms[0] ?? 0) - 800) < 5, `p99 ${series.p99Ms[0]}`);
  assert.equal(series.errorPct[0], 5);
  assert.equal(series.errorPct[1], 0);
  assert.ok(Math.abs((series.p95Ms[1] ?? 0) - 20) < 0.1);
});

test('a second without requests has null latencies and error rate; a re-sent snapshot counts once', () => {
  const s = snap('w0', 0, 5000, [5]);
  const series = timeSeriesOf([s, s, snap('w0', 1, 6000, [])]);
  assert.deepEqual(series.ratePerSec, [1, 0]);
  assert.deepEqual(series.p99Ms.slice(1), [null]);
  assert.deepEqual(series.errorPct.slice(1), [null]);
});

test('longer intervals get buckets of their own length', () => {
  const five = (seq: number, endMs: number): IntervalSnapshot => ({
    ...snap('g0', seq, endMs, [1, 1, 1, 1, 1]),
    startMs: endMs - 5000,
  });
  const series = timeSeriesOf([five(0, 10_000), five(1, 15_000)]);
  assert.deepEqual(series.timesSec, [10, 15]);
  assert.deepEqual(series.ratePerSec, [1, 1]);
});

test('no snapshots: an empty series', () => {
  assert.deepEqual(timeSeriesOf([]).timesSec, []);
});
