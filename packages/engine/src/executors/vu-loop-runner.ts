import type { CancelTimer } from '../clock.ts';
import { BaseRunner, newVu, type RunnerSettings, type Vu } from './base-runner.ts';
import { globalVuId } from './shares.ts';
import type { SegmentPlan } from '../segment/segment-plan.ts';

/**
 * Base of the closed-model executors (constant-vus, ramping-vus, per-vu-iterations,
 * shared-iterations): each VU runs iterations back-to-back while `nextIteration` allows it.
 */
export abstract class VuLoopRunner extends BaseRunner {
  readonly maxVus: number;
  /** This segment's VUs, by local rank; all allocated up front (they are cheap objects here). */
  protected readonly vus: readonly Vu[];

  constructor(settings: RunnerSettings, plan: SegmentPlan, segmentVus: number) {
    super(settings);
    this.maxVus = segmentVus;
    this.vus = Array.from({ length: segmentVus }, (_, l) => newVu(l, globalVuId(plan, l)));
  }

  #endTimer: CancelTimer | undefined;

  /**
   * Ends the active phase `activeMs` after the scenario start (duration or maxDuration);
   * `beforeEnd` runs first at that instant.
   */
  protected endActiveAfter(activeMs: number, beforeEnd?: () => void): void {
    this.#endTimer = this.clock.setTimer(
      () => {
        beforeEnd?.();
        this.endActive();
      },
      this.startMs + activeMs - this.clock.now(),
    );
  }

  /** Cancels the end timer; subclasses with timers of their own extend it. */
  protected halt(): void {
    this.#endTimer?.();
    this.#endTimer = undefined;
  }

  /** The scenario iteration `vu` should start now, or undefined to end its loop. */
  protected abstract nextIteration(vu: Vu): number | undefined;

  /** Marks every VU allocated; subclasses call it from begin(). */
  protected allocateAll(): void {
    this.allocatedVus = this.vus.length;
    this.vusChanged();
  }

  /** Runs `vu`'s loop unless one is already running; resolves when the loop ends. */
  protected async runLoop(vu: Vu): Promise<void> {
    if (vu.looping) return;
    vu.looping = true;
    this.activeVus++;
    this.vusChanged();
    try {
      for (;;) {
        if (this.phase !== 'active') break;
        const iteration = this.nextIteration(vu);
        if (iteration === undefined) break;
        await this.launch(vu, iteration, null);
      }
    } finally {
      vu.looping = false;
      // After the run is over the counts were already reset to 0 and reported.
      if (this.phase !== 'done') {
        this.activeVus--;
        this.vusChanged();
      }
    }
  }
}
