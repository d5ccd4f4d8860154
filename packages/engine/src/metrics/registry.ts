// The per-worker metric sink. Everything here is per-interval state: each snapshot() hands the
// interval's data out and resets it, so memory stays bounded by the number of series, not by the
// number of samples or the length of the test.
import type {
  IntervalSnapshot,
  MetricType,
  SeriesSnapshot,
  Tags,
  WorkerHealth,
} from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import { BUILTIN_METRICS, METRIC_NAME_PATTERN } from './builtin.ts';
import type { MetricDefinition } from './builtin.ts';
import { Histogram } from './histogram.ts';
import { sortedTags, tagsKey } from './tags.ts';

/** A recording handle for one series (a metric and a tag set); keep it to skip the tag lookup. */
export interface SeriesHandle {
  /**
   * Records one value: counter adds it, gauge sets it, rate counts a pass when truthy, trend records
   * it (ms for time trends). Non-finite numbers are ignored.
   */
  add(value: number | boolean): void;
}

/** Flags of a custom metric. */
export interface DefineOptions {
  readonly isTime?: boolean;
  readonly isData?: boolean;
}

interface Series extends SeriesHandle {
  /** The series' snapshot for the interval, or undefined when there is nothing to report. */
  take(): SeriesSnapshot | undefined;
}

