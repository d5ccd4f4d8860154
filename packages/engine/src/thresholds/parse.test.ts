import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optionsSchema } from '@stampede/protocol';
import type { MetricType } from '@stampede/protocol';
import { builtinMetric } from '../metrics/builtin.ts';
import {
  compileThresholds,
  parseThresholdExpression,
  parseThresholdKey,
  ThresholdSyntaxError,
} from './parse.ts';

const typeOf = (name: string): MetricType | undefined =>
  name === 'my_gauge' ? 'gauge' : builtinMetric(name)?.type;

function compile(thresholds: unknown) {
  const options = optionsSchema.parse({ thresholds });
  return compileThresholds(options.thresholds, typeOf);
}

test('threshold keys: metric, sub-metric, whitespace and quotes', () => {
  assert.deepEqual(parseThresholdKey('http_req_duration'), {
    metric: 'http_req_duration',
    filter: {},
    name: 'http_req_duration',
  });
  assert.deepEqual(parseThresholdKey(' http_req_duration { status : 200 , method:"GET" } '), {
    metric: 'http_req_duration',
    filter: { status: '200', method: 'GET' },
    name: 'http_req_duration{status:200,method:GET}',
  });
  assert.deepEqual(parseThresholdKey('checks{check:\'status is 200\', group:"::a, b"}').filter, {
    check: 'status is 200',
    group: '::a, b',
  });
  assert.deepEqual(parseThresholdKey('http_reqs{url:http://x/a?b=c}').filter, {
    url: 'http://x/a?b=c',
  });
});

test('threshold expressions: every aggregation and operator', () => {
  const cases: [string, unknown][] = [
    ['p(95)<200', { aggregation: { kind: 'p', p: 95 }, operator: '<', target: 200 }],
    [
      ' p( 99.9 ) <= 250.5 ',
      { aggregation: { kind: 'p', p: 99.9 }, operator: '<=', target: 250.5 },
    ],
    ['p(0)>0', { aggregation: { kind: 'p', p: 0 }, operator: '>', target: 0 }],
    ['p(100)>=1', { aggregation: { kind: 'p', p: 100 }, operator: '>=', target: 1 }],
    ['avg==3', { aggregation: { kind: 'avg' }, operator: '==', target: 3 }],
    ['min===-2', { aggregation: { kind: 'min' }, operator: '===', target: -2 }],
    ['max != .5', { aggregation: { kind: 'max' }, operator: '!=', target: 0.5 }],
    ['med<1e3', { aggregation: { kind: 'med' }, operator: '<', target: 1000 }],
    ['count>10', { aggregation: { kind: 'count' }, operator: '>', target: 10 }],
    ['rate>0.99', { aggregation: { kind: 'rate' }, operator: '>', target: 0.99 }],
    ['value<-1.5', { aggregation: { kind: 'value' }, operator: '<', target: -1.5 }],
  ];
  for (const [text, expected] of cases)
    assert.deepEqual(parseThresholdExpression(text, 'x'), expected, text);
});

test('compileThresholds: compiled entries with paths, abortOnFail and delay', () => {
  const compiled = compile({
    'http_req_duration{status:200}': [
      'p(95)<200',
      { threshold: 'avg<100', abortOnFail: true, delayAbortEval: '10s' },
    ],
    http_req_failed: ['rate<0.01'],
  });
  assert.equal(compiled.length, 3);
  const [a, b, c] = compiled;
  assert.equal(a?.path, 'thresholds["http_req_duration{status:200}"][0]');
  assert.equal(a?.metricType, 'trend');
  assert.deepEqual(a?.filter, { status: '200' });
  assert.equal(a?.abortOnFail, false);
  assert.equal(b?.path, 'thresholds["http_req_duration{status:200}"][1].threshold');
  assert.equal(b?.abortOnFail, true);
  assert.equal(b?.delayAbortEvalMs, 10_000);
  assert.equal(b?.expression, 'avg<100');
  assert.equal(c?.key, 'http_req_failed');
  assert.equal(c?.metricType, 'rate');
});

