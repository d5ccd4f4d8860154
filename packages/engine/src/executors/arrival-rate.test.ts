import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scenarioSchema, type Scenario } from '@stampede/protocol';
import { ManualClock, type CancelTimer, type Clock } from '../clock.ts';
import { ArrivalSchedule } from './arrival-schedule.ts';
import { createExecutor } from './index.ts';
import { FakeHost, runToEnd } from './testing.ts';
import { SegmentPlan } from '../segment/segment-plan.ts';

const scenario = (input: Record<string, unknown>): Scenario => scenarioSchema.parse(input);
const car = (input: Record<string, unknown>): Scenario =>
  scenario({ executor: 'constant-arrival-rate', timeUnit: '1s', ...input });

test('constant-arrival-rate: rate 10/s for 3s starts exactly 30 iterations on time', async () => {
  const host = new FakeHost(50);
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    car({ rate: 10, duration: '3s', preAllocatedVUs: 2 }),
    SegmentPlan.full(),
    host,
  );
  const end = await runToEnd(runner, host.clock, { stepMs: 7 });
  assert.equal(end - t0, 3000);
  assert.equal(host.iterations.length, 30);
  host.iterations.forEach((it, k) => {
    assert.equal(it.start.scenarioIteration, k);
    assert.equal(it.start.intendedStartMs, t0 + k * 100);
    assert.equal(it.startedAt, t0 + k * 100);
  });
  assert.equal(host.dropped, 0);
  assert.equal(runner.maxVus, 2);
});

test('constant-arrival-rate: drops iterations when maxVUs are busy', async () => {
  const host = new FakeHost(250);
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    car({ rate: 10, duration: '1s', preAllocatedVUs: 1, maxVUs: 2 }),
    SegmentPlan.full(),
    host,
  );
  assert.equal(runner.maxVus, 2);
  await runToEnd(runner, host.clock, { stepMs: 10 });
  assert.deepEqual(
    host.iterations.map((i) => [i.startedAt - t0, i.start.vuId]),
    [
      [0, 1],
      [100, 2],
      [300, 1],
      [400, 2],
      [600, 1],
      [700, 2],
      [900, 1],
    ],
  );
  assert.equal(host.dropped, 3);
  const p = runner.progress();
  assert.equal(p.dropped, 3);
  assert.equal(p.iterationsStarted + p.dropped, 10);
  assert.equal(p.allocatedVus, 2);
  assert.deepEqual(
    host.iterations.map((i) => i.start.scenarioIteration),
    [0, 1, 3, 4, 6, 7, 9],
  );
});

/** A clock whose timers fire `lagMs` late, like a busy event loop; counts timers. */
class LaggyClock implements Clock {
  timers = 0;
  readonly inner: ManualClock;
  readonly lagMs: number;
  constructor(inner: ManualClock, lagMs: number) {
    this.inner = inner;
    this.lagMs = lagMs;
  }
  now(): number {
    return this.inner.now();
  }
  epochMs(): number {
    return this.inner.epochMs();
  }
  setTimer(fn: () => void, delayMs: number): CancelTimer {
    this.timers++;
    return this.inner.setTimer(fn, delayMs + this.lagMs);
  }
}

test('constant-arrival-rate: late wakes start every due iteration in one batch, stamped with its due time', async () => {
  const manual = new ManualClock(0);
  const laggy = new LaggyClock(manual, 7);
  const host = new FakeHost(1, { clock: manual });
  const runner = createExecutor(
    's',
    car({ rate: 1000, duration: '2s', preAllocatedVUs: 20 }),
    SegmentPlan.full(),
    {
      ...host,
      clock: laggy,
      runIteration: (s) => host.runIteration(s),
      onDropped: (n) => host.onDropped(n),
      onVus: () => {},
    },
  );
  const done = runner.run(0);
  await manual.advance(2100);
  await done;
  assert.equal(host.iterations.length, 2000);
  host.iterations.forEach((it, k) => {
    assert.equal(it.start.intendedStartMs, k);
    assert.ok(it.startedAt >= k && it.startedAt <= k + 8);
  });
  assert.ok(laggy.timers < 400, `${laggy.timers} timers for 2000 iterations`);
});

