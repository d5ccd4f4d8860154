import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePlan } from '../options/plan.ts';
import { planMaxDurationMs } from './plan-report.ts';

test('planMaxDurationMs: the latest scenario end, graceful periods included', () => {
  const plan = resolvePlan({
    scenarios: {
      a: { executor: 'constant-vus', vus: 1, duration: '10s', gracefulStop: '2s' },
      b: {
        executor: 'ramping-vus',
        startTime: '5s',
        stages: [
          { duration: '3s', target: 5 },
          { duration: '4s', target: 0 },
        ],
        gracefulRampDown: '1s',
        gracefulStop: '1s',
      },
      c: { executor: 'shared-iterations', iterations: 3, maxDuration: '1s', gracefulStop: '0s' },
    },
  });
  assert.equal(planMaxDurationMs(plan), 5000 + 7000 + 1000 + 1000);
  assert.equal(planMaxDurationMs(resolvePlan({ vus: 2, duration: '30s' })), 30_000 + 30_000);
});
