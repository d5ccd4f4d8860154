/**
 * Benjamini–Hochberg adjusted p-values (q-values), in input order: a hypothesis is rejected at
 * false-discovery rate q when its adjusted value is ≤ q. NaN inputs stay NaN and are not counted.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const idx = pValues
    .map((p, i) => ({ p, i }))
    .filter((e) => !Number.isNaN(e.p))
    .sort((a, b) => a.p - b.p);
  const m = idx.length;
  const out = pValues.map(() => NaN);
  let running = 1;
  for (let r = m; r >= 1; r--) {
    const e = idx[r - 1] as { p: number; i: number };
    running = Math.min(running, (e.p * m) / r);
    out[e.i] = Math.min(1, running);
  }
  return out;
}
