// The segment property for every executor: running a scenario as the segments of a random
// partition starts exactly the iterations of the unsegmented run (same VUs, indexes and times).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scenarioSchema, type Scenario } from '@stampede/protocol';
import { createExecutor } from './index.ts';
import { FakeHost, runToEnd, type DelayFn, type FakeIteration } from './testing.ts';
import type { SegmentPlan } from '../segment/segment-plan.ts';
import { SegmentPlan as Plan } from '../segment/segment-plan.ts';
import { randomInt, randomPartition, seededRandom } from '../segment/testing.ts';

interface Outcome {
  records: string[];
  started: number;
  dropped: number;
  maxVus: number;
}

/** What to compare per iteration: everything, everything but the VU, or the iteration index only. */
type Compare = 'all' | 'noVu' | 'index';

async function run(
  options: Scenario,
  plan: SegmentPlan,
  delay: DelayFn,
  compare: Compare,
): Promise<Outcome> {
  const host = new FakeHost(delay);
  const runner = createExecutor('s', options, plan, host);
  await runToEnd(runner, host.clock, { stepMs: 500 });
  const record = (i: FakeIteration): string => {
    if (compare === 'index') return String(i.start.scenarioIteration);
    const vu = compare === 'all' ? `${i.start.vuId}/${i.start.vuIteration}` : '-';
    return `${vu}|${i.start.scenarioIteration}|${i.start.intendedStartMs}|${i.startedAt}|${i.endedAt}|${i.aborted}`;
  };
  const p = runner.progress();
  assert.equal(p.iterationsStarted, p.iterationsCompleted + p.iterationsInterrupted);
  return {
    records: host.iterations.map(record).sort(),
    started: p.iterationsStarted,
    dropped: p.dropped,
    maxVus: runner.maxVus,
  };
}

// A partition small enough to run every segment (at most 10 segments, up to 2 levels).
function smallPartition(rand: () => number): SegmentPlan[] {
  for (;;) {
    const plans = randomPartition(rand, 2);
    if (plans.length <= 10) return plans;
  }
}

// Deterministic per-iteration times with fractional parts, so that no two events of a run
// coincide by accident (their order at one instant would depend on timer creation order).
function delays(
  seed: number,
  key: (vuId: number, vuIteration: number, k: number) => number,
  stuckEvery = 0,
): DelayFn {
  return (s) => {
    const h =
      Math.imul(key(s.vuId, s.vuIteration, s.scenarioIteration) + 1, 2654435761) ^
      Math.imul(seed, 40503);
    const u = (h >>> 0) % 100_000;
    if (stuckEvery > 0 && u % stuckEvery === 0) return Infinity;
    return 20 + u / 317;
  };
}

async function checkPartition(
  options: Scenario,
  plans: SegmentPlan[],
  delay: DelayFn,
  { compare = 'all' as Compare, exact = true } = {},
): Promise<void> {
  const whole = await run(options, Plan.full(), delay, compare);
  const parts = await Promise.all(plans.map((p) => run(options, p, delay, compare)));
  assert.equal(
    parts.reduce((n, p) => n + p.maxVus, 0),
    whole.maxVus,
    'maxVus shares sum to the whole',
  );
  if (exact) {
    assert.ok(
      parts.every((p) => p.dropped === 0) && whole.dropped === 0,
      'exact runs must not drop',
    );
    assert.deepEqual(parts.flatMap((p) => p.records).sort(), whole.records);
  } else {
    assert.equal(
      parts.reduce((n, p) => n + p.started + p.dropped, 0),
      whole.started + whole.dropped,
    );
  }
}

const stages = (rand: () => number, max: number) =>
  Array.from({ length: randomInt(rand, 1, 4) }, () => ({
    duration: rand() < 0.15 ? 0 : randomInt(rand, 1, 30) * 100,
    target: randomInt(rand, 0, max),
  }));

