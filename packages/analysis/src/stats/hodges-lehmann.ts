// The Hodges–Lehmann shift of y over x and its confidence interval by inversion of the
// Mann–Whitney test (the interval between order statistics of the pairwise differences).

/** A location shift with its confidence interval; bounds are ±Infinity when k is too small for the level. */
export interface ShiftEstimate {
  /** Median of all pairwise differences yj − xi. */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** Requested confidence level (the achieved one is at least this, for the exact method). */
  readonly level: number;
}

/**
 * Hodges–Lehmann estimate of the shift y − x with a `level` confidence interval: exact critical
 * values of U for m·n ≤ 10,000, normal ones beyond.
 */
export function hodgesLehmann(
  x: readonly number[],
  y: readonly number[],
  level: number,
): ShiftEstimate {
  void x;
  void y;
  void level;
  throw new Error('not implemented yet');
}
