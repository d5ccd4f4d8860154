// One step of a comparison job, whatever its kind: start the next run of the interleaved order
// (A B A B …, or candidate runs only) once the previous one has ended, and when every side has
// its runs, compare them with the analysis package. Runs go one at a time so the sides never
// share the generators or the target, and slow drift hits both sides alike. A kind is a plan:
// which sides get new runs, which runs exist already (a stored baseline's), how to start a run,
// and what ends it (a comparison, or storing the runs as a baseline).
import {
  compareRuns,
  runStatisticsFromSummary,
  type MetricSelector,
  type RunStatistics,
} from '@stampede/analysis';
import {
  summarySchema,
  type ComparisonResult,
  type ExperimentSide,
  type RunCreate,
} from '@stampede/protocol';
import { isTerminalRunStatus, type ComparisonRecord, type Run, type Store } from '@stampede/store';
import { z } from 'zod';

/** A side of a comparison job: A/B of an experiment, baseline/candidate of a compare job. */
export const comparisonSideSchema = z.enum(['a', 'b', 'baseline', 'candidate']);
/** A side of a comparison job. */
export type ComparisonSide = z.output<typeof comparisonSideSchema>;

/** The job's progress kept in the comparison record's runsJson: the runs it started, in order. */
export const comparisonProgressSchema = z.strictObject({
  targetRunsPerSide: z.number().int(),
  runs: z.array(z.strictObject({ side: comparisonSideSchema, runId: z.string() })),
});
/** The job's progress. */
export type ComparisonProgress = z.output<typeof comparisonProgressSchema>;

/** What a step may do besides reading and writing the store. */
export interface StepDeps {
  store: Store;
  /** Queues one run (the same checks as POST /api/v1/runs). */
  queueRun(body: RunCreate, actor: string): Promise<Run>;
}

/** What a step ended with: `wait` (a run is in progress) or `done` (the record is final). */
export type StepOutcome = 'wait' | 'done';

/** What a kind of comparison job runs and compares. */
export interface ComparisonPlan {
  /** The kind's name in status lines and run actors (`experiment`, `compare`). */
  kind: string;
  /** Sides that get new runs, interleaved in this order (a side with fewer runs goes first). */
  started: readonly ComparisonSide[];
  /** Runs that exist already, by side (a stored baseline's). */
  fixed: Partial<Record<ComparisonSide, readonly string[]>>;
  /** The side compared against, and the side compared with it. */
  baseline: ComparisonSide;
  candidate: ComparisonSide;
  /** What a started run of a side runs. */
  sideSpec(side: ComparisonSide): ExperimentSide;
  runsPerSide: number;
  maxRunsPerSide: number | undefined;
  generators: number;
  pool: string | undefined;
  minEffect: number | undefined;
  alpha: number | undefined;
  metrics: readonly string[] | undefined;
  /**
   * Instead of a comparison, what to do once every started run has ended (a baseline job stores
   * them as the baseline); resolves to the record's final status reason.
   */
  finish?: (deps: StepDeps, record: ComparisonRecord, runIds: string[]) => Promise<string>;
}

/** Progress of a record (a new record has none yet). */
export function progressOf(
  record: ComparisonRecord,
  spec: { runsPerSide: number },
): ComparisonProgress {
  const raw: unknown = JSON.parse(record.runsJson);
  if (Array.isArray(raw)) return { targetRunsPerSide: spec.runsPerSide, runs: [] };
  return comparisonProgressSchema.parse(raw);
}

/** `metric` or `metric:statistic` selectors; the statistic follows the last colon outside braces. */
export function parseSelectors(list: readonly string[] | undefined): MetricSelector[] | undefined {
  if (list === undefined || list.length === 0) return undefined;
  return list.map((text) => {
    const close = text.lastIndexOf('}');
    const colon = text.lastIndexOf(':');
    return colon > close
      ? { metric: text.slice(0, colon), statistic: text.slice(colon + 1) }
      : { metric: text };
  });
}

