import type { MetricType } from '@stampede/protocol';

/** How a metric is defined: its kind and whether its values are durations (ms) or byte counts. */
export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  /** Values are durations in ms (trends store them as µs). */
  readonly isTime: boolean;
  /** Values are byte counts (shown in kB/MB). */
  readonly isData: boolean;
}

/** Metric names: a letter or underscore, then letters, digits and underscores (k6's rule). */
export const METRIC_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const def = (name: string, type: MetricType, flag?: 'time' | 'data'): MetricDefinition => ({
  name,
  type,
  isTime: flag === 'time',
  isData: flag === 'data',
});

/** The built-in metrics every run records (k6's names, plus service time and send lag for open models). */
export const BUILTIN_METRICS: readonly MetricDefinition[] = [
  def('http_reqs', 'counter'),
  def('http_req_duration', 'trend', 'time'),
  def('http_req_blocked', 'trend', 'time'),
  def('http_req_connecting', 'trend', 'time'),
  def('http_req_tls_handshaking', 'trend', 'time'),
  def('http_req_sending', 'trend', 'time'),
  def('http_req_waiting', 'trend', 'time'),
  def('http_req_receiving', 'trend', 'time'),
  // Arrival-rate executors measure http_req_duration from the intended start (coordinated
  // omission corrected); the service time is the same request measured from its actual start.
  def('http_req_service_time', 'trend', 'time'),
  def('http_req_failed', 'rate'),
  def('iterations', 'counter'),
  def('iteration_duration', 'trend', 'time'),
  def('dropped_iterations', 'counter'),
  // Actual minus intended iteration start in arrival-rate executors: how far the generator lags.
  def('send_lag', 'trend', 'time'),
  def('vus', 'gauge'),
  def('vus_max', 'gauge'),
  def('data_sent', 'counter', 'data'),
  def('data_received', 'counter', 'data'),
  def('checks', 'rate'),
];

const byName = new Map(BUILTIN_METRICS.map((m) => [m.name, m]));

/** The built-in metric called `name`, or undefined. */
export function builtinMetric(name: string): MetricDefinition | undefined {
  return byName.get(name);
}
