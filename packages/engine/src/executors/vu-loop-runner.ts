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

  /** Runs `vu`'s loop unless one is already running; `onEnd` runs when the loop ends. */
  protected runLoop(vu: Vu, onEnd?: () => void): void {
    if (vu.looping) {
      onEnd?.();
      return;
    }
    vu.looping = true;
    vu.onLoopEnd = onEnd;
    this.activeVus++;
    this.vusChanged();
    this.#step(vu);
  }

  /** Runs every VU's loop; resolves when all of them ended. */
  protected runAllLoops(): Promise<void> {
    return new Promise<void>((resolve) => {
      let running = this.vus.length;
      if (running === 0) queueMicrotask(resolve);
      const ended = (): void => {
        if (--running === 0) resolve();
      };
      for (const vu of this.vus) this.runLoop(vu, ended);
    });
  }

  // Callbacks rather than an async loop per VU: a VU waiting in its iteration then holds no
  // suspended function frame or promise of the runner (with 100,000 VUs these were a large share
  // of memory). One bound function serves every VU.
  readonly #continue = (vu: Vu): void => this.#step(vu);

  #step(vu: Vu): void {
    const iteration = this.phase === 'active' ? this.nextIteration(vu) : undefined;
    if (iteration !== undefined) {
      this.launchThen(vu, iteration, null, this.#continue);
      return;
    }
    vu.looping = false;
    // After the run is over the counts were already reset to 0 and reported.
    if (this.phase !== 'done') {
      this.activeVus--;
      this.vusChanged();
    }
    const onEnd = vu.onLoopEnd;
    vu.onLoopEnd = undefined;
    onEnd?.();
  }
}
