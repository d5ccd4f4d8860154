import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../change-points/energy.ts';
import { tostPValue } from './equivalence.ts';
import { hodgesLehmann } from './hodges-lehmann.ts';
import { exactUDistribution, mannWhitneyTest, mannWhitneyU } from './mann-whitney.ts';
import { medianInterval } from './median-ci.ts';
import { benjaminiHochberg } from './multiple-testing.ts';
import { normalQuantile, tQuantile } from './quantiles.ts';

/** Every way to pick which n of the m+n pooled values are the candidate's: the U of each. */
function enumeratedUs(pooled: readonly number[], n: number): number[] {
  const out: number[] = [];
  const big = pooled.length;
  for (let mask = 0; mask < 1 << big; mask++) {
    let bits = 0;
    for (let i = 0; i < big; i++) if (mask & (1 << i)) bits++;
    if (bits !== n) continue;
    const x = pooled.filter((_, i) => !(mask & (1 << i)));
    const y = pooled.filter((_, i) => mask & (1 << i));
    out.push(mannWhitneyU(x, y));
  }
  return out;
}

test('exact U distribution equals brute-force enumeration for every m, n ≤ 5', () => {
  for (let m = 1; m <= 5; m++) {
    for (let n = 1; n <= 5; n++) {
      const us = enumeratedUs(
        Array.from({ length: m + n }, (_, i) => i),
        n,
      );
      const dist = exactUDistribution(m, n);
      assert.equal(dist.length, m * n + 1);
      for (let u = 0; u <= m * n; u++) {
        const want = us.filter((v) => v === u).length / us.length;
        assert.ok(Math.abs((dist[u] as number) - want) < 1e-12, `m=${m} n=${n} u=${u}`);
      }
    }
  }
});

test('exact p-values (with and without ties) equal the enumerated permutation p-values', () => {
  const rng = mulberry32(7);
  for (let trial = 0; trial < 60; trial++) {
    const m = 2 + Math.floor(rng() * 5);
    const n = 2 + Math.floor(rng() * 5);
    // Values on a coarse grid so that about half the trials have ties.
    const grid = trial % 2 === 0 ? 4 : 1000;
    const x = Array.from({ length: m }, () => Math.floor(rng() * grid));
    const y = Array.from({ length: n }, () => Math.floor(rng() * grid) + 1);
    const u = mannWhitneyU(x, y);
    const us = enumeratedUs([...x, ...y], n);
    const ge = us.filter((v) => v >= u - 1e-9).length / us.length;
    const le = us.filter((v) => v <= u + 1e-9).length / us.length;
    const r = mannWhitneyTest(x, y, 'two-sided');
    assert.equal(r.method, 'exact');
    assert.ok(Math.abs(r.pValue - Math.min(1, 2 * Math.min(ge, le))) < 1e-9, `trial ${trial}`);
    assert.ok(Math.abs(mannWhitneyTest(x, y, 'greater').pValue - ge) < 1e-9);
    assert.ok(Math.abs(mannWhitneyTest(x, y, 'less').pValue - le) < 1e-9);
  }
});

test('the normal approximation is close to the exact test at the size where it takes over', () => {
  const rng = mulberry32(3);
  const x = Array.from({ length: 31 }, () => rng());
  const y = Array.from({ length: 31 }, () => rng() + 0.2);
  const normal = mannWhitneyTest(x, y);
  const exact = mannWhitneyTest(x.slice(0, 30), y.slice(0, 30));
  assert.equal(normal.method, 'normal');
  assert.equal(exact.method, 'exact');
  assert.ok(normal.pValue < 0.05 && exact.pValue < 0.05);
});

