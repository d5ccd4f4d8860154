import type { ExecutorProgress } from '../executors/types.ts';
import type { MetricTotals } from '../metrics/totals.ts';
import type { ThresholdResult } from '../thresholds/evaluate.ts';
import { mergeProgress } from './progress.ts';
import type { LiveStatus } from './run-test.ts';

/** The live view's figures of one interval, from its metrics and the workers' latest progress. */
export function liveStatus(
  recent: MetricTotals,
  progress: Map<string, ExecutorProgress[]>,
  elapsedMs: number,
  intervalMs: number,
  results: ThresholdResult[],
  stopping: boolean,
): LiveStatus {
  const scenarios = mergeProgress([...progress.values()]);
  const reqs = recent.query('http_reqs', {});
  const failed = recent.query('http_req_failed', {});
  const duration = recent.query('http_req_duration', {});
  const count = reqs?.type === 'counter' ? reqs.value : 0;
  return {
    elapsedMs,
    scenarios,
    vus: scenarios.reduce((n, s) => n + s.activeVus, 0),
    vusMax: scenarios.reduce((n, s) => n + s.allocatedVus, 0),
    requestRatePerSec: count / (intervalMs / 1000),
    failedRequests: failed?.type === 'rate' ? failed.passes : 0,
    p95Ms:
      duration?.type === 'trend' && duration.count > 0 ? recent.percentile(duration, 95) : null,
    iterations: scenarios.reduce((n, s) => n + s.iterationsCompleted, 0),
    failingThresholds: results.filter((r) => !r.ok).length,
    stopping,
  };
}
