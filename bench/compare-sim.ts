// Issue 9 figures of the comparison engine on simulated runs with fixed seeds:
//   A/A false verdict rate per (metric, statistic) at k = 3, 6, 10, 20 runs per side;
//   power for +20% latency (p99 row) at k = 10, with the measured per-run p99 CV;
//   the MDE at k = 3, 6, 10, 20; and, for contrast, the A/A false-positive rate of a
//   Mann–Whitney test on pooled requests (what the run-as-unit design avoids).
// Usage: node bench/compare-sim.ts [--trials N]
import { compareRuns, mannWhitneyTest } from '@stampede/analysis';
import type { RunStatistics } from '@stampede/analysis';
import type { SimModel } from './compare/sim-model.ts';
import {
  DEFAULT_MODEL,
  gaussian,
  rng,
  runStatistics,
  simulateRequests,
} from './compare/sim-model.ts';

const trialsArg = process.argv.indexOf('--trials');
const TRIALS = trialsArg > 0 ? Number(process.argv[trialsArg + 1]) : 1000;
let model: SimModel = DEFAULT_MODEL;

function runs(k: number, seed: number, scale: number, label: string): RunStatistics[] {
  const u = rng(seed);
  const g = gaussian(u);
  return Array.from({ length: k }, (_, i) => {
    const r = simulateRequests(model, g, u, scale);
    return runStatistics(`${label}${i}`, r.latenciesMs, r.failures, model);
  });
}

const ks = [3, 6, 10, 20];
console.log(`model: ${JSON.stringify(model)}; trials per k: ${TRIALS}`);

// Per-run CV of each statistic (from 200 runs).
{
  const rs = runs(200, 999, 1, 'cv');
  const keys = rs[0]!.statistics.map((s) => `${s.metric}:${s.statistic}`);
  const cvs = keys.map((key, i) => {
    const v = rs.map((r) => r.statistics[i]!.value);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
    return `${key} ${((sd / mean) * 100).toFixed(1)}%`;
  });
  console.log(`per-run CV: ${cvs.join(', ')}`);
}

for (const k of ks) {
  const false_ = new Map<string, number>();
  const mdes = new Map<string, number[]>();
  let anyFalse = 0;
  for (let t = 0; t < TRIALS; t++) {
    const res = compareRuns(runs(k, 1_000_000 + t * 2, 1, 'a'), runs(k, 1_000_001 + t * 2, 1, 'b'));
    let any = false;
    for (const r of res.rows) {
      const key = `${r.metric}:${r.statistic}`;
      if (r.verdict === 'regression' || r.verdict === 'improvement') {
        false_.set(key, (false_.get(key) ?? 0) + 1);
        any = true;
      }
      if (r.mde !== null) (mdes.get(key) ?? mdes.set(key, []).get(key)!).push(r.mde);
    }
    if (any) anyFalse++;
  }
  const keys = [
    'http_req_duration:p50',
    'http_req_duration:p90',
    'http_req_duration:p95',
    'http_req_duration:p99',
    'http_req_duration:mean',
    'http_reqs:rate',
    'http_req_failed:rate',
  ];
  const med = (v: number[] | undefined): string => {
    if (v === undefined || v.length === 0) return 'none (no outcome reaches p < 0.05)';
    const s = [...v].sort((a, b) => a - b);
    return `${s[Math.floor(s.length / 2)]!.toFixed(1)}`;
  };
  console.log(
    `\nA/A k=${k}: any false verdict in ${((anyFalse / TRIALS) * 100).toFixed(1)}% of comparisons`,
  );
  for (const key of keys) {
    console.log(
      `  ${key.padEnd(24)} false ${(((false_.get(key) ?? 0) / TRIALS) * 100).toFixed(2).padStart(5)}%   median MDE ${med(mdes.get(key))}${mdes.has(key) ? '%' : ''}`,
    );
  }
}

// Power at k = 10 for +20% latency, with the default noise and with more run noise (p99 CV about 9%).
function p99Cv(): number {
  const rs = runs(200, 998, 1, 'cv');
  const v = rs.map((r) => r.statistics.find((s) => s.statistic === 'p99')!.value);
  const mean = v.reduce((x, y) => x + y, 0) / v.length;
  return Math.sqrt(v.reduce((x, y) => x + (y - mean) ** 2, 0) / (v.length - 1)) / mean;
}
for (const runNoise of [DEFAULT_MODEL.runNoise, 0.07, 0.075]) {
  model = { ...DEFAULT_MODEL, runNoise };
  const k = 10;
  let hits = 0;
  let p99Hits = 0;
  const powerTrials = Math.max(100, Math.floor(TRIALS / 2));
  for (let t = 0; t < powerTrials; t++) {
    const res = compareRuns(
      runs(k, 5_000_000 + t * 2, 1, 'a'),
      runs(k, 5_000_001 + t * 2, 1.2, 'b'),
    );
    const p99 = res.rows.find((r) => r.metric === 'http_req_duration' && r.statistic === 'p99');
    if (p99?.verdict === 'regression') p99Hits++;
    if (res.regressed) hits++;
  }
  console.log(
    `\npower k=10, +20% latency, run noise ${runNoise} (per-run p99 CV ${(p99Cv() * 100).toFixed(1)}%): p99 row 'regression' in ${((p99Hits / powerTrials) * 100).toFixed(1)}% of ${powerTrials}; any regression in ${((hits / powerTrials) * 100).toFixed(1)}%`,
  );
}
model = DEFAULT_MODEL;

// Contrast: pooling every request of the k runs per side into one Mann–Whitney test (wrong).
{
  const k = 10;
  const trials = Math.max(50, Math.floor(TRIALS / 10));
  let fp = 0;
  for (let t = 0; t < trials; t++) {
    const pool = (seed: number): number[] => {
      const u = rng(seed);
      const g = gaussian(u);
      const out: number[] = [];
      for (let i = 0; i < k; i++) out.push(...simulateRequests(model, g, u).latenciesMs);
      return out;
    };
    if (mannWhitneyTest(pool(9_000_000 + t * 2), pool(9_000_001 + t * 2)).pValue < 0.05) fp++;
  }
  console.log(
    `\npooled-requests Mann–Whitney, A/A, k=10 (20,000 requests per side): p < 0.05 in ${((fp / trials) * 100).toFixed(1)}% of ${trials}`,
  );
}
