import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stage } from '@stampede/protocol';
import { ArrivalSchedule } from './arrival-schedule.ts';
import { SegmentPlan } from '../segment/segment-plan.ts';
import { randomInt, randomPartition, seededRandom } from '../segment/testing.ts';

const s = (duration: number, target: number): Stage => ({ duration, target });
const full = SegmentPlan.full();
const offsets = (schedule: ArrivalSchedule, plan = full) => [...schedule.iterate(plan)];

test('constant-arrival-rate: rate 10 per 1s for 3s is 30 iterations at 0, 100, …', () => {
  const schedule = ArrivalSchedule.constant(10, 1000, 3000);
  const all = offsets(schedule);
  assert.equal(all.length, 30);
  assert.equal(schedule.count(), 30);
  assert.deepEqual(
    all.map((a) => a.offsetMs),
    Array.from({ length: 30 }, (_, k) => k * 100),
  );
  assert.deepEqual(
    all.map((a) => a.k),
    Array.from({ length: 30 }, (_, k) => k),
  );
  assert.equal(schedule.offsetMs(29), 2900);
  assert.equal(schedule.offsetMs(30), undefined);
});

test('constant-arrival-rate: fractional rates and time units', () => {
  assert.equal(ArrivalSchedule.constant(0.3, 1000, 10_000).count(), 3); // 0, 3333.3, 6666.7
  assert.equal(ArrivalSchedule.constant(1, 60_000, 150_000).count(), 3);
  assert.equal(ArrivalSchedule.constant(7, 1000, 1001).count(), 8);
  assert.equal(ArrivalSchedule.constant(5, 1000, 0).count(), 0);
});

test('a flat ramping stage gives the very same instants as constant-arrival-rate', () => {
  for (const [rate, unit, duration] of [
    [10, 1000, 3000],
    [3, 700, 10_000],
    [1234.5, 1000, 2000],
    [0.7, 1000, 60_000],
  ] as const) {
    const constant = offsets(ArrivalSchedule.constant(rate, unit, duration));
    const ramping = offsets(new ArrivalSchedule(rate, unit, [s(duration, rate)]));
    assert.deepEqual(ramping, constant);
  }
});

test('ramping-arrival-rate: linear ramp from 0 inverts the cumulative count', () => {
  // 0 → 10/s over 10 s: C(t) = t²/2 000 000 (t in ms) → t_k = √(2 000 000·k); C(10 s) = 50 iterations.
  const schedule = new ArrivalSchedule(0, 1000, [s(10_000, 10)]);
  const all = offsets(schedule);
  assert.equal(all.length, 50);
  assert.equal(schedule.count(), 50);
  for (const { k, offsetMs } of all)
    assert.ok(Math.abs(offsetMs - Math.sqrt(2_000_000 * k)) < 1e-6);
  // ramp down 10 → 0 over 10 s mirrors it: 50 iterations, the last ones sparse
  const down = offsets(new ArrivalSchedule(10, 1000, [s(10_000, 0)]));
  assert.equal(down.length, 50);
  assert.equal(down[0]!.offsetMs, 0);
  for (const { k, offsetMs } of down)
    assert.ok(Math.abs(offsetMs - (10_000 - Math.sqrt(2_000_000 * (50 - k)))) < 1e-6);
});

test('ramping-arrival-rate: zero-rate pauses resume when the rate does', () => {
  const schedule = new ArrivalSchedule(10, 1000, [
    s(1000, 10),
    s(0, 0),
    s(1000, 0),
    s(0, 10),
    s(1000, 10),
  ]);
  const all = offsets(schedule).map((a) => a.offsetMs);
  assert.deepEqual(all, [
    ...Array.from({ length: 10 }, (_, i) => i * 100),
    ...Array.from({ length: 10 }, (_, i) => 2000 + i * 100),
  ]);
  assert.equal(new ArrivalSchedule(0, 1000, [s(5000, 0)]).count(), 0);
  // fractional count: 0 → 1/s over 3 s is C = 1.5, so iterations 0 and 1
  assert.equal(new ArrivalSchedule(0, 1000, [s(3000, 1)]).count(), 2);
});

test('schedules are monotone, count() matches iteration, and offsetMs matches the cursor', () => {
  const rand = seededRandom(5);
  for (let trial = 0; trial < 100; trial++) {
    const stages = Array.from({ length: randomInt(rand, 1, 5) }, () =>
      s(
        rand() < 0.1 ? 0 : randomInt(rand, 1, 20) * 100,
        rand() < 0.2 ? 0 : randomInt(rand, 1, 200),
      ),
    );
    const schedule = new ArrivalSchedule(
      randomInt(rand, 0, 50),
      randomInt(rand, 1, 4) * 250,
      stages,
    );
    const all = offsets(schedule);
    assert.equal(schedule.count(), all.length);
    for (let i = 0; i < all.length; i++) {
      const { k, offsetMs } = all[i]!;
      assert.equal(k, i);
      assert.equal(schedule.offsetMs(k), offsetMs);
      assert.ok(offsetMs >= 0 && offsetMs < schedule.durationMs);
      if (i > 0) assert.ok(offsetMs >= all[i - 1]!.offsetMs);
    }
  }
});

test('arrival schedules of a random partition merge to exactly the full schedule', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rand = seededRandom(seed);
    const schedule =
      rand() < 0.5
        ? ArrivalSchedule.constant(randomInt(rand, 1, 500), 1000, randomInt(rand, 1, 20) * 100)
        : new ArrivalSchedule(randomInt(rand, 0, 100), 1000, [
            s(1500, randomInt(rand, 0, 300)),
            s(700, 0),
            s(900, 50),
          ]);
    const expected = offsets(schedule);
    const merged = randomPartition(rand)
      .flatMap((plan) => offsets(schedule, plan))
      .sort((a, b) => a.k - b.k);
    assert.deepEqual(merged, expected);
  }
});

test('a million-iteration schedule streams without arrays', () => {
  const schedule = ArrivalSchedule.constant(100_000, 1000, 10_000);
  const cursor = schedule.cursor(
    SegmentPlan.parse([{ segment: '1/3:2/3', sequence: '0,1/3,2/3,1' }]),
  );
  let n = 0;
  let last = -1;
  while (cursor.next()) {
    n++;
    last = cursor.k;
  }
  assert.equal(schedule.count(), 1_000_000);
  assert.equal(n, 333_333);
  assert.equal(last, 999_997);
});
