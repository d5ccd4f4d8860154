// Run-level totals built from interval snapshots of any number of sources (load workers,
// generators). Histograms are merged by adding counts, so every percentile of the totals is a
// percentile of all samples: percentiles of intervals or sources are never averaged.
import type { IntervalSnapshot, MetricType, SeriesSnapshot, Tags } from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import { HealthTotals } from './health.ts';
import { Histogram } from './histogram.ts';
import { sortedTags, tagsInclude, tagsKey } from './tags.ts';

/** Total of a counter: the sum of its values. */
export interface CounterAggregate {
  readonly type: 'counter';
  readonly isData: boolean;
  value: number;
}

/**
 * Total of a gauge. A custom gauge is one level that any load worker may set: its total is the
 * value set last (by the time it was set; ties go to the later source name), with the least and
 * the greatest value any source saw. The built-in `vus` and `vus_max` are shares of one level
 * held by each worker: the latest value of each source summed, and min and max the sums of each
 * source's min and max. Either way the result does not depend on the order snapshots arrive in.
 */
export interface GaugeAggregate {
  readonly type: 'gauge';
  value: number;
  min: number;
  max: number;
  /** When `value` was set, epoch ms (for summed gauges, the latest of their sources). */
  setAtMs: number;
}

/** Gauges whose sources each hold a share of the level (the VUs of each load worker). */
const SUMMED_GAUGES: ReadonlySet<string> = new Set(['vus', 'vus_max']);

/** Total of a rate: passes and fails. */
export interface RateAggregate {
  readonly type: 'rate';
  passes: number;
  fails: number;
}

/** Total of a trend: exact count/sum/min/max (ms for time trends) and the merged histogram (µs or thousandths). */
export interface TrendAggregate {
  readonly type: 'trend';
  readonly isTime: boolean;
  count: number;
  sum: number;
  min: number;
  max: number;
  readonly hist: Histogram;
}

/** Total of one series, or of several series of one metric merged. */
export type MetricAggregate = CounterAggregate | GaugeAggregate | RateAggregate | TrendAggregate;

/** Summary values of a trend: ms for time trends, the recorded unit otherwise. */
export interface TrendValues {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** One series of the totals: its tags and its aggregate (read-only view, changes on add). */
export interface TotalsSeries {
  readonly metric: string;
  readonly tags: Tags;
  readonly aggregate: Readonly<MetricAggregate>;
}

interface GaugeSource {
  seq: number;
  value: number;
  setAtMs: number;
  min: number;
  max: number;
}

interface Entry extends TotalsSeries {
  readonly aggregate: MetricAggregate;
  /** Per source latest gauge value (gauges only). */
  readonly gaugeSources: Map<string, GaugeSource>;
}

function emptyAggregate(s: SeriesSnapshot): MetricAggregate {
  switch (s.type) {
    case 'counter':
      return { type: 'counter', isData: s.isData, value: 0 };
    case 'gauge':
      return { type: 'gauge', value: 0, min: Infinity, max: -Infinity, setAtMs: 0 };
    case 'rate':
      return { type: 'rate', passes: 0, fails: 0 };
    case 'trend':
      return emptyTrend(s.isTime);
  }
}

function emptyTrend(isTime: boolean): TrendAggregate {
  return {
    type: 'trend',
    isTime,
    count: 0,
    sum: 0,
    min: Infinity,
    max: -Infinity,
    hist: new Histogram({ wideCounts: true }),
  };
}

/** Accumulates interval snapshots of many sources into per-series totals and generator health. */
export class MetricTotals {
  // metric → tags key → entry, in order of first appearance (the order checks are listed in).
  readonly #metrics = new Map<string, Map<string, Entry>>();
  readonly #types = new Map<string, MetricType>();
  readonly #seen = new Map<string, Set<number>>();
  /** Health of every load worker over every interval added. */
  readonly health: HealthTotals;
  #startMs = Infinity;
  #endMs = -Infinity;

  /** `health` receives the worker health of each snapshot (a fresh HealthTotals by default). */
  constructor(health: HealthTotals = new HealthTotals()) {
    this.health = health;
  }

