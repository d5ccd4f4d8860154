// Test support: a seeded PRNG and random partitions of the whole into nested segment plans.
import { Fraction } from './fraction.ts';
import { SegmentPlan } from './segment-plan.ts';
import { SegmentSequence } from './segment-sequence.ts';

/** A tiny seeded PRNG (mulberry32) returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random integer in [lo, hi]. */
export function randomInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** A random sequence whose cut points have small denominators (mixing two denominators). */
export function randomSequence(rand: () => number): SegmentSequence {
  const cuts = new Map<number, Fraction>();
  for (let n = randomInt(rand, 0, 2); n >= 0; n--) {
    const den = randomInt(rand, 2, 10);
    for (let num = 1; num < den; num++) {
      if (rand() < 0.4) {
        const f = new Fraction(num, den);
        cuts.set(f.toNumber(), f);
      }
    }
  }
  const inner = [...cuts.values()].sort((a, b) => a.compare(b));
  return new SegmentSequence([new Fraction(0), ...inner, new Fraction(1)]);
}

/** Random nested plans that together partition the whole (up to `maxDepth` levels). */
export function randomPartition(rand: () => number, maxDepth = 3): SegmentPlan[] {
  const expand = (plan: SegmentPlan, depth: number): SegmentPlan[] => {
    if (depth >= maxDepth || (depth > 0 && rand() < 0.4)) return [plan];
    const sequence = randomSequence(rand);
    return sequence
      .segments()
      .flatMap((segment) => expand(plan.nest({ sequence, segment }), depth + 1));
  };
  return expand(SegmentPlan.full(), 0);
}
