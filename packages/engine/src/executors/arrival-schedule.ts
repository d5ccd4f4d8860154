import type { Stage } from '@stampede/protocol';
import type { SegmentPlan } from '../segment/segment-plan.ts';

/**
 * Intended start times of an arrival-rate scenario. The rate (iterations per `timeUnitMs`) is
 * piecewise linear; C(t) is the cumulative count ∫ rate. Convention: global iteration k (0-based)
 * is due at t_k = inf { t : C(t) > k }, the instant the cumulative count passes k. So iteration 0
 * starts as soon as the rate is positive (t = 0 for constant-arrival-rate, as in k6), a constant
 * rate gives t_k = k·timeUnit/rate exactly (a flat ramping stage uses the same expression, so both
 * executors agree to the bit), and after a zero-rate pause the next iteration is due when the rate
 * resumes. Iterations with t_k ≥ duration do not exist, so the count is ceil(C(duration)).
 */
export class ArrivalSchedule {
  /** Scenario length in ms. */
  readonly durationMs: number;
  readonly #phases: readonly Phase[];

  constructor(startRate: number, timeUnitMs: number, stages: readonly Stage[]) {
    if (!(timeUnitMs > 0)) throw new RangeError('timeUnit must be > 0');
    const phases: Phase[] = [];
    let from = startRate;
    let startMs = 0;
    let count = 0;
    for (const stage of stages) {
      const to = stage.target;
      // d·(from+to)/(2·timeUnit): one rounding, exact whenever the stage's count is an integer.
      const end = count + (stage.duration * (from + to)) / (2 * timeUnitMs);
      if (stage.duration > 0) {
        phases.push({
          startMs,
          durMs: stage.duration,
          from,
          to,
          unit: timeUnitMs,
          countStart: count,
          countEnd: end,
        });
      }
      count = end;
      from = to;
      startMs += stage.duration;
    }
    this.#phases = phases;
    this.durationMs = startMs;
  }

  /** The constant-arrival-rate schedule: `rate` iterations per `timeUnitMs` for `durationMs`. */
  static constant(rate: number, timeUnitMs: number, durationMs: number): ArrivalSchedule {
    return new ArrivalSchedule(rate, timeUnitMs, [{ duration: durationMs, target: rate }]);
  }

  /** Intended offset of global iteration k from the scenario start in ms, or undefined when k is not scheduled. */
  offsetMs(k: number): number | undefined {
    // Binary search for the first phase whose cumulative count ends above k.
    let lo = 0;
    let hi = this.#phases.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#phases[mid] as Phase).countEnd > k) hi = mid;
      else lo = mid + 1;
    }
    const phase = this.#phases[lo];
    return phase ? offsetInPhase(phase, k, lo === this.#phases.length - 1) : undefined;
  }

  /** Number of global iterations in the whole schedule. */
  count(): number {
    const last = this.#phases[this.#phases.length - 1];
    if (!last) return 0;
    // ceil(C(duration)) up to float noise: settle on the first unscheduled k near it.
    let n = Math.max(0, Math.ceil(last.countEnd) - 1);
    while (n > 0 && this.offsetMs(n - 1) === undefined) n--;
    while (this.offsetMs(n) !== undefined) n++;
    return n;
  }

  /** Cursor over the iterations owned by `plan` (all of them for a full plan), in order; O(1) memory. */
  cursor(plan: SegmentPlan): ArrivalCursor {
    return new ArrivalCursor(this.#phases, plan);
  }

  /** Iterates the (k, offsetMs) pairs owned by `plan`, in order. */
  *iterate(plan: SegmentPlan): Generator<{ k: number; offsetMs: number }> {
    const cursor = this.cursor(plan);
    while (cursor.next()) yield { k: cursor.k, offsetMs: cursor.offsetMs };
  }
}

/** Walks a segment's owned iterations in order without allocating per iteration. */
export class ArrivalCursor {
  /** Global iteration index of the current position. */
  k = -1;
  /** Intended offset of iteration k from the scenario start, in ms. */
  offsetMs = Number.NaN;
  readonly #phases: readonly Phase[];
  readonly #plan: SegmentPlan;
  #rank = 0;
  #phase = 0;
  #done = false;

  constructor(phases: readonly Phase[], plan: SegmentPlan) {
    this.#phases = phases;
    this.#plan = plan;
  }

  /** Moves to the next owned iteration; false (and stays false) when the schedule is over. */
  next(): boolean {
    if (this.#done) return false;
    const k = this.#plan.globalIndex(this.#rank++);
    while (this.#phase < this.#phases.length && (this.#phases[this.#phase] as Phase).countEnd <= k)
      this.#phase++;
    const phase = this.#phases[this.#phase];
    const offset = phase && offsetInPhase(phase, k, this.#phase === this.#phases.length - 1);
    if (offset === undefined) {
      this.#done = true;
      return false;
    }
    this.k = k;
    this.offsetMs = offset;
    return true;
  }
}

/** A stage of positive length: rates per `unit` ms, cumulative counts at its ends. */
interface Phase {
  startMs: number;
  durMs: number;
  from: number;
  to: number;
  unit: number;
  countStart: number;
  countEnd: number;
}

// Solves C(start + τ) = k inside a phase where countStart ≤ k < countEnd. The last phase rejects
// a float result at or past its end (the iteration would be due at or after the duration); earlier
// phases clamp to their end so times stay monotone.
function offsetInPhase(p: Phase, k: number, last: boolean): number | undefined {
  const delta = k - p.countStart;
  let tau: number;
  if (delta <= 0) tau = 0;
  else if (p.from === p.to) tau = (delta * p.unit) / p.from;
  else {
    // Rationalised root of (to−from)/(2d)·τ² + from·τ = Δ·unit: no cancellation when from ≫ to−from.
    const disc = p.from * p.from + (2 * (p.to - p.from) * delta * p.unit) / p.durMs;
    tau = (2 * delta * p.unit) / (p.from + Math.sqrt(Math.max(0, disc)));
  }
  const t = p.startMs + tau;
  const end = p.startMs + p.durMs;
  if (t < end) return t;
  return last ? undefined : end;
}
