// Generator health over a whole run, kept as a few numbers per worker (not one record per
// interval) so a long run costs no more memory than a short one.
import type { WorkerHealth } from '@stampede/protocol';

/** CPU utilisation (1 = one core) at or above which a worker counts as busy in an interval. */
export const SATURATION_CPU_UTILIZATION = 0.9;
/** Share of a worker's intervals that must be busy (CPU ≥ SATURATION_CPU_UTILIZATION) to call it saturated. */
export const SATURATION_CPU_INTERVAL_FRACTION = 0.5;
/** Event-loop delay p99 (ms) of a worker in any interval at or above which the generator is saturated. */
export const SATURATION_EVENT_LOOP_P99_MS = 100;
/** p99 of send_lag (ms) at or above which the generator is saturated: it could not start iterations on time. */
export const SATURATION_SEND_LAG_P99_MS = 50;

/**
 * Limits of the saturation rule; the defaults are the SATURATION_* constants. `cpuUtilization` is
 * applied when a HealthTotals is created (its busy level), the others when the rule runs.
 */
export interface SaturationLimits {
  readonly cpuUtilization: number;
  readonly cpuIntervalFraction: number;
  readonly eventLoopDelayP99Ms: number;
  readonly sendLagP99Ms: number;
}

/** The default saturation limits (the SATURATION_* constants). */
export const DEFAULT_SATURATION_LIMITS: SaturationLimits = {
  cpuUtilization: SATURATION_CPU_UTILIZATION,
  cpuIntervalFraction: SATURATION_CPU_INTERVAL_FRACTION,
  eventLoopDelayP99Ms: SATURATION_EVENT_LOOP_P99_MS,
  sendLagP99Ms: SATURATION_SEND_LAG_P99_MS,
};

/**
 * Intervals in which a condition must hold before it counts: one slow interval (a GC pause, a
 * burst of connects) is not saturation, and a false warning teaches people to ignore real ones.
 */
export const SATURATION_MIN_INTERVALS = 2;

/**
 * An event-loop delay p99 (ms) this long is sustained by itself, start-up or not: the loop was
 * blocked longer than SATURATION_MIN_INTERVALS intervals of 1 s, so no snapshot could even be taken.
 */
export const SATURATION_STALL_MS = 2000;

interface WorkerStats {
  intervals: number;
  busyIntervals: number;
  /** The two highest per-interval event-loop delay p99s, ms, highest first. */
  loopTop: [number, number];
}

interface Window {
  samples: number;
  cpuSum: number;
  cpuMax: number;
  eventLoopP99Max: number;
}

const emptyWindow = (): Window => ({ samples: 0, cpuSum: 0, cpuMax: 0, eventLoopP99Max: 0 });

/** Keeps the two highest values seen, highest first. */
function pushTop(top: [number, number], value: number): void {
  if (value > top[0]) {
    top[1] = top[0];
    top[0] = value;
  } else if (value > top[1]) top[1] = value;
}

/**
 * Accumulates per-interval worker health into the run-level numbers of the summary. A worker's
 * first interval (seq 0) is start-up — module loading, VU init, first connects, JIT — and stays
 * out of the health window the saturation rule reads; it is shown only when nothing else exists.
 */
export class HealthTotals {
  readonly #workers = new Map<string, WorkerStats>();
  readonly #sendLagTop = new Map<string, [number, number]>();
  readonly #seenKeys = new Set<string>();
  readonly #busyCpu: number;
  readonly #window = emptyWindow();
  readonly #startup = emptyWindow();
  #stallMaxMs = 0;

  /** `busyCpu` is the CPU utilisation at which an interval counts as busy. */
  constructor(busyCpu = SATURATION_CPU_UTILIZATION) {
    this.#busyCpu = busyCpu;
  }

