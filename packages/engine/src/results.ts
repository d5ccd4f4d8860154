// The pure result parts of the engine (metric totals, thresholds, summary), exported on their own
// so the controller can merge, judge and summarise runs without loading the runtime or esbuild.
export { MetricTotals, percentile, trendValues } from './metrics/totals.ts';
export type { MetricAggregate, TrendAggregate, TotalsSeries } from './metrics/totals.ts';
export { BUILTIN_METRICS, builtinMetric } from './metrics/builtin.ts';
export { Histogram } from './metrics/histogram.ts';
export { compileThresholds } from './thresholds/parse.ts';
export type { CompiledThreshold } from './thresholds/parse.ts';
export { evaluateThresholds } from './thresholds/evaluate.ts';
export type { ThresholdEvaluation, ThresholdResult } from './thresholds/evaluate.ts';
export { buildSummary } from './summary/build.ts';
export type { SummaryInput } from './summary/build.ts';
export { decodeSnapshotLine } from './metrics/ndjson.ts';
export { timeSeriesOf, type TimeSeriesOptions } from './summary/time-series.ts';
export { isLoopbackHost, LOOPBACK_ENTRY, targetChecker } from './worker/allow-list.ts';
export { scanBundleTargets, scanCodeTargets, targetOfUrl } from './bundle/archive-targets.ts';