test('constant-vus: segments add up to the whole run', async () => {
  for (let seed = 1; seed <= 10; seed++) {
    const rand = seededRandom(seed);
    const options = scenarioSchema.parse({
      executor: 'constant-vus',
      vus: randomInt(rand, 0, 12),
      duration: randomInt(rand, 1, 30) * 100,
      gracefulStop: randomInt(rand, 0, 10) * 100,
    });
    await checkPartition(
      options,
      smallPartition(rand),
      delays(seed, (vu, it) => vu * 1000 + it, 41),
    );
  }
});

test('ramping-vus: segments add up to the whole run', async () => {
  for (let seed = 1; seed <= 12; seed++) {
    const rand = seededRandom(100 + seed);
    const options = scenarioSchema.parse({
      executor: 'ramping-vus',
      startVUs: randomInt(rand, 0, 5),
      stages: stages(rand, 15),
      gracefulRampDown: randomInt(rand, 0, 10) * 50,
      gracefulStop: randomInt(rand, 0, 10) * 50,
    });
    await checkPartition(
      options,
      smallPartition(rand),
      delays(seed, (vu, it) => vu * 1000 + it, 37),
    );
  }
});

test('per-vu-iterations: segments add up to the whole run', async () => {
  for (let seed = 1; seed <= 10; seed++) {
    const rand = seededRandom(200 + seed);
    const options = scenarioSchema.parse({
      executor: 'per-vu-iterations',
      vus: randomInt(rand, 0, 12),
      iterations: randomInt(rand, 0, 8),
      maxDuration: randomInt(rand, 1, 20) * 100,
      gracefulStop: randomInt(rand, 0, 5) * 100,
    });
    await checkPartition(
      options,
      smallPartition(rand),
      delays(seed, (vu, it) => vu * 1000 + it, 53),
    );
  }
});

test('shared-iterations: segments add up to the whole run', async () => {
  for (let seed = 1; seed <= 10; seed++) {
    const rand = seededRandom(300 + seed);
    const options = scenarioSchema.parse({
      executor: 'shared-iterations',
      vus: randomInt(rand, 1, 12),
      iterations: randomInt(rand, 0, 60),
      maxDuration: randomInt(rand, 5, 40) * 100,
    });
    const plans = smallPartition(rand);
    // Equal iteration times: each VU runs the very same global iterations, segmented or not.
    const uniform = 20 + seed / 7;
    await checkPartition(options, plans, () => uniform);
    // Uneven times (and no maxDuration cut): which VU takes which iteration may differ, but not
    // the iterations run.
    const untimed = scenarioSchema.parse({ ...options, maxDuration: '1h' });
    await checkPartition(
      untimed,
      plans,
      delays(seed, (vu, it) => vu * 1000 + it),
      { compare: 'index' },
    );
  }
});

test('arrival-rate executors: segments add up to the whole run', async () => {
  for (let seed = 1; seed <= 12; seed++) {
    const rand = seededRandom(400 + seed);
    const ramping = seed % 2 === 0;
    const options = scenarioSchema.parse(
      ramping
        ? {
            executor: 'ramping-arrival-rate',
            startRate: randomInt(rand, 0, 50),
            stages: stages(rand, 80),
            preAllocatedVUs: 1000,
            gracefulStop: randomInt(rand, 0, 4) * 100,
          }
        : {
            executor: 'constant-arrival-rate',
            rate: randomInt(rand, 1, 80),
            duration: randomInt(rand, 1, 30) * 100,
            preAllocatedVUs: 100,
            maxVUs: 1000,
            gracefulStop: randomInt(rand, 0, 4) * 100,
          },
    );
    const plans = smallPartition(rand);
    // Plenty of VUs: the same iterations start at the same instants. VU identity is dynamic
    // (any free VU), so it is not compared.
    await checkPartition(
      options,
      plans,
      delays(seed, (_vu, _it, k) => k, 29),
      { compare: 'noVu' },
    );
    // Scarce VUs: drops differ per segment, but started + dropped still add up to the schedule.
    const scarce = scenarioSchema.parse({ ...options, preAllocatedVUs: 1, maxVUs: 2 });
    await checkPartition(scarce, plans, () => 400 + seed / 3, { compare: 'noVu', exact: false });
  }
});