test('Hodges–Lehmann estimate is the median of all pairwise differences, its CI the MWU inversion', () => {
  const rng = mulberry32(11);
  for (let trial = 0; trial < 40; trial++) {
    const m = 3 + Math.floor(rng() * 8);
    const n = 3 + Math.floor(rng() * 8);
    const x = Array.from({ length: m }, () => rng() * 10);
    const y = Array.from({ length: n }, () => rng() * 10 + 2);
    const diffs = x.flatMap((a) => y.map((b) => b - a)).sort((a, b) => a - b);
    const mid = diffs.length / 2;
    const median = diffs.length % 2 ? diffs[Math.floor(mid)]! : (diffs[mid - 1]! + diffs[mid]!) / 2;
    const hl = hodgesLehmann(x, y, 0.95);
    assert.ok(Math.abs(hl.estimate - median) < 1e-12);
    // Inversion: shifts strictly inside the interval are not rejected at 5%, shifts outside are.
    const p = (shift: number): number =>
      mannWhitneyTest(
        x,
        y.map((v) => v - shift),
      ).pValue;
    if (!Number.isFinite(hl.low)) {
      assert.ok(m * n <= 20, 'an unbounded 95% interval only happens for tiny samples');
      continue;
    }
    const eps = 1e-7;
    assert.ok(p(hl.low + eps) > 0.05, `inside low, trial ${trial}`);
    assert.ok(p(hl.high - eps) > 0.05, `inside high, trial ${trial}`);
    assert.ok(p(hl.low - eps) <= 0.05, `outside low, trial ${trial}`);
    assert.ok(p(hl.high + eps) <= 0.05, `outside high, trial ${trial}`);
  }
});

test('at 3 runs per side no 95% interval exists (no outcome reaches p < 0.05)', () => {
  const hl = hodgesLehmann([1, 2, 3], [10, 11, 12], 0.95);
  assert.equal(hl.low, -Infinity);
  assert.equal(hl.high, Infinity);
  assert.equal(mannWhitneyTest([1, 2, 3], [10, 11, 12]).pValue, 0.1);
  // The 90% interval of TOST does exist: [min, max] of the differences.
  const hl90 = hodgesLehmann([1, 2, 3], [10, 11, 12], 0.9);
  assert.deepEqual([hl90.low, hl90.high], [7, 11]);
});

test('Benjamini–Hochberg matches the 15 p-values of Benjamini & Hochberg (1995): 4 rejected at 0.05', () => {
  const p = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719,
    0.6528, 0.759, 1.0,
  ];
  const q = benjaminiHochberg(p);
  assert.equal(q.filter((v) => v <= 0.05).length, 4);
  // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02 0.04 0.04 0.02
  const small = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
  small.forEach((v, i) => assert.ok(Math.abs(v - [0.02, 0.04, 0.04, 0.02][i]!) < 1e-12));
  assert.ok(Number.isNaN(benjaminiHochberg([NaN, 0.01])[0]));
  assert.equal(benjaminiHochberg([NaN, 0.01])[1], 0.01);
});

test('TOST: equal samples are equivalent within a wide margin, shifted ones are not', () => {
  const x = [10, 10.2, 9.9, 10.1, 10.05, 9.95];
  assert.ok(tostPValue(x, [...x], 1) <= 0.05);
  assert.ok(tostPValue(x, [...x], 0.01) > 0.05);
  assert.ok(
    tostPValue(
      x,
      x.map((v) => v + 3),
      1,
    ) > 0.05,
  );
});

test('median interval coverage is binomial and at least the level when k allows it', () => {
  const v = Array.from({ length: 10 }, (_, i) => i);
  const mi = medianInterval(v, 0.95);
  assert.equal(mi.median, 4.5);
  assert.deepEqual([mi.low, mi.high], [1, 8]); // x(2), x(9): coverage 1 − 2·11/1024
  assert.ok(Math.abs(mi.level - (1 - (2 * 11) / 1024)) < 1e-12);
  const three = medianInterval([3, 1, 2], 0.95);
  assert.deepEqual([three.low, three.high, three.level], [1, 3, 0.75]);
});

test('quantiles: normal and t against table values', () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-6);
  assert.ok(Math.abs(tQuantile(0.975, 10) - 2.228139) < 2e-3);
  assert.ok(Math.abs(tQuantile(0.8, 4) - 0.940965) < 2e-3);
});
