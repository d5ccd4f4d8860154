// Distribution-free confidence interval of a median from order statistics.
import { sortedMedian } from './hodges-lehmann.ts';

/** A median with its order-statistic interval and the interval's exact coverage. */
export interface MedianInterval {
  readonly median: number;
  readonly low: number;
  readonly high: number;
  /** Binomial coverage of [low, high], 0..1 (at least the requested level when k allows it). */
  readonly level: number;
}

/**
 * Median of `values` with the widest-rank interval [x(r), x(k+1−r)] whose coverage is at least
 * `level`; [min, max] with its (lower) coverage when k is too small. Throws on an empty array.
 */
export function medianInterval(values: readonly number[], level: number): MedianInterval {
  const k = values.length;
  if (k === 0) throw new RangeError('medianInterval needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  // cdf[i] = P(Bin(k, ½) ≤ i)
  const cdf: number[] = [];
  let term = 0.5 ** k;
  let cum = 0;
  for (let i = 0; i <= k; i++) {
    cum += term;
    cdf.push(cum);
    term = (term * (k - i)) / (i + 1);
  }
  let r = 1;
  while (r < Math.floor(k / 2) && 1 - 2 * (cdf[r] as number) >= level) r++;
  const coverage = 1 - 2 * (r >= 1 ? (cdf[r - 1] as number) : 0);
  return {
    median: sortedMedian(sorted),
    low: sorted[r - 1] as number,
    high: sorted[k - r] as number,
    level: Math.max(0, coverage),
  };
}
