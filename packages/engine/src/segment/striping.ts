/**
 * Builds the periodic striping table of a partition: `counts[j]` indexes per period go to segment j
 * (sum = period). Walking r = 0..period-1, index r goes to the segment with the largest deficit
 * (r+1)·counts[j]/period − assigned[j] (ties to the lowest j). Compared in integers scaled by
 * `period`, so the result is exact; the deficits stay within (−1, 1), which interleaves segments
 * evenly and leaves each with exactly counts[j] indexes per period. O(period · segments).
 */
export function stripingTable(counts: readonly number[], period: number): Uint32Array {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== period) throw new RangeError(`segment widths sum to ${total}/${period}, not 1`);
  const table = new Uint32Array(period);
  const assigned = new Array<number>(counts.length).fill(0);
  for (let r = 0; r < period; r++) {
    let best = 0;
    let bestDeficit = -Infinity;
    for (let j = 0; j < counts.length; j++) {
      const deficit = (r + 1) * (counts[j] as number) - period * (assigned[j] as number);
      if (deficit > bestDeficit) {
        bestDeficit = deficit;
        best = j;
      }
    }
    table[r] = best;
    assigned[best] = (assigned[best] as number) + 1;
  }
  return table;
}

/** Which integer indexes (0-based) one segment of a partition owns, with O(1) rank arithmetic. */
export class SegmentStripe {
  /** Period L of the striping pattern, in indexes. */
  readonly period: number;
  /** Indexes owned per period. */
  readonly perPeriod: number;
  // Owned residues in increasing order, and prefix[r] = owned residues below r (length period+1).
  readonly #positions: Uint32Array;
  readonly #prefix: Uint32Array;

  constructor(table: Uint32Array, segment: number) {
    this.period = table.length;
    this.#prefix = new Uint32Array(this.period + 1);
    let owned = 0;
    for (let r = 0; r < this.period; r++) {
      this.#prefix[r] = owned;
      if (table[r] === segment) owned++;
    }
    this.#prefix[this.period] = owned;
    this.perPeriod = owned;
    this.#positions = new Uint32Array(owned);
    for (let r = 0, k = 0; r < this.period; r++) if (table[r] === segment) this.#positions[k++] = r;
  }

  /** Whether index `i` (≥ 0) belongs to this segment. */
  owns(i: number): boolean {
    const r = i % this.period;
    return (this.#prefix[r + 1] as number) > (this.#prefix[r] as number);
  }

  /** How many of the indexes 0..n-1 this segment owns (monotone in n). */
  countBelow(n: number): number {
    if (n <= 0) return 0;
    const q = Math.floor(n / this.period);
    return q * this.perPeriod + (this.#prefix[n - q * this.period] as number);
  }

  /** Rank of owned index `i` among this segment's indexes (0-based); for an unowned index, the rank of the next owned one. */
  localRank(i: number): number {
    return this.countBelow(i);
  }

  /** The global index whose local rank is `rank` (inverse of localRank on owned indexes). */
  globalIndex(rank: number): number {
    if (this.perPeriod === 0) throw new RangeError('segment owns no index');
    const q = Math.floor(rank / this.perPeriod);
    return q * this.period + (this.#positions[rank - q * this.perPeriod] as number);
  }
}