function toNumber(value: number | boolean): number {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

class CounterSeries implements Series {
  readonly #def: MetricDefinition;
  readonly #tags: Tags;
  #value = 0;
  #touched = false;
  constructor(def: MetricDefinition, tags: Tags) {
    this.#def = def;
    this.#tags = tags;
  }
  add(value: number | boolean): void {
    const v = toNumber(value);
    if (!Number.isFinite(v)) return;
    this.#value += v;
    this.#touched = true;
  }
  take(): SeriesSnapshot | undefined {
    if (!this.#touched) return undefined;
    const s: SeriesSnapshot = {
      type: 'counter',
      metric: this.#def.name,
      tags: this.#tags,
      isData: this.#def.isData,
      value: this.#value,
    };
    this.#value = 0;
    this.#touched = false;
    return s;
  }
}

class GaugeSeries implements Series {
  readonly #def: MetricDefinition;
  readonly #tags: Tags;
  readonly #nowMs: () => number;
  #value = 0;
  #setAtMs = 0;
  #min = Infinity;
  #max = -Infinity;
  #set = false;
  constructor(def: MetricDefinition, tags: Tags, nowMs: () => number) {
    this.#def = def;
    this.#tags = tags;
    this.#nowMs = nowMs;
  }
  add(value: number | boolean): void {
    const v = toNumber(value);
    if (!Number.isFinite(v)) return;
    this.#value = v;
    // When it was set, so totals across workers can keep the latest value rather than a sum.
    this.#setAtMs = this.#nowMs();
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
    this.#set = true;
  }
  take(): SeriesSnapshot | undefined {
    if (!this.#set) return undefined;
    // A gauge not set during the interval still reports its last value, so consumers see a level
    // rather than a gap.
    const min = this.#min === Infinity ? this.#value : this.#min;
    const max = this.#max === -Infinity ? this.#value : this.#max;
    this.#min = Infinity;
    this.#max = -Infinity;
    return {
      type: 'gauge',
      metric: this.#def.name,
      tags: this.#tags,
      value: this.#value,
      min,
      max,
      setAtMs: this.#setAtMs,
    };
  }
}

class RateSeries implements Series {
  readonly #def: MetricDefinition;
  readonly #tags: Tags;
  #passes = 0;
  #fails = 0;
  constructor(def: MetricDefinition, tags: Tags) {
    this.#def = def;
    this.#tags = tags;
  }
  add(value: number | boolean): void {
    if (value) this.#passes++;
    else this.#fails++;
  }
  take(): SeriesSnapshot | undefined {
    if (this.#passes === 0 && this.#fails === 0) return undefined;
    const s: SeriesSnapshot = {
      type: 'rate',
      metric: this.#def.name,
      tags: this.#tags,
      passes: this.#passes,
      fails: this.#fails,
    };
    this.#passes = 0;
    this.#fails = 0;
    return s;
  }
}

class TrendSeries implements Series {
  readonly #def: MetricDefinition;
  readonly #tags: Tags;
  readonly #hist = new Histogram();
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;
  constructor(def: MetricDefinition, tags: Tags) {
    this.#def = def;
    this.#tags = tags;
  }
  add(value: number | boolean): void {
    const v = toNumber(value);
    if (!Number.isFinite(v)) return;
    // Exact count/sum/min/max beside the histogram: the mean and the extremes stay exact even
    // though percentiles have three significant digits. Both time (ms → µs) and other trends
    // (units → thousandths) store value × 1000 in the histogram.
    this.#hist.record(v * 1000);
    this.#count++;
    this.#sum += v;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }
  take(): SeriesSnapshot | undefined {
    if (this.#count === 0) return undefined;
    const s: SeriesSnapshot = {
      type: 'trend',
      metric: this.#def.name,
      tags: this.#tags,
      isTime: this.#def.isTime,
      count: this.#count,
      sum: this.#sum,
      min: this.#min,
      max: this.#max,
      hdr: this.#hist.encode(),
    };
    this.#hist.reset();
    this.#count = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
    return s;
  }
}

function createSeries(def: MetricDefinition, tags: Tags, nowMs: () => number): Series {
  switch (def.type) {
    case 'counter':
      return new CounterSeries(def, tags);
    case 'gauge':
      return new GaugeSeries(def, tags, nowMs);
    case 'rate':
      return new RateSeries(def, tags);
    case 'trend':
      return new TrendSeries(def, tags);
  }
}

/** The metrics of one load worker: definitions, recording handles and interval snapshots. */
export class MetricRegistry {
  readonly #defs = new Map<string, MetricDefinition>();
  // metric → tags key → series; insertion order gives snapshots a stable series order.
  readonly #series = new Map<string, Map<string, Series>>();
  // Callers record many metrics with one tags object (a request's ten metrics); remembering the
  // last object and its entries skips sorting its tags again, and re-checking the entries keeps
  // this right even if a caller mutates the object between calls.
  #lastTags: Tags | undefined;
  #lastEntries: [string, string][] = [];
  #lastKey = '';

  readonly #nowMs: () => number;

  /** `nowMs` is the wall clock, epoch ms, that stamps when a gauge was set (default Date.now). */
  constructor(nowMs: () => number = Date.now) {
    this.#nowMs = nowMs;
    for (const m of BUILTIN_METRICS) this.#defs.set(m.name, m);
  }

  /**
   * Defines a custom metric (idempotent for an identical definition); throws an EngineError
   * (SCRIPT_INIT) for a bad name or a name already defined differently.
   */
  define(name: string, type: MetricType, options: DefineOptions = {}): MetricDefinition {
    if (!METRIC_NAME_PATTERN.test(name)) {
      throw new EngineError(
        'SCRIPT_INIT',
        `invalid metric name ${JSON.stringify(name)}: use letters, digits and _, not starting with a digit`,
        { metric: name },
      );
    }
    const wanted: MetricDefinition = {
      name,
      type,
      isTime: options.isTime === true,
      isData: options.isData === true,
    };
    const existing = this.#defs.get(name);
    if (existing) {
      if (existing.type !== type) {
        throw new EngineError(
          'SCRIPT_INIT',
          `metric ${JSON.stringify(name)} is already defined as a ${existing.type}; it cannot also be a ${type}`,
          { metric: name },
        );
      }
      if (existing.isTime !== wanted.isTime || existing.isData !== wanted.isData) {
        throw new EngineError(
          'SCRIPT_INIT',
          `metric ${JSON.stringify(name)} is already defined with isTime=${existing.isTime}, isData=${existing.isData}`,
          { metric: name },
        );
      }
      return existing;
    }
    this.#defs.set(name, wanted);
    return wanted;
  }

  /** The definition of `name`, or undefined when it is neither built in nor defined. */
  definition(name: string): MetricDefinition | undefined {
    return this.#defs.get(name);
  }

  /** The type of metric `name`, or undefined (the shape compileThresholds wants). */
  metricType(name: string): MetricType | undefined {
    return this.#defs.get(name)?.type;
  }

  /** The cached recording handle of metric `name` with `tags`; throws for an undefined metric. */
  series(name: string, tags: Tags = {}): SeriesHandle {
    let byTags = this.#series.get(name);
    if (!byTags) {
      const def = this.#defs.get(name);
      if (!def) {
        throw new EngineError('INTERNAL', `metric ${JSON.stringify(name)} is not defined`, {
          metric: name,
        });
      }
      byTags = new Map();
      this.#series.set(name, byTags);
    }
    let key: string;
    if (tags === this.#lastTags && this.#sameAsLast(tags)) {
      key = this.#lastKey;
    } else {
      key = tagsKey(tags);
      this.#lastTags = tags;
      this.#lastEntries = Object.entries(tags);
      this.#lastKey = key;
    }
    let s = byTags.get(key);
    if (!s) {
      s = createSeries(this.#defs.get(name) as MetricDefinition, sortedTags(tags), this.#nowMs);
      byTags.set(key, s);
    }
    return s;
  }

  #sameAsLast(tags: Tags): boolean {
    let n = 0;
    for (const _ in tags) n++;
    if (n !== this.#lastEntries.length) return false;
    for (const [k, v] of this.#lastEntries) if (tags[k] !== v) return false;
    return true;
  }

  /** Records `value` on metric `name` with `tags` (see SeriesHandle.add). */
  add(name: string, tags: Tags, value: number | boolean): void {
    this.series(name, tags).add(value);
  }

  /**
   * The interval's data from `startMs` to `endMs` (epoch ms) as snapshot number `seq` of `source`;
   * resets the interval state (gauges keep their last value and report it every interval).
   */
  snapshot(
    source: string,
    seq: number,
    startMs: number,
    endMs: number,
    health: WorkerHealth[],
  ): IntervalSnapshot {
    const series: SeriesSnapshot[] = [];
    for (const byTags of this.#series.values()) {
      for (const s of byTags.values()) {
        const snap = s.take();
        if (snap) series.push(snap);
      }
    }
    return { v: 1, source, seq, startMs, endMs, series, health };
  }
}
