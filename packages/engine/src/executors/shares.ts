import type { SegmentPlan } from '../segment/segment-plan.ts';

/** Global VU number (1-based) of the segment's `localVu`-th VU (0-based local rank). */
export function globalVuId(plan: SegmentPlan, localVu: number): number {
  return plan.globalIndex(localVu) + 1;
}

/**
 * Scenario iteration index of VU-loop executors (constant-vus, ramping-vus, per-vu-iterations):
 * vuIteration · globalVus + (vuId − 1). It depends only on the VU and its own count, so it is unique
 * and identical however the scenario is segmented; dense (0..V·n−1) when every VU runs n iterations.
 */
export function vuLoopIteration(vuId: number, vuIteration: number, globalVus: number): number {
  return vuIteration * globalVus + (vuId - 1);
}

/**
 * The share of a shared-iterations scenario that a segment runs. Iteration i belongs to the segment
 * that owns VU (i mod vus): shares of a partition sum to `iterations` exactly, a segment without VUs
 * gets no iterations (so no VU has to be invented), and with equal iteration times each VU runs the
 * same global iterations as in an unsegmented run. Index arithmetic is O(levels).
 */
export class SharedIterationsShare {
  /** Iterations this segment runs. */
  readonly count: number;
  /** VUs this segment runs. */
  readonly vus: number;
  readonly #plan: SegmentPlan;
  readonly #globalVus: number;

  constructor(plan: SegmentPlan, globalVus: number, iterations: number) {
    this.#plan = plan;
    this.#globalVus = globalVus;
    this.vus = plan.scaleCount(globalVus);
    this.count =
      globalVus === 0
        ? 0
        : Math.floor(iterations / globalVus) * this.vus + plan.countBelow(iterations % globalVus);
  }

  /** Global iteration index of the segment's `rank`-th shared iteration (0-based, increasing). */
  globalIndex(rank: number): number {
    const round = Math.floor(rank / this.vus);
    return round * this.#globalVus + this.#plan.globalIndex(rank - round * this.vus);
  }
}
