// Minimum detectable effect of a two-sample comparison of runs.

/**
 * The smallest true shift (in the values' units) a two-sided Mann–Whitney test at level `alpha`
 * detects with probability `power`, given m and n runs and the pooled run-to-run standard
 * deviation `sd` (t quantiles with m+n−2 degrees of freedom, times √(π/3) for the rank test's
 * efficiency); null when no outcome of the exact test can reach `alpha` at these sizes.
 */
export function minimumDetectableShift(
  m: number,
  n: number,
  sd: number,
  alpha: number,
  power = 0.8,
): number | null {
  void m;
  void n;
  void sd;
  void alpha;
  void power;
  throw new Error('not implemented yet');
}
