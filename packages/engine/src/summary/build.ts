// Builds the end-of-test summary (the `--summary-json` format, protocol summarySchema) from the
// run totals. Every number here comes from merged histograms and summed counters.
import { SUMMARY_VERSION } from '@stampede/protocol';
import type { Summary, SummaryMetric, WorkerHealth } from '@stampede/protocol';
import enginePackage from '../../package.json' with { type: 'json' };
import { DEFAULT_SATURATION_LIMITS, HealthTotals, saturation } from '../metrics/health.ts';
import type { SaturationLimits } from '../metrics/health.ts';
import { Histogram } from '../metrics/histogram.ts';
import { trendValues } from '../metrics/totals.ts';
import type { MetricAggregate, MetricTotals } from '../metrics/totals.ts';
import type { ThresholdResult } from '../thresholds/evaluate.ts';
import { summaryEndpoints } from './endpoints.ts';
import { summaryErrors } from './errors.ts';
import { parseThresholdKey } from '../thresholds/parse.ts';

/** Everything the summary is made of. */
export interface SummaryInput {
  readonly totals: MetricTotals;
  /** Threshold results at the end of the test, in option order. */
  readonly thresholds: readonly ThresholdResult[];
  /** Test start and end, Unix epoch ms. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly scenarios: Summary['scenarios'];
  /** Why the test was aborted (abortOnFail, Ctrl-C, error), or null. */
  readonly abortReason: string | null;
  /** Worker health of every interval, or its accumulation; default: the health in `totals`. */
  readonly health?: HealthTotals | readonly WorkerHealth[];
  /** Number of load workers; default: the number of distinct workers in the health data. */
  readonly workers?: number;
  /** Which path ran the requests (fast: request templates; scripted: the script); omitted when unknown. */
  readonly path?: 'fast' | 'scripted';
  /** Extra threshold keys whose tag filters get a sub-metric entry (those of `thresholds` always do). */
  readonly subMetricKeys?: readonly string[];
  /** Limits of the saturation rule; default DEFAULT_SATURATION_LIMITS. */
  readonly saturationLimits?: SaturationLimits;
  /** Version written to `tool.version`; default the engine package version. */
  readonly toolVersion?: string;
}

/** Builds the summary object (it satisfies the protocol summarySchema). */
export function buildSummary(input: SummaryInput): Summary {
  const { totals } = input;
  const durationMs = Math.max(0, input.endedAtMs - input.startedAtMs);
  const limits = input.saturationLimits ?? DEFAULT_SATURATION_LIMITS;

  const thresholds: Summary['thresholds'] = {};
  for (const r of input.thresholds) {
    (thresholds[r.key] ??= []).push({
      expression: r.expression,
      ok: r.ok,
      value: r.value,
      abortOnFail: r.abortOnFail,
    });
  }

  const health = healthTotals(input.health ?? totals.health, limits, totals.health);
  const verdict = saturation(health, limits);

  const failed = input.thresholds.some((r) => !r.ok);
  const { endpoints, omitted } = summaryEndpoints(totals, durationMs);
  return {
    version: SUMMARY_VERSION,
    tool: { name: 'stampede', version: input.toolVersion ?? enginePackage.version },
    startedAt: new Date(input.startedAtMs).toISOString(),
    endedAt: new Date(input.endedAtMs).toISOString(),
    durationMs,
    result: input.abortReason !== null ? 'aborted' : failed ? 'failed' : 'passed',
    abortReason: input.abortReason,
    scenarios: input.scenarios,
    metrics: summaryMetrics(totals, input, durationMs),
    thresholds,
    checks: summaryChecks(totals),
    errors: summaryErrors(totals),
    endpoints,
    ...(omitted > 0 ? { endpointsOmitted: omitted } : {}),
    generator: {
      workers: input.workers ?? health.workers,
      ...(input.path !== undefined ? { path: input.path } : {}),
      eventLoopDelayP99Ms: health.eventLoopDelayP99Ms,
      cpuUtilization: health.cpuUtilization,
      cpuUtilizationMax: health.cpuUtilizationMax,
      saturated: verdict.saturated,
      reasons: verdict.reasons,
    },
  };
}