test('invalid thresholds name the option path', () => {
  const cases: [Record<string, unknown[]>, string][] = [
    [
      { 'http_req_duration{status:200}': ['p(95)<200', 'p95<200'] },
      'thresholds["http_req_duration{status:200}"][1]: unknown aggregation "p95" (use p(95))',
    ],
    [
      { http_req_duration: ['p99.9<200'] },
      'thresholds["http_req_duration"][0]: unknown aggregation "p99.9" (use p(99.9))',
    ],
    [
      { http_req_duration: ['average<200'] },
      'thresholds["http_req_duration"][0]: unknown aggregation "average" (use p(N), avg, min, max, med, count, rate or value)',
    ],
    [
      { http_req_duration: ['p(101)<200'] },
      'thresholds["http_req_duration"][0]: percentile in "p(101)" must be a number from 0 to 100',
    ],
    [
      { http_req_duration: ['p(-1)<200'] },
      'thresholds["http_req_duration"][0]: percentile in "p(-1)" must be a number from 0 to 100',
    ],
    [
      { http_req_duration: ['p()<200'] },
      'thresholds["http_req_duration"][0]: percentile in "p()" must be a number from 0 to 100',
    ],
    [
      { http_req_duration: ['p(95)'] },
      'thresholds["http_req_duration"][0]: no comparison operator in "p(95)": expected "<aggregation> <operator> <number>", such as "p(95)<200" or "rate>0.99"',
    ],
    [
      { http_req_duration: ['p(95)=200'] },
      'thresholds["http_req_duration"][0]: unknown operator in "p(95)=200" (use <, <=, >, >=, ==, === or !=)',
    ],
    [
      { http_req_duration: ['p(95)=<200'] },
      'thresholds["http_req_duration"][0]: unknown operator in "p(95)=<200" (use <, <=, >, >=, ==, === or !=)',
    ],
    [
      { http_req_duration: ['p(95)<'] },
      'thresholds["http_req_duration"][0]: missing number after "<": expected "<aggregation> <operator> <number>", such as "p(95)<200" or "rate>0.99"',
    ],
    [
      { http_req_duration: ['<200'] },
      'thresholds["http_req_duration"][0]: missing aggregation before "<": expected "<aggregation> <operator> <number>", such as "p(95)<200" or "rate>0.99"',
    ],
    [
      { http_req_duration: ['p(95)<200ms'] },
      'thresholds["http_req_duration"][0]: "200ms" is not a number (after "<")',
    ],
    [
      { http_req_duration: ['avg<abc'] },
      'thresholds["http_req_duration"][0]: "abc" is not a number (after "<")',
    ],
    [
      { http_req_duration: ['rate<0.1'] },
      'thresholds["http_req_duration"][0]: aggregation "rate" does not apply to trend metric "http_req_duration" (use p(N), avg, min, max, med or count)',
    ],
    [
      { http_reqs: ['p(95)<1'] },
      'thresholds["http_reqs"][0]: aggregation "p(95)" does not apply to counter metric "http_reqs" (use count or rate)',
    ],
    [
      { checks: ['count>1'] },
      'thresholds["checks"][0]: aggregation "count" does not apply to rate metric "checks" (use rate)',
    ],
    [
      { my_gauge: ['avg>1'] },
      'thresholds["my_gauge"][0]: aggregation "avg" does not apply to gauge metric "my_gauge" (use value, min or max)',
    ],
    [
      { http_req_duration: ['p(95)<1', { threshold: 'max<' }] },
      'thresholds["http_req_duration"][1].threshold: missing number after "<": expected "<aggregation> <operator> <number>", such as "p(95)<200" or "rate>0.99"',
    ],
    [
      { no_such_metric: ['count>1'] },
      'thresholds["no_such_metric"]: unknown metric "no_such_metric" (not built in and not defined by the script)',
    ],
    [
      { '1bad': ['count>1'] },
      'thresholds["1bad"]: invalid metric name "1bad" (expected a name like http_req_duration, optionally followed by {tag:value})',
    ],
    [
      { 'http_reqs{status:200': ['count>1'] },
      'thresholds["http_reqs{status:200"]: tag filter must end with "}"',
    ],
    [{ 'http_reqs{}': ['count>1'] }, 'thresholds["http_reqs{}"]: empty tag filter "{}"'],
    [
      { 'http_reqs{status}': ['count>1'] },
      'thresholds["http_reqs{status}"]: tag filter entry "status" needs a value: {status:value}',
    ],
    [
      { 'http_reqs{:200}': ['count>1'] },
      'thresholds["http_reqs{:200}"]: missing tag name in tag filter',
    ],
    [
      { 'http_reqs{a:1,a:2}': ['count>1'] },
      'thresholds["http_reqs{a:1,a:2}"]: tag "a" appears twice in the tag filter',
    ],
    [
      { 'http_reqs{a:1,}': ['count>1'] },
      'thresholds["http_reqs{a:1,}"]: trailing "," in tag filter',
    ],
    [
      { 'http_reqs{a:"1}': ['count>1'] },
      'thresholds["http_reqs{a:\\"1}"]: unterminated quote in tag filter value of a',
    ],
    [
      { 'http_reqs{a:"1" x}': ['count>1'] },
      'thresholds["http_reqs{a:\\"1\\" x}"]: unexpected text after the value of tag "a"',
    ],
  ];
  for (const [thresholds, message] of cases) {
    assert.throws(
      () => compile(thresholds),
      (e: unknown) => {
        assert.ok(e instanceof ThresholdSyntaxError, String(e));
        assert.equal(e.message, message);
        assert.equal(e.code, 'INVALID_OPTIONS');
        assert.equal(e.path, message.slice(0, message.indexOf(': ')));
        assert.deepEqual(e.details, { path: e.path });
        return true;
      },
    );
  }
});
