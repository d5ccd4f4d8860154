import type { Scenario } from '@stampede/protocol';
import type { SegmentPlan } from '../segment/segment-plan.ts';
import type { Vu } from './base-runner.ts';
import { vuLoopIteration } from './shares.ts';
import type { ExecutorHost } from './types.ts';
import { VuLoopRunner } from './vu-loop-runner.ts';

type PerVuIterations = Extract<Scenario, { executor: 'per-vu-iterations' }>;

/**
 * k6's per-vu-iterations: each of the segment's share of `vus` runs `iterations` iterations
 * (segment total = scaled VUs × iterations), within `maxDuration`; scenarioIteration is
 * vuIteration · vus + (vuId − 1), dense over 0..vus·iterations−1.
 */
export class PerVuIterationsRunner extends VuLoopRunner {
  readonly #options: PerVuIterations;

  constructor(scenario: string, options: PerVuIterations, plan: SegmentPlan, host: ExecutorHost) {
    super(
      {
        scenario,
        executor: options.executor,
        startTimeMs: options.startTime,
        gracefulStopMs: options.gracefulStop,
        plannedMs: options.maxDuration,
        host,
      },
      plan,
      plan.scaleCount(options.vus),
    );
    this.#options = options;
  }

  protected begin(): void {
    this.endActiveAfter(this.#options.maxDuration);
    this.allocateAll();
    // When every VU has run its iterations the scenario is over before maxDuration.
    void this.runAllLoops().then(() => this.endActive());
  }

  protected nextIteration(vu: Vu): number | undefined {
    if (vu.iterations >= this.#options.iterations) return undefined;
    if (this.clock.now() >= this.startMs + this.#options.maxDuration) return undefined;
    return vuLoopIteration(vu.id, vu.iterations, this.#options.vus);
  }
}