  /**
   * Adds one worker's health over one interval; `source` tells apart equal worker ids of
   * different producers; `seq` is the interval's sequence number (without it, the first
   * interval added per worker counts as its start-up).
   */
  add(health: WorkerHealth, source = '', seq?: number): void {
    const key = source === '' ? health.worker : `${source}/${health.worker}`;
    const startup = seq === undefined ? !this.#seenKeys.has(key) : seq === 0;
    this.#seenKeys.add(key);
    const win = startup ? this.#startup : this.#window;
    win.samples++;
    win.cpuSum += health.cpuUtilization;
    win.cpuMax = Math.max(win.cpuMax, health.cpuUtilization);
    win.eventLoopP99Max = Math.max(win.eventLoopP99Max, health.eventLoopDelayP99Ms);
    this.#stallMaxMs = Math.max(this.#stallMaxMs, health.eventLoopDelayP99Ms);
    if (startup) return;
    let w = this.#workers.get(key);
    if (!w) {
      w = { intervals: 0, busyIntervals: 0, loopTop: [0, 0] };
      this.#workers.set(key, w);
    }
    w.intervals++;
    if (health.cpuUtilization >= this.#busyCpu) w.busyIntervals++;
    pushTop(w.loopTop, health.eventLoopDelayP99Ms);
  }

  /** Adds the send_lag p99 (ms) of one producer's interval after its start-up interval. */
  addSendLag(source: string, p99Ms: number): void {
    let top = this.#sendLagTop.get(source);
    if (!top) {
      top = [0, 0];
      this.#sendLagTop.set(source, top);
    }
    pushTop(top, p99Ms);
  }

  /** Takes over another accumulation's per-interval send_lag (health given apart from the metrics). */
  copySendLagFrom(other: HealthTotals): void {
    for (const [source, top] of other.#sendLagTop) this.#sendLagTop.set(source, [...top]);
  }

  get #shown(): Window {
    return this.#window.samples > 0 ? this.#window : this.#startup;
  }

  /** CPU utilisation at or above which an interval counts as busy. */
  get busyCpu(): number {
    return this.#busyCpu;
  }

  /** Number of distinct load workers seen. */
  get workers(): number {
    return this.#seenKeys.size;
  }

  /** Mean CPU utilisation over every worker-interval after start-up (0 when none). */
  get cpuUtilization(): number {
    const w = this.#shown;
    return w.samples === 0 ? 0 : w.cpuSum / w.samples;
  }

  /** Highest CPU utilisation of any worker in any interval after start-up. */
  get cpuUtilizationMax(): number {
    return this.#shown.cpuMax;
  }

  /** Highest per-interval event-loop delay p99 of any worker after start-up, ms. */
  get eventLoopDelayP99Ms(): number {
    return this.#shown.eventLoopP99Max;
  }

  /** Event-loop delay p99 (ms) that some worker reached in at least SATURATION_MIN_INTERVALS intervals. */
  get sustainedEventLoopDelayP99Ms(): number {
    let out = this.#stallMaxMs >= SATURATION_STALL_MS ? this.#stallMaxMs : 0;
    for (const w of this.#workers.values()) out = Math.max(out, w.loopTop[1]);
    return out;
  }

  /** send_lag p99 (ms) that some producer reached in at least SATURATION_MIN_INTERVALS intervals, or null when not measured. */
  get sustainedSendLagP99Ms(): number | null {
    if (this.#sendLagTop.size === 0) return null;
    let out = 0;
    for (const top of this.#sendLagTop.values()) out = Math.max(out, top[1]);
    return out;
  }

  /** Workers busy in at least `fraction` of their intervals and in SATURATION_MIN_INTERVALS or more, sorted. */
  busyWorkers(fraction: number): string[] {
    const out: string[] = [];
    for (const [id, w] of this.#workers) {
      if (
        w.intervals > 0 &&
        w.busyIntervals >= SATURATION_MIN_INTERVALS &&
        w.busyIntervals / w.intervals >= fraction
      )
        out.push(id);
    }
    return out.sort();
  }
}

/** Whether the generator saturated, and why in plain words (empty when it did not). */
export interface SaturationVerdict {
  readonly saturated: boolean;
  readonly reasons: string[];
}

/**
 * Applies the saturation rule to the intervals after start-up: a worker busy in at least half its
 * intervals, an event-loop delay p99 of 100 ms or more, or a send_lag p99 of 50 ms or more —
 * each in at least SATURATION_MIN_INTERVALS intervals of the same worker.
 */
export function saturation(
  health: HealthTotals,
  limits: SaturationLimits = DEFAULT_SATURATION_LIMITS,
): SaturationVerdict {
  const reasons: string[] = [];
  const n = SATURATION_MIN_INTERVALS;
  const busy = health.busyWorkers(limits.cpuIntervalFraction);
  if (busy.length > 0) {
    reasons.push(
      `CPU of load worker ${busy.join(', ')} was at or above ${pct(health.busyCpu)} in ${pct(limits.cpuIntervalFraction)} or more of the intervals`,
    );
  }
  const loop = health.sustainedEventLoopDelayP99Ms;
  if (loop >= limits.eventLoopDelayP99Ms) {
    reasons.push(
      `event-loop delay p99 was ${round(loop)} ms or more in ${n} or more intervals (limit ${limits.eventLoopDelayP99Ms} ms)`,
    );
  }
  const lag = health.sustainedSendLagP99Ms;
  if (lag !== null && lag >= limits.sendLagP99Ms) {
    reasons.push(
      `iterations started late: send_lag p99 was ${round(lag)} ms or more in ${n} or more intervals (limit ${limits.sendLagP99Ms} ms)`,
    );
  }
  return { saturated: reasons.length > 0, reasons };
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