function healthTotals(
  health: HealthTotals | readonly WorkerHealth[],
  limits: SaturationLimits,
  measured: HealthTotals,
): HealthTotals {
  if (health instanceof HealthTotals) return health;
  const totals = new HealthTotals(limits.cpuUtilization);
  for (const h of health) totals.add(h);
  // send_lag comes from the metric snapshots, per producer and interval.
  totals.copySendLagFrom(measured);
  return totals;
}

function summaryMetrics(
  totals: MetricTotals,
  input: SummaryInput,
  durationMs: number,
): Summary['metrics'] {
  const entries: [string, string, SummaryMetric][] = [];
  for (const name of totals.metricNames()) {
    const agg = totals.query(name);
    if (agg) entries.push([name, name, toSummaryMetric(agg, durationMs)]);
  }
  const keys = new Set([...input.thresholds.map((r) => r.key), ...(input.subMetricKeys ?? [])]);
  const done = new Set<string>();
  for (const key of keys) {
    let parsed;
    try {
      parsed = parseThresholdKey(key);
    } catch {
      continue; // compileThresholds reports bad keys; the summary just leaves them out
    }
    if (Object.keys(parsed.filter).length === 0 || done.has(parsed.name)) continue;
    done.add(parsed.name);
    const parent = totals.query(parsed.metric);
    if (!parent) continue;
    // A sub-metric that matched nothing still shows up (with zeros) next to its threshold.
    const agg = totals.query(parsed.metric, parsed.filter) ?? emptyLike(parent);
    entries.push([parsed.metric, parsed.name, toSummaryMetric(agg, durationMs)]);
  }
  // Sub-metrics sort right after their metric.
  entries.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  return Object.fromEntries(entries.map(([, name, m]) => [name, m]));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function emptyLike(a: MetricAggregate): MetricAggregate {
  switch (a.type) {
    case 'counter':
      return { type: 'counter', isData: a.isData, value: 0 };
    case 'gauge':
      return { type: 'gauge', value: 0, min: 0, max: 0, setAtMs: 0 };
    case 'rate':
      return { type: 'rate', passes: 0, fails: 0 };
    case 'trend':
      return {
        type: 'trend',
        isTime: a.isTime,
        count: 0,
        sum: 0,
        min: 0,
        max: 0,
        hist: new Histogram(),
      };
  }
}

/** The summary entry of one aggregate; counter rates are per second over `durationMs`. */
export function toSummaryMetric(agg: MetricAggregate, durationMs: number): SummaryMetric {
  switch (agg.type) {
    case 'trend':
      return { type: 'trend', contains: agg.isTime ? 'time' : 'default', values: trendValues(agg) };
    case 'counter':
      return {
        type: 'counter',
        contains: agg.isData ? 'data' : 'default',
        values: { count: agg.value, rate: durationMs > 0 ? agg.value / (durationMs / 1000) : 0 },
      };
    case 'gauge':
      return { type: 'gauge', values: { value: agg.value, min: agg.min, max: agg.max } };
    case 'rate': {
      const total = agg.passes + agg.fails;
      return {
        type: 'rate',
        values: { rate: total > 0 ? agg.passes / total : 0, passes: agg.passes, fails: agg.fails },
      };
    }
  }
}

function summaryChecks(totals: MetricTotals): Summary['checks'] {
  // Grouped by (group, check name) in order of first appearance, which follows the script's order.
  const byKey = new Map<string, Summary['checks'][number]>();
  for (const s of totals.series('checks')) {
    const name = s.tags['check'];
    if (name === undefined || s.aggregate.type !== 'rate') continue;
    const group = s.tags['group'] ?? '';
    const key = JSON.stringify([group, name]);
    let c = byKey.get(key);
    if (!c) {
      c = { name, group, passes: 0, fails: 0 };
      byKey.set(key, c);
    }
    c.passes += s.aggregate.passes;
    c.fails += s.aggregate.fails;
  }
  return [...byKey.values()];
}
