import type { Scenario } from '@stampede/protocol';
import type { SegmentPlan } from '../segment/segment-plan.ts';
import { SharedIterationsShare } from './shares.ts';
import type { ExecutorHost } from './types.ts';
import { VuLoopRunner } from './vu-loop-runner.ts';

type SharedIterations = Extract<Scenario, { executor: 'shared-iterations' }>;

/**
 * k6's shared-iterations: the segment's VUs take iterations from the segment's share of the pool
 * (see SharedIterationsShare) until it is empty or `maxDuration` passes; scenarioIteration is the
 * global pool index of the iteration taken.
 */
export class SharedIterationsRunner extends VuLoopRunner {
  readonly #options: SharedIterations;
  readonly #share: SharedIterationsShare;
  #next = 0;

  constructor(scenario: string, options: SharedIterations, plan: SegmentPlan, host: ExecutorHost) {
    const share = new SharedIterationsShare(plan, options.vus, options.iterations);
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
      share.vus,
    );
    this.#options = options;
    this.#share = share;
  }

  /** Iterations this segment runs. */
  get segmentIterations(): number {
    return this.#share.count;
  }

  protected begin(): void {
    this.endActiveAfter(this.#options.maxDuration);
    this.allocateAll();
    void this.runAllLoops().then(() => this.endActive());
  }

  protected nextIteration(): number | undefined {
    if (this.#next >= this.#share.count) return undefined;
    if (this.clock.now() >= this.startMs + this.#options.maxDuration) return undefined;
    return this.#share.globalIndex(this.#next++);
  }
}
