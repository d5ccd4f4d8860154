import type { CancelTimer } from '../clock.ts';
import type { SegmentPlan } from '../segment/segment-plan.ts';
import type { ArrivalCursor, ArrivalSchedule } from './arrival-schedule.ts';
import { BaseRunner, newVu, type RunnerSettings, type Vu } from './base-runner.ts';
import { globalVuId } from './shares.ts';

/** VU limits of an arrival-rate scenario, global (unsegmented) counts. */
export interface ArrivalVuLimits {
  preAllocatedVUs: number;
  maxVUs?: number | undefined;
}

/**
 * Base of the open-model executors: the segment starts its owned iterations of an ArrivalSchedule
 * at their intended instants. One timer at a time: each wake starts every iteration due by now on
 * a free VU (allocating one, instantly, up to maxVUs) or drops it, then sleeps until the next due
 * instant. So started + dropped always equals the segment's share of the schedule, however late
 * the wakes are; scenarioIteration is the global iteration index k and intendedStartMs its due time.
 */
export abstract class ArrivalRateRunner extends BaseRunner {
  readonly maxVus: number;
  readonly #plan: SegmentPlan;
  readonly #schedule: ArrivalSchedule;
  readonly #preAllocated: number;
  readonly #vus: Vu[] = [];
  // Free VUs, most recently freed on top (keeps a small, warm working set).
  readonly #free: Vu[] = [];
  #cursor: ArrivalCursor | undefined;
  #hasNext = false;
  #timer: CancelTimer | undefined;

  constructor(
    settings: RunnerSettings,
    plan: SegmentPlan,
    schedule: ArrivalSchedule,
    limits: ArrivalVuLimits,
  ) {
    super(settings);
    this.#plan = plan;
    this.#schedule = schedule;
    this.#preAllocated = plan.scaleCount(limits.preAllocatedVUs);
    // maxVUs below preAllocatedVUs would be an error in k6; the larger of the two is used here.
    this.maxVus = plan.scaleCount(Math.max(limits.preAllocatedVUs, limits.maxVUs ?? 0));
  }

  /** Number of global iterations in the whole (unsegmented) schedule. */
  get scheduledIterations(): number {
    return this.#schedule.count();
  }

  protected begin(): void {
    for (let l = 0; l < this.#preAllocated; l++) this.#allocate();
    for (let i = this.#vus.length - 1; i >= 0; i--) this.#free.push(this.#vus[i] as Vu);
    this.vusChanged();
    this.#cursor = this.#schedule.cursor(this.#plan);
    this.#hasNext = this.#cursor.next();
    this.#wake();
  }

  protected halt(): void {
    this.#timer?.();
    this.#timer = undefined;
    this.#hasNext = false;
  }

  #allocate(): Vu | undefined {
    if (this.#vus.length >= this.maxVus) return undefined;
    const vu = newVu(this.#vus.length, globalVuId(this.#plan, this.#vus.length));
    this.#vus.push(vu);
    this.allocatedVus = this.#vus.length;
    return vu;
  }

  #wake(): void {
    this.#timer = undefined;
    if (this.phase !== 'active') return;
    const cursor = this.#cursor as ArrivalCursor;
    const now = this.clock.now();
    let dropped = 0;
    // The phase check matters: a host may stop the runner from inside runIteration.
    while (this.#hasNext && this.phase === 'active' && this.startMs + cursor.offsetMs <= now) {
      const vu = this.#free.pop() ?? this.#allocate();
      if (vu) this.#start(vu, cursor.k, this.startMs + cursor.offsetMs);
      else dropped++;
      this.#hasNext = cursor.next();
    }
    this.drop(dropped);
    if (this.phase !== 'active') return;
    const endMs = this.startMs + this.#schedule.durationMs;
    if (this.#hasNext) {
      this.#timer = this.clock.setTimer(() => this.#wake(), this.startMs + cursor.offsetMs - now);
    } else if (now >= endMs) {
      this.endActive();
    } else {
      this.#timer = this.clock.setTimer(() => this.#wake(), endMs - now);
    }
  }

  // One bound function for every iteration's end: puts the VU back on the free list.
  readonly #release = (vu: Vu): void => {
    if (this.phase === 'done') return;
    this.activeVus--;
    this.vusChanged();
    this.#free.push(vu);
  };

  #start(vu: Vu, k: number, intendedStartMs: number): void {
    this.activeVus++;
    this.vusChanged();
    this.launchThen(vu, k, intendedStartMs, this.#release);
  }
}
