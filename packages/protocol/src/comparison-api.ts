// REST bodies of the controller's comparison jobs (issue 9): experiments (A vs B, interleaved),
// and the view of a comparison job with its runs and, once done, its comparison result.
import { z } from 'zod';
import { idParamsSchema, runCreateSchema } from './api.ts';
import { comparisonResultSchema } from './compare.ts';
import { runStatusSchema } from './statuses.ts';

/** One side of an experiment: what each of its runs runs (archive, overrides, env, labels). */
export const experimentSideSchema = runCreateSchema.pick({
  archiveSha256: true,
  overrides: true,
  env: true,
  labels: true,
});
/** One side of an experiment. */
export type ExperimentSide = z.output<typeof experimentSideSchema>;

/** Most runs a comparison job may start per side. */
export const MAX_RUNS_PER_SIDE = 50;

/** `metric` (all its statistics) or `metric:statistic`, as `stampede compare --metric`. */
const metricSelector = z.string().min(1).max(512);

/** Body of `POST /api/v1/experiments`: A vs B with no stored baseline, run interleaved A B A B …. */
export const experimentCreateSchema = z
  .strictObject({
    a: experimentSideSchema,
    b: experimentSideSchema,
    /** Runs per side before the first verdict (≥ 3; default 6). */
    runsPerSide: z.number().int().min(3).max(MAX_RUNS_PER_SIDE).default(6),
    /** While a verdict is inconclusive, one more pair is run, up to this many per side (default: runsPerSide, no extra runs). */
    maxRunsPerSide: z.number().int().min(3).max(MAX_RUNS_PER_SIDE).optional(),
    generators: z.number().int().min(1).default(1),
    pool: runCreateSchema.shape.pool,
    projectId: runCreateSchema.shape.projectId,
    /** Minimum effect as a fraction (0.1 = 10%); the equivalence margin is max(minEffect, 5%). */
    minEffect: z.number().min(0).max(1).optional(),
    alpha: z.number().gt(0).lt(0.5).optional(),
    /** Only these statistics (`http_req_duration:p99`, or `http_req_duration` for all of it). */
    metrics: z.array(metricSelector).max(100).optional(),
  })
  .refine((e) => e.maxRunsPerSide === undefined || e.maxRunsPerSide >= e.runsPerSide, {
    message: 'maxRunsPerSide must be >= runsPerSide',
    path: ['maxRunsPerSide'],
  });
/** Body of an experiment, as sent. */
export type ExperimentCreateInput = z.input<typeof experimentCreateSchema>;
/** Body of an experiment, validated with defaults. */
export type ExperimentCreate = z.output<typeof experimentCreateSchema>;

const labelValue = z.string().min(1).max(256);

/** Fields of `POST /api/v1/compare-jobs`: K runs of a candidate against the stored baseline. */
const compareJobFields = {
  /** The baseline's test name (the runs' `test` label or script name). */
  testName: labelValue,
  /** The branch whose stored baseline the candidate is compared with. */
  branch: labelValue,
  candidate: experimentSideSchema,
  /** Candidate runs before the first verdict (≥ 3; default 6). */
  runsPerSide: z.number().int().min(3).max(MAX_RUNS_PER_SIDE).default(6),
  /** While a verdict is inconclusive, one more candidate run, up to this many (default: runsPerSide). */
  maxRunsPerSide: z.number().int().min(3).max(MAX_RUNS_PER_SIDE).optional(),
  generators: z.number().int().min(1).default(1),
  pool: runCreateSchema.shape.pool,
  projectId: runCreateSchema.shape.projectId,
  minEffect: z.number().min(0).max(1).optional(),
  alpha: z.number().gt(0).lt(0.5).optional(),
  metrics: z.array(metricSelector).max(100).optional(),
};

/** Body of `POST /api/v1/compare-jobs`. */
export const compareJobCreateSchema = z
  .strictObject(compareJobFields)
  .refine((e) => e.maxRunsPerSide === undefined || e.maxRunsPerSide >= e.runsPerSide, {
    message: 'maxRunsPerSide must be >= runsPerSide',
    path: ['maxRunsPerSide'],
  });
/** Body of a compare job, as sent. */
export type CompareJobCreateInput = z.input<typeof compareJobCreateSchema>;

