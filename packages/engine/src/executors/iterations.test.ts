import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scenarioSchema, type Scenario } from '@stampede/protocol';
import { createExecutor } from './index.ts';
import { FakeHost, runToEnd } from './testing.ts';
import { SegmentPlan } from '../segment/segment-plan.ts';

const scenario = (input: Record<string, unknown>): Scenario => scenarioSchema.parse(input);

test('per-vu-iterations: every VU runs its iterations, then the scenario ends', async () => {
  const host = new FakeHost(100);
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    scenario({ executor: 'per-vu-iterations', vus: 3, iterations: 4 }),
    SegmentPlan.full(),
    host,
  );
  const end = await runToEnd(runner, host.clock, { stepMs: 10 });
  assert.equal(end - t0, 400);
  assert.equal(host.iterations.length, 12);
  assert.deepEqual(
    host.iterations.map((i) => i.start.scenarioIteration).sort((a, b) => a - b),
    Array.from({ length: 12 }, (_, i) => i),
  );
  for (let vu = 1; vu <= 3; vu++) {
    assert.deepEqual(
      host.iterations.filter((i) => i.start.vuId === vu).map((i) => i.start.vuIteration),
      [0, 1, 2, 3],
    );
  }
  assert.equal(runner.progress().plannedMs, 600_000);
});

test('per-vu-iterations: maxDuration stops the VUs, gracefulStop then interrupts', async () => {
  const host = new FakeHost(100);
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    scenario({
      executor: 'per-vu-iterations',
      vus: 2,
      iterations: 100,
      maxDuration: '250ms',
      gracefulStop: '20ms',
    }),
    SegmentPlan.full(),
    host,
  );
  const end = await runToEnd(runner, host.clock, { stepMs: 5 });
  assert.equal(end - t0, 270);
  const p = runner.progress();
  assert.deepEqual(
    [p.iterationsStarted, p.iterationsCompleted, p.iterationsInterrupted],
    [6, 4, 2],
  );
});

test('per-vu-iterations: a segment runs its VUs × iterations', async () => {
  const host = new FakeHost(10);
  const plan = SegmentPlan.parse([{ segment: '0:1/4' }]);
  const runner = createExecutor(
    's',
    scenario({ executor: 'per-vu-iterations', vus: 10, iterations: 3 }),
    plan,
    host,
  );
  assert.equal(runner.maxVus, plan.scaleCount(10));
  await runToEnd(runner, host.clock);
  assert.equal(host.iterations.length, plan.scaleCount(10) * 3);
});

test('shared-iterations: VUs share the pool', async () => {
  const host = new FakeHost(100);
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    scenario({ executor: 'shared-iterations', vus: 3, iterations: 10 }),
    SegmentPlan.full(),
    host,
  );
  const end = await runToEnd(runner, host.clock, { stepMs: 10 });
  assert.equal(end - t0, 400);
  const byVu = (vu: number) =>
    host.iterations.filter((i) => i.start.vuId === vu).map((i) => i.start.scenarioIteration);
  assert.deepEqual(
    [byVu(1), byVu(2), byVu(3)],
    [
      [0, 3, 6, 9],
      [1, 4, 7],
      [2, 5, 8],
    ],
  );
});

test('shared-iterations: a fast VU takes more iterations', async () => {
  const host = new FakeHost((s) => (s.vuId === 1 ? 10 : 105));
  const runner = createExecutor(
    's',
    scenario({ executor: 'shared-iterations', vus: 2, iterations: 12 }),
    SegmentPlan.full(),
    host,
  );
  await runToEnd(runner, host.clock, { stepMs: 5 });
  assert.equal(host.iterations.length, 12);
  assert.equal(host.iterations.filter((i) => i.start.vuId === 2).length, 1);
  assert.deepEqual(
    host.iterations.map((i) => i.start.scenarioIteration),
    Array.from({ length: 12 }, (_, i) => i),
  );
});

test('shared-iterations: stop(false) interrupts, maxDuration ends the pool', async () => {
  const host = new FakeHost(100);
  const runner = createExecutor(
    's',
    scenario({ executor: 'shared-iterations', vus: 2, iterations: 100 }),
    SegmentPlan.full(),
    host,
  );
  const done = runner.run(host.clock.now());
  await host.clock.advance(150);
  runner.stop(false);
  await done;
  const p = runner.progress();
  assert.deepEqual(
    [p.iterationsStarted, p.iterationsCompleted, p.iterationsInterrupted, p.done],
    [4, 2, 2, true],
  );

  const timed = new FakeHost(100);
  const r2 = createExecutor(
    's',
    scenario({ executor: 'shared-iterations', vus: 2, iterations: 100, maxDuration: '1s' }),
    SegmentPlan.full(),
    timed,
  );
  await runToEnd(r2, timed.clock, { stepMs: 10 });
  assert.equal(r2.progress().iterationsCompleted, 20);
});

test('shared-iterations: a segment without VUs gets no iterations', async () => {
  const host = new FakeHost(10);
  const plan = SegmentPlan.parse([{ segment: '1/2:1', sequence: '0,1/2,1' }]);
  const runner = createExecutor(
    's',
    scenario({ executor: 'shared-iterations', vus: 1, iterations: 10 }),
    plan,
    host,
  );
  assert.equal(runner.maxVus, 0);
  await runToEnd(runner, host.clock);
  assert.equal(host.iterations.length, 0);
  const other = new FakeHost(10);
  const first = createExecutor(
    's',
    scenario({ executor: 'shared-iterations', vus: 1, iterations: 10 }),
    SegmentPlan.parse([{ segment: '0:1/2', sequence: '0,1/2,1' }]),
    other,
  );
  await runToEnd(first, other.clock);
  assert.equal(other.iterations.length, 10);
});
