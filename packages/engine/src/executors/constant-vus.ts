import type { Scenario } from '@stampede/protocol';
import type { SegmentPlan } from '../segment/segment-plan.ts';
import type { Vu } from './base-runner.ts';
import { vuLoopIteration } from './shares.ts';
import type { ExecutorHost } from './types.ts';
import { VuLoopRunner } from './vu-loop-runner.ts';

type ConstantVus = Extract<Scenario, { executor: 'constant-vus' }>;

/**
 * k6's constant-vus: the segment's share of `vus` loop for `duration`; scenarioIteration is
 * vuIteration · vus + (vuId − 1) (see vuLoopIteration).
 */
export class ConstantVusRunner extends VuLoopRunner {
  readonly #options: ConstantVus;

  constructor(scenario: string, options: ConstantVus, plan: SegmentPlan, host: ExecutorHost) {
    super(
      {
        scenario,
        executor: options.executor,
        startTimeMs: options.startTime,
        gracefulStopMs: options.gracefulStop,
        plannedMs: options.duration,
        host,
      },
      plan,
      plan.scaleCount(options.vus),
    );
    this.#options = options;
  }

  protected begin(): void {
    this.endActiveAfter(this.#options.duration);
    this.allocateAll();
    for (const vu of this.vus) this.runLoop(vu);
  }

  protected nextIteration(vu: Vu): number | undefined {
    if (this.clock.now() >= this.startMs + this.#options.duration) return undefined;
    return vuLoopIteration(vu.id, vu.iterations, this.#options.vus);
  }
}
