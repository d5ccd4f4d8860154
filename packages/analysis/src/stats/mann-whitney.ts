// The Mann–Whitney U test over runs: exact (the permutation distribution of the rank sum,
// enumerated by dynamic programming, mid-ranks for ties) up to EXACT_MAX_N observations, the
// normal approximation with tie and continuity corrections beyond.
import { normalCdf } from './quantiles.ts';

/** Which alternative a test is against: candidate (y) greater than, less than, or different from baseline (x). */
export type Alternative = 'two-sided' | 'greater' | 'less';

/** Result of a Mann–Whitney test. */
export interface MannWhitneyResult {
  /** U of y over x: the number of pairs with y > x, ties counting ½. */
  readonly u: number;
  readonly pValue: number;
  readonly method: 'exact' | 'normal';
}

/** Largest m + n for the exact test (the enumeration costs about N³/2 steps; 60 runs ≈ 0.1 ms cached). */
export const EXACT_MAX_N = 60;

/** U of `y` over `x`: the number of pairs (xi, yj) with yj > xi, ties counting ½. */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): number {
  if (x.length * y.length > 4096) {
    // From the mid-ranks, O(N log N): U = (rank sum of y) − n(n+1)/2.
    const { ranks } = doubledMidRanks(x, y);
    let doubled = 0;
    for (let i = x.length; i < ranks.length; i++) doubled += ranks[i] as number;
    return doubled / 2 - (y.length * (y.length + 1)) / 2;
  }
  let u = 0;
  for (const a of x) for (const b of y) u += b > a ? 1 : b === a ? 0.5 : 0;
  return u;
}

const noTieCache = new Map<string, Float64Array>();

/**
 * Null distribution of U for sample sizes m and n without ties: element u is P(U = u), u = 0..mn
 * (enumerated exactly; cached per (m, n)).
 */
export function exactUDistribution(m: number, n: number): Float64Array {
  const key = `${m},${n}`;
  let d = noTieCache.get(key);
  if (d === undefined) {
    const ranks = Array.from({ length: m + n }, (_, i) => 2 * (i + 1));
    d = rankSumDistribution(ranks, n);
    noTieCache.set(key, d);
  }
  return d;
}

const tiedCache = new Map<string, Float64Array>();
const TIED_CACHE_MAX = 512;

/**
 * The permutation distribution for doubled mid-ranks with ties, cached by the tie pattern: a
 * comparison tests each row up to four times (two-sided, beyond the margin, TOST's two sides),
 * and rows such as an error rate of 0 in every run share one pattern.
 */
function tiedUDistribution(doubledRanks: readonly number[], n: number): Float64Array {
  const sorted = [...doubledRanks].sort((a, b) => a - b);
  const key = `${n}:${sorted.join(',')}`;
  let d = tiedCache.get(key);
  if (d === undefined) {
    d = rankSumDistribution(sorted, n);
    if (tiedCache.size >= TIED_CACHE_MAX) tiedCache.clear();
    tiedCache.set(key, d);
  }
  return d;
}

/**
 * P(U = u/2) for u = 0..2mn (index in half units) when the n candidate values take n of the
 * given doubled mid-ranks at random: the permutation distribution, ties included.
 */
