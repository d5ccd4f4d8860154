// Run statistics from a run's interval snapshots, optionally over a steady-state window only
// (skipping the first seconds): histograms of the kept intervals are merged, never averaged.
import type { IntervalSnapshot } from '@stampede/protocol';
import type { RunStatistics, RunStatisticsOptions } from './run-statistics.ts';

/** Options of runStatisticsFromSnapshots. */
export interface SnapshotStatisticsOptions extends RunStatisticsOptions {
  /** The run's scenarios (the summary's `scenarios`, or plan scenarios) for the test identity. */
  readonly scenarios: Readonly<Record<string, { readonly executor: string }>>;
  /**
   * Steady-state window: intervals that start less than this many ms after the first interval's
   * start are skipped; default 0 (the whole run).
   */
  readonly skipFirstMs?: number;
  /** Tags that get a series of their own (`metric{tag:value}`); default `['name', 'scenario']`. */
  readonly groupBy?: readonly string[];
}

/**
 * The statistics of one run from its interval snapshots (every producer's), with the same keys,
 * statistics and units as runStatisticsFromSummary: the whole series per metric, and one series
 * per value of each `groupBy` tag. Throws AnalysisError INVALID_INPUT on a corrupt histogram.
 */
export function runStatisticsFromSnapshots(
  snapshots: readonly IntervalSnapshot[],
  options: SnapshotStatisticsOptions,
): RunStatistics {
  void snapshots;
  void options;
  throw new Error('not implemented yet');
}
