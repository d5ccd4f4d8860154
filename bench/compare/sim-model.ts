// The simulated load test of the comparison figures (issue 9): per run, 2,000 requests with
// lognormal latency whose log follows an AR(1) process (requests inside a run are correlated),
// a run-level multiplicative noise of 5%, a small error rate and a closed-model request rate.
import type { RunStatistics } from '@stampede/analysis';

/** Parameters of the simulated runs. */
export interface SimModel {
  readonly requests: number;
  /** Median latency, ms. */
  readonly medianMs: number;
  /** Standard deviation of log latency. */
  readonly sigma: number;
  /** AR(1) coefficient of log latency from one request to the next. */
  readonly phi: number;
  /** Run-level noise: standard deviation of the run's log offset (0.05 ≈ 5%). */
  readonly runNoise: number;
  /** Probability that a request fails. */
  readonly errorRate: number;
  /** Concurrent virtual users of the closed model (request rate = vus / mean latency). */
  readonly vus: number;
}

/** The model of bench/RESULTS.md. */
export const DEFAULT_MODEL: SimModel = {
  requests: 2000,
  medianMs: 50,
  sigma: 0.5,
  phi: 0.5,
  runNoise: 0.05,
  errorRate: 0.01,
  vus: 10,
};

/** A seeded uniform RNG (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform RNG (Box–Muller). */
export function gaussian(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** One simulated run's latencies (ms) and failures; `scale` multiplies every latency (1.2 = +20%). */
export function simulateRequests(
  model: SimModel,
  g: () => number,
  u: () => number,
  scale = 1,
): { latenciesMs: Float64Array; failures: number } {
  const offset = model.runNoise * g();
  const lat = new Float64Array(model.requests);
  const innov = Math.sqrt(1 - model.phi * model.phi) * model.sigma;
  let e = model.sigma * g();
  let failures = 0;
  for (let i = 0; i < model.requests; i++) {
    e = model.phi * e + innov * g();
    lat[i] = model.medianMs * scale * Math.exp(offset + e);
    if (u() < model.errorRate) failures++;
  }
  return { latenciesMs: lat, failures };
}

function quantile(sorted: Float64Array, p: number): number {
  // Nearest rank, as a histogram percentile would report it.
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i] as number;
}

/** The run statistics the comparison sees for one simulated run. */
export function runStatistics(
  source: string,
  latenciesMs: Float64Array,
  failures: number,
  model: SimModel,
): RunStatistics {
  const sorted = Float64Array.from(latenciesMs).sort();
  let sum = 0;
  for (const v of latenciesMs) sum += v;
  const mean = sum / latenciesMs.length;
  const trend = (statistic: string, value: number) => ({
    metric: 'http_req_duration',
    statistic,
    value,
    unit: 'ms' as const,
    direction: 'higher-is-worse' as const,
  });
  return {
    source,
    testKey: 'default=constant-vus',
    durationMs: (sum / model.vus) | 0,
    statistics: [
      trend('p50', quantile(sorted, 0.5)),
      trend('p90', quantile(sorted, 0.9)),
      trend('p95', quantile(sorted, 0.95)),
      trend('p99', quantile(sorted, 0.99)),
      trend('mean', mean),
      {
        metric: 'http_reqs',
        statistic: 'rate',
        value: (model.vus * 1000) / mean,
        unit: 'per-second',
        direction: 'lower-is-worse',
      },
      {
        metric: 'http_req_failed',
        statistic: 'rate',
        value: failures / latenciesMs.length,
        unit: 'ratio',
        direction: 'higher-is-worse',
      },
    ],
  };
}
