// The Mann–Whitney U test over runs: exact (enumerated U distribution) when there are no ties,
// the normal approximation with tie and continuity corrections otherwise.

/** Which alternative a test is against: candidate (y) greater than, less than, or different from baseline (x). */
export type Alternative = 'two-sided' | 'greater' | 'less';

/** Result of a Mann–Whitney test. */
export interface MannWhitneyResult {
  /** U of y over x: the number of pairs with y > x, ties counting ½. */
  readonly u: number;
  readonly pValue: number;
  readonly method: 'exact' | 'normal';
}

/** U of `y` over `x`: the number of pairs (xi, yj) with yj > xi, ties counting ½. */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += b > a ? 1 : b === a ? 0.5 : 0;
  return u;
}

/**
 * Null distribution of U for sample sizes m and n without ties: element u is P(U = u), u = 0..mn
 * (computed by the recurrence over the largest observation, exact in floating point up to ~1e-15).
 */
export function exactUDistribution(m: number, n: number): Float64Array {
  void m;
  void n;
  throw new Error('not implemented yet');
}

/** Mann–Whitney test of y against x (exact when there are no ties and m·n ≤ 10,000, normal otherwise). */
export function mannWhitneyTest(
  x: readonly number[],
  y: readonly number[],
  alternative: Alternative = 'two-sided',
): MannWhitneyResult {
  void x;
  void y;
  void alternative;
  throw new Error('not implemented yet');
}
