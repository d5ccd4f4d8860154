// The statistics of one run that comparisons and history work on: one number per (metric series,
// statistic) per run. A run is the unit of replication, so everything downstream sees these
// numbers, never requests.
import type { Direction, StatisticUnit } from '@stampede/protocol';

/** One statistic of one metric series in one run. */
export interface RunStatistic {
  /** Series key as in the summary: `http_req_duration`, `http_req_duration{name:home}`. */
  readonly metric: string;
  /** `p50`, `p90`, `p95`, `p99`, `mean` (trends), `rate` (counters: per second; rates: 0..1). */
  readonly statistic: string;
  /** The value in `unit`. */
  readonly value: number;
  readonly unit: StatisticUnit;
  readonly direction: Direction;
}

/** Every statistic of one run. */
export interface RunStatistics {
  /** Where the run came from (file name, run id); used in messages. */
  readonly source: string;
  /** Identity of the test: its scenarios with their executors, such as `default=constant-vus`. */
  readonly testKey: string;
  /** Duration the statistics cover, ms (the steady-state window when one was skipped). */
  readonly durationMs: number;
  readonly statistics: readonly RunStatistic[];
}

/** Options shared by the run-statistics builders. */
export interface RunStatisticsOptions {
  /** Where the run came from (file name, run id); default `run`. */
  readonly source?: string;
  /**
   * Direction of custom metrics, by metric name (without tags), such as `{ cart_value:
   * 'lower-is-worse' }`; default `higher-is-worse`. Built-in metrics have fixed directions.
   */
  readonly directions?: Readonly<Record<string, Direction>>;
}

/** The trend statistics compared (p999 and max are left out: one outlier moves them). */
export const TREND_STATISTICS = ['p50', 'p90', 'p95', 'p99', 'mean'] as const;

/** Built-in metrics whose larger values are better (throughput, check passes). */
const LOWER_IS_WORSE = new Set(['http_reqs', 'iterations', 'checks', 'data_sent', 'data_received']);

/** The direction of `metric` (series key or name): built-ins fixed, custom ones declared or `higher-is-worse`. */
export function directionOf(
  metric: string,
  directions: Readonly<Record<string, Direction>> = {},
): Direction {
  const name = metricName(metric);
  if (LOWER_IS_WORSE.has(name)) return 'lower-is-worse';
  return directions[name] ?? 'higher-is-worse';
}

/** The metric name of a series key (`http_req_duration{name:home}` → `http_req_duration`). */
export function metricName(seriesKey: string): string {
  const brace = seriesKey.indexOf('{');
  return brace < 0 ? seriesKey : seriesKey.slice(0, brace);
}

/** The key of one statistic of one series: `http_req_duration{name:home}:p99`. */
export function statisticKey(metric: string, statistic: string): string {
  return `${metric}:${statistic}`;
}

/** The series key of `metric` with one tag: `seriesKey('http_req_duration', 'name', 'home')` → `http_req_duration{name:home}`. */
export function seriesKey(metric: string, tag: string, value: string): string {
  return `${metric}{${tag}:${value}}`;
}

/** The test identity of a scenario map: `name=executor` pairs, sorted, comma-separated. */
export function testKeyOf(
  scenarios: Readonly<Record<string, { readonly executor: string }>>,
): string {
  return Object.entries(scenarios)
    .map(([name, s]) => `${name}=${s.executor}`)
    .sort()
    .join(',');
}
