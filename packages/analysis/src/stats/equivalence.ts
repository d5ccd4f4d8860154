// Equivalence within ±margin by two one-sided Mann–Whitney tests (TOST).
import { mannWhitneyTest } from './mann-whitney.ts';

/**
 * TOST p-value that the shift y − x lies within (−margin, +margin): the larger of the one-sided
 * p-values of "shift > −margin" and "shift < +margin". Equivalent at level α when ≤ α.
 */
export function tostPValue(x: readonly number[], y: readonly number[], margin: number): number {
  const above = mannWhitneyTest(
    x,
    y.map((v) => v + margin),
    'greater',
  ).pValue;
  const below = mannWhitneyTest(
    x,
    y.map((v) => v - margin),
    'less',
  ).pValue;
  return Math.max(above, below);
}