/** A compare job as stored: its body and the baseline's runs when it was queued (later baselines do not change it). */
export const compareJobSpecSchema = z.strictObject({
  ...compareJobFields,
  baselineRunIds: z.array(z.string()).min(1),
});
/** A compare job as stored. */
export type CompareJobSpec = z.output<typeof compareJobSpecSchema>;

/** Body of `POST /api/v1/baseline-jobs`: K runs of a test that become the branch's baseline. */
export const baselineJobCreateSchema = z.strictObject({
  testName: labelValue,
  branch: labelValue,
  /** What each run runs; the runs are labelled test=testName and branch=branch. */
  run: experimentSideSchema,
  /** Runs of the baseline (≥ 3; default 6). */
  runsPerSide: z.number().int().min(3).max(MAX_RUNS_PER_SIDE).default(6),
  generators: z.number().int().min(1).default(1),
  pool: runCreateSchema.shape.pool,
  projectId: runCreateSchema.shape.projectId,
});
/** Body of a baseline job, as sent. */
export type BaselineJobCreateInput = z.input<typeof baselineJobCreateSchema>;
/** Body of a baseline job, validated with defaults. */
export type BaselineJobCreate = z.output<typeof baselineJobCreateSchema>;

/** Kinds of comparison jobs. */
export const comparisonKindSchema = z.enum(['baseline', 'compare', 'experiment']);
/** A kind of comparison job. */
export type ComparisonKind = z.output<typeof comparisonKindSchema>;
/** Statuses of a comparison job: queued → running → done | errored | aborted. */
export const comparisonStatusSchema = z.enum(['queued', 'running', 'done', 'errored', 'aborted']);

/** One run a comparison job started, in start order. */
export const comparisonRunSchema = z.strictObject({
  side: z.enum(['a', 'b', 'baseline', 'candidate']),
  runId: z.string(),
  status: runStatusSchema,
});

/** A comparison job as the API shows it. */
export const comparisonViewSchema = z.strictObject({
  id: z.string(),
  kind: comparisonKindSchema,
  projectId: z.string(),
  status: comparisonStatusSchema,
  statusReason: z.string(),
  createdBy: z.string(),
  createdAtMs: z.number(),
  updatedAtMs: z.number(),
  /** Runs per side the job aims at now (grows while inconclusive, up to the cap). */
  targetRunsPerSide: z.number().int(),
  runs: z.array(comparisonRunSchema),
  /** The comparison (candidate/B vs baseline/A) once computed. */
  result: comparisonResultSchema.nullable(),
});
/** A comparison job as the API shows it. */
export type ComparisonView = z.output<typeof comparisonViewSchema>;

/** A list of comparison jobs, newest first. */
export const comparisonListSchema = z.strictObject({ items: z.array(comparisonViewSchema) });

/** Params of `GET /api/v1/comparisons/:id`. */
export const comparisonParamsSchema = idParamsSchema;

/** Params of `/api/v1/baselines/:test/:branch`: the test name and branch labels of the runs. */
export const baselineParamsSchema = z.strictObject({ test: labelValue, branch: labelValue });

/** Query of the baseline routes: the project (default project when absent). */
export const baselineQuerySchema = z.strictObject({
  projectId: runCreateSchema.shape.projectId,
});

/** Body of `POST /api/v1/baselines/:test/:branch`: these ended runs become the branch's baseline. */
export const baselineSetSchema = z.strictObject({
  runIds: z.array(z.string().min(1).max(100)).min(1).max(MAX_RUNS_PER_SIDE),
});

/** Environment fingerprint of runs: what must match for their numbers to be compared as is. */
export const environmentFingerprintSchema = z.strictObject({
  generators: z.number().int(),
  workersPerGenerator: z.number().int(),
  stampedeVersion: z.string(),
});
/** Environment fingerprint of runs. */
export type EnvironmentFingerprint = z.output<typeof environmentFingerprintSchema>;

/** The branch's baseline: the set of runs ("master set") candidates are compared with. */
export const baselineViewSchema = z.strictObject({
  projectId: z.string(),
  testName: z.string(),
  branch: z.string(),
  runIds: z.array(z.string()),
  fingerprint: environmentFingerprintSchema,
  setBy: z.string(),
  setAtMs: z.number(),
});
/** The branch's baseline. */
export type BaselineView = z.output<typeof baselineViewSchema>;
