// The Hodges–Lehmann shift of y over x and its confidence interval by inversion of the
// Mann–Whitney test (the interval between order statistics of the pairwise differences).
import { EXACT_MAX_N, exactUDistribution } from './mann-whitney.ts';
import { normalQuantile } from './quantiles.ts';

/** A location shift with its confidence interval; bounds are ±Infinity when k is too small for the level. */
export interface ShiftEstimate {
  /** Median of all pairwise differences yj − xi. */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** Requested confidence level (the achieved one is at least this, for the exact method). */
  readonly level: number;
}

/** Median of a sorted array. */
export function sortedMedian(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = Math.floor(n / 2);
  return n % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The rank c (1-based) of the pairwise difference that bounds a `level` interval from below: the
 * interval is [d(c), d(mn+1−c)]; 0 when no interval of that level exists at these sizes.
 */
export function hodgesLehmannRank(m: number, n: number, level: number): number {
  const tail = (1 - level) / 2;
  if (m + n <= EXACT_MAX_N) {
    // Largest c with P(U ≤ c − 1) ≤ tail (R's qwilcox(tail), without its "at least 1" clamp).
    const dist = exactUDistribution(m, n);
    let cum = 0;
    let c = 0;
    for (let u = 0; u < dist.length; u++) {
      cum += dist[u] as number;
      if (cum > tail + 1e-12) break;
      c = u + 1;
    }
    return c;
  }
  const sd = Math.sqrt((m * n * (m + n + 1)) / 12);
  return Math.max(0, Math.floor((m * n) / 2 - normalQuantile(1 - tail) * sd));
}

/**
 * Hodges–Lehmann estimate of the shift y − x with a `level` confidence interval: exact critical
 * values of U when m + n ≤ EXACT_MAX_N (60), normal ones beyond.
 */
export function hodgesLehmann(
  x: readonly number[],
  y: readonly number[],
  level: number,
): ShiftEstimate {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('hodgesLehmann needs at least one value per side');
  const diffs = new Float64Array(m * n);
  let k = 0;
  for (const a of x) for (const b of y) diffs[k++] = b - a;
  diffs.sort();
  const sorted = Array.from(diffs);
  const c = hodgesLehmannRank(m, n, level);
  return {
    estimate: sortedMedian(sorted),
    low: c === 0 ? -Infinity : (sorted[c - 1] as number),
    high: c === 0 ? Infinity : (sorted[m * n - c] as number),
    level,
  };
}
