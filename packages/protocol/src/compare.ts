import { z } from 'zod';

/** Current version of the comparison result format (`stampede compare --json`, controller compare results). */
export const COMPARISON_VERSION = 1;

/** The verdict of one (metric, statistic) comparison. */
export const verdictSchema = z.enum(['regression', 'improvement', 'no-change', 'inconclusive']);
/** The verdict of one (metric, statistic) comparison. */
export type Verdict = z.output<typeof verdictSchema>;

/** Which way a statistic gets worse: latency and error rate up, request rate down. */
export const directionSchema = z.enum(['higher-is-worse', 'lower-is-worse']);
/** Which way a statistic gets worse. */
export type Direction = z.output<typeof directionSchema>;

/**
 * The scale a change is measured on: `log` (ratio candidate/baseline, reported in percent) for
 * positive quantities, `absolute` (difference, in the statistic's unit) for those that can be 0
 * such as an error rate.
 */
export const changeScaleSchema = z.enum(['log', 'absolute']);
/** The scale a change is measured on. */
export type ChangeScale = z.output<typeof changeScaleSchema>;

/** Unit of a run statistic: `ms`, `per-second`, `ratio` (0..1), `bytes-per-second`, or `value` (custom, unitless). */
export const statisticUnitSchema = z.enum([
  'ms',
  'per-second',
  'ratio',
  'bytes-per-second',
  'value',
]);
/** Unit of a run statistic. */
export type StatisticUnit = z.output<typeof statisticUnitSchema>;

/** One side (baseline or candidate) of a comparison row: the per-run values and their median. */
export const comparisonSideSchema = z.strictObject({
  /** Number of runs with a value for this statistic. */
  runs: z.number().int().nonnegative(),
  /** The statistic of each run, in input order (in the statistic's unit). */
  values: z.array(z.number()),
  /** Median over runs, or null when there is no run. */
  median: z.number().nullable(),
  /**
   * Distribution-free confidence interval of the median (order statistics), at
   * `ciLevel`; [min, max] when there are too few runs for the requested level; null without runs.
   */
  ci: z.tuple([z.number(), z.number()]).nullable(),
  /** Actual coverage of `ci` (binomial), 0..1; null without runs. */
  ciLevel: z.number().nullable(),
});
/** One side of a comparison row. */
export type ComparisonSide = z.output<typeof comparisonSideSchema>;

/** The estimated change candidate vs baseline with its confidence interval. */
export const changeEstimateSchema = z.strictObject({
  scale: changeScaleSchema,
  /** Hodges–Lehmann shift: percent (log scale, exp(shift)−1) or statistic units (absolute scale). */
  estimate: z.number(),
  /** Confidence interval of the shift at `settings.confidenceLevel`, same units; ±Infinity is written as null. */
  low: z.number().nullable(),
  high: z.number().nullable(),
});
/** The estimated change with its confidence interval. */
export type ChangeEstimate = z.output<typeof changeEstimateSchema>;

/** The comparison of one statistic of one metric series. */
export const comparisonRowSchema = z.strictObject({
  /** Series key as in the summary: `http_req_duration` or `http_req_duration{name:home}`. */
  metric: z.string(),
  /** `p50`, `p90`, `p95`, `p99`, `mean`, `rate`, … */
  statistic: z.string(),
  unit: statisticUnitSchema,
  direction: directionSchema,
  baseline: comparisonSideSchema,
  candidate: comparisonSideSchema,
  /** Null when a side has too few runs. */
  change: changeEstimateSchema.nullable(),
  /** Equivalence margin δ on the row's scale (percent for log, units for absolute). */
  margin: z.number(),
  /**
   * Minimum detectable effect: the smallest true change this comparison would flag with 80%
   * power at this k and run-to-run noise, same units as `change`; null when no change can be
   * detected at all at this k (for example 3 runs per side: no rank test reaches p < 0.05).
   */
  mde: z.number().nullable(),
  /** Two-sided Mann–Whitney p-value over runs; null when a side has too few runs. */
  pValue: z.number().nullable(),
  /** `exact` (enumerated U distribution) or `normal` (approximation with tie correction). */
  pMethod: z.enum(['exact', 'normal']).nullable(),
  /** Benjamini–Hochberg adjusted p-value across all rows of this result. */
  qValue: z.number().nullable(),
  /**
   * One-sided Mann–Whitney p-value that the change lies beyond the margin on the side of the
   * estimate (the minimum-effect test a regression or improvement needs, besides `qValue`).
   */
  effectPValue: z.number().nullable(),
  /** Benjamini–Hochberg adjusted `effectPValue` across all rows of this result. */
  effectQValue: z.number().nullable(),
  /** TOST equivalence p-value within ±margin (max of the two one-sided Mann–Whitney tests). */
  equivalencePValue: z.number().nullable(),
  verdict: verdictSchema,
  /** Why this verdict, in words (`changed by +23.1% [+18.0%, +29.4%]`, `inconclusive: too few runs (need ≥ 3)`). */
  reason: z.string(),
});
/** The comparison of one statistic of one metric series. */
export type ComparisonRow = z.output<typeof comparisonRowSchema>;

