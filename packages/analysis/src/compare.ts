// Two-sample comparison of runs: per (metric series, statistic) the Hodges–Lehmann change with
// its confidence interval, an exact Mann–Whitney p, TOST equivalence within ±δ, BH across rows,
// the MDE, and a verdict.
import type { ComparisonResult } from '@stampede/protocol';
import type { RunStatistics } from './run-statistics.ts';

/** Default and lowest equivalence margin δ: 5%. */
export const DEFAULT_MIN_EFFECT = 0.05;
/** Default significance level (BH q of the difference test, level of each TOST one-sided test). */
export const DEFAULT_ALPHA = 0.05;
/** Fewest runs per side for any verdict but `inconclusive`. */
export const MIN_RUNS = 3;

/** Which statistics to compare: all of a metric series (`statistic` omitted), or one. */
export interface MetricSelector {
  /** Series key (`http_req_duration`, `http_req_duration{name:home}`). */
  readonly metric: string;
  readonly statistic?: string;
}

/** Options of compareRuns. */
export interface CompareOptions {
  /** The user's minimum effect, fraction (0.1 = 10%); the margin is max(minEffect, 5%). */
  readonly minEffect?: number;
  /** Significance level, in (0, 0.5); default 0.05. */
  readonly alpha?: number;
  /** Only these statistics (default: every statistic present in both sides). */
  readonly select?: readonly MetricSelector[];
}

/**
 * Compares candidate runs with baseline runs, the run being the unit of replication. Throws
 * AnalysisError TEST_MISMATCH (runs of different tests), METRIC_SET_MISMATCH (a series in every
 * run of one side and none of the other), UNKNOWN_METRIC (a selector matching nothing;
 * details.available lists `metric:statistic` keys) or INVALID_INPUT (bad options). A side with
 * fewer than 3 runs gives `inconclusive: too few runs (need ≥ 3)` rows, not an error.
 */
export function compareRuns(
  baseline: readonly RunStatistics[],
  candidate: readonly RunStatistics[],
  options: CompareOptions = {},
): ComparisonResult {
  void baseline;
  void candidate;
  void options;
  throw new Error('not implemented yet');
}

/**
 * Parses a `--metric` argument: `http_req_duration` (every statistic) or `http_req_duration:p99`
 * (one); the statistic is after the last `:` outside `{…}`, so `http_req_duration{name:a}` works.
 */
export function parseMetricSelector(text: string): MetricSelector {
  let depth = 0;
  let colon = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ':' && depth === 0) colon = i;
  }
  if (colon < 0) return { metric: text };
  return { metric: text.slice(0, colon), statistic: text.slice(colon + 1) };
}

/** Every `metric:statistic` key present in any of `runs`, sorted. */
export function availableStatistics(runs: readonly RunStatistics[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const s of r.statistics) keys.add(`${s.metric}:${s.statistic}`);
  return [...keys].sort();
}
