// Run statistics from a run's interval snapshots, optionally over a steady-state window only
// (skipping the first seconds): histograms of the kept intervals are merged, never averaged.
// Histograms are decoded with hdr-histogram-js (pure JavaScript, the library the engine encodes
// with), so analysis needs no engine code and the bytes are read by the reference decoder.
import { createRequire } from 'node:module';
import type * as HdrHistogram from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

// Loaded on first use: importing hdr-histogram-js costs about 12 ms, a twentieth of a
// `stampede compare` of summary files, which never decode histograms.
type HdrLibrary = typeof HdrHistogram;
let hdrLibrary: HdrLibrary | undefined;
function hdr(): HdrLibrary {
  hdrLibrary ??= createRequire(import.meta.url)('hdr-histogram-js') as HdrLibrary;
  return hdrLibrary;
}
import type { IntervalSnapshot, SeriesSnapshot, StatisticUnit } from '@stampede/protocol';
import { AnalysisError } from './errors.ts';
import type { RunStatistic, RunStatistics, RunStatisticsOptions } from './run-statistics.ts';
import { TREND_STATISTICS, directionOf, seriesKey, testKeyOf } from './run-statistics.ts';

/** Options of runStatisticsFromSnapshots. */
export interface SnapshotStatisticsOptions extends RunStatisticsOptions {
  /** The run's scenarios (the summary's `scenarios`, or plan scenarios) for the test identity. */
  readonly scenarios: Readonly<Record<string, { readonly executor: string }>>;
  /**
   * Steady-state window: intervals that start less than this many ms after the first interval's
   * start are skipped; default 0 (the whole run).
   */
  readonly skipFirstMs?: number;
  /** Tags that get a series of their own (`metric{tag:value}`); default `['name', 'scenario', 'check']`. */
  readonly groupBy?: readonly string[];
}

type Acc =
  | {
      type: 'trend';
      isTime: boolean;
      count: number;
      sum: number;
      min: number;
      max: number;
      hist: Histogram;
    }
  | { type: 'counter'; isData: boolean; value: number }
  | { type: 'rate'; passes: number; fails: number };

function newHistogram(): Histogram {
  // The engine's settings (packages/engine/src/metrics/histogram.ts): 3 digits, unit resolution.
  return hdr().build({
    numberOfSignificantValueDigits: 3,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    autoResize: true,
    useWebAssembly: false,
    bitBucketSize: 64,
  });
}

function add(accs: Map<string, Acc>, key: string, s: SeriesSnapshot, where: string): void {
  if (s.type === 'gauge') return;
  let a = accs.get(key);
  if (a === undefined) {
    a =
      s.type === 'trend'
        ? {
            type: 'trend',
            isTime: s.isTime,
            count: 0,
            sum: 0,
            min: Infinity,
            max: -Infinity,
            hist: newHistogram(),
          }
        : s.type === 'counter'
          ? { type: 'counter', isData: s.isData, value: 0 }
          : { type: 'rate', passes: 0, fails: 0 };
    accs.set(key, a);
  }
  if (a.type === 'trend' && s.type === 'trend') {
    if (s.count === 0) return;
    a.count += s.count;
    a.sum += s.sum;
    a.min = Math.min(a.min, s.min);
    a.max = Math.max(a.max, s.max);
    try {
      const h = hdr().decodeFromCompressedBase64(s.hdr, 64, false);
      a.hist.add(h);
    } catch (err) {
      throw new AnalysisError(
        'INVALID_INPUT',
        `${where}: ${s.metric} has a corrupt histogram`,
        { field: `${where}.hdr` },
        { cause: err },
      );
    }
  } else if (a.type === 'counter' && s.type === 'counter') {
    a.value += s.value;
  } else if (a.type === 'rate' && s.type === 'rate') {
    a.passes += s.passes;
    a.fails += s.fails;
  } else {
    throw new AnalysisError('INVALID_INPUT', `${where}: ${s.metric} changes type to ${s.type}`, {
      field: where,
    });
  }
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
  const skip = options.skipFirstMs ?? 0;
  if (!(skip >= 0)) {
    throw new AnalysisError('INVALID_INPUT', `skipFirstMs must be ≥ 0, got ${skip}`, {
      field: 'skipFirstMs',
    });
  }
  const groupBy = options.groupBy ?? ['name', 'scenario', 'check'];
  const first = Math.min(...snapshots.map((s) => s.startMs));
  const kept = snapshots.filter((s) => s.startMs >= first + skip);
  const accs = new Map<string, Acc>();
  for (const snap of kept) {
    const where = `snapshot ${snap.source}#${snap.seq}`;
    for (const s of snap.series) {
      add(accs, s.metric, s, where);
      for (const tag of groupBy) {
        const v = s.tags[tag];
        if (v !== undefined) add(accs, seriesKey(s.metric, tag, v), s, where);
      }
    }
  }
  const startMs = Math.min(...kept.map((s) => s.startMs));
  const endMs = Math.max(...kept.map((s) => s.endMs));
  const durationMs = kept.length > 0 ? Math.max(0, endMs - startMs) : 0;
  const statistics: RunStatistic[] = [];
  for (const [key, a] of [...accs.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const direction = directionOf(key, options.directions);
    if (a.type === 'trend') {
      if (a.count === 0) continue;
      const unit: StatisticUnit = a.isTime ? 'ms' : 'value';
      const pct = (p: number): number =>
        Math.min(a.max, Math.max(a.min, a.hist.getValueAtPercentile(p) / 1000));
      for (const s of TREND_STATISTICS) {
        const value = s === 'mean' ? a.sum / a.count : pct(Number(s.slice(1)));
        statistics.push({ metric: key, statistic: s, value, unit, direction });
      }
    } else if (a.type === 'counter') {
      statistics.push({
        metric: key,
        statistic: 'rate',
        value: durationMs > 0 ? a.value / (durationMs / 1000) : 0,
        unit: a.isData ? 'bytes-per-second' : 'per-second',
        direction,
      });
    } else if (a.passes + a.fails > 0) {
      const value = a.passes / (a.passes + a.fails);
      statistics.push({ metric: key, statistic: 'rate', value, unit: 'ratio', direction });
    }
  }
  return {
    source: options.source ?? 'run',
    testKey: testKeyOf(options.scenarios),
    durationMs,
    statistics,
  };
}
