// E-divisive means (Matteson & James 2014, as in Apache Otava/Hunter) over a history series:
// recursive bisection at the split that maximises the energy statistic, each split kept only when
// a seeded permutation test finds it significant, run in windows of `windowSize` points.
import type { ChangePointSettings } from '@stampede/protocol';

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
  void partial;
  throw new Error('not implemented yet');
}

/**
 * Change points of `values` (oldest first) in hindsight: windows of `windowSize` points with a
 * step of half a window, candidates merged across windows, sorted by index. Deterministic.
 */
export function detectChangePoints(
  values: readonly number[],
  settings: Partial<ChangePointSettings> = {},
): ChangePoint[] {
  void values;
  void settings;
  throw new Error('not implemented yet');
}
