import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedIterationsShare, vuLoopIteration } from './shares.ts';
import { randomInt, randomPartition, seededRandom } from '../segment/testing.ts';

test('shared-iterations shares sum exactly and never give iterations to a segment without VUs', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rand = seededRandom(seed);
    const plans = randomPartition(rand);
    const vus = randomInt(rand, 0, 12);
    const iterations = randomInt(rand, 0, 200);
    const shares = plans.map((p) => new SharedIterationsShare(p, vus, iterations));
    assert.equal(
      shares.reduce((n, sh) => n + sh.count, 0),
      vus === 0 ? 0 : iterations,
    );
    assert.equal(
      shares.reduce((n, sh) => n + sh.vus, 0),
      vus,
    );
    const seen = new Set<number>();
    shares.forEach((share, j) => {
      if (share.vus === 0) assert.equal(share.count, 0);
      let previous = -1;
      for (let r = 0; r < share.count; r++) {
        const i = share.globalIndex(r);
        assert.ok(i > previous && i < iterations);
        assert.ok(plans[j]!.owns(i % vus), 'iteration follows its VU');
        previous = i;
        seen.add(i);
      }
    });
    assert.equal(seen.size, vus === 0 ? 0 : iterations);
  }
});

test('VU-loop iteration numbers are unique and dense', () => {
  const seen = new Set<number>();
  for (let vu = 1; vu <= 7; vu++)
    for (let it = 0; it < 5; it++) seen.add(vuLoopIteration(vu, it, 7));
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    Array.from({ length: 35 }, (_, i) => i),
  );
});
