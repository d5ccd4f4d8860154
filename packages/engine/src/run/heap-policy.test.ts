import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scenarioSchema, type Scenario } from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import { heapGrowingPercent, LEAN_HEAP_GROWING_PERCENT } from './heap-policy.ts';

const scenarios = (raw: Record<string, Record<string, unknown>>): Record<string, Scenario> =>
  Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, scenarioSchema.parse(v)]));

test('runs under 10,000 VUs keep V8 dynamic heap growth; bigger ones get the lean growth', () => {
  const small = scenarios({ a: { executor: 'constant-vus', vus: 9_999, duration: '1s' } });
  assert.equal(heapGrowingPercent(small, undefined), 0);
  const big = scenarios({
    a: { executor: 'constant-vus', vus: 5_000, duration: '1s' },
    b: {
      executor: 'constant-arrival-rate',
      rate: 10,
      duration: '1s',
      preAllocatedVUs: 10,
      maxVUs: 5_000,
    },
  });
  assert.equal(heapGrowingPercent(big, undefined), LEAN_HEAP_GROWING_PERCENT);
  const ramp = scenarios({
    r: { executor: 'ramping-vus', stages: [{ duration: '1s', target: 100_000 }] },
  });
  assert.equal(heapGrowingPercent(ramp, ''), LEAN_HEAP_GROWING_PERCENT);
});

test('the environment override wins, and a bad value names the variable', () => {
  const big = scenarios({ a: { executor: 'constant-vus', vus: 50_000, duration: '1s' } });
  assert.equal(heapGrowingPercent(big, '0'), 0);
  const small = scenarios({ a: { executor: 'constant-vus', vus: 1, duration: '1s' } });
  assert.equal(heapGrowingPercent(small, '30'), 30);
  for (const bad of ['abc', '-1', '12.5', '5000']) {
    assert.throws(
      () => heapGrowingPercent(small, bad),
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === 'INVALID_INPUT' &&
        e.message.includes('STAMPEDE_HEAP_GROWING_PERCENT') &&
        e.message.includes(bad),
    );
  }
});