  /**
   * Adds one snapshot; returns false (and changes nothing) when this source's sequence number was
   * already added, so re-sent snapshots are harmless. Throws when a metric changes type.
   */
  add(snapshot: IntervalSnapshot): boolean {
    let seqs = this.#seen.get(snapshot.source);
    if (!seqs) {
      seqs = new Set();
      this.#seen.set(snapshot.source, seqs);
    }
    if (seqs.has(snapshot.seq)) return false;
    // Check every type first so a bad snapshot is rejected whole, not half added.
    for (const s of snapshot.series) {
      const known = this.#types.get(s.metric);
      if (known !== undefined && known !== s.type) {
        throw new EngineError(
          'INVALID_INPUT',
          `snapshot ${snapshot.source}#${snapshot.seq}: metric ${JSON.stringify(s.metric)} is a ${s.type} here but a ${known} before`,
          { source: snapshot.source, seq: snapshot.seq, metric: s.metric },
        );
      }
    }
    seqs.add(snapshot.seq);
    let sendLagP99: number | undefined;
    for (const s of snapshot.series) {
      this.#addSeries(snapshot, s);
      if (s.metric === 'send_lag' && s.type === 'trend' && s.count > 0 && snapshot.seq > 0) {
        // Histograms hold µs; never beyond the interval's exact extremes (as percentile()).
        const p99 = Histogram.decode(s.hdr).valueAtPercentile(99) / 1000;
        sendLagP99 = Math.max(sendLagP99 ?? 0, Math.min(s.max, Math.max(s.min, p99)));
      }
    }
    // Per interval, so the saturation rule can ask for more than one late interval.
    if (sendLagP99 !== undefined) this.health.addSendLag(snapshot.source, sendLagP99);
    for (const h of snapshot.health) this.health.add(h, snapshot.source, snapshot.seq);
    this.#startMs = Math.min(this.#startMs, snapshot.startMs);
    this.#endMs = Math.max(this.#endMs, snapshot.endMs);
    return true;
  }

  #addSeries(snapshot: IntervalSnapshot, s: SeriesSnapshot): void {
    const { source, seq } = snapshot;
    this.#types.set(s.metric, s.type);
    let byTags = this.#metrics.get(s.metric);
    if (!byTags) {
      byTags = new Map();
      this.#metrics.set(s.metric, byTags);
    }
    const key = tagsKey(s.tags);
    let e = byTags.get(key);
    if (!e) {
      e = {
        metric: s.metric,
        tags: sortedTags(s.tags),
        aggregate: emptyAggregate(s),
        gaugeSources: new Map(),
      };
      byTags.set(key, e);
    }
    const a = e.aggregate;
    if (s.type === 'counter' && a.type === 'counter') {
      a.value += s.value;
    } else if (s.type === 'rate' && a.type === 'rate') {
      a.passes += s.passes;
      a.fails += s.fails;
    } else if (s.type === 'trend' && a.type === 'trend') {
      a.count += s.count;
      a.sum += s.sum;
      a.min = Math.min(a.min, s.min);
      a.max = Math.max(a.max, s.max);
      a.hist.addEncoded(s.hdr);
    } else if (s.type === 'gauge' && a.type === 'gauge') {
      const setAtMs = s.setAtMs ?? snapshot.endMs;
      const prev = e.gaugeSources.get(source);
      if (!prev) {
        e.gaugeSources.set(source, { seq, value: s.value, setAtMs, min: s.min, max: s.max });
      } else {
        prev.min = Math.min(prev.min, s.min);
        prev.max = Math.max(prev.max, s.max);
        // A late, older snapshot widens min/max but must not replace a newer level.
        if (seq >= prev.seq) {
          prev.seq = seq;
          prev.value = s.value;
          prev.setAtMs = setAtMs;
        }
      }
      // Recomputed from the per-source state, so the result does not depend on arrival order.
      Object.assign(a, gaugeOfSources(SUMMED_GAUGES.has(s.metric), e.gaugeSources));
    }
  }

  /** Earliest interval start of any snapshot, epoch ms (undefined before the first add). */
  get startMs(): number | undefined {
    return this.#startMs === Infinity ? undefined : this.#startMs;
  }

  /** Latest interval end of any snapshot, epoch ms (undefined before the first add). */
  get endMs(): number | undefined {
    return this.#endMs === -Infinity ? undefined : this.#endMs;
  }

  /** The type of metric `name` as seen in snapshots, or undefined. */
  metricType(name: string): MetricType | undefined {
    return this.#types.get(name);
  }

