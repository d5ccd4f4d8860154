import type { Scenario } from '@stampede/protocol';
import type { CancelTimer } from '../clock.ts';
import type { SegmentPlan } from '../segment/segment-plan.ts';
import type { Vu } from './base-runner.ts';
import {
  rampingVusMax,
  rampingVusSteps,
  stagesDurationMs,
  type VuStep,
} from './ramping-vus-target.ts';
import { vuLoopIteration } from './shares.ts';
import type { ExecutorHost } from './types.ts';
import { VuLoopRunner } from './vu-loop-runner.ts';

type RampingVus = Extract<Scenario, { executor: 'ramping-vus' }>;

/**
 * k6's ramping-vus: the segment runs the global VUs below the current target that it owns (local
 * ranks 0..countBelow(target)−1), so the highest VUs go first in a ramp-down. A removed VU finishes
 * its iteration within `gracefulRampDown`, else it is interrupted; brought back before that, it just
 * carries on. scenarioIteration is vuIteration · maxTarget + (vuId − 1).
 */
export class RampingVusRunner extends VuLoopRunner {
  readonly #options: RampingVus;
  readonly #plan: SegmentPlan;
  readonly #globalMax: number;
  readonly #durationMs: number;
  readonly #steps: Iterator<VuStep>;
  #pending: VuStep | undefined;
  #count = 0;
  #catchingUp = false;
  #stepTimer: CancelTimer | undefined;
  readonly #rampDownTimers = new Map<Vu, CancelTimer>();
  readonly #active = new Set<Vu>();

  constructor(scenario: string, options: RampingVus, plan: SegmentPlan, host: ExecutorHost) {
    const globalMax = rampingVusMax(options.startVUs, options.stages);
    const durationMs = stagesDurationMs(options.stages);
    super(
      {
        scenario,
        executor: options.executor,
        startTimeMs: options.startTime,
        gracefulStopMs: options.gracefulStop,
        plannedMs: durationMs,
        host,
      },
      plan,
      plan.scaleCount(globalMax),
    );
    this.#options = options;
    this.#plan = plan;
    this.#globalMax = globalMax;
    this.#durationMs = durationMs;
    this.#steps = rampingVusSteps(options.startVUs, options.stages);
    this.#pending = this.#nextEffectiveStep();
  }

  protected begin(): void {
    // Apply a step due at the very end first, so the outcome does not depend on timer order.
    this.endActiveAfter(this.#durationMs, () => this.#catchUp());
    this.allocateAll();
    this.#catchUp();
  }

  protected override halt(): void {
    super.halt();
    this.#stepTimer?.();
    this.#stepTimer = undefined;
  }

  protected override dispose(): void {
    for (const cancel of this.#rampDownTimers.values()) cancel();
    this.#rampDownTimers.clear();
  }

  protected nextIteration(vu: Vu): number | undefined {
    // Steps due now apply before deciding, again so that timer order does not matter.
    this.#catchUp();
    if (!this.#active.has(vu) || this.clock.now() >= this.startMs + this.#durationMs)
      return undefined;
    return vuLoopIteration(vu.id, vu.iterations, this.#globalMax);
  }

  // Skips global steps that leave this segment's VU count unchanged (most of them when segmented).
  #nextEffectiveStep(): VuStep | undefined {
    for (let r = this.#steps.next(); !r.done; r = this.#steps.next()) {
      if (this.#plan.countBelow(r.value.target) !== this.#count || r.value.atMs === 0)
        return r.value;
    }
    return undefined;
  }

  // Applies every step due by now, then sleeps until the next one. Loops of VUs that became active
  // start only after all due steps are applied (and not re-entrantly from a loop's own catch-up).
  #catchUp(): void {
    if (this.phase !== 'active' || this.#catchingUp) return;
    const now = this.clock.now();
    const due = this.#pending !== undefined && this.startMs + this.#pending.atMs <= now;
    // Nothing due: keep the armed timer (VU loops call this before every iteration).
    if (!due && this.#stepTimer) return;
    this.#catchingUp = true;
    const added = new Set<Vu>();
    while (this.#pending && this.startMs + this.#pending.atMs <= now) {
      const step = this.#pending;
      this.#apply(this.#plan.countBelow(step.target), this.startMs + step.atMs, added);
      this.#pending = this.#nextEffectiveStep();
    }
    this.#stepTimer?.();
    this.#stepTimer = undefined;
    const next = this.#pending;
    if (next)
      this.#stepTimer = this.clock.setTimer(
        () => {
          this.#stepTimer = undefined;
          this.#catchUp();
        },
        this.startMs + next.atMs - now,
      );
    this.#catchingUp = false;
    for (const vu of added) if (this.#active.has(vu)) this.runLoop(vu);
  }

  #apply(count: number, atMs: number, added: Set<Vu>): void {
    const previous = this.#count;
    this.#count = count;
    for (let l = previous; l < count; l++) {
      const vu = this.vus[l] as Vu;
      this.#active.add(vu);
      this.#rampDownTimers.get(vu)?.();
      this.#rampDownTimers.delete(vu);
      added.add(vu);
    }
    for (let l = count; l < previous; l++) {
      const vu = this.vus[l] as Vu;
      this.#active.delete(vu);
      if (!vu.looping) continue;
      const deadline = atMs + this.#options.gracefulRampDown - this.clock.now();
      this.#rampDownTimers.set(
        vu,
        this.clock.setTimer(() => {
          this.#rampDownTimers.delete(vu);
          if (vu.flight) this.interrupt(vu.flight, 'gracefulRampDown expired');
        }, deadline),
      );
    }
  }
}
