// Live merge of one run: every newly stored snapshot of every generator goes into one MetricTotals
// (histograms added, never percentiles averaged), thresholds are evaluated on it, and the live
// view is computed from it and from each source's latest interval.
import type { IntervalSnapshot, RunGeneratorView, RunLive } from '@stampede/protocol';
import { MetricTotals, evaluateThresholds, percentile } from '@stampede/engine/results';
import type { CompiledThreshold, ThresholdEvaluation } from '@stampede/engine/results';
import { compilePlanThresholds, type PlanReport } from './run-plan.ts';

// A source's latest interval counts as "the last interval" only if it ended this close to the
// newest one; a generator that stopped sending must not freeze the live rate.
const LIVE_WINDOW_SLACK_MS = 1500;

/** What the live view needs besides the metrics. */
export interface LiveContext {
  status: string;
  statusReason: string;
  nowMs: number;
  generators: RunGeneratorView[];
}

/** The merged metrics of one run while it is active (and for a while after). */
export class RunAggregator {
  readonly runId: string;
  readonly totals = new MetricTotals();
  readonly #latest = new Map<string, IntervalSnapshot>();
  readonly #seqs = new Map<string, Set<number>>();
  #thresholds: CompiledThreshold[] = [];
  #plan: PlanReport | null = null;
  #startAtMs: number | null = null;
  #lastEvaluation: ThresholdEvaluation | null = null;
  #rejected = 0;

  constructor(runId: string) {
    this.runId = runId;
  }

  /** Takes the plan reported by generator 0; throws INVALID_OPTIONS if its thresholds do not compile. */
  setPlan(plan: PlanReport): void {
    this.#thresholds = compilePlanThresholds(plan, (m) => this.totals.metricType(m));
    this.#plan = plan;
  }

  /** The plan reported by generator 0, or null. */
  get plan(): PlanReport | null {
    return this.#plan;
  }

  /** Sets the coordinated start instant, Unix epoch ms (elapsed time and counter rates count from it). */
  setStartAt(startAtMs: number): void {
    this.#startAtMs = startAtMs;
  }

  /** The coordinated start instant, or null before it was chosen. */
  get startAtMs(): number | null {
    return this.#startAtMs;
  }

  /**
   * Adds a snapshot stored for the first time; false if it was seen already or does not merge (a
   * metric changing type: the snapshot stays stored but the live view and thresholds skip it).
   */
  add(snapshot: IntervalSnapshot): boolean {
    let seqs = this.#seqs.get(snapshot.source);
    if (!seqs) {
      seqs = new Set();
      this.#seqs.set(snapshot.source, seqs);
    }
    seqs.add(snapshot.seq);
    let added: boolean;
    try {
      added = this.totals.add(snapshot);
    } catch {
      this.#rejected++;
      return false;
    }
    const prev = this.#latest.get(snapshot.source);
    if (!prev || prev.seq < snapshot.seq) this.#latest.set(snapshot.source, snapshot);
    return added;
  }

  /** Snapshots that were stored but could not be merged. */
  get rejected(): number {
    return this.#rejected;
  }

  /** Seqs of `source` in 0..lastSeq not received yet (empty when complete). */
  missingSeqs(source: string, lastSeq: number): number[] {
    const seqs = this.#seqs.get(source);
    const missing: number[] = [];
    for (let s = 0; s <= lastSeq; s++) if (!seqs?.has(s)) missing.push(s);
    return missing;
  }

  /** The highest seq received per source. */
  lastSeqs(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [source, seqs] of this.#seqs) out[source] = Math.max(...seqs);
    return out;
  }

  /** Evaluates the thresholds on everything merged so far at `nowMs`; null before the start. */
  evaluate(nowMs: number): ThresholdEvaluation | null {
    if (this.#startAtMs === null) return null;
    const elapsedMs = Math.max(0, nowMs - this.#startAtMs);
    this.#lastEvaluation = evaluateThresholds(this.#thresholds, this.totals, elapsedMs);
    return this.#lastEvaluation;
  }

  /** The live figures of the run: totals since the start and the sources' latest intervals. */
  live(ctx: LiveContext): RunLive {
    const recent = new MetricTotals();
    let newestEnd = -Infinity;
    for (const s of this.#latest.values()) newestEnd = Math.max(newestEnd, s.endMs);
    let ratePerSec = 0;
    for (const s of this.#latest.values()) {
      if (s.endMs < newestEnd - LIVE_WINDOW_SLACK_MS) continue;
      try {
        recent.add(s);
      } catch {
        continue;
      }
      const seconds = Math.max(0.001, (s.endMs - s.startMs) / 1000);
      for (const series of s.series) {
        if (series.metric === 'http_reqs' && series.type === 'counter') {
          ratePerSec += series.value / seconds;
        }
      }
    }
    const failed = recent.query('http_req_failed');
    const duration = recent.query('http_req_duration');
    const reqs = this.totals.query('http_reqs');
    const iterations = this.totals.query('iterations');
    const vus = this.totals.query('vus');
    const vusMax = this.totals.query('vus_max');
    const trend = duration?.type === 'trend' && duration.count > 0 ? duration : null;
    const pct = (p: number): number | null => (trend === null ? null : percentile(trend, p));
    const checked = failed?.type === 'rate' ? failed.passes + failed.fails : 0;
    return {
      runId: this.runId,
      status: ctx.status,
      statusReason: ctx.statusReason,
      elapsedMs: this.#startAtMs === null ? 0 : Math.max(0, ctx.nowMs - this.#startAtMs),
      vus: vus?.type === 'gauge' ? Math.max(0, Math.round(vus.value)) : 0,
      vusMax: vusMax?.type === 'gauge' ? Math.max(0, Math.round(vusMax.value)) : 0,
      requestRatePerSec: ratePerSec,
      failedRequests: failed?.type === 'rate' ? failed.passes : 0,
      intervalRequests: checked,
      errorRate: failed?.type === 'rate' && checked > 0 ? failed.passes / checked : null,
      p50Ms: pct(50),
      p95Ms: pct(95),
      p99Ms: pct(99),
      totalRequests: reqs?.type === 'counter' ? Math.round(reqs.value) : 0,
      iterations: iterations?.type === 'counter' ? Math.round(iterations.value) : 0,
      failingThresholds: this.#lastEvaluation?.results.filter((r) => !r.ok).length ?? 0,
      generators: ctx.generators,
    };
  }
}
