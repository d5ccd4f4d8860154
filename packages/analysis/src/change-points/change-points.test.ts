import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HistoryPoint } from '@stampede/protocol';
import { changePointStateSchema } from '@stampede/protocol';
import { isAnalysisError } from '../errors.ts';
import { changePointSettings, detectChangePoints } from './detector.ts';
import { mulberry32 } from './energy.ts';
import { appendPoint, changePointStateFrom, createChangePointState } from './state.ts';

/** Gaussian noise (Box–Muller) from a seeded RNG. */
function noise(seed: number): () => number {
  const rng = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function series(n: number, seed: number, level: (i: number) => number, sd = 1): number[] {
  const g = noise(seed);
  return Array.from({ length: n }, (_, i) => level(i) + sd * g());
}

const points = (values: readonly number[]): HistoryPoint[] =>
  values.map((value, i) => ({ id: `run-${i}`, value, atMs: 1_000_000 + i * 60_000 }));

test('a step series has one change point, at the step', () => {
  for (const seed of [1, 2, 3]) {
    const v = series(120, seed, (i) => (i < 70 ? 100 : 110), 2);
    const cps = detectChangePoints(v);
    assert.equal(cps.length, 1, `seed ${seed}: ${JSON.stringify(cps)}`);
    assert.ok(Math.abs(cps[0]!.index - 70) <= 2, `seed ${seed}: at ${cps[0]!.index}`);
    assert.ok(cps[0]!.meanAfter > cps[0]!.meanBefore);
  }
});

test('a flat noisy series and a lone spike have no change point', () => {
  for (const seed of [4, 5, 6]) {
    assert.deepEqual(detectChangePoints(series(200, seed, () => 100, 2)), []);
    const spiky = series(100, seed, () => 100, 2);
    spiky[60] = 160;
    assert.deepEqual(detectChangePoints(spiky), [], `spike, seed ${seed}`);
  }
});

test('the result is deterministic for a seed', () => {
  const v = series(150, 9, (i) => (i < 40 ? 50 : i < 100 ? 60 : 45), 2);
  assert.deepEqual(detectChangePoints(v), detectChangePoints(v));
  assert.equal(detectChangePoints(v).length, 2);
});

test('appending: a step is reported provisional, confirmed after 3 points, first-seen never rewritten', () => {
  const v = series(100, 21, (i) => (i < 60 ? 100 : 115), 2);
  let state = createChangePointState();
  const seenAt = new Map<string, string>();
  let provisionalSeen = false;
  for (const [i, p] of points(v).entries()) {
    const before = state;
    state = appendPoint(state, p, 5_000_000 + i);
    assert.equal(changePointStateSchema.safeParse(state).success, true);
    assert.equal(state.count, i + 1);
    assert.ok(state.tail.length <= state.settings.windowSize);
    // Earlier records keep their first-seen fields exactly.
    for (const old of before.records) {
      const now = state.records.find(
        (r) => r.pointId === old.pointId && r.firstSeen.atMs === old.firstSeen.atMs,
      );
      assert.ok(now, `record ${old.pointId} vanished`);
      assert.deepEqual(now.firstSeen, old.firstSeen);
      if (old.status === 'confirmed') assert.equal(now.status, 'confirmed');
    }
    for (const r of state.records) {
      if (!seenAt.has(r.pointId)) seenAt.set(r.pointId, r.firstSeen.afterPointId);
      if (r.status === 'provisional') {
        provisionalSeen = true;
        assert.ok(state.count - 1 - r.index < state.settings.confirmAfter);
      }
    }
  }
  const live = state.records.filter((r) => r.status !== 'withdrawn');
  assert.equal(live.length, 1, JSON.stringify(state.records));
  assert.equal(live[0]!.status, 'confirmed');
  assert.ok(Math.abs(live[0]!.index - 60) <= 2);
  assert.ok(provisionalSeen, 'the change point was provisional first');
  // Seen within a few points of the step, not only in hindsight.
  const firstAfter = Number(live[0]!.firstSeen.afterPointId.slice(4));
  assert.ok(firstAfter < 70, `first seen after ${firstAfter}`);
});

test('a state built from history at once agrees with detection in hindsight', () => {
  const v = series(300, 31, (i) => (i < 150 ? 20 : 24), 1);
  const state = changePointStateFrom(points(v), {}, 42);
  assert.deepEqual(
    state.records.map((r) => r.index),
    detectChangePoints(v).map((c) => c.index),
  );
  assert.equal(state.records[0]!.status, 'confirmed');
  assert.equal(state.records[0]!.firstSeen.atMs, 42);
  assert.equal(state.tail.length, 50);
  const next = appendPoint(state, { id: 'x', value: 24, atMs: 0 }, 43);
  assert.deepEqual(next.records[0]!.firstSeen, state.records[0]!.firstSeen);
});

test('bad settings and values are INVALID_INPUT naming the field', () => {
  assert.throws(
    () => changePointSettings({ pValue: 0.001, permutations: 99 }),
    (e) => isAnalysisError(e, 'INVALID_INPUT') && e.details['field'] === 'permutations',
  );
  assert.throws(
    () => changePointSettings({ windowSize: 2 }),
    (e) => isAnalysisError(e, 'INVALID_INPUT') && e.details['field'] === 'windowSize',
  );
  assert.throws(
    () => detectChangePoints([1, NaN]),
    (e) => isAnalysisError(e, 'INVALID_INPUT'),
  );
  assert.throws(
    () => appendPoint(createChangePointState(), { id: 'a', value: Infinity, atMs: 0 }, 0),
    (e) => isAnalysisError(e, 'INVALID_INPUT'),
  );
});

test('appending a lone spike never leaves a change point at the spike', () => {
  for (const seed of [41, 42, 43]) {
    const v = series(90, seed, () => 100, 2);
    v[60] = 170;
    let state = createChangePointState();
    for (const [i, p] of points(v).entries()) state = appendPoint(state, p, i);
    // Only the spike's neighbourhood: elsewhere a chance ordering of plain noise can reach
    // p = 0.001 in some window (seed 41: its first 4 points are its 4 lowest of 16).
    const near = state.records.filter(
      (r) => r.status !== 'withdrawn' && Math.abs(r.index - 60) <= state.settings.minSegment,
    );
    assert.deepEqual(near, [], `seed ${seed}: ${JSON.stringify(near)}`);
  }
});
