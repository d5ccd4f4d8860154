import type { Scenario } from '@stampede/protocol';
import type { SegmentPlan } from '../segment/segment-plan.ts';
import { ArrivalRateRunner } from './arrival-rate-runner.ts';
import { ArrivalSchedule } from './arrival-schedule.ts';
import { stagesDurationMs } from './ramping-vus-target.ts';
import type { ExecutorHost } from './types.ts';

type RampingArrivalRate = Extract<Scenario, { executor: 'ramping-arrival-rate' }>;

/** k6's ramping-arrival-rate: the start rate follows `stages` linearly (see ArrivalSchedule for the due instants). */
export class RampingArrivalRateRunner extends ArrivalRateRunner {
  constructor(
    scenario: string,
    options: RampingArrivalRate,
    plan: SegmentPlan,
    host: ExecutorHost,
  ) {
    super(
      {
        scenario,
        executor: options.executor,
        startTimeMs: options.startTime,
        gracefulStopMs: options.gracefulStop,
        plannedMs: stagesDurationMs(options.stages),
        host,
      },
      plan,
      new ArrivalSchedule(options.startRate, options.timeUnit, options.stages),
      options,
    );
  }
}
