import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { optionsSchema, summarySchema } from '@stampede/protocol';
import type { IntervalSnapshot, WorkerHealth } from '@stampede/protocol';
import {
  HealthTotals,
  SATURATION_EVENT_LOOP_P99_MS,
  SATURATION_SEND_LAG_P99_MS,
} from '../metrics/health.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import { MetricTotals } from '../metrics/totals.ts';
import { evaluateThresholds } from '../thresholds/evaluate.ts';
import { compileThresholds } from '../thresholds/parse.ts';
import { buildSummary } from './build.ts';
import type { SummaryInput } from './build.ts';
import { formatSummaryText } from './text.ts';

// Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change (then review the diff).
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const GOLDEN_JSON = new URL('./testdata/summary.golden.json', import.meta.url);
const GOLDEN_TEXT = new URL('./testdata/summary.golden.txt', import.meta.url);
const START = Date.UTC(2025, 0, 2, 3, 4, 5);

function health(worker: string, cpu: number, loopP99: number): WorkerHealth {
  return {
    worker,
    eventLoopDelayP99Ms: loopP99,
    eventLoopDelayMaxMs: loopP99 * 2,
    cpuUtilization: cpu,
    heapUsedBytes: 50e6,
  };
}

/** A fixed run: two workers, three 1-second intervals each, plus the main thread. */
function fixedSnapshots(): IntervalSnapshot[] {
  const out: IntervalSnapshot[] = [];
  ['w0', 'w1'].forEach((worker, w) => {
    const r = new MetricRegistry();
    r.define('login_time', 'trend', { isTime: true });
    r.define('items', 'counter');
    for (let seq = 0; seq < 3; seq++) {
      r.add('vus', {}, 5 + seq);
      r.add('vus_max', {}, 10);
      for (let i = 0; i < 40; i++) {
        const n = seq * 40 + i;
        const status = n % 20 === 0 ? '500' : '200';
        const ms = 5 + ((n * 37 + w * 11) % 100) + (n % 7) / 8;
        const tags = { method: 'GET', status, name: 'http://target/' };
        r.add('http_reqs', tags, 1);
        r.add('http_req_duration', tags, ms);
        r.add('http_req_waiting', tags, ms * 0.8);
        r.add('http_req_failed', tags, status === '500');
        r.add('data_sent', {}, 120);
        r.add('data_received', {}, 2048 + n);
        r.add('iterations', { scenario: 'default' }, 1);
        r.add('iteration_duration', { scenario: 'default' }, ms + 1);
        r.add('send_lag', { scenario: 'default' }, (n % 5) / 4);
        r.add('checks', { check: 'status is 200', group: '' }, status === '200');
        r.add('checks', { check: 'logged in', group: '::login' }, n % 10 !== 3);
        r.add('login_time', { group: '::login' }, 20 + (n % 13));
        r.add('items', {}, 3);
      }
      out.push(
        r.snapshot(worker, seq, START + seq * 1000, START + (seq + 1) * 1000, [
          health(worker, 0.3 + 0.1 * seq + 0.05 * w, 1.5 + seq),
        ]),
      );
    }
  });
  const main = new MetricRegistry();
  main.add('checks', { check: 'setup ok', group: '' }, true);
  out.push(main.snapshot('main', 0, START, START + 3000, []));
  return out;
}

function fixedInput(): SummaryInput {
  const totals = new MetricTotals();
  for (const s of fixedSnapshots()) totals.add(s);
  const registry = new MetricRegistry();
  registry.define('login_time', 'trend', { isTime: true });
  registry.define('items', 'counter');
  const thresholds = compileThresholds(
    optionsSchema.parse({
      thresholds: {
        http_req_duration: ['p(95)<200', 'avg<50'],
        'http_req_duration{status:500}': ['max<1000'],
        'http_req_duration{status:404}': ['p(99)<100'],
        http_req_failed: [{ threshold: 'rate<0.10', abortOnFail: true }],
        checks: ['rate>0.95'],
        http_reqs: ['rate>10'],
      },
    }).thresholds,
    (n) => registry.metricType(n),
  );
  return {
    totals,
    thresholds: evaluateThresholds(thresholds, totals, 3000).results,
    startedAtMs: START,
    endedAtMs: START + 3000,
    scenarios: { default: { executor: 'constant-vus', iterations: 240, droppedIterations: 0 } },
    abortReason: null,
    toolVersion: '0.0.0-test',
  };
}

function golden(url: URL, actual: string): string {
  if (UPDATE) writeFileSync(url, actual);
  return readFileSync(url, 'utf8');
}

