import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Summary } from '@stampede/protocol';
import { comparisonResultSchema, summarySchema } from '@stampede/protocol';
import { mulberry32 } from './change-points/energy.ts';
import { compareRuns, parseMetricSelector } from './compare.ts';
import { isAnalysisError } from './errors.ts';
import { runStatisticsFromSummary } from './from-summary.ts';
import type { RunStatistics } from './run-statistics.ts';

/** A valid summary of one run whose latencies are `scale` × a base with seeded run noise. */
function summary(
  scale: number,
  u: () => number,
  opts: { noise?: number; scenario?: string; extra?: boolean; failed?: number } = {},
): Summary {
  const noise = 1 + (opts.noise ?? 0.02) * (2 * u() - 1);
  const f = scale * noise;
  const trend = (p50: number) => ({
    type: 'trend' as const,
    contains: 'time' as const,
    values: {
      count: 1000,
      min: p50 * 0.2 * f,
      mean: p50 * 1.1 * f,
      p50: p50 * f,
      p90: p50 * 1.8 * f,
      p95: p50 * 2.2 * f,
      p99: p50 * 3 * f,
      p999: p50 * 4 * f,
      max: p50 * 5 * f,
    },
  });
  const failed = opts.failed ?? 0;
  return summarySchema.parse({
    version: 1,
    tool: { name: 'stampede', version: '0.1.0' },
    startedAt: '2026-12-01T00:00:00.000Z',
    endedAt: '2026-12-01T00:00:10.000Z',
    durationMs: 10_000,
    result: 'passed',
    abortReason: null,
    scenarios: {
      [opts.scenario ?? 'default']: {
        executor: 'constant-vus',
        iterations: 1000,
        droppedIterations: 0,
      },
    },
    metrics: {
      http_req_duration: trend(20),
      'http_req_duration{name:home}': trend(10),
      http_reqs: { type: 'counter', contains: 'default', values: { count: 1000, rate: 100 / f } },
      http_req_failed: {
        type: 'rate',
        values: { rate: failed / 1000, passes: failed, fails: 1000 - failed },
      },
      vus: { type: 'gauge', values: { value: 0, min: 0, max: 10 } },
      ...(opts.extra ? { my_trend: trend(5) } : {}),
    },
    thresholds: {},
    checks: [{ name: 'is 200', group: '', passes: 1000 - failed, fails: failed }],
    generator: {
      workers: 1,
      eventLoopDelayP99Ms: 1,
      cpuUtilization: 0.1,
      cpuUtilizationMax: 0.2,
      saturated: false,
      reasons: [],
    },
  });
}

function side(
  k: number,
  scale: number,
  seed: number,
  opts: Parameters<typeof summary>[2] = {},
): RunStatistics[] {
  const u = mulberry32(seed);
  return Array.from({ length: k }, (_, i) =>
    runStatisticsFromSummary(summary(scale, u, opts), { source: `s${seed}-${i}.json` }),
  );
}

const row = (res: ReturnType<typeof compareRuns>, metric: string, statistic: string) => {
  const r = res.rows.find((x) => x.metric === metric && x.statistic === statistic);
  assert.ok(r, `${metric}:${statistic} row`);
  return r;
};

test('A/A with 8 runs per side: no regression or improvement anywhere, and a valid result', () => {
  const res = compareRuns(side(8, 1, 1), side(8, 1, 2));
  assert.equal(comparisonResultSchema.safeParse(JSON.parse(JSON.stringify(res))).success, true);
  assert.equal(res.regressed, false);
  assert.equal(res.counts.regression + res.counts.improvement, 0);
  assert.equal(row(res, 'http_req_duration', 'p99').verdict, 'no-change');
});

test('+25% latency is a regression whose CI contains +25%; request rate drop is a regression too', () => {
  const res = compareRuns(side(8, 1, 3), side(8, 1.25, 4));
  const p99 = row(res, 'http_req_duration', 'p99');
  assert.equal(p99.verdict, 'regression');
  assert.ok(p99.change !== null && p99.change.low !== null && p99.change.high !== null);
  assert.ok(p99.change.low < 25 && p99.change.high > 25, JSON.stringify(p99.change));
  assert.equal(row(res, 'http_req_duration{name:home}', 'p50').verdict, 'regression');
  assert.equal(row(res, 'http_reqs', 'rate').verdict, 'regression'); // lower is worse
  assert.equal(res.regressed, true);
});

