// The plan of a baseline job: K runs of a test, labelled with its name and branch, that become
// the branch's baseline once all have ended (the same checks as POST /baselines/:test/:branch).
import { baselineJobCreateSchema, type BaselineJobCreate } from '@stampede/protocol';
import type { ComparisonRecord } from '@stampede/store';
import { baselineRuns } from '../api/baselines.ts';
import {
  stepComparison,
  type ComparisonPlan,
  type StepDeps,
  type StepOutcome,
} from './comparison-step.ts';

/** What a baseline job runs, and how it ends: its runs stored as the branch's baseline. */
export function baselinePlan(spec: BaselineJobCreate): ComparisonPlan {
  return {
    kind: 'baseline',
    started: ['baseline'],
    fixed: {},
    baseline: 'baseline',
    candidate: 'baseline',
    sideSpec: () => ({
      ...spec.run,
      labels: { ...spec.run.labels, test: spec.testName, branch: spec.branch },
    }),
    runsPerSide: spec.runsPerSide,
    maxRunsPerSide: undefined,
    generators: spec.generators,
    pool: spec.pool,
    minEffect: undefined,
    alpha: undefined,
    metrics: undefined,
    async finish({ store }, record, runIds) {
      const { fingerprint } = await baselineRuns(store, spec.testName, spec.branch, runIds);
      await store.setBaseline({
        projectId: record.projectId,
        testName: spec.testName,
        branch: spec.branch,
        runIds,
        fingerprintJson: JSON.stringify(fingerprint),
        setBy: record.createdBy,
      });
      await store.appendAudit({
        actor: record.createdBy,
        action: 'baseline.set',
        target: `${record.projectId}/${spec.testName}/${spec.branch}`,
        detailsJson: JSON.stringify({ runIds, job: record.id }),
      });
      return `baseline of ${spec.testName} on ${spec.branch} set: ${runIds.length} runs`;
    },
  };
}

/** Advances the baseline job by at most one run start, or stores its runs as the baseline. */
export async function stepBaseline(deps: StepDeps, record: ComparisonRecord): Promise<StepOutcome> {
  const spec = baselineJobCreateSchema.parse(JSON.parse(record.specJson));
  return stepComparison(deps, record, baselinePlan(spec));
}
