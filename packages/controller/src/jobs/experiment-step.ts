// One step of an experiment job (A vs B, no stored baseline): start the next run of the
// interleaved order A B A B … once the previous one has ended, and when every side has its runs,
// compare them with the analysis package. Runs go one at a time so A and B never share the
// generators or the target, and slow drift hits both sides alike.
import {
  compareRuns,
  runStatisticsFromSummary,
  type MetricSelector,
  type RunStatistics,
} from '@stampede/analysis';
import {
  experimentCreateSchema,
  summarySchema,
  type ComparisonResult,
  type ExperimentCreate,
  type RunCreate,
} from '@stampede/protocol';
import { isTerminalRunStatus, type ComparisonRecord, type Run, type Store } from '@stampede/store';
import { z } from 'zod';

/** The job's progress kept in the comparison record's runsJson. */
export const experimentProgressSchema = z.strictObject({
  targetRunsPerSide: z.number().int(),
  runs: z.array(z.strictObject({ side: z.enum(['a', 'b']), runId: z.string() })),
});
/** The job's progress. */
export type ExperimentProgress = z.output<typeof experimentProgressSchema>;

/** What a step may do besides reading and writing the store. */
export interface StepDeps {
  store: Store;
  /** Queues one run (the same checks as POST /api/v1/runs). */
  queueRun(body: RunCreate, actor: string): Promise<Run>;
}

/** What a step ended with: `wait` (a run is in progress) or `done` (the record is final). */
export type StepOutcome = 'wait' | 'done';

/** Progress of a record (a new record has none yet). */
export function progressOf(record: ComparisonRecord, spec: ExperimentCreate): ExperimentProgress {
  const raw: unknown = JSON.parse(record.runsJson);
  if (Array.isArray(raw)) return { targetRunsPerSide: spec.runsPerSide, runs: [] };
  return experimentProgressSchema.parse(raw);
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

/** Advances the experiment by at most one run start or one comparison. */
export async function stepExperiment(
  deps: StepDeps,
  record: ComparisonRecord,
): Promise<StepOutcome> {
  const { store } = deps;
  const spec = experimentCreateSchema.parse(JSON.parse(record.specJson));
  const progress = progressOf(record, spec);
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
  const countA = progress.runs.filter((r) => r.side === 'a').length;
  const countB = progress.runs.length - countA;
  if (countA < progress.targetRunsPerSide || countB < progress.targetRunsPerSide) {
    const side = countA <= countB ? 'a' : 'b';
    const run = await startSide(deps, record, spec, side, progress.runs.length);
    const next: ExperimentProgress = {
      ...progress,
      runs: [...progress.runs, { side, runId: run.id }],
    };
    await store.updateComparison(record.id, {
      status: 'running',
      statusReason: `run ${next.runs.length} of ${2 * progress.targetRunsPerSide} (${side.toUpperCase()})`,
      runsJson: JSON.stringify(next),
    });
    return 'wait';
  }
  const statsOf = (side: 'a' | 'b'): RunStatistics[] =>
    progress.runs.flatMap((r, i) => {
      if (r.side !== side) return [];
      const run = runs[i] as Run;
      if (run.summaryJson === null) return [];
      const summary = summarySchema.parse(JSON.parse(run.summaryJson));
      return [runStatisticsFromSummary(summary, { source: run.id })];
    });
  const select = parseSelectors(spec.metrics);
  const result: ComparisonResult = compareRuns(statsOf('a'), statsOf('b'), {
    ...(spec.minEffect === undefined ? {} : { minEffect: spec.minEffect }),
    ...(spec.alpha === undefined ? {} : { alpha: spec.alpha }),
    ...(select === undefined ? {} : { select }),
  });
  const cap = spec.maxRunsPerSide ?? spec.runsPerSide;
  if (result.counts.inconclusive > 0 && progress.targetRunsPerSide < cap) {
    const next = { ...progress, targetRunsPerSide: progress.targetRunsPerSide + 1 };
    await store.updateComparison(record.id, {
      statusReason: `${result.counts.inconclusive} inconclusive at ${progress.targetRunsPerSide} runs per side: one more pair`,
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

async function startSide(
  deps: StepDeps,
  record: ComparisonRecord,
  spec: ExperimentCreate,
  side: 'a' | 'b',
  index: number,
): Promise<Run> {
  const s = spec[side];
  return deps.queueRun(
    {
      archiveSha256: s.archiveSha256,
      overrides: s.overrides,
      env: s.env,
      labels: { ...s.labels, 'stampede/comparison': record.id, 'stampede/side': side },
      generators: spec.generators,
      ...(spec.pool === undefined ? {} : { pool: spec.pool }),
      projectId: record.projectId,
    },
    `${record.createdBy} (experiment ${record.id}, run ${index + 1})`,
  );
}
