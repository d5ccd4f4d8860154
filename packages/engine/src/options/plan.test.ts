import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../errors.ts';
import { resolvePlan } from './plan.ts';

function planError(raw: unknown, overrides = {}): string {
  try {
    resolvePlan(raw, overrides);
  } catch (error) {
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, 'INVALID_OPTIONS');
    return error.message;
  }
  assert.fail('expected an error');
}

test('no options run one VU once', () => {
  const plan = resolvePlan(undefined);
  assert.deepEqual(Object.keys(plan.scenarios), ['default']);
  assert.equal(plan.scenarios['default']?.executor, 'per-vu-iterations');
});

test('shortcuts expand like k6', () => {
  assert.equal(
    resolvePlan({ vus: 3, duration: '10s' }).scenarios['default']?.executor,
    'constant-vus',
  );
  assert.equal(
    resolvePlan({ vus: 3, iterations: 30 }).scenarios['default']?.executor,
    'shared-iterations',
  );
  const ramp = resolvePlan({ stages: [{ duration: '5s', target: 10 }] }).scenarios['default'];
  assert.equal(ramp?.executor, 'ramping-vus');
  const s = resolvePlan({ duration: '1m30s' }).scenarios['default'];
  assert.ok(s?.executor === 'constant-vus' && s.duration === 90_000 && s.vus === 1);
});

test('CLI shortcut flags replace the script scenarios', () => {
  const raw = { scenarios: { a: { executor: 'constant-vus', vus: 1, duration: '1s' } } };
  const plan = resolvePlan(raw, { vus: 5, durationMs: 2000 });
  assert.deepEqual(Object.keys(plan.scenarios), ['default']);
  const s = plan.scenarios['default'];
  assert.ok(s?.executor === 'constant-vus' && s.vus === 5 && s.duration === 2000);
});

test('--rate makes a constant-arrival-rate scenario with VU defaults', () => {
  const s = resolvePlan({}, { ratePerSec: 200, durationMs: 5000 }).scenarios['default'];
  assert.ok(s?.executor === 'constant-arrival-rate');
  assert.equal(s.rate, 200);
  assert.equal(s.preAllocatedVUs, 20);
  assert.equal(s.maxVUs, 2000);
  assert.match(planError({}, { ratePerSec: 10 }), /--rate needs --duration/);
});

test('bad options name the option path', () => {
  assert.match(
    planError({ scenarios: { load: { executor: 'constant-rate', rate: 1 } } }),
    /options\.scenarios\.load\.executor: unknown executor "constant-rate"/,
  );
  assert.match(planError({ duration: '-5s' }), /options\.duration: invalid duration "-5s"/);
  assert.match(
    planError({
      scenarios: { s: { executor: 'constant-arrival-rate', rate: 10, duration: '5s' } },
    }),
    /options\.scenarios\.s\.preAllocatedVUs: is required/,
  );
  assert.match(
    planError({
      scenarios: {
        s: {
          executor: 'constant-arrival-rate',
          rate: 10,
          duration: '5s',
          preAllocatedVUs: 5,
          maxVUs: 2,
        },
      },
    }),
    /options\.scenarios\.s\.maxVUs: must be >= preAllocatedVUs/,
  );
  assert.match(planError({ vus: -1 }), /options\.vus: vus must be >= 0/);
  assert.match(planError({ vu: 1 }), /options: unknown option "vu"/);
  assert.match(
    planError({ scenarios: { s: { executor: 'constant-vus' } } }),
    /options\.scenarios\.s\.duration: is required/,
  );
  assert.match(planError([]), /options: must be an object/);
});

test('a NaN option says it got NaN, not that it is missing', () => {
  assert.match(
    planError({ vus: Number('abc'), duration: '1s' }),
    /options\.vus: got NaN, expected a number/,
  );
  assert.match(
    planError({ scenarios: { s: { executor: 'constant-vus', vus: NaN, duration: '1s' } } }),
    /options\.scenarios\.s\.vus: got NaN/,
  );
  assert.match(
    planError({ vus: 'abc' }),
    /options\.vus: Invalid input: expected number, received string/,
  );
});

test('an unknown option key gets a "did you mean", at any depth', () => {
  assert.match(
    planError({ duraton: '1s' }),
    /options: unknown option "duraton" \(did you mean "duration"\?\)/,
  );
  assert.match(
    planError({
      scenarios: { s: { executor: 'constant-vus', vus: 1, duraton: '1s', duration: '1s' } },
    }),
    /options\.scenarios\.s: unknown option "duraton" \(did you mean "duration"\?\)/,
  );
  assert.match(
    planError({
      scenarios: { s: { executor: 'ramping-vus', stages: [{ duration: '1s', targt: 1 }] } },
    }),
    /stages\[0\]: unknown option "targt" \(did you mean "target"\?\)/,
  );
  assert.match(planError({ banana: 1 }), /options: unknown option "banana"$/);
});

test('--tag overrides add to the script tags and win over them', () => {
  const plan = resolvePlan(
    { vus: 1, tags: { team: 'a', env: 'dev' } },
    { tags: { env: 'ci', branch: 'main' } },
  );
  assert.deepEqual(plan.options.tags, { team: 'a', env: 'ci', branch: 'main' });
  assert.deepEqual(resolvePlan({}, { tags: { k: 'v' } }).options.tags, { k: 'v' });
});
