// The plan of a compare job: K new runs of a candidate compared with the runs of the stored
// baseline the job was queued against (a later `baseline set` does not change a queued job).
import { compareJobSpecSchema, type CompareJobSpec } from '@stampede/protocol';
import type { ComparisonRecord } from '@stampede/store';
import {
  stepComparison,
  type ComparisonPlan,
  type StepDeps,
  type StepOutcome,
} from './comparison-step.ts';

/** What a compare job runs and compares. */
export function comparePlan(spec: CompareJobSpec): ComparisonPlan {
  return {
    kind: 'compare',
    started: ['candidate'],
    fixed: { baseline: spec.baselineRunIds },
    baseline: 'baseline',
    candidate: 'candidate',
    sideSpec: () => spec.candidate,
    runsPerSide: spec.runsPerSide,
    maxRunsPerSide: spec.maxRunsPerSide,
    generators: spec.generators,
    pool: spec.pool,
    minEffect: spec.minEffect,
    alpha: spec.alpha,
    metrics: spec.metrics,
  };
}

/** Advances the compare job by at most one candidate run start or one comparison. */
export async function stepCompare(deps: StepDeps, record: ComparisonRecord): Promise<StepOutcome> {
  const spec = compareJobSpecSchema.parse(JSON.parse(record.specJson));
  return stepComparison(deps, record, comparePlan(spec));
}
