/**
 * Benjamini–Hochberg adjusted p-values (q-values), in input order: a hypothesis is rejected at
 * false-discovery rate q when its adjusted value is ≤ q. NaN inputs stay NaN and are not counted.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  void pValues;
  throw new Error('not implemented yet');
}
