// Two-sample comparison of runs: per (metric series, statistic) the Hodges–Lehmann change with
// its confidence interval, an exact Mann–Whitney p, TOST equivalence within ±δ, BH across rows,
// the MDE, and a verdict.
import { COMPARISON_VERSION } from '@stampede/protocol';
import type { ComparisonResult, Direction, StatisticUnit } from '@stampede/protocol';
import { pendingRow } from './compare-row.ts';
import { AnalysisError } from './errors.ts';
import type { RunStatistics } from './run-statistics.ts';
import { statisticKey } from './run-statistics.ts';
import { benjaminiHochberg } from './stats/multiple-testing.ts';
import { decide } from './verdict.ts';

/** Default and lowest equivalence margin δ: 5%. */
export const DEFAULT_MIN_EFFECT = 0.05;
/** Default significance level (BH q of the difference test, level of each TOST one-sided test). */
export const DEFAULT_ALPHA = 0.05;
/** Fewest runs per side for any verdict but `inconclusive`. */
export const MIN_RUNS = 3;

/** Which statistics to compare: all of a metric series (`statistic` omitted), or one. */
export interface MetricSelector {
  /** Series key (`http_req_duration`, `http_req_duration{name:home}`). */
  readonly metric: string;
  readonly statistic?: string;
}

/** Options of compareRuns. */
export interface CompareOptions {
  /** The user's minimum effect, fraction (0.1 = 10%); the margin is max(minEffect, 5%). */
  readonly minEffect?: number;
  /** Significance level, in (0, 0.5); default 0.05. */
  readonly alpha?: number;
  /** Only these statistics (default: every statistic present in both sides). */
  readonly select?: readonly MetricSelector[];
}

/**
 * Compares candidate runs with baseline runs, the run being the unit of replication. Throws
 * AnalysisError TEST_MISMATCH (runs of different tests), METRIC_SET_MISMATCH (a series in every
 * run of one side and none of the other), UNKNOWN_METRIC (a selector matching nothing;
 * details.available lists `metric:statistic` keys) or INVALID_INPUT (bad options). A side with
 * fewer than 3 runs gives `inconclusive: too few runs (need ≥ 3)` rows, not an error.
 */
export function compareRuns(
  baseline: readonly RunStatistics[],
  candidate: readonly RunStatistics[],
  options: CompareOptions = {},
): ComparisonResult {
  const minEffect = options.minEffect ?? DEFAULT_MIN_EFFECT;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (!(minEffect >= 0 && minEffect < 10)) {
    throw new AnalysisError(
      'INVALID_INPUT',
      `minEffect must be a fraction in [0, 10), got ${minEffect}`,
      {
        field: 'minEffect',
      },
    );
  }
  if (!(alpha > 0 && alpha < 0.5)) {
    throw new AnalysisError('INVALID_INPUT', `alpha must be in (0, 0.5), got ${alpha}`, {
      field: 'alpha',
    });
  }
  if (baseline.length === 0 || candidate.length === 0) {
    const which = baseline.length === 0 ? 'baseline' : 'candidate';
    throw new AnalysisError('INVALID_INPUT', `no ${which} runs to compare`, { field: which });
  }
  checkSameTest(baseline, candidate);
  const margin = Math.max(minEffect, DEFAULT_MIN_EFFECT);
  const a = collect(baseline);
  const b = collect(candidate);
  checkSameSeries(a, b, baseline, candidate);
  const keys = selectKeys(a, b, options.select, [...baseline, ...candidate]);
  const settings = { margin, alpha, minRuns: MIN_RUNS };
  const pending = keys.map((key) => {
    const info = (a.info.get(key) ?? b.info.get(key)) as StatInfo;
    return pendingRow(
      {
        ...info,
        baseline: valuesOf(a, key, info),
        candidate: valuesOf(b, key, info),
      },
      settings,
    );
  });
  // BH across every row that has a test (rows with a fixed verdict take no part).
  const tested = pending.map((r) => (r.fixed === null && r.pValue !== null ? r.pValue : NaN));
  const q = benjaminiHochberg(tested);
  const effectQ = benjaminiHochberg(
    pending.map((r) => (r.fixed === null && r.effectPValue !== null ? r.effectPValue : NaN)),
  );
  const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
  const rows = pending.map((r, i) =>
    decide(r, orNull(q[i] as number), orNull(effectQ[i] as number), alpha),
  );
  const counts = { regression: 0, improvement: 0, 'no-change': 0, inconclusive: 0 };
  for (const r of rows) counts[r.verdict]++;
  return {
    version: COMPARISON_VERSION,
    settings: { minEffect, margin, alpha, confidenceLevel: 1 - alpha, minRuns: MIN_RUNS },
    baseline: { runs: baseline.length, sources: baseline.map((r) => r.source) },
    candidate: { runs: candidate.length, sources: candidate.map((r) => r.source) },
    rows,
    counts,
    regressed: counts.regression > 0,
  };
}

interface StatInfo {
  readonly metric: string;
  readonly statistic: string;
  readonly unit: StatisticUnit;
  readonly direction: Direction;
}

