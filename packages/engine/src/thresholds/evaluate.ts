// Thresholds are evaluated on the global totals (every source merged), live during the run and
// once at the end; the same code serves both so the live verdict and the final one cannot differ.
import { percentile } from '../metrics/totals.ts';
import type { MetricAggregate, MetricTotals } from '../metrics/totals.ts';
import type { Aggregation, CompiledThreshold, ThresholdOperator } from './parse.ts';

/** The result of one threshold expression. */
export interface ThresholdResult {
  /** The key as written in options.thresholds. */
  readonly key: string;
  readonly expression: string;
  readonly ok: boolean;
  /** The compared value (ms for time trends), or null when the metric had no data (then ok). */
  readonly value: number | null;
  readonly abortOnFail: boolean;
  /** The compiled threshold this result belongs to. */
  readonly threshold: CompiledThreshold;
}

/** Results of every threshold, and whether one of them asks to abort the test now. */
export interface ThresholdEvaluation {
  readonly results: ThresholdResult[];
  /** True when an abortOnFail threshold failed at or after its delayAbortEval. */
  readonly abort: boolean;
  /** The first threshold that asks to abort, as `key expression` (for messages), if any. */
  readonly abortedBy: string | undefined;
  /** The result of that threshold, if any. */
  readonly abortResult: ThresholdResult | undefined;
}

/**
 * The value `aggregation` takes on `agg` (ms for time trends); `elapsedMs` (test time so far, ms)
 * turns a counter into a rate per second. Null when there is no data.
 */
export function aggregateValue(
  agg: MetricAggregate | undefined,
  aggregation: Aggregation,
  elapsedMs: number,
): number | null {
  if (!agg) return null;
  switch (agg.type) {
    case 'trend':
      if (agg.count === 0) return null;
      switch (aggregation.kind) {
        case 'p':
          return percentile(agg, aggregation.p);
        case 'med':
          return percentile(agg, 50);
        case 'avg':
          return agg.sum / agg.count;
        case 'min':
          return agg.min;
        case 'max':
          return agg.max;
        case 'count':
          return agg.count;
        default:
          return null;
      }
    case 'counter':
      if (aggregation.kind === 'count') return agg.value;
      if (aggregation.kind === 'rate') return elapsedMs > 0 ? agg.value / (elapsedMs / 1000) : null;
      return null;
    case 'rate': {
      const total = agg.passes + agg.fails;
      return aggregation.kind === 'rate' && total > 0 ? agg.passes / total : null;
    }
    case 'gauge':
      if (aggregation.kind === 'value') return agg.value;
      if (aggregation.kind === 'min') return agg.min;
      if (aggregation.kind === 'max') return agg.max;
      return null;
  }
}

/** Applies a threshold operator: true when `value op target` holds. */
export function compare(value: number, operator: ThresholdOperator, target: number): boolean {
  switch (operator) {
    case '<':
      return value < target;
    case '<=':
      return value <= target;
    case '>':
      return value > target;
    case '>=':
      return value >= target;
    case '==':
    case '===':
      return value === target;
    case '!=':
      return value !== target;
  }
}

/**
 * Evaluates every threshold against `totals` at `elapsedMs` since the test started (ms); a metric
 * without data passes with value null, as in k6.
 */
export function evaluateThresholds(
  thresholds: readonly CompiledThreshold[],
  totals: MetricTotals,
  elapsedMs: number,
): ThresholdEvaluation {
  const results: ThresholdResult[] = [];
  // Thresholds of one key share one query (one histogram merge), however many expressions it has.
  const cache = new Map<string, MetricAggregate | undefined>();
  let abortResult: ThresholdResult | undefined;
  for (const t of thresholds) {
    if (!cache.has(t.name)) cache.set(t.name, totals.query(t.metric, t.filter));
    const value = aggregateValue(cache.get(t.name), t.aggregation, elapsedMs);
    const ok = value === null || compare(value, t.operator, t.target);
    const r: ThresholdResult = {
      key: t.key,
      expression: t.expression,
      ok,
      value,
      abortOnFail: t.abortOnFail,
      threshold: t,
    };
    results.push(r);
    if (!ok && t.abortOnFail && elapsedMs >= t.delayAbortEvalMs && abortResult === undefined) {
      abortResult = r;
    }
  }
  return {
    results,
    abort: abortResult !== undefined,
    abortedBy: abortResult && `${abortResult.key} ${abortResult.expression}`,
    abortResult,
  };
}
