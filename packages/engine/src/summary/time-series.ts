// A run's time series from its interval snapshots (the `--out json=` NDJSON lines, or a
// controller's stored snapshots): snapshots are put in buckets by their end time, and each
// bucket's snapshots of every source are merged (histograms added, so a bucket's p99 is the p99 of
// all its requests, never an average of the sources' p99s).
import type { IntervalSnapshot, TimeSeries } from '@stampede/protocol';
import { MetricTotals, percentile } from '../metrics/totals.ts';

/** Options of timeSeriesOf. */
export interface TimeSeriesOptions {
  /** Bucket length, ms (default: the median snapshot length rounded to whole seconds, at least 1 s). */
  bucketMs?: number;
}

/** Three decimals (µs for latencies): below the histograms' precision, and it keeps reports small. */
function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function medianLengthMs(snapshots: readonly IntervalSnapshot[]): number {
  const lengths = snapshots.map((s) => s.endMs - s.startMs).sort((a, b) => a - b);
  return lengths[Math.floor(lengths.length / 2)] ?? 1000;
}

interface Bucket {
  totals: MetricTotals;
  /** Requests and covered time per source: the rate is the sum of each source's own rate. */
  perSource: Map<string, { requests: number; lengthMs: number }>;
}

function requestsOf(snapshot: IntervalSnapshot): number {
  let n = 0;
  for (const s of snapshot.series)
    if (s.metric === 'http_reqs' && s.type === 'counter') n += s.value;
  return n;
}

/** The time series of `snapshots` (any order, several sources), one point per bucket with data. */
export function timeSeriesOf(
  snapshots: readonly IntervalSnapshot[],
  options: TimeSeriesOptions = {},
): TimeSeries {
  const bucketMs =
    options.bucketMs ?? Math.max(1000, Math.round(medianLengthMs(snapshots) / 1000) * 1000);
  const buckets = new Map<number, Bucket>();
  for (const snap of snapshots) {
    const key = Math.round(snap.endMs / bucketMs);
    let b = buckets.get(key);
    if (b === undefined) {
      b = { totals: new MetricTotals(), perSource: new Map() };
      buckets.set(key, b);
    }
    if (!b.totals.add(snap)) continue;
    const src = b.perSource.get(snap.source) ?? { requests: 0, lengthMs: 0 };
    src.requests += requestsOf(snap);
    src.lengthMs += Math.max(1, snap.endMs - snap.startMs);
    b.perSource.set(snap.source, src);
  }
  const out: TimeSeries = {
    timesSec: [],
    ratePerSec: [],
    p50Ms: [],
    p95Ms: [],
    p99Ms: [],
    errorPct: [],
    vus: [],
  };
  for (const key of [...buckets.keys()].sort((a, b) => a - b)) {
    const b = buckets.get(key) as Bucket;
    let rate = 0;
    for (const s of b.perSource.values()) rate += s.requests / (s.lengthMs / 1000);
    const duration = b.totals.query('http_req_duration');
    const trend = duration?.type === 'trend' && duration.count > 0 ? duration : null;
    const failed = b.totals.query('http_req_failed');
    const checked = failed?.type === 'rate' ? failed.passes + failed.fails : 0;
    const vus = b.totals.query('vus');
    out.timesSec.push((key * bucketMs) / 1000);
    out.ratePerSec.push(round3(rate));
    out.p50Ms.push(trend === null ? null : round3(percentile(trend, 50)));
    out.p95Ms.push(trend === null ? null : round3(percentile(trend, 95)));
    out.p99Ms.push(trend === null ? null : round3(percentile(trend, 99)));
    out.errorPct.push(
      failed?.type === 'rate' && checked > 0 ? round3((failed.passes / checked) * 100) : null,
    );
    out.vus.push(vus?.type === 'gauge' ? vus.value : null);
  }
  return out;
}
