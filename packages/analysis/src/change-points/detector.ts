// E-divisive means (Matteson & James 2014, as in Apache Otava/Hunter) over a history series:
// recursive bisection at the split that maximises the energy statistic, each split kept only when
// a seeded permutation test finds it significant, run in windows of `windowSize` points.
import { changePointSettingsSchema } from '@stampede/protocol';
import type { ChangePointSettings } from '@stampede/protocol';
import { AnalysisError } from '../errors.ts';
import { bestSplit, permutationPValue } from './energy.ts';

/** Default detector settings: window 50, p = 0.001 with 999 permutations, segments ≥ 3, confirmed after 3 points. */
export const DEFAULT_CHANGE_POINT_SETTINGS: ChangePointSettings = {
  windowSize: 50,
  pValue: 0.001,
  permutations: 999,
  minSegment: 3,
  confirmAfter: 3,
  seed: 1,
};

/** One detected change point: the new segment starts at `index`. */
export interface ChangePoint {
  readonly index: number;
  /** Permutation p-value of the split. */
  readonly pValue: number;
  /** Means of the segments before and after, bounded by the neighbouring change points and the window. */
  readonly meanBefore: number;
  readonly meanAfter: number;
}

/** Complete, validated settings from defaults and `partial`; throws AnalysisError INVALID_INPUT. */
export function changePointSettings(
  partial: Partial<ChangePointSettings> = {},
): ChangePointSettings {
  const parsed = changePointSettingsSchema.safeParse({
    ...DEFAULT_CHANGE_POINT_SETTINGS,
    ...partial,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new AnalysisError(
      'INVALID_INPUT',
      `bad change-point setting ${field}: ${issue?.message ?? ''}`,
      {
        field,
      },
    );
  }
  const s = parsed.data;
  if (s.permutations + 1 < 1 / s.pValue - 1e-9) {
    throw new AnalysisError(
      'INVALID_INPUT',
      `permutations must be at least 1/pValue − 1 = ${Math.ceil(1 / s.pValue - 1)} so that p = ${s.pValue} is reachable`,
      { field: 'permutations' },
    );
  }
  if (s.windowSize < 2 * s.minSegment) {
    throw new AnalysisError('INVALID_INPUT', 'windowSize must be at least 2 × minSegment', {
      field: 'windowSize',
    });
  }
  return s;
}

/** A seed per analysed segment, so a result depends only on the segment's data and position. */
function segmentSeed(seed: number, start: number, end: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [start, end]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h;
}

/** A change found inside one segment, before its means are known. */
interface Found {
  readonly index: number;
  readonly pValue: number;
}

/**
 * E-divisive over values[start, end): the best split if significant, then the same on both
 * sides. Appends to `out` with global indices (local index + `offset`, which also seeds).
 */
export function eDivisive(
  values: readonly number[],
  start: number,
  end: number,
  s: ChangePointSettings,
  out: Found[],
  offset = 0,
): void {
  const seg = values.slice(start, end);
  const split = bestSplit(seg, s.minSegment);
  if (split === null || !(split.q > 0)) return;
  const p = permutationPValue(
    seg,
    split.q,
    s.minSegment,
    s.permutations,
    s.pValue,
    segmentSeed(s.seed, start + offset, end + offset),
  );
  if (p > s.pValue) return;
  const at = start + split.at;
  out.push({ index: at + offset, pValue: p });
  eDivisive(values, start, at, s, out, offset);
  eDivisive(values, at, end, s, out, offset);
}

/** Candidates closer than minSegment are one change: the most significant (then the earliest) stays. */
export function mergeCandidates(found: readonly Found[], minSegment: number): Found[] {
  const byStrength = [...found].sort((a, b) => a.pValue - b.pValue || a.index - b.index);
  const kept: Found[] = [];
  for (const f of byStrength) {
    if (kept.every((k) => Math.abs(k.index - f.index) >= minSegment)) kept.push(f);
  }
  return kept.sort((a, b) => a.index - b.index);
}

/** Adds segment means: before and after each change, bounded by its neighbours and half a window. */
export function withMeans(
  values: readonly number[],
  found: readonly Found[],
  windowSize: number,
  offset = 0,
): ChangePoint[] {
  const half = Math.floor(windowSize / 2);
  const mean = (from: number, to: number): number => {
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i - offset] as number;
    return to > from ? sum / (to - from) : NaN;
  };
  return found.map((f, i) => {
    const prev = i > 0 ? (found[i - 1] as Found).index : offset;
    const next = i + 1 < found.length ? (found[i + 1] as Found).index : offset + values.length;
    return {
      index: f.index,
      pValue: f.pValue,
      meanBefore: mean(Math.max(prev, f.index - half), f.index),
      meanAfter: mean(f.index, Math.min(next, f.index + half)),
    };
  });
}

/**
 * Change points of `values` (oldest first) in hindsight: windows of `windowSize` points with a
 * step of half a window, candidates merged across windows, sorted by index. Deterministic.
 * Throws AnalysisError INVALID_INPUT on bad settings or a non-finite value.
 */
export function detectChangePoints(
  values: readonly number[],
  settings: Partial<ChangePointSettings> = {},
): ChangePoint[] {
  const s = changePointSettings(settings);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new AnalysisError('INVALID_INPUT', `history value ${bad} is not a finite number`, {
      index: bad,
    });
  const n = values.length;
  const found: Found[] = [];
  const step = Math.max(1, Math.floor(s.windowSize / 2));
  for (let start = 0; ; start += step) {
    const end = Math.min(n, start + s.windowSize);
    eDivisive(values, Math.max(0, end - s.windowSize), end, s, found);
    if (end >= n) break;
  }
  return withMeans(values, mergeCandidates(found, s.minSegment), s.windowSize);
}