test('constant-arrival-rate: gracefulStop interrupts a stuck iteration', async () => {
  const host = new FakeHost((s) => (s.scenarioIteration === 5 ? Infinity : 10));
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    car({ rate: 10, duration: '1s', preAllocatedVUs: 3, gracefulStop: '2s' }),
    SegmentPlan.full(),
    host,
  );
  const end = await runToEnd(runner, host.clock, { stepMs: 10 });
  assert.equal(end - t0, 3000);
  assert.equal(host.iterations.find((i) => i.start.scenarioIteration === 5)?.aborted, true);
  assert.equal(runner.progress().iterationsInterrupted, 1);
  assert.equal(runner.progress().iterationsCompleted, 9);
});

test('constant-arrival-rate: startTime, stop(graceful) and stop(false)', async () => {
  const host = new FakeHost(150);
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    car({ rate: 10, duration: '10s', preAllocatedVUs: 5, startTime: '1s' }),
    SegmentPlan.full(),
    host,
  );
  let finished = false;
  void runner.run(t0).then(() => (finished = true));
  await host.clock.advance(1250);
  assert.deepEqual(
    host.iterations.map((i) => i.startedAt - t0),
    [1000, 1100, 1200],
  );
  runner.stop(true);
  await host.clock.advance(100);
  assert.equal(finished, true);
  assert.equal(host.iterations.length, 3);
  assert.equal(runner.progress().iterationsCompleted, 3);

  const hard = new FakeHost(150);
  const r2 = createExecutor(
    's',
    car({ rate: 10, duration: '10s', preAllocatedVUs: 5 }),
    SegmentPlan.full(),
    hard,
  );
  const done = r2.run(hard.clock.now());
  await hard.clock.advance(240);
  r2.stop(false);
  await done;
  assert.deepEqual(
    [r2.progress().iterationsCompleted, r2.progress().iterationsInterrupted],
    [1, 2],
  );
  assert.equal(hard.clock.pending, 0);
});

test('ramping-arrival-rate: iterations follow the ramp', async () => {
  const host = new FakeHost(5);
  const t0 = host.clock.now();
  const options = scenario({
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnit: '1s',
    preAllocatedVUs: 1,
    maxVUs: 10,
    stages: [
      { duration: '10s', target: 10 },
      { duration: '5s', target: 10 },
      { duration: '5s', target: 0 },
    ],
  });
  const runner = createExecutor('s', options, SegmentPlan.full(), host);
  await runToEnd(runner, host.clock, { stepMs: 10 });
  const schedule = new ArrivalSchedule(0, 1000, [
    { duration: 10_000, target: 10 },
    { duration: 5000, target: 10 },
    { duration: 5000, target: 0 },
  ]);
  assert.equal(schedule.count(), 50 + 50 + 25);
  assert.equal(host.iterations.length, 125);
  assert.deepEqual(
    host.iterations.map((i) => i.start.intendedStartMs),
    [...schedule.iterate(SegmentPlan.full())].map((a) => t0 + a.offsetMs),
  );
  assert.deepEqual(
    host.iterations.slice(50, 55).map((i) => i.start.intendedStartMs! - t0),
    [10_000, 10_100, 10_200, 10_300, 10_400],
  );
  assert.equal(runner.progress().plannedMs, 20_000);
});

test('arrival-rate: a host may stop the runner from inside runIteration, mid-batch', async () => {
  const host = new FakeHost(1000, { clock: new ManualClock(0) });
  const laggy = new LaggyClock(host.clock, 95);
  const runner = createExecutor(
    's',
    car({ rate: 100, duration: '1s', preAllocatedVUs: 50 }),
    SegmentPlan.full(),
    {
      clock: laggy,
      runIteration: (s) => {
        if (s.scenarioIteration === 3) runner.stop(false);
        return host.runIteration(s);
      },
      onDropped: (n) => host.onDropped(n),
      onVus: (a, b) => host.onVus(a, b),
    },
  );
  const done = runner.run(0);
  // the first (late) wake at 95 ms finds iterations 0..9 due: the batch stops after iteration 3
  await host.clock.advance(200);
  await done;
  assert.deepEqual(
    host.iterations.map((i) => [i.startedAt, i.start.intendedStartMs, i.aborted]),
    [
      [95, 0, true],
      [95, 10, true],
      [95, 20, true],
      [95, 30, true],
    ],
  );
  assert.deepEqual([runner.progress().iterationsInterrupted, runner.progress().done], [4, true]);
  assert.equal(host.clock.pending, 0);
});