  /** Names of the metrics that have data, sorted. */
  metricNames(): string[] {
    return [...this.#metrics.keys()].sort();
  }

  /** Every series of metric `name`, in order of first appearance. */
  series(name: string): TotalsSeries[] {
    return [...(this.#metrics.get(name)?.values() ?? [])];
  }

  /** Value of trend `agg` at percentile `p` (see the percentile function). */
  percentile(agg: TrendAggregate, p: number): number {
    return percentile(agg, p);
  }

  /** Summary values of trend `agg` (see the trendValues function). */
  trendValues(agg: TrendAggregate): TrendValues {
    return trendValues(agg);
  }

  /**
   * The aggregate of every series of `metric` whose tags include `filter` (all series when empty),
   * as a new object; undefined when no series matches.
   */
  query(metric: string, filter: Tags = {}): MetricAggregate | undefined {
    let out: MetricAggregate | undefined;
    for (const e of this.#metrics.get(metric)?.values() ?? []) {
      if (!tagsInclude(e.tags, filter)) continue;
      out = mergeAggregate(out, e.aggregate, metric);
    }
    return out;
  }
}

function gaugeOfSources(
  summed: boolean,
  sources: ReadonlyMap<string, GaugeSource>,
): Omit<GaugeAggregate, 'type'> {
  const out = { value: 0, min: summed ? 0 : Infinity, max: summed ? 0 : -Infinity, setAtMs: 0 };
  let last: [number, string] | null = null;
  for (const [source, g] of [...sources].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    if (summed) {
      out.value += g.value;
      out.min += g.min;
      out.max += g.max;
      out.setAtMs = Math.max(out.setAtMs, g.setAtMs);
      continue;
    }
    out.min = Math.min(out.min, g.min);
    out.max = Math.max(out.max, g.max);
    if (last === null || g.setAtMs >= last[0]) {
      last = [g.setAtMs, source];
      out.value = g.value;
      out.setAtMs = g.setAtMs;
    }
  }
  return out;
}

/** Adds `a` (a series of `metric`) into `into` (a fresh aggregate when undefined) and returns it; `a` is never changed. */
export function mergeAggregate(
  into: MetricAggregate | undefined,
  a: MetricAggregate,
  metric: string,
): MetricAggregate {
  switch (a.type) {
    case 'counter': {
      const t =
        into?.type === 'counter' ? into : { type: 'counter' as const, isData: a.isData, value: 0 };
      t.value += a.value;
      return t;
    }
    case 'gauge': {
      if (into?.type !== 'gauge') return { ...a };
      if (SUMMED_GAUGES.has(metric)) {
        // Series of vus (such as per scenario) add up; so do their bounds.
        into.value += a.value;
        into.min += a.min;
        into.max += a.max;
        into.setAtMs = Math.max(into.setAtMs, a.setAtMs);
        return into;
      }
      // Series of a custom gauge: the one set last, the bounds of all.
      into.min = Math.min(into.min, a.min);
      into.max = Math.max(into.max, a.max);
      if (a.setAtMs >= into.setAtMs) {
        into.value = a.value;
        into.setAtMs = a.setAtMs;
      }
      return into;
    }
    case 'rate': {
      const t = into?.type === 'rate' ? into : { type: 'rate' as const, passes: 0, fails: 0 };
      t.passes += a.passes;
      t.fails += a.fails;
      return t;
    }
    case 'trend': {
      const t = into?.type === 'trend' ? into : emptyTrend(a.isTime);
      t.count += a.count;
      t.sum += a.sum;
      t.min = Math.min(t.min, a.min);
      t.max = Math.max(t.max, a.max);
      t.hist.add(a.hist);
      return t;
    }
  }
}

/**
 * Value of a trend at percentile `p` (0–100): ms for time trends, the recorded unit otherwise,
 * kept within the exact min and max; 0 when empty.
 */
export function percentile(agg: TrendAggregate, p: number): number {
  if (agg.count === 0 || agg.hist.count === 0) return 0;
  const v = agg.hist.valueAtPercentile(p) / 1000;
  // HDR reports the top of the bucket; the exact extremes are known, so never report beyond them.
  return Math.min(agg.max, Math.max(agg.min, v));
}

/** The summary values of a trend (ms for time trends); all zero when empty. */
export function trendValues(agg: TrendAggregate): TrendValues {
  if (agg.count === 0) {
    return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  }
  return {
    count: agg.count,
    min: agg.min,
    mean: agg.sum / agg.count,
    p50: percentile(agg, 50),
    p90: percentile(agg, 90),
    p95: percentile(agg, 95),
    p99: percentile(agg, 99),
    p999: percentile(agg, 99.9),
    max: agg.max,
  };
}
