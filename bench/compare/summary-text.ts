// A synthetic summary JSON of one run, as `stampede run --summary-json` writes it: the usual
// metrics plus ENDPOINTS per-endpoint duration sub-metrics, scaled by a factor with 5% noise.
// Shared by the comparison speed benchmarks (bench/compare-speed.ts, bench/compare-cli.ts).
import { gaussian, rng } from './sim-model.ts';

/** Per-endpoint sub-metrics in each synthetic summary. */
export const ENDPOINTS = 10;

/** A generator of summary JSON texts with seeded noise; `scale` multiplies every latency. */
export function summaryTexts(seed: number): (scale: number) => string {
  const g = gaussian(rng(seed));
  return (scale: number): string => summaryText(g, scale);
}

/** A summary JSON text of one run with ENDPOINTS endpoints (sub-metrics per `name`). */
function summaryText(g: () => number, scale: number): string {
  const f = scale * (1 + 0.05 * g());
  const trend = (base: number) => ({
    type: 'trend',
    contains: 'time',
    values: {
      count: 2000,
      min: base * 0.2 * f,
      mean: base * 1.1 * f,
      p50: base * f,
      p90: base * 1.8 * f,
      p95: base * 2.2 * f,
      p99: base * 3 * f,
      p999: base * 4 * f,
      max: base * 5 * f,
    },
  });
  const metrics: Record<string, unknown> = {
    http_req_duration: trend(20),
    http_req_waiting: trend(18),
    http_reqs: { type: 'counter', contains: 'default', values: { count: 20000, rate: 2000 / f } },
    iterations: { type: 'counter', contains: 'default', values: { count: 20000, rate: 2000 / f } },
    data_received: { type: 'counter', contains: 'data', values: { count: 2e6, rate: 2e5 / f } },
    http_req_failed: { type: 'rate', values: { rate: 0.01, passes: 200, fails: 19800 } },
  };
  for (let e = 0; e < ENDPOINTS; e++) metrics[`http_req_duration{name:e${e}}`] = trend(10 + e);
  return JSON.stringify({
    version: 1,
    tool: { name: 'stampede', version: '0.1.0' },
    startedAt: '2026-12-01T00:00:00.000Z',
    endedAt: '2026-12-01T00:00:10.000Z',
    durationMs: 10000,
    result: 'passed',
    abortReason: null,
    scenarios: {
      default: { executor: 'constant-arrival-rate', iterations: 20000, droppedIterations: 0 },
    },
    metrics,
    thresholds: {},
    checks: [{ name: 'is 200', group: '', passes: 19800, fails: 200 }],
    generator: {
      workers: 2,
      eventLoopDelayP99Ms: 1,
      cpuUtilization: 0.3,
      cpuUtilizationMax: 0.4,
      saturated: false,
      reasons: [],
    },
  });
}
