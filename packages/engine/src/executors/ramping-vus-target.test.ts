import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stage } from '@stampede/protocol';
import {
  rampingVusMax,
  rampingVusSteps,
  rampingVusTarget,
  stagesDurationMs,
} from './ramping-vus-target.ts';
import { randomInt, seededRandom } from '../segment/testing.ts';

const s = (duration: number, target: number): Stage => ({ duration, target });

test('ramping-vus target: floor on the way up, ceiling on the way down (k6)', () => {
  const stages = [s(20_000, 10), s(10_000, 0)];
  const at = (t: number) => rampingVusTarget(0, stages, t);
  assert.equal(stagesDurationMs(stages), 30_000);
  assert.equal(rampingVusMax(0, stages), 10);
  assert.equal(at(0), 0);
  assert.equal(at(1999), 0);
  assert.equal(at(2000), 1);
  assert.equal(at(10_000), 5);
  assert.equal(at(19_999), 9);
  assert.equal(at(20_000), 10);
  assert.equal(at(20_999), 10); // line at 9.001: the 10th VU stays until the line reaches 9
  assert.equal(at(21_000), 9);
  assert.equal(at(29_999), 1);
  assert.equal(at(30_000), 0);
  assert.equal(at(99_000), 0);
});

test('ramping-vus target: startVUs, plateaus and zero-length stages', () => {
  const stages = [s(10_000, 5), s(0, 20), s(5000, 20), s(3000, 2)];
  const at = (t: number) => rampingVusTarget(5, stages, t);
  assert.equal(at(0), 5);
  assert.equal(at(9999), 5);
  assert.equal(at(10_000), 20); // zero-length stage jumps at its start
  assert.equal(at(14_999), 20);
  assert.equal(at(15_000), 20);
  assert.equal(at(16_500), 11); // 20 → 2 over 3 s: line at 11 after 1.5 s
  assert.equal(at(16_499), 12);
  assert.equal(at(18_000), 2);
});

test('ramping-vus steps are exactly the instants the target changes', () => {
  const rand = seededRandom(3);
  for (let trial = 0; trial < 100; trial++) {
    const stages = Array.from({ length: randomInt(rand, 1, 5) }, () =>
      s(rand() < 0.15 ? 0 : randomInt(rand, 1, 40) * 250, randomInt(rand, 0, 30)),
    );
    const startVUs = randomInt(rand, 0, 10);
    const steps = [...rampingVusSteps(startVUs, stages)];
    assert.deepEqual(steps[0], { atMs: 0, target: startVUs });
    for (let i = 1; i < steps.length; i++) {
      const step = steps[i]!;
      assert.ok(step.atMs >= steps[i - 1]!.atMs);
      if (step.atMs > 0 && steps[i + 1]?.atMs !== step.atMs) {
        assert.equal(rampingVusTarget(startVUs, stages, step.atMs), step.target);
        assert.equal(
          Math.abs(step.target - steps[i - 1]!.target) <= 1 || stages.some((x) => x.duration === 0),
          true,
        );
      }
    }
    // sample: the target at t equals the last step at or before t
    for (let t = 0; t <= stagesDurationMs(stages) + 500; t += 37) {
      const last = steps.filter((x) => x.atMs <= t).at(-1)!;
      assert.equal(rampingVusTarget(startVUs, stages, t), last.target, `t=${t}`);
    }
  }
});
