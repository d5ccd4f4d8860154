// Minimum detectable effect of a two-sample comparison of runs.
import { EXACT_MAX_N, smallestTwoSidedP } from './mann-whitney.ts';
import { tQuantile } from './quantiles.ts';

/** Asymptotic relative efficiency of the Mann–Whitney test to the t test under normality is 3/π. */
const RANK_TEST_PENALTY = Math.sqrt(Math.PI / 3);

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
  if (m < 2 || n < 2) return null;
  if (m + n <= EXACT_MAX_N && smallestTwoSidedP(m, n) > alpha) return null;
  const df = m + n - 2;
  const factor = tQuantile(1 - alpha / 2, df) + tQuantile(power, df);
  return factor * sd * Math.sqrt(1 / m + 1 / n) * RANK_TEST_PENALTY;
}

/** Pooled within-group standard deviation of two samples (m + n − 2 degrees of freedom). */
export function pooledSd(x: readonly number[], y: readonly number[]): number {
  const ss = (v: readonly number[]): number => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return v.reduce((a, b) => a + (b - mean) ** 2, 0);
  };
  const df = x.length + y.length - 2;
  return df > 0 ? Math.sqrt((ss(x) + ss(y)) / df) : NaN;
}

/**
 * The smallest true shift (values' units) the comparison's verdict rule flags with probability
 * `power`: significant two-sided at `alpha` (minimumDetectableShift) and shown beyond ±`margin`
 * by a one-sided test at `alpha`, so at least margin + (t(1−α) + t(power))·SE·√(π/3); null when
 * no outcome of the exact test can reach `alpha` at these sizes.
 */
export function minimumDetectableEffect(
  m: number,
  n: number,
  sd: number,
  alpha: number,
  margin: number,
  power = 0.8,
): number | null {
  const twoSided = minimumDetectableShift(m, n, sd, alpha, power);
  if (twoSided === null) return null;
  const df = m + n - 2;
  const factor = tQuantile(1 - alpha, df) + tQuantile(power, df);
  return Math.max(twoSided, margin + factor * sd * Math.sqrt(1 / m + 1 / n) * RANK_TEST_PENALTY);
}
