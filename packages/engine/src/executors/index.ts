import type { Scenario } from '@stampede/protocol';
import type { SegmentPlan } from '../segment/segment-plan.ts';
import { ConstantArrivalRateRunner } from './constant-arrival-rate.ts';
import { ConstantVusRunner } from './constant-vus.ts';
import { PerVuIterationsRunner } from './per-vu-iterations.ts';
import { RampingArrivalRateRunner } from './ramping-arrival-rate.ts';
import { RampingVusRunner } from './ramping-vus.ts';
import { SharedIterationsRunner } from './shared-iterations.ts';
import type { ExecutorHost, ExecutorRunner } from './types.ts';

export type { ExecutorHost, ExecutorProgress, ExecutorRunner, IterationStart } from './types.ts';
export type { IterationSignal } from './iteration-signal.ts';
export { ArrivalCursor, ArrivalSchedule } from './arrival-schedule.ts';
export {
  rampingVusMax,
  rampingVusSteps,
  rampingVusTarget,
  stagesDurationMs,
  type VuStep,
} from './ramping-vus-target.ts';
export { globalVuId, SharedIterationsShare, vuLoopIteration } from './shares.ts';
export {
  ConstantArrivalRateRunner,
  ConstantVusRunner,
  PerVuIterationsRunner,
  RampingArrivalRateRunner,
  RampingVusRunner,
  SharedIterationsRunner,
};

/** Creates the runner of scenario `name` for the share of the load that `segmentPlan` owns. */
export function createExecutor(
  name: string,
  scenario: Scenario,
  segmentPlan: SegmentPlan,
  host: ExecutorHost,
): ExecutorRunner {
  switch (scenario.executor) {
    case 'constant-vus':
      return new ConstantVusRunner(name, scenario, segmentPlan, host);
    case 'ramping-vus':
      return new RampingVusRunner(name, scenario, segmentPlan, host);
    case 'per-vu-iterations':
      return new PerVuIterationsRunner(name, scenario, segmentPlan, host);
    case 'shared-iterations':
      return new SharedIterationsRunner(name, scenario, segmentPlan, host);
    case 'constant-arrival-rate':
      return new ConstantArrivalRateRunner(name, scenario, segmentPlan, host);
    case 'ramping-arrival-rate':
      return new RampingArrivalRateRunner(name, scenario, segmentPlan, host);
  }
}
