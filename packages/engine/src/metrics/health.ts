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

interface WorkerStats {
  intervals: number;
  busyIntervals: number;
}

/** Accumulates per-interval worker health into the run-level numbers of the summary. */
export class HealthTotals {
  readonly #workers = new Map<string, WorkerStats>();
  readonly #busyCpu: number;
  #samples = 0;
  #cpuSum = 0;
  #cpuMax = 0;
  #eventLoopP99Max = 0;

  /** `busyCpu` is the CPU utilisation at which an interval counts as busy. */
  constructor(busyCpu = SATURATION_CPU_UTILIZATION) {
    this.#busyCpu = busyCpu;
  }

  /** Adds one worker's health over one interval; `source` tells apart equal worker ids of different producers. */
  add(health: WorkerHealth, source = ''): void {
    const key = source === '' ? health.worker : `${source}/${health.worker}`;
    let w = this.#workers.get(key);
    if (!w) {
      w = { intervals: 0, busyIntervals: 0 };
      this.#workers.set(key, w);
    }
    w.intervals++;
    if (health.cpuUtilization >= this.#busyCpu) w.busyIntervals++;
    this.#samples++;
    this.#cpuSum += health.cpuUtilization;
    this.#cpuMax = Math.max(this.#cpuMax, health.cpuUtilization);
    this.#eventLoopP99Max = Math.max(this.#eventLoopP99Max, health.eventLoopDelayP99Ms);
  }

  /** CPU utilisation at or above which an interval counts as busy. */
  get busyCpu(): number {
    return this.#busyCpu;
  }

  /** Number of distinct load workers seen. */
  get workers(): number {
    return this.#workers.size;
  }

  /** Mean CPU utilisation over every worker-interval (0 when none). */
  get cpuUtilization(): number {
    return this.#samples === 0 ? 0 : this.#cpuSum / this.#samples;
  }

  /** Highest CPU utilisation of any worker in any interval. */
  get cpuUtilizationMax(): number {
    return this.#cpuMax;
  }

  /** Highest per-interval event-loop delay p99 of any worker, ms. */
  get eventLoopDelayP99Ms(): number {
    return this.#eventLoopP99Max;
  }

  /** Workers busy (CPU at or above the busy level) in at least `fraction` of their intervals, sorted. */
  busyWorkers(fraction: number): string[] {
    const out: string[] = [];
    for (const [id, w] of this.#workers) {
      if (w.intervals > 0 && w.busyIntervals / w.intervals >= fraction) out.push(id);
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
 * Applies the saturation rule: a worker busy in at least half its intervals, an event-loop delay
 * p99 of 100 ms or more, or a send_lag p99 (ms, null when not measured) of 50 ms or more.
 */
export function saturation(
  health: HealthTotals,
  sendLagP99Ms: number | null,
  limits: SaturationLimits = DEFAULT_SATURATION_LIMITS,
): SaturationVerdict {
  const reasons: string[] = [];
  const busy = health.busyWorkers(limits.cpuIntervalFraction);
  if (busy.length > 0) {
    reasons.push(
      `CPU of load worker ${busy.join(', ')} was at or above ${pct(health.busyCpu)} in ${pct(limits.cpuIntervalFraction)} or more of the intervals`,
    );
  }
  if (health.eventLoopDelayP99Ms >= limits.eventLoopDelayP99Ms) {
    reasons.push(
      `event-loop delay p99 reached ${round(health.eventLoopDelayP99Ms)} ms (limit ${limits.eventLoopDelayP99Ms} ms)`,
    );
  }
  if (sendLagP99Ms !== null && sendLagP99Ms >= limits.sendLagP99Ms) {
    reasons.push(
      `iterations started late: send_lag p99 was ${round(sendLagP99Ms)} ms (limit ${limits.sendLagP99Ms} ms)`,
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
