// The plan of an experiment job (A vs B, no stored baseline): A and B both get new runs,
// interleaved A B A B …, and B is compared with A.
import { experimentCreateSchema, type ExperimentCreate } from '@stampede/protocol';
import type { ComparisonRecord } from '@stampede/store';
import {
  stepComparison,
  type ComparisonPlan,
  type StepDeps,
  type StepOutcome,
} from './comparison-step.ts';

/** What an experiment runs and compares. */
export function experimentPlan(spec: ExperimentCreate): ComparisonPlan {
  return {
    kind: 'experiment',
    started: ['a', 'b'],
    fixed: {},
    baseline: 'a',
    candidate: 'b',
    sideSpec: (side) => (side === 'b' ? spec.b : spec.a),
    runsPerSide: spec.runsPerSide,
    maxRunsPerSide: spec.maxRunsPerSide,
    generators: spec.generators,
    pool: spec.pool,
    minEffect: spec.minEffect,
    alpha: spec.alpha,
    metrics: spec.metrics,
  };
}

/** Advances the experiment by at most one run start or one comparison. */
export async function stepExperiment(
  deps: StepDeps,
  record: ComparisonRecord,
): Promise<StepOutcome> {
  const spec = experimentCreateSchema.parse(JSON.parse(record.specJson));
  return stepComparison(deps, record, experimentPlan(spec));
}
