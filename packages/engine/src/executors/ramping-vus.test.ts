import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scenarioSchema, type Scenario } from '@stampede/protocol';
import { createExecutor } from './index.ts';
import { FakeHost, runToEnd } from './testing.ts';
import { SegmentPlan } from '../segment/segment-plan.ts';

const scenario = (input: Record<string, unknown>): Scenario =>
  scenarioSchema.parse({ executor: 'ramping-vus', ...input });

test('ramping-vus: VUs join and leave with the target', async () => {
  const host = new FakeHost(100);
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    scenario({
      startVUs: 0,
      stages: [
        { duration: '1s', target: 4 },
        { duration: '1s', target: 0 },
      ],
    }),
    SegmentPlan.full(),
    host,
  );
  assert.equal(runner.maxVus, 4);
  const end = await runToEnd(runner, host.clock, { stepMs: 10 });
  assert.equal(end - t0, 2050); // VU 1's last iteration (1950–2050) finishes within gracefulStop
  const firstStart = (vu: number) =>
    Math.min(...host.iterations.filter((i) => i.start.vuId === vu).map((i) => i.startedAt - t0));
  const lastStart = (vu: number) =>
    Math.max(...host.iterations.filter((i) => i.start.vuId === vu).map((i) => i.startedAt - t0));
  assert.deepEqual([1, 2, 3, 4].map(firstStart), [250, 500, 750, 1000]);
  // ramp-down removes the highest VU first: VU 4 at 1250, VU 3 at 1500, VU 2 at 1750, VU 1 at 2000
  assert.deepEqual([1, 2, 3, 4].map(lastStart), [1950, 1700, 1450, 1200]);
  assert.equal(runner.progress().iterationsInterrupted, 0);
  assert.ok(host.vuReports.some(([active]) => active === 4));
  assert.deepEqual(host.vuReports.at(-1), [0, 4]);
});

test('ramping-vus: gracefulRampDown interrupts an iteration of a removed VU', async () => {
  const host = new FakeHost((s) => (s.vuId === 2 && s.vuIteration === 0 ? Infinity : 100));
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    scenario({
      startVUs: 2,
      stages: [
        { duration: '1s', target: 2 },
        { duration: '0s', target: 1 },
        { duration: '1s', target: 1 },
      ],
      gracefulRampDown: '300ms',
    }),
    SegmentPlan.full(),
    host,
  );
  await runToEnd(runner, host.clock, { stepMs: 10 });
  const stuck = host.iterations.find((i) => i.start.vuId === 2)!;
  assert.equal(stuck.aborted, true);
  assert.equal(stuck.endedAt! - t0, 1300);
  assert.equal(host.iterations.filter((i) => i.start.vuId === 2).length, 1);
  assert.equal(runner.progress().iterationsInterrupted, 1);
});

test('ramping-vus: a VU brought back within gracefulRampDown carries on', async () => {
  const host = new FakeHost(300);
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    scenario({
      startVUs: 2,
      stages: [
        { duration: '100ms', target: 1 },
        { duration: '100ms', target: 2 },
        { duration: '500ms', target: 2 },
      ],
    }),
    SegmentPlan.full(),
    host,
  );
  await runToEnd(runner, host.clock, { stepMs: 10 });
  // VU 2 leaves at 100 and is back at 200, while its first iteration (0–300) still runs
  assert.deepEqual(
    host.iterations.filter((i) => i.start.vuId === 2).map((i) => i.startedAt - t0),
    [0, 300, 600],
  );
  assert.equal(runner.progress().iterationsInterrupted, 0);
});

test('ramping-vus: a VU interrupted by gracefulRampDown restarts when brought back', async () => {
  const host = new FakeHost(300);
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    scenario({
      startVUs: 2,
      stages: [
        { duration: '100ms', target: 1 },
        { duration: '100ms', target: 2 },
        { duration: '500ms', target: 2 },
      ],
      gracefulRampDown: '50ms',
    }),
    SegmentPlan.full(),
    host,
  );
  await runToEnd(runner, host.clock, { stepMs: 10 });
  const vu2 = host.iterations.filter((i) => i.start.vuId === 2);
  assert.deepEqual(
    vu2.map((i) => [i.startedAt - t0, i.aborted, i.start.vuIteration]),
    [
      [0, true, 0],
      [200, false, 1],
      [500, false, 2],
    ],
  );
});

test('ramping-vus: gracefulStop applies to the VUs still running at the end', async () => {
  const host = new FakeHost((s) => (s.vuIteration === 2 ? Infinity : 400));
  const t0 = host.clock.now();
  const runner = createExecutor(
    's',
    scenario({ startVUs: 1, stages: [{ duration: '1s', target: 1 }], gracefulStop: '250ms' }),
    SegmentPlan.full(),
    host,
  );
  const end = await runToEnd(runner, host.clock, { stepMs: 10 });
  assert.equal(end - t0, 1250);
  assert.deepEqual(
    host.iterations.map((i) => [i.startedAt - t0, i.aborted]),
    [
      [0, false],
      [400, false],
      [800, true],
    ],
  );
});

test('ramping-vus: segments run their own VUs of the global target', async () => {
  const options = scenario({
    startVUs: 0,
    stages: [
      { duration: '1s', target: 6 },
      { duration: '1s', target: 6 },
    ],
  });
  const plan = SegmentPlan.parse([{ segment: '1/3:2/3', sequence: '0,1/3,2/3,1' }]);
  const host = new FakeHost(100);
  const t0 = host.clock.now();
  const runner = createExecutor('s', options, plan, host);
  assert.equal(runner.maxVus, 2);
  await runToEnd(runner, host.clock, { stepMs: 10 });
  // striping 0,1/3,2/3,1 gives this segment global VU indexes 1 and 4 (ids 2 and 5)
  const vus = [...new Set(host.iterations.map((i) => i.start.vuId))].sort();
  assert.deepEqual(vus, [2, 5]);
  const first = (id: number) =>
    Math.min(...host.iterations.filter((i) => i.start.vuId === id).map((i) => i.startedAt - t0));
  // this segment's VUs join when the global target reaches 2 and 5 (1000·u/6 ms)
  assert.ok(Math.abs(first(2) - 2000 / 6) < 1e-6);
  assert.ok(Math.abs(first(5) - 5000 / 6) < 1e-6);
});
