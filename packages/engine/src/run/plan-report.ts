// What a controller needs to know of a resolved plan, since it runs no user code: the thresholds
// and their metrics' types, each scenario's executor, and how long the plan can run at most.
import type { AgentStateReport, Scenario } from '@stampede/protocol';
import type { Plan } from '../options/plan.ts';
import type { PreparedTest } from './prepare.ts';

/** The plan facts generator 0 reports with `ready` (AgentStateReport.plan). */
export type PlanReport = NonNullable<AgentStateReport['plan']>;

/** Builds the plan report of a prepared test. */
export function planReport(test: PreparedTest): PlanReport {
  return {
    thresholds: test.plan.options.thresholds,
    metricTypes: Object.fromEntries(test.thresholds.map((t) => [t.metric, t.metricType])),
    scenarios: Object.fromEntries(
      Object.entries(test.plan.scenarios).map(([name, s]) => [name, { executor: s.executor }]),
    ),
    maxDurationMs: planMaxDurationMs(test.plan),
  };
}

/** Longest time the plan can take from its start to the end of the last scenario's graceful stop, ms. */
export function planMaxDurationMs(plan: Plan): number {
  let max = 0;
  for (const s of Object.values(plan.scenarios)) max = Math.max(max, scenarioMaxMs(s));
  return max;
}

function scenarioMaxMs(s: Scenario): number {
  const stages = (list: readonly { duration: number }[]): number =>
    list.reduce((n, st) => n + st.duration, 0);
  let active: number;
  switch (s.executor) {
    case 'constant-vus':
    case 'constant-arrival-rate':
      active = s.duration;
      break;
    case 'ramping-vus':
      active = stages(s.stages) + s.gracefulRampDown;
      break;
    case 'ramping-arrival-rate':
      active = stages(s.stages);
      break;
    case 'per-vu-iterations':
    case 'shared-iterations':
      active = s.maxDuration;
      break;
  }
  return s.startTime + active + s.gracefulStop;
}
