// The E-divisive energy statistic of one segment and its seeded permutation test.

/** The best split of a segment: the new part starts at `at` (relative to the segment), with its statistic. */
export interface Split {
  readonly at: number;
  readonly q: number;
}

/**
 * The split τ in [minSegment, n − minSegment] that maximises Matteson & James's
 * q̂ = (mn/(m+n))·(2/(mn)·Σ|xi−yj| − Σ|xi−xk|/C(m,2) − Σ|yj−yl|/C(n,2)) (α = 1), in O(n²).
 * Null when the segment is too short for two parts of minSegment points.
 */
export function bestSplit(
  z: ArrayLike<number>,
  minSegment: number,
  scratch?: { left: Float64Array; right: Float64Array },
): Split | null {
  const n = z.length;
  if (n < 2 * minSegment) return null;
  // left[t] = Σ_{i<t} |z_i − z_t|, right[t] = Σ_{j>t} |z_t − z_j|
  const left = scratch?.left ?? new Float64Array(n);
  const right = scratch?.right ?? new Float64Array(n);
  left.fill(0, 0, n);
  right.fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    for (let j = i + 1; j < n; j++) {
      const d = Math.abs(zi - (z[j] as number));
      right[i] = (right[i] as number) + d;
      left[j] = (left[j] as number) + d;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += right[i] as number;
  // Sweep τ: within(left part) W, cross A; within(right) = total − W − A.
  let w = 0;
  let a = 0;
  let best: Split | null = null;
  for (let t = 0; t < n; t++) {
    if (t >= minSegment && n - t >= minSegment) {
      const m1 = t;
      const m2 = n - t;
      const c = total - w - a;
      const e = (2 * a) / (m1 * m2) - w / ((m1 * (m1 - 1)) / 2) - c / ((m2 * (m2 - 1)) / 2);
      const q = ((m1 * m2) / (m1 + m2)) * e;
      if (best === null || q > best.q) best = { at: t, q };
    }
    // Move z_t from the right part to the left part.
    w += left[t] as number;
    a += (right[t] as number) - (left[t] as number);
  }
  return best;
}

/** A small, fast seeded PRNG (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Permutation p-value of `observed` for segment `z`: (1 + #permutations whose best q̂ ≥ observed)
 * / (1 + permutations). Stops early once the p-value can no longer reach `pValue` (then the
 * value returned is a lower bound, still above `pValue`).
 */
export function permutationPValue(
  z: ArrayLike<number>,
  observed: number,
  minSegment: number,
  permutations: number,
  pValue: number,
  seed: number,
): number {
  const rng = mulberry32(seed);
  const work = Float64Array.from(z);
  const scratch = { left: new Float64Array(work.length), right: new Float64Array(work.length) };
  const limit = Math.floor(pValue * (permutations + 1)) - 1; // most exceedances still significant
  let exceed = 0;
  for (let p = 0; p < permutations; p++) {
    for (let i = work.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = work[i] as number;
      work[i] = work[j] as number;
      work[j] = t;
    }
    const s = bestSplit(work, minSegment, scratch);
    if (s !== null && s.q >= observed) {
      exceed++;
      // Already above pValue: the exact value no longer matters, return this lower bound.
      if (exceed > limit) return (1 + exceed) / (1 + permutations);
    }
  }
  return (1 + exceed) / (1 + permutations);
}