/** One side's statistics: per key, what it is and each run's value (undefined when absent). */
interface SideData {
  readonly info: Map<string, StatInfo>;
  readonly perRun: readonly Map<string, number>[];
  /** Series keys present in every run / in any run. */
  readonly seriesInAll: Set<string>;
  readonly seriesInAny: Set<string>;
}

function collect(runs: readonly RunStatistics[]): SideData {
  const info = new Map<string, StatInfo>();
  const perRun = runs.map((r) => {
    const m = new Map<string, number>();
    for (const s of r.statistics) {
      const key = statisticKey(s.metric, s.statistic);
      if (!info.has(key)) {
        info.set(key, {
          metric: s.metric,
          statistic: s.statistic,
          unit: s.unit,
          direction: s.direction,
        });
      }
      m.set(key, s.value);
    }
    return m;
  });
  const seriesOf = (r: RunStatistics): Set<string> => new Set(r.statistics.map((s) => s.metric));
  const sets = runs.map(seriesOf);
  const seriesInAny = new Set(sets.flatMap((s) => [...s]));
  const seriesInAll = new Set([...seriesInAny].filter((k) => sets.every((s) => s.has(k))));
  return { info, perRun, seriesInAll, seriesInAny };
}

/**
 * The runs' values of `key`: a counter absent from a run counted nothing there (0); any other
 * statistic absent from a run (a trend without samples) leaves that run out of the row.
 */
function valuesOf(side: SideData, key: string, info: StatInfo): number[] {
  const counter = info.unit === 'per-second' || info.unit === 'bytes-per-second';
  const out: number[] = [];
  for (const m of side.perRun) {
    const v = m.get(key);
    if (v !== undefined) out.push(v);
    else if (counter) out.push(0);
  }
  return out;
}

function checkSameTest(
  baseline: readonly RunStatistics[],
  candidate: readonly RunStatistics[],
): void {
  const all = [...baseline, ...candidate];
  const first = all[0] as RunStatistics;
  const other = all.find((r) => r.testKey !== first.testKey);
  if (other !== undefined) {
    throw new AnalysisError(
      'TEST_MISMATCH',
      `runs of different tests: ${first.source} has scenarios "${first.testKey}", ${other.source} has "${other.testKey}"`,
      { sources: [first.source, other.source], testKeys: [first.testKey, other.testKey] },
    );
  }
}

function checkSameSeries(
  a: SideData,
  b: SideData,
  baseline: readonly RunStatistics[],
  candidate: readonly RunStatistics[],
): void {
  const onlyA = [...a.seriesInAll].filter((k) => !b.seriesInAny.has(k)).sort();
  const onlyB = [...b.seriesInAll].filter((k) => !a.seriesInAny.has(k)).sort();
  if (onlyA.length === 0 && onlyB.length === 0) return;
  const parts: string[] = [];
  if (onlyA.length > 0)
    parts.push(`only in the baseline (${baseline.length} runs): ${onlyA.join(', ')}`);
  if (onlyB.length > 0)
    parts.push(`only in the candidate (${candidate.length} runs): ${onlyB.join(', ')}`);
  throw new AnalysisError(
    'METRIC_SET_MISMATCH',
    `the runs have different metric sets: ${parts.join('; ')}`,
    {
      onlyInBaseline: onlyA,
      onlyInCandidate: onlyB,
    },
  );
}

function selectKeys(
  a: SideData,
  b: SideData,
  select: readonly MetricSelector[] | undefined,
  runs: readonly RunStatistics[],
): string[] {
  const all = [...new Set([...a.info.keys(), ...b.info.keys()])].sort();
  if (select === undefined || select.length === 0) return all;
  const available = availableStatistics(runs);
  const chosen = new Set<string>();
  for (const sel of select) {
    const matches = all.filter((k) => {
      const info = (a.info.get(k) ?? b.info.get(k)) as StatInfo;
      return (
        info.metric === sel.metric &&
        (sel.statistic === undefined || info.statistic === sel.statistic)
      );
    });
    if (matches.length === 0) {
      const name = sel.statistic === undefined ? sel.metric : `${sel.metric}:${sel.statistic}`;
      throw new AnalysisError(
        'UNKNOWN_METRIC',
        `unknown metric ${name}; available: ${available.join(', ')}`,
        { metric: name, available },
      );
    }
    for (const k of matches) chosen.add(k);
  }
  return all.filter((k) => chosen.has(k));
}

/**
 * Parses a `--metric` argument: `http_req_duration` (every statistic) or `http_req_duration:p99`
 * (one); the statistic is after the last `:` outside `{…}`, so `http_req_duration{name:a}` works.
 */
export function parseMetricSelector(text: string): MetricSelector {
  let depth = 0;
  let colon = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ':' && depth === 0) colon = i;
  }
  if (colon < 0) return { metric: text };
  return { metric: text.slice(0, colon), statistic: text.slice(colon + 1) };
}

/** Every `metric:statistic` key present in any of `runs`, sorted. */
export function availableStatistics(runs: readonly RunStatistics[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const s of r.statistics) keys.add(`${s.metric}:${s.statistic}`);
  return [...keys].sort();
}