test('−25% latency is an improvement and nothing regressed', () => {
  const res = compareRuns(side(8, 1, 5), side(8, 0.75, 6));
  assert.equal(row(res, 'http_req_duration', 'p95').verdict, 'improvement');
  assert.equal(row(res, 'http_reqs', 'rate').verdict, 'improvement');
  assert.equal(res.regressed, false);
});

test('large run-to-run noise at small k is inconclusive with the MDE shown', () => {
  const res = compareRuns(side(4, 1, 7, { noise: 0.6 }), side(4, 1.1, 8, { noise: 0.6 }));
  const p99 = row(res, 'http_req_duration', 'p99');
  assert.equal(p99.verdict, 'inconclusive');
  assert.ok(p99.mde !== null && p99.mde > 10, `mde ${p99.mde}`);
  assert.match(p99.reason, /MDE/);
});

test('fewer than 3 runs on a side: inconclusive, too few runs, not a crash', () => {
  const res = compareRuns(side(2, 1, 9), side(5, 2, 10));
  for (const r of res.rows) {
    assert.equal(r.verdict, 'inconclusive');
    assert.equal(r.reason, 'inconclusive: too few runs (need ≥ 3)');
  }
});

test('error rate that is 0 everywhere is no-change; errors appearing are a regression (absolute scale)', () => {
  const same = compareRuns(side(6, 1, 11), side(6, 1, 12));
  assert.equal(row(same, 'http_req_failed', 'rate').verdict, 'no-change');
  const worse = compareRuns(side(6, 1, 13), side(6, 1, 14, { failed: 50 }));
  const failed = row(worse, 'http_req_failed', 'rate');
  assert.equal(failed.change?.scale, 'absolute');
  assert.equal(failed.verdict, 'regression');
  assert.equal(row(worse, 'checks{check:is 200}', 'rate').verdict, 'regression'); // pass rate fell
});

test('runs of different tests: TEST_MISMATCH naming both files', () => {
  assert.throws(
    () => compareRuns(side(3, 1, 15), side(3, 1, 16, { scenario: 'other' })),
    (e) =>
      isAnalysisError(e, 'TEST_MISMATCH') &&
      /s15-0\.json/.test(e.message) &&
      /s16-0\.json/.test(e.message),
  );
});

test('different metric sets: METRIC_SET_MISMATCH naming the metric', () => {
  assert.throws(
    () => compareRuns(side(3, 1, 17), side(3, 1, 18, { extra: true })),
    (e) => isAnalysisError(e, 'METRIC_SET_MISMATCH') && /my_trend/.test(e.message),
  );
});

test('unknown metric: UNKNOWN_METRIC listing the available ones; a selector narrows the rows', () => {
  const a = side(3, 1, 19);
  const b = side(3, 1, 20);
  assert.throws(
    () => compareRuns(a, b, { select: [parseMetricSelector('http_req_duraton:p99')] }),
    (e) =>
      isAnalysisError(e, 'UNKNOWN_METRIC') &&
      /http_req_duraton:p99/.test(e.message) &&
      (e.details['available'] as string[]).includes('http_req_duration:p99'),
  );
  assert.throws(
    () => compareRuns(a, b, { select: [{ metric: 'http_req_duration', statistic: 'p42' }] }),
    (e) => isAnalysisError(e, 'UNKNOWN_METRIC'),
  );
  const res = compareRuns(a, b, {
    select: [parseMetricSelector('http_req_duration{name:home}:p99')],
  });
  assert.deepEqual(
    res.rows.map((r) => `${r.metric}:${r.statistic}`),
    ['http_req_duration{name:home}:p99'],
  );
});

test('bad options are INVALID_INPUT naming the field; the margin is never below 5%', () => {
  const a = side(3, 1, 21);
  assert.throws(
    () => compareRuns(a, a, { alpha: 0.7 }),
    (e) => isAnalysisError(e, 'INVALID_INPUT') && e.details['field'] === 'alpha',
  );
  assert.throws(
    () => compareRuns(a, a, { minEffect: -1 }),
    (e) => isAnalysisError(e, 'INVALID_INPUT') && e.details['field'] === 'minEffect',
  );
  assert.throws(
    () => compareRuns([], a),
    (e) => isAnalysisError(e, 'INVALID_INPUT'),
  );
  assert.equal(compareRuns(a, a, { minEffect: 0.01 }).settings.margin, 0.05);
  assert.equal(compareRuns(a, a, { minEffect: 0.1 }).settings.margin, 0.1);
});