/** What a comparison was computed with. */
export const comparisonSettingsSchema = z.strictObject({
  /** The user's minimum effect (fraction, 0.05 = 5%). */
  minEffect: z.number(),
  /** The equivalence margin used: max(minEffect, 0.05), fraction. */
  margin: z.number(),
  /** Significance level of the difference test (BH q) and of each TOST one-sided test. */
  alpha: z.number(),
  /** Level of the change confidence intervals (1 − alpha). */
  confidenceLevel: z.number(),
  /** Fewest runs per side for anything but `inconclusive`. */
  minRuns: z.number().int(),
});
/** What a comparison was computed with. */
export type ComparisonSettings = z.output<typeof comparisonSettingsSchema>;

/** Identity of one side's runs. */
export const comparisonGroupSchema = z.strictObject({
  runs: z.number().int().nonnegative(),
  /** Where the runs came from (file names or run ids), in input order. */
  sources: z.array(z.string()),
});

/** Result of comparing candidate runs with baseline runs (`stampede compare --json`). */
export const comparisonResultSchema = z.strictObject({
  version: z.literal(COMPARISON_VERSION),
  settings: comparisonSettingsSchema,
  baseline: comparisonGroupSchema,
  candidate: comparisonGroupSchema,
  rows: z.array(comparisonRowSchema),
  /** Count of rows per verdict. */
  counts: z.strictObject({
    regression: z.number().int(),
    improvement: z.number().int(),
    'no-change': z.number().int(),
    inconclusive: z.number().int(),
  }),
  /** True when any row is a `regression` (exit 99 in the CLI). */
  regressed: z.boolean(),
});
/** Result of comparing candidate runs with baseline runs. */
export type ComparisonResult = z.output<typeof comparisonResultSchema>;

/** One value of a history series (one run's statistic). */
export const historyPointSchema = z.strictObject({
  /** Run id (or any stable id of the point). */
  id: z.string(),
  value: z.number(),
  /** When the run happened, Unix epoch ms. */
  atMs: z.number(),
});
/** One value of a history series. */
export type HistoryPoint = z.output<typeof historyPointSchema>;

/** Settings of the E-divisive change-point detector. */
export const changePointSettingsSchema = z.strictObject({
  /** Points per analysis window (Otava's window_len). */
  windowSize: z.number().int().min(6),
  /** Significance level of the permutation test. */
  pValue: z.number().gt(0).lt(1),
  /** Permutations per test (at least 1/pValue − 1 so that pValue is reachable). */
  permutations: z.number().int().positive(),
  /** Fewest points on each side of a change point (so a lone spike is never one). */
  minSegment: z.number().int().min(2),
  /** Points that must follow a change point before it stops being provisional. */
  confirmAfter: z.number().int().nonnegative(),
  /** Seed of the permutation RNG (results are deterministic). */
  seed: z.number().int(),
});
/** Settings of the E-divisive change-point detector. */
export type ChangePointSettings = z.output<typeof changePointSettingsSchema>;

/** A change point as it was first reported; these fields are never rewritten. */
export const changePointFirstSeenSchema = z.strictObject({
  /** When it was first reported (the caller's clock), Unix epoch ms. */
  atMs: z.number(),
  /** Id of the newest point of the series when it was first reported. */
  afterPointId: z.string(),
  /** Mean of the segment before and after the change, as first reported. */
  meanBefore: z.number(),
  meanAfter: z.number(),
  /** Relative change of the mean, percent ((after/before − 1) · 100), as first reported. */
  changePct: z.number(),
  /** Permutation p-value, as first reported. */
  pValue: z.number(),
});

/** One change point over a history series. */
export const changePointRecordSchema = z.strictObject({
  /** Id of the first point of the new segment. */
  pointId: z.string(),
  /** Index of that point in the series (0-based, counting every point ever appended). */
  index: z.number().int().nonnegative(),
  /** Time of that point, Unix epoch ms. */
  pointAtMs: z.number(),
  /**
   * `provisional` until `confirmAfter` points follow it; then `confirmed` for good. A provisional
   * change point no longer detected becomes `withdrawn` (kept, so what was reported stays visible).
   */
  status: z.enum(['provisional', 'confirmed', 'withdrawn']),
  /** When `status` last changed (caller's clock), Unix epoch ms. */
  statusAtMs: z.number(),
  firstSeen: changePointFirstSeenSchema,
});
/** One change point over a history series. */
export type ChangePointRecord = z.output<typeof changePointRecordSchema>;

/**
 * Persistable state of change-point detection over one history series: the last window of points
 * and every change point ever reported. Appending a point returns a new state.
 */
export const changePointStateSchema = z.strictObject({
  version: z.literal(1),
  settings: changePointSettingsSchema,
  /** Number of points appended so far. */
  count: z.number().int().nonnegative(),
  /** The newest `settings.windowSize` points, oldest first. */
  tail: z.array(historyPointSchema),
  /** Every change point ever reported, by index. */
  records: z.array(changePointRecordSchema),
});
/** Persistable state of change-point detection over one history series. */
export type ChangePointState = z.output<typeof changePointStateSchema>;
