import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optionsSchema } from '@stampede/protocol';
import { MetricRegistry } from '../metrics/registry.ts';
import { MetricTotals } from '../metrics/totals.ts';
import { compare, evaluateThresholds } from './evaluate.ts';
import { compileThresholds } from './parse.ts';

/** Totals of one worker over one interval: durations 1..100 ms (status 500 for the last 10), 200 requests, rates, a gauge. */
function fixture(): { totals: MetricTotals; registry: MetricRegistry } {
  const registry = new MetricRegistry();
  registry.define('queue', 'gauge');
  registry.define('score', 'trend');
  for (let ms = 1; ms <= 100; ms++) {
    const status = ms > 90 ? '500' : '200';
    registry.add('http_req_duration', { status }, ms);
    registry.add('http_reqs', { status }, 2);
    registry.add('http_req_failed', {}, status === '500');
    registry.add('score', {}, ms / 10);
  }
  registry.add('queue', {}, 4);
  registry.add('queue', {}, 9);
  registry.add('queue', {}, 6);
  const totals = new MetricTotals();
  totals.add(registry.snapshot('w0', 0, 0, 1000, []));
  return { totals, registry };
}

function run(thresholds: Record<string, unknown[]>, elapsedMs = 10_000) {
  const { totals, registry } = fixture();
  const compiled = compileThresholds(optionsSchema.parse({ thresholds }).thresholds, (n) =>
    registry.metricType(n),
  );
  return evaluateThresholds(compiled, totals, elapsedMs);
}

test('every aggregation yields the expected value', () => {
  const { results } = run({
    http_req_duration: [
      'p(50)<51',
      'p(99)<=99.1',
      'med>49',
      'avg==50.5',
      'min===1',
      'max!=99',
      'count==100',
      'p(100)<100.1',
    ],
    'http_req_duration{status:500}': ['min>=91', 'count==10'],
    http_reqs: ['count==200', 'rate==20'],
    'http_reqs{status:200}': ['count==180'],
    http_req_failed: ['rate==0.1'],
    queue: ['value==6', 'min==4', 'max==9'],
    score: ['avg==5.05', 'p(90)<9.01'],
  });
  const byExpr = new Map(results.map((r) => [`${r.key} ${r.expression}`, r]));
  const value = (k: string) => byExpr.get(k)?.value;
  assert.ok(Math.abs((value('http_req_duration p(50)<51') as number) - 50) <= 0.05);
  assert.ok(Math.abs((value('http_req_duration p(99)<=99.1') as number) - 99) <= 0.1);
  assert.equal(value('http_req_duration avg==50.5'), 50.5);
  assert.equal(value('http_req_duration min===1'), 1);
  assert.equal(value('http_req_duration max!=99'), 100);
  assert.equal(value('http_req_duration count==100'), 100);
  assert.equal(value('http_req_duration p(100)<100.1'), 100); // clamped to the exact max
  assert.equal(value('http_reqs rate==20'), 20); // 200 over 10 s
  assert.equal(value('http_reqs{status:200} count==180'), 180);
  assert.equal(value('http_req_failed rate==0.1'), 0.1);
  assert.equal(value('queue value==6'), 6);
  for (const r of results) assert.equal(r.ok, true, `${r.key} ${r.expression} value=${r.value}`);
});

test('failing thresholds and the operators', () => {
  const { results, abort } = run({
    http_req_duration: ['max<100', 'avg>60', 'count!=100'],
    http_req_failed: ['rate<0.05'],
  });
  assert.deepEqual(
    results.map((r) => r.ok),
    [false, false, false, false],
  );
  assert.equal(abort, false);
  const table: [number, Parameters<typeof compare>[1], number, boolean][] = [
    [1, '<', 2, true],
    [2, '<', 2, false],
    [2, '<=', 2, true],
    [3, '<=', 2, false],
    [3, '>', 2, true],
    [2, '>', 2, false],
    [2, '>=', 2, true],
    [1, '>=', 2, false],
    [2, '==', 2, true],
    [2, '==', 3, false],
    [2, '===', 2, true],
    [1, '===', 2, false],
    [1, '!=', 2, true],
    [2, '!=', 2, false],
  ];
  for (const [a, op, b, want] of table) assert.equal(compare(a, op, b), want, `${a}${op}${b}`);
});

test('no data: value null and ok, never aborts', () => {
  const { results, abort } = run({
    'http_req_duration{status:404}': [{ threshold: 'p(95)<1', abortOnFail: true }],
    iteration_duration: ['avg<1'],
    dropped_iterations: ['count<1'],
  });
  assert.deepEqual(
    results.map((r) => [r.value, r.ok]),
    [
      [null, true],
      [null, true],
      [null, true],
    ],
  );
  assert.equal(abort, false);
});

test('abortOnFail waits for delayAbortEval', () => {
  const thresholds = {
    http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '30s' }],
    http_req_duration: ['p(95)<1000', { threshold: 'max<10', abortOnFail: false }],
  };
  const early = run(thresholds, 10_000);
  assert.equal(early.results[0]?.ok, false);
  assert.equal(early.results[0]?.abortOnFail, true);
  assert.equal(early.abort, false);
  const late = run(thresholds, 30_000);
  assert.equal(late.abort, true);
  assert.equal(late.abortedBy, 'http_req_failed rate<0.01');
  assert.equal(late.abortResult?.key, 'http_req_failed');
  // A failing threshold without abortOnFail never aborts.
  assert.equal(run({ http_req_duration: ['max<10'] }, 60_000).abort, false);
});
