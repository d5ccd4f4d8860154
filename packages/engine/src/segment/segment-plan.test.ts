import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SegmentPlan } from './segment-plan.ts';
import { SegmentSequence } from './segment-sequence.ts';
import { stripingTable } from './striping.ts';
import { randomInt, randomPartition, randomSequence, seededRandom } from './testing.ts';

test('striping interleaves segments evenly (k6-like example)', () => {
  const seq = SegmentSequence.parse('0,1/3,2/3,1');
  assert.deepEqual([...seq.table()], [0, 1, 2]);
  const quarters = SegmentSequence.parse('0,1/4,1/2,1');
  // widths 1/4, 1/4, 1/2 over a period of 4
  assert.deepEqual([...quarters.table()], [2, 0, 1, 2]);
  const counts = [0, 0, 0];
  for (const j of quarters.table()) counts[j] = (counts[j] as number) + 1;
  assert.deepEqual(counts, [1, 1, 2]);
});

test('each segment owns exactly its width per period, with deficits below 1', () => {
  const rand = seededRandom(7);
  for (let trial = 0; trial < 200; trial++) {
    const seq = randomSequence(rand);
    const L = seq.period;
    const widths = seq.segments().map((s) => s.width.num * (L / s.width.den));
    const table = stripingTable(widths, L);
    const assigned = widths.map(() => 0);
    for (let r = 0; r < L; r++) {
      const j = table[r] as number;
      assigned[j] = (assigned[j] as number) + 1;
      for (let k = 0; k < widths.length; k++) {
        const deficit = ((r + 1) * (widths[k] as number)) / L - (assigned[k] as number);
        assert.ok(Math.abs(deficit) < 1, `deficit ${deficit}`);
      }
    }
    assert.deepEqual(assigned, widths);
  }
});

test('stripe arithmetic: owns, countBelow, localRank, globalIndex agree', () => {
  const rand = seededRandom(11);
  for (let trial = 0; trial < 50; trial++) {
    const plans = randomPartition(rand);
    for (const plan of plans) {
      let count = 0;
      for (let i = 0; i < 500; i++) {
        assert.equal(plan.countBelow(i), count);
        if (plan.owns(i)) {
          assert.equal(plan.localRank(i), count);
          assert.equal(plan.globalIndex(count), i);
          count++;
        }
      }
      // large indexes: the periodic formulas must hold far away too
      const big = randomInt(rand, 1e9, 1e12);
      const rank = plan.countBelow(big);
      const g = plan.globalIndex(rank);
      assert.ok(g >= big && plan.owns(g) && plan.localRank(g) === rank);
    }
  }
});

test('random nested partitions: shares sum exactly and every index has one owner', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rand = seededRandom(seed);
    const plans = randomPartition(rand);
    for (let i = 0; i < 400; i++) {
      const owners = plans.filter((p) => p.owns(i)).length;
      assert.equal(owners, 1, `seed ${seed}: index ${i} has ${owners} owners`);
    }
    for (const n of [
      0,
      1,
      2,
      3,
      7,
      10,
      99,
      1000,
      randomInt(rand, 0, 1e7),
      randomInt(rand, 0, 1e13),
    ]) {
      const sum = plans.reduce((a, p) => a + p.scaleCount(n), 0);
      assert.equal(sum, n, `seed ${seed}: shares of ${n} sum to ${sum}`);
    }
  }
});

test('SegmentPlan.parse uses default sequences and nests', () => {
  const plan = SegmentPlan.parse([
    { segment: '0:1/2' },
    { segment: '1/3:2/3', sequence: '0,1/3,2/3,1' },
  ]);
  assert.equal(plan.width.toString(), '1/6');
  assert.equal(plan.toString(), '0:1/2@0,1/2,1 > 1/3:2/3@0,1/3,2/3,1');
  // level 1 owns even indexes (ranks i/2); level 2 keeps ranks 1, 4, 7, …
  assert.deepEqual(
    [...Array(20).keys()].filter((i) => plan.owns(i)),
    [2, 8, 14],
  );
  assert.equal(plan.scaleCount(6), 1);
  assert.ok(SegmentPlan.full().isFull);
  assert.equal(SegmentPlan.full().scaleCount(17), 17);
  assert.ok(SegmentPlan.parse([{ segment: '0:1' }]).isFull);
});
