import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scenarioSchema, type Scenario } from '@stampede/protocol';
import { createExecutor } from './index.ts';
import { FakeHost, runToEnd } from './testing.ts';
import { SegmentPlan } from '../segment/segment-plan.ts';

const scenario = (input: Record<string, unknown>): Scenario =>
  scenarioSchema.parse({ executor: 'constant-vus', ...input });

test('constant-vus: VUs loop back-to-back for the duration', async () => {
  const host = new FakeHost(300);
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    scenario({ vus: 3, duration: '1s' }),
    SegmentPlan.full(),
    host,
  );
  assert.equal(runner.maxVus, 3);
  const end = await runToEnd(runner, host.clock, { stepMs: 10 });
  // starts at 0, 300, 600, 900 (< 1000); the last one finishes at 1200 within gracefulStop
  assert.equal(end - t0, 1200);
  assert.equal(host.iterations.length, 12);
  assert.deepEqual([...new Set(host.iterations.map((i) => i.startedAt - t0))], [0, 300, 600, 900]);
  assert.deepEqual(
    host.iterations.map((i) => i.start.scenarioIteration).sort((a, b) => a - b),
    Array.from({ length: 12 }, (_, i) => i),
  );
  for (const i of host.iterations) {
    assert.equal(i.start.scenarioIteration, i.start.vuIteration * 3 + i.start.vuId - 1);
    assert.equal(i.start.intendedStartMs, null);
    assert.equal(i.aborted, false);
  }
  const p = runner.progress();
  assert.deepEqual(
    [
      p.iterationsStarted,
      p.iterationsCompleted,
      p.iterationsInterrupted,
      p.done,
      p.elapsedMs,
      p.plannedMs,
    ],
    [12, 12, 0, true, 1200, 1000],
  );
  assert.deepEqual(host.vuReports.at(0), [3, 3]);
  assert.deepEqual(host.vuReports.at(-1), [0, 3]);
});

test('constant-vus: gracefulStop interrupts a stuck iteration', async () => {
  const host = new FakeHost((s) => (s.vuId === 2 && s.vuIteration === 1 ? Infinity : 200));
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    scenario({ vus: 2, duration: '1s', gracefulStop: '500ms' }),
    SegmentPlan.full(),
    host,
  );
  const end = await runToEnd(runner, host.clock, { stepMs: 10 });
  assert.equal(end - t0, 1500);
  const stuck = host.iterations.find((i) => i.start.vuId === 2 && i.start.vuIteration === 1)!;
  assert.equal(stuck.aborted, true);
  assert.equal(stuck.endedAt! - t0, 1500);
  assert.equal(stuck.start.signal.aborted, true);
  assert.equal((stuck.start.signal.reason as Error).name, 'AbortError');
  const p = runner.progress();
  assert.equal(p.iterationsInterrupted, 1);
  assert.equal(p.iterationsStarted, 5 + 2); // VU 1: 0..800; VU 2: 0, then stuck from 200
  assert.equal(p.iterationsCompleted, 6);
});

test('constant-vus: startTime delays the first iteration', async () => {
  const host = new FakeHost(400);
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    scenario({ vus: 1, duration: '1s', startTime: '2s' }),
    SegmentPlan.full(),
    host,
  );
  const done = runner.run(t0);
  await host.clock.advance(1999);
  assert.equal(host.iterations.length, 0);
  assert.equal(runner.progress().elapsedMs, 0);
  await host.clock.advance(1);
  assert.equal(host.iterations.length, 1);
  await host.clock.advance(1500);
  await done;
  assert.deepEqual(
    host.iterations.map((i) => i.startedAt - t0),
    [2000, 2400, 2800],
  );
});

test('constant-vus: stop(graceful) lets running iterations finish, stop(false) interrupts them', async () => {
  const graceful = new FakeHost(300);
  const g0 = graceful.clock.now();
  const a = createExecutor(
    's',
    scenario({ vus: 2, duration: '10s' }),
    SegmentPlan.full(),
    graceful,
  );
  let aDone = false;
  void a.run(g0).then(() => (aDone = true));
  await graceful.clock.advance(450);
  a.stop(true);
  await graceful.clock.advance(100);
  assert.equal(aDone, false);
  await graceful.clock.advance(50);
  assert.equal(aDone, true);
  assert.deepEqual([a.progress().iterationsCompleted, a.progress().iterationsInterrupted], [4, 0]);

  const hard = new FakeHost(300);
  const b = createExecutor('s', scenario({ vus: 2, duration: '10s' }), SegmentPlan.full(), hard);
  let bDone = false;
  void b.run(hard.clock.now()).then(() => (bDone = true));
  await hard.clock.advance(450);
  b.stop(false);
  await hard.clock.advance(0);
  assert.equal(bDone, true);
  assert.deepEqual([b.progress().iterationsCompleted, b.progress().iterationsInterrupted], [2, 2]);
  assert.ok(hard.iterations.slice(-2).every((i) => i.aborted));
  assert.equal(hard.clock.pending, 0);
});

test('constant-vus: stop before the start resolves at once without iterations', async () => {
  const host = new FakeHost(100);
  const runner = createExecutor(
    's',
    scenario({ vus: 2, duration: '1s', startTime: '5s' }),
    SegmentPlan.full(),
    host,
  );
  const done = runner.run(host.clock.now());
  await host.clock.advance(100);
  runner.stop(true);
  await done;
  assert.equal(host.iterations.length, 0);
  assert.equal(host.clock.pending, 0);
});
