import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { IntervalSnapshot } from '@stampede/protocol';
import { intervalSnapshotSchema } from '@stampede/protocol';
import { isAnalysisError } from './errors.ts';
import { runStatisticsFromSnapshots } from './from-snapshots.ts';

/** One 1-second interval of a worker with the given request latencies (ms) for endpoint `name`. */
function interval(
  seq: number,
  name: string,
  latenciesMs: readonly number[],
  failed: number,
): IntervalSnapshot {
  const h = build({
    numberOfSignificantValueDigits: 3,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    autoResize: true,
    useWebAssembly: false,
  });
  for (const v of latenciesMs) h.recordValue(Math.round(v * 1000));
  const sum = latenciesMs.reduce((a, b) => a + b, 0);
  const tags = { name, scenario: 'default' };
  return intervalSnapshotSchema.parse({
    v: 1,
    source: 'w0',
    seq,
    startMs: 1_000_000 + seq * 1000,
    endMs: 1_000_000 + (seq + 1) * 1000,
    series: [
      {
        type: 'trend',
        metric: 'http_req_duration',
        tags,
        isTime: true,
        count: latenciesMs.length,
        sum,
        min: Math.min(...latenciesMs),
        max: Math.max(...latenciesMs),
        hdr: encodeIntoCompressedBase64(h),
      },
      { type: 'counter', metric: 'http_reqs', tags, isData: false, value: latenciesMs.length },
      {
        type: 'rate',
        metric: 'http_req_failed',
        tags,
        passes: failed,
        fails: latenciesMs.length - failed,
      },
    ],
  });
}

const scenarios = { default: { executor: 'constant-vus' } };
const value = (
  r: ReturnType<typeof runStatisticsFromSnapshots>,
  metric: string,
  statistic: string,
): number => {
  const s = r.statistics.find((x) => x.metric === metric && x.statistic === statistic);
  assert.ok(s, `${metric}:${statistic}`);
  return s.value;
};

// 2 s of slow warm-up (100 ms), then 8 s at 10 ms; endpoint "b" is twice as slow as "a".
const snaps = Array.from({ length: 10 }, (_, i) => [
  interval(
    i,
    'a',
    Array.from({ length: 100 }, (_, j) => (i < 2 ? 100 : 10) + j * 0.01),
    i < 2 ? 10 : 0,
  ),
  interval(
    i,
    'b',
    Array.from({ length: 100 }, (_, j) => (i < 2 ? 200 : 20) + j * 0.01),
    0,
  ),
]).flat();

test('the steady-state window skips warm-up intervals; histograms are merged, percentiles exact to 3 digits', () => {
  const whole = runStatisticsFromSnapshots(snaps, { scenarios });
  const steady = runStatisticsFromSnapshots(snaps, { scenarios, skipFirstMs: 2000 });
  assert.ok(value(whole, 'http_req_duration', 'p90') > 100);
  assert.ok(Math.abs(value(steady, 'http_req_duration{name:a}', 'p50') - 10.5) < 0.05);
  assert.ok(Math.abs(value(steady, 'http_req_duration{name:b}', 'p99') - 20.99) < 0.05);
  assert.ok(Math.abs(value(steady, 'http_req_duration', 'mean') - 15.495) < 1e-9);
  assert.equal(value(steady, 'http_reqs', 'rate'), 200); // 1,600 requests over 8 s
  assert.equal(value(steady, 'http_req_failed', 'rate'), 0);
  assert.equal(value(whole, 'http_req_failed{name:a}', 'rate'), 20 / 1000);
  assert.equal(steady.durationMs, 8000);
  assert.equal(steady.testKey, 'default=constant-vus');
  assert.ok(steady.statistics.some((s) => s.metric === 'http_req_duration{scenario:default}'));
});

test('a corrupt histogram is INVALID_INPUT naming the snapshot', () => {
  const bad = intervalSnapshotSchema.parse({
    ...snaps[0],
    series: [{ ...snaps[0]!.series[0]!, hdr: 'bm90IGhkcg==' }],
  });
  assert.throws(
    () => runStatisticsFromSnapshots([bad], { scenarios }),
    (e) => isAnalysisError(e, 'INVALID_INPUT') && /w0#0/.test(e.message),
  );
});
