// Equivalence within ±margin by two one-sided Mann–Whitney tests (TOST).

/**
 * TOST p-value that the shift y − x lies within (−margin, +margin): the larger of the one-sided
 * p-values of "shift > −margin" and "shift < +margin". Equivalent at level α when ≤ α.
 */
export function tostPValue(x: readonly number[], y: readonly number[], margin: number): number {
  void x;
  void y;
  void margin;
  throw new Error('not implemented yet');
}