function rankSumDistribution(doubledRanks: readonly number[], n: number): Float64Array {
  const big = doubledRanks.length;
  const maxSum = doubledRanks.reduce((a, b) => a + b, 0);
  // ways[j * (maxSum + 1) + s]: number of j-subsets of the items seen so far with doubled rank sum s.
  const width = maxSum + 1;
  const ways = new Float64Array((n + 1) * width);
  ways[0] = 1;
  let seen = 0;
  for (const r of doubledRanks) {
    seen += r;
    // 0/1 knapsack in place: j downwards so each item is used once.
    for (let j = n; j >= 1; j--) {
      const row = j * width;
      const prev = (j - 1) * width - r;
      for (let s = seen; s >= r; s--) {
        const add = ways[prev + s] as number;
        if (add !== 0) ways[row + s] = (ways[row + s] as number) + add;
      }
    }
  }
  // Doubled U = doubled W − n(n+1); U = W − n(n+1)/2, W the (mid-)rank sum of y.
  const m = big - n;
  const out = new Float64Array(2 * m * n + 1);
  let total = 0;
  const base = n * width;
  for (let s = 0; s < width; s++) {
    const w = ways[base + s] as number;
    if (w === 0) continue;
    const halfU = s - n * (n + 1);
    if (halfU < 0 || halfU >= out.length) continue;
    out[halfU] = (out[halfU] as number) + w;
    total += w;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / total;
  if (doubledRanks.every((r, i) => r === 2 * (i + 1))) {
    // No ties: U is an integer; compact to unit steps.
    const whole = new Float64Array(m * n + 1);
    for (let u = 0; u <= m * n; u++) whole[u] = out[2 * u] as number;
    return whole;
  }
  return out;
}

/** Mid-ranks of the pooled sample (x first, then y), doubled so they are integers. */
function doubledMidRanks(
  x: readonly number[],
  y: readonly number[],
): { ranks: number[]; ties: number[] } {
  const all = [...x, ...y].map((v, i) => ({ v, i }));
  all.sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(all.length).fill(0);
  const ties: number[] = [];
  let i = 0;
  while (i < all.length) {
    let j = i;
    while (j + 1 < all.length && (all[j + 1] as { v: number }).v === (all[i] as { v: number }).v)
      j++;
    const doubled = i + 1 + (j + 1); // 2 × mean of ranks i+1..j+1
    for (let k = i; k <= j; k++) ranks[(all[k] as { i: number }).i] = doubled;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/** Mann–Whitney test of y against x: exact when m + n ≤ EXACT_MAX_N (ties included), normal otherwise. */
export function mannWhitneyTest(
  x: readonly number[],
  y: readonly number[],
  alternative: Alternative = 'two-sided',
): MannWhitneyResult {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('mannWhitneyTest needs at least one value per side');
  const u = mannWhitneyU(x, y);
  const { ranks, ties } = doubledMidRanks(x, y);
  if (m + n <= EXACT_MAX_N) {
    let dist: Float64Array;
    let step: number; // index units per unit of U
    if (ties.length === 0) {
      dist = exactUDistribution(m, n);
      step = 1;
    } else {
      // The y values take the last n positions of `ranks`; the distribution is over all subsets.
      dist = tiedUDistribution(ranks, n);
      step = 2;
    }
    const at = Math.round(u * step);
    let le = 0;
    let ge = 0;
    for (let k = 0; k < dist.length; k++) {
      const p = dist[k] as number;
      if (k <= at) le += p;
      if (k >= at) ge += p;
    }
    const pValue =
      alternative === 'greater'
        ? ge
        : alternative === 'less'
          ? le
          : Math.min(1, 2 * Math.min(le, ge));
    return { u, pValue: Math.min(1, pValue), method: 'exact' };
  }
  const big = m + n;
  const tieTerm = ties.reduce((acc, t) => acc + t ** 3 - t, 0) / (big * (big - 1));
  const variance = ((m * n) / 12) * (big + 1 - tieTerm);
  if (variance <= 0) return { u, pValue: 1, method: 'normal' };
  const sd = Math.sqrt(variance);
  const mean = (m * n) / 2;
  const upper = 1 - normalCdf((u - mean - 0.5) / sd); // P(U ≥ u)
  const lower = normalCdf((u - mean + 0.5) / sd); // P(U ≤ u)
  const pValue =
    alternative === 'greater'
      ? upper
      : alternative === 'less'
        ? lower
        : Math.min(1, 2 * Math.min(upper, lower));
  return { u, pValue: Math.min(1, pValue), method: 'normal' };
}

/** Smallest two-sided p-value any outcome of the exact test can reach with m and n runs: 2 / C(m+n, m). */
export function smallestTwoSidedP(m: number, n: number): number {
  let c = 1;
  for (let i = 1; i <= m; i++) c = (c * (n + i)) / i;
  return Math.min(1, 2 / c);
}
