// One row of a comparison: the statistics of one (metric series, statistic) over both sides'
// runs, before the verdict (which needs the BH adjustment across all rows).
import type {
  ChangeScale,
  ComparisonRow,
  ComparisonSide,
  Direction,
  StatisticUnit,
} from '@stampede/protocol';
import { tostPValue } from './stats/equivalence.ts';
import { hodgesLehmann, sortedMedian } from './stats/hodges-lehmann.ts';
import { mannWhitneyTest } from './stats/mann-whitney.ts';
import { medianInterval } from './stats/median-ci.ts';
import { minimumDetectableEffect, pooledSd } from './stats/power.ts';

/** The per-run values of one statistic on both sides, with what is known about it. */
export interface RowInput {
  readonly metric: string;
  readonly statistic: string;
  readonly unit: StatisticUnit;
  readonly direction: Direction;
  readonly baseline: readonly number[];
  readonly candidate: readonly number[];
}

/** Settings a row is computed with. */
export interface RowSettings {
  /** Equivalence margin, fraction. */
  readonly margin: number;
  readonly alpha: number;
  readonly minRuns: number;
}

/** A row before its verdict: tests done, q-value and verdict pending. */
export type PendingRow = Omit<ComparisonRow, 'qValue' | 'effectQValue' | 'verdict' | 'reason'> & {
  /** Set when the verdict is already known (too few runs, identical values). */
  readonly fixed: { readonly verdict: ComparisonRow['verdict']; readonly reason: string } | null;
};

/** Smallest absolute margin of a ratio statistic (error rate, check pass rate): 0.1 percentage point. */
export const RATIO_ABSOLUTE_FLOOR = 0.001;

function side(values: readonly number[], level: number): ComparisonSide {
  if (values.length === 0) return { runs: 0, values: [], median: null, ci: null, ciLevel: null };
  const mi = medianInterval(values, level);
  return {
    runs: values.length,
    values: [...values],
    median: mi.median,
    ci: [mi.low, mi.high],
    ciLevel: mi.level,
  };
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Computes everything of a row but the verdict. */
export function pendingRow(input: RowInput, settings: RowSettings): PendingRow {
  const { baseline: x, candidate: y } = input;
  const level = 1 - settings.alpha;
  const common = {
    metric: input.metric,
    statistic: input.statistic,
    unit: input.unit,
    direction: input.direction,
    baseline: side(x, level),
    candidate: side(y, level),
  };
  const scale: ChangeScale =
    x.length > 0 && y.length > 0 && [...x, ...y].every((v) => v > 0) ? 'log' : 'absolute';
  const marginOnScale = rowMargin(scale, input.unit, x, y, settings.margin);
  const none = {
    ...common,
    change: null,
    margin: scale === 'log' ? settings.margin * 100 : marginOnScale,
    mde: null,
    pValue: null,
    pMethod: null,
    equivalencePValue: null,
    effectPValue: null,
  };
  if (x.length < settings.minRuns || y.length < settings.minRuns) {
    return {
      ...none,
      fixed: {
        verdict: 'inconclusive',
        reason: `inconclusive: too few runs (need ≥ ${settings.minRuns})`,
      },
    };
  }
  const tx = scale === 'log' ? x.map(Math.log) : [...x];
  const ty = scale === 'log' ? y.map(Math.log) : [...y];
  const shift = hodgesLehmann(tx, ty, level);
  const test = mannWhitneyTest(tx, ty, 'two-sided');
  const equivalence = tostPValue(tx, ty, marginOnScale);
  const effect =
    shift.estimate >= 0
      ? mannWhitneyTest(
          tx,
          ty.map((v) => v - marginOnScale),
          'greater',
        ).pValue
      : mannWhitneyTest(
          tx,
          ty.map((v) => v + marginOnScale),
          'less',
        ).pValue;
  const sd = pooledSd(tx, ty);
  const mdeOnScale = minimumDetectableEffect(x.length, y.length, sd, settings.alpha, marginOnScale);
  const toReport = (v: number): number => (scale === 'log' ? (Math.exp(v) - 1) * 100 : v);
  const mdeReported =
    mdeOnScale === null
      ? null
      : Math.max(toReport(mdeOnScale), scale === 'log' ? settings.margin * 100 : marginOnScale);
  const allEqual = [...tx, ...ty].every((v) => v === tx[0]);
  return {
    ...common,
    change: {
      scale,
      estimate: toReport(shift.estimate),
      low: finiteOrNull(toReport(shift.low)),
      high: finiteOrNull(toReport(shift.high)),
    },
    margin: scale === 'log' ? settings.margin * 100 : marginOnScale,
    mde: mdeReported,
    pValue: test.pValue,
    pMethod: test.method,
    equivalencePValue: equivalence,
    effectPValue: Math.min(1, effect),
    fixed: allEqual
      ? { verdict: 'no-change', reason: 'no change: every run has the same value' }
      : null,
  };
}

/**
 * The equivalence margin on the row's scale: ln(1 + δ) on the log scale; on the absolute scale δ
 * times the larger side median, at least 0.1 percentage point for ratios.
 */
function rowMargin(
  scale: ChangeScale,
  unit: StatisticUnit,
  x: readonly number[],
  y: readonly number[],
  margin: number,
): number {
  if (scale === 'log') return Math.log1p(margin);
  const med = (v: readonly number[]): number =>
    v.length === 0 ? 0 : sortedMedian([...v].sort((a, b) => a - b));
  const scaleOf = Math.max(Math.abs(med(x)), Math.abs(med(y)));
  return Math.max(margin * scaleOf, unit === 'ratio' ? RATIO_ABSOLUTE_FLOOR : 0);
}