/** Advances a comparison job by at most one run start or one comparison. */
export async function stepComparison(
  deps: StepDeps,
  record: ComparisonRecord,
  plan: ComparisonPlan,
): Promise<StepOutcome> {
  const { store } = deps;
  const progress = progressOf(record, plan);
  const runs = await Promise.all(progress.runs.map((r) => store.getRun(r.runId)));
  const last = runs[runs.length - 1];
  if (last && !isTerminalRunStatus(last.status)) return 'wait';
  const bad = runs.find((r) => r.status === 'aborted' || r.status === 'errored');
  if (bad) {
    await store.updateComparison(record.id, {
      status: 'errored',
      statusReason: `run ${bad.id} ended ${bad.status}: ${bad.statusReason}`,
    });
    return 'done';
  }
  const count = (side: ComparisonSide) => progress.runs.filter((r) => r.side === side).length;
  const behind = plan.started.filter((side) => count(side) < progress.targetRunsPerSide);
  if (behind.length > 0) {
    const side = behind.reduce((a, b) => (count(b) < count(a) ? b : a));
    const run = await startRun(deps, record, plan, side, progress.runs.length);
    const next: ComparisonProgress = {
      ...progress,
      runs: [...progress.runs, { side, runId: run.id }],
    };
    await store.updateComparison(record.id, {
      status: 'running',
      statusReason: `run ${next.runs.length} of ${plan.started.length * progress.targetRunsPerSide} (${side.length === 1 ? side.toUpperCase() : side})`,
      runsJson: JSON.stringify(next),
    });
    return 'wait';
  }
  if (plan.finish !== undefined) {
    const statusReason = await plan.finish(
      deps,
      record,
      runs.map((r) => r.id),
    );
    await store.updateComparison(record.id, { status: 'done', statusReason });
    return 'done';
  }
  const statsOf = async (side: ComparisonSide): Promise<RunStatistics[]> => {
    const fixed = await Promise.all((plan.fixed[side] ?? []).map((id) => store.getRun(id)));
    const started = runs.filter((_, i) => progress.runs[i]?.side === side);
    return [...fixed, ...started].flatMap((run) => {
      if (run.summaryJson === null) return [];
      const summary = summarySchema.parse(JSON.parse(run.summaryJson));
      return [runStatisticsFromSummary(summary, { source: run.id })];
    });
  };
  const select = parseSelectors(plan.metrics);
  const result: ComparisonResult = compareRuns(
    await statsOf(plan.baseline),
    await statsOf(plan.candidate),
    {
      ...(plan.minEffect === undefined ? {} : { minEffect: plan.minEffect }),
      ...(plan.alpha === undefined ? {} : { alpha: plan.alpha }),
      ...(select === undefined ? {} : { select }),
    },
  );
  const cap = plan.maxRunsPerSide ?? plan.runsPerSide;
  if (result.counts.inconclusive > 0 && progress.targetRunsPerSide < cap) {
    const next = { ...progress, targetRunsPerSide: progress.targetRunsPerSide + 1 };
    const more = plan.started.length === 1 ? `one more ${plan.started[0]} run` : 'one more pair';
    await store.updateComparison(record.id, {
      statusReason: `${result.counts.inconclusive} inconclusive at ${progress.targetRunsPerSide} runs per side: ${more}`,
      runsJson: JSON.stringify(next),
      resultJson: JSON.stringify(result),
    });
    return 'wait';
  }
  await store.updateComparison(record.id, {
    status: 'done',
    statusReason: verdictLine(result),
    resultJson: JSON.stringify(result),
  });
  return 'done';
}

/** One line saying what the comparison found. */
export function verdictLine(result: ComparisonResult): string {
  const c = result.counts;
  const head = result.regressed ? 'regression' : 'no regression';
  return `${head}: ${c.regression} regression, ${c.improvement} improvement, ${c['no-change']} no-change, ${c.inconclusive} inconclusive (${result.candidate.runs} vs ${result.baseline.runs} runs)`;
}

async function startRun(
  deps: StepDeps,
  record: ComparisonRecord,
  plan: ComparisonPlan,
  side: ComparisonSide,
  index: number,
): Promise<Run> {
  const s = plan.sideSpec(side);
  return deps.queueRun(
    {
      archiveSha256: s.archiveSha256,
      overrides: s.overrides,
      env: s.env,
      labels: { ...s.labels, 'stampede/comparison': record.id, 'stampede/side': side },
      generators: plan.generators,
      ...(plan.pool === undefined ? {} : { pool: plan.pool }),
      projectId: record.projectId,
    },
    `${record.createdBy} (${plan.kind} ${record.id}, run ${index + 1})`,
  );
}
