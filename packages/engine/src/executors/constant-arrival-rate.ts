import type { Scenario } from '@stampede/protocol';
import type { SegmentPlan } from '../segment/segment-plan.ts';
import { ArrivalRateRunner } from './arrival-rate-runner.ts';
import { ArrivalSchedule } from './arrival-schedule.ts';
import type { ExecutorHost } from './types.ts';

type ConstantArrivalRate = Extract<Scenario, { executor: 'constant-arrival-rate' }>;

/** k6's constant-arrival-rate: iteration k is due at k·timeUnit/rate ms, for `duration`. */
export class ConstantArrivalRateRunner extends ArrivalRateRunner {
  constructor(
    scenario: string,
    options: ConstantArrivalRate,
    plan: SegmentPlan,
    host: ExecutorHost,
  ) {
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
      ArrivalSchedule.constant(options.rate, options.timeUnit, options.duration),
      options,
    );
  }
}