test('summary of a fixed run matches the golden JSON and validates', () => {
  const summary = buildSummary(fixedInput());
  assert.deepEqual(summarySchema.parse(summary), summary);
  const json = `${JSON.stringify(summary, null, 2)}\n`;
  assert.equal(json, golden(GOLDEN_JSON, json));
  // Spot checks, so a wrong golden file cannot hide a wrong number.
  assert.equal(summary.result, 'failed');
  assert.equal(summary.durationMs, 3000);
  assert.equal(summary.startedAt, '2025-01-02T03:04:05.000Z');
  assert.deepEqual(summary.metrics['http_reqs'], {
    type: 'counter',
    contains: 'default',
    values: { count: 240, rate: 80 },
  });
  assert.deepEqual(summary.metrics['vus'], {
    type: 'gauge',
    values: { value: 14, min: 10, max: 14 },
  });
  assert.equal(summary.metrics['http_req_duration{status:500}']?.type, 'trend');
  assert.deepEqual(summary.metrics['http_req_duration{status:404}']?.values, {
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
  assert.equal(
    summary.metrics['data_sent']?.type === 'counter' && summary.metrics['data_sent'].contains,
    'data',
  );
  assert.deepEqual(summary.checks, [
    { name: 'status is 200', group: '', passes: 228, fails: 12 },
    { name: 'logged in', group: '::login', passes: 216, fails: 24 },
    { name: 'setup ok', group: '', passes: 1, fails: 0 },
  ]);
  assert.deepEqual(summary.thresholds['checks'], [
    { expression: 'rate>0.95', ok: false, value: 445 / 481, abortOnFail: false },
  ]);
  assert.deepEqual(summary.thresholds['http_req_duration{status:404}'], [
    { expression: 'p(99)<100', ok: true, value: null, abortOnFail: false },
  ]);
  assert.equal(summary.generator.workers, 2);
  assert.equal(summary.generator.eventLoopDelayP99Ms, 3.5);
  assert.equal(summary.generator.cpuUtilizationMax, 0.55);
  assert.equal(summary.generator.saturated, false);
});

test('text summary of a fixed run matches the golden text', () => {
  const text = formatSummaryText(buildSummary(fixedInput()));
  assert.equal(text, golden(GOLDEN_TEXT, text));
  assert.ok(!text.includes('\x1b['));
  assert.ok(formatSummaryText(buildSummary(fixedInput()), { color: true }).includes('\x1b[32m✓'));
});

/** A run whose worker w0 had `health` (first entry: its start-up interval) and these send_lag values per interval. */
function runWith(
  health: WorkerHealth[],
  sendLagMsPerInterval: number[],
): ReturnType<typeof buildSummary> {
  const totals = new MetricTotals();
  sendLagMsPerInterval.forEach((lagMs, seq) => {
    const r = new MetricRegistry();
    for (let i = 0; i < 100; i++) r.add('send_lag', {}, lagMs);
    totals.add(r.snapshot('w0', seq, START + seq * 1000, START + (seq + 1) * 1000, []));
  });
  return buildSummary({ ...fixedInput(), totals, thresholds: [], health });
}

const calmLag = [1, 1, 1];

test('saturation rule: CPU in half the intervals, event-loop delay, send lag, each in 2+ intervals', () => {
  const calm = [health('w0', 0.5, 2), health('w0', 0.99, 2), health('w0', 0.5, 2)];
  assert.equal(runWith(calm, calmLag).generator.saturated, false);

  const busy = [
    health('w0', 0.2, 2),
    health('w0', 0.96, 2),
    health('w0', 0.5, 2),
    health('w1', 0.2, 2),
    health('w0', 0.95, 2),
  ];
  const a = runWith(busy, calmLag).generator;
  assert.equal(a.saturated, true);
  assert.deepEqual(a.reasons, [
    'CPU of load worker w0 was at or above 90% in 50% or more of the intervals',
  ]);
  assert.equal(a.workers, 2);
  assert.equal(a.cpuUtilizationMax, 0.96);

  const loopLimit = SATURATION_EVENT_LOOP_P99_MS;
  const twice = [
    health('w0', 0.1, 2),
    health('w0', 0.1, loopLimit + 50),
    health('w0', 0.1, loopLimit),
  ];
  const b = runWith(twice, calmLag).generator;
  assert.deepEqual(b.reasons, [
    'event-loop delay p99 was 100 ms or more in 2 or more intervals (limit 100 ms)',
  ]);

  const lagLimit = SATURATION_SEND_LAG_P99_MS;
  const c = runWith([], [1, lagLimit + 10, lagLimit]).generator;
  assert.equal(c.saturated, true);
  assert.deepEqual(c.reasons, [
    'iterations started late: send_lag p99 was 50 ms or more in 2 or more intervals (limit 50 ms)',
  ]);

  const text = formatSummaryText(runWith(busy, [1, 60, 70]));
  assert.match(text, /WARNING: THE LOAD GENERATOR WAS SATURATED/);
  assert.match(text, /- iterations started late/);
});

test('saturation rule: start-up and one slow interval are not saturation', () => {
  // The start-up interval (module loading, VU init, JIT) is outside the health window.
  const slowStart = [health('w0', 0.99, 150), health('w0', 0.05, 2), health('w0', 0.04, 2)];
  const a = runWith(slowStart, [200, 1, 1]).generator;
  assert.equal(a.saturated, false, a.reasons.join('; '));
  assert.equal(a.eventLoopDelayP99Ms, 2);
  assert.equal(a.cpuUtilizationMax, 0.05);
  // One slow interval (a GC pause) is not sustained.
  const onePause = [health('w0', 0.1, 2), health('w0', 0.1, 150), health('w0', 0.1, 2)];
  assert.equal(runWith(onePause, [1, 80, 1]).generator.saturated, false);
  // A run of only its start-up interval shows that interval and is never flagged.
  const short = runWith([health('w0', 0.99, 150)], [200]).generator;
  assert.equal(short.saturated, false);
  assert.equal(short.eventLoopDelayP99Ms, 150);
});

test('result is aborted with a reason; health may be given as HealthTotals', () => {
  const h = new HealthTotals();
  h.add(health('w0', 0.5, 1));
  const s = buildSummary({
    ...fixedInput(),
    abortReason: 'interrupted by the user',
    health: h,
    workers: 4,
  });
  assert.equal(s.result, 'aborted');
  assert.equal(s.abortReason, 'interrupted by the user');
  assert.equal(s.generator.workers, 4);
  assert.match(formatSummaryText(s), /RESULT: aborted after 3s: interrupted by the user/);
  const passed = buildSummary({ ...fixedInput(), thresholds: [] });
  assert.equal(passed.result, 'passed');
  assert.deepEqual(passed.thresholds, {});
});
