// REST bodies of the history of run statistics (issue 9): one series of a test on a branch, its
// points (one per run) and its change points as the controller reported them.
import { z } from 'zod';
import { queryLimitSchema, runCreateSchema } from './api.ts';
import { changePointSettingsSchema, directionSchema } from './compare.ts';

/** Statistics a history series can hold: trends' percentiles and mean, counters' and rates' rate. */
export const HISTORY_STATISTICS = ['p50', 'p90', 'p95', 'p99', 'mean', 'rate'] as const;

const labelValue = z.string().min(1).max(256);

/** Params of `GET /api/v1/history/:test`: the test name (its `test` label, or its script's name). */
export const historyParamsSchema = z.strictObject({ test: labelValue });

/** Query of `GET /api/v1/history/:test`. */
export const historyQuerySchema = z.strictObject({
  /** The runs' `branch` label (default `main`). */
  branch: labelValue.default('main'),
  /** Series key as in the summary (default `http_req_duration`; `http_req_duration{name:home}`). */
  metric: z.string().min(1).max(512).default('http_req_duration'),
  statistic: z.enum(HISTORY_STATISTICS).default('p99'),
  /** The newest points shown (default 200, at most 10 000); change points are all listed. */
  limit: queryLimitSchema(10_000),
  projectId: runCreateSchema.shape.projectId,
});
/** Query of the history route, validated with defaults. */
export type HistoryQuery = z.output<typeof historyQuerySchema>;

/** One run's value of the series. */
export const historyPointViewSchema = z.strictObject({
  runId: z.string(),
  /** When the run started, Unix epoch ms. */
  atMs: z.number(),
  /** The statistic of that run (ms for time trends, per second for counters, 0..1 for rates). */
  value: z.number(),
  /** The run's `commit` label, or null. */
  commit: z.string().nullable(),
});
/** One run's value of the series. */
export type HistoryPointView = z.output<typeof historyPointViewSchema>;

/** A change point of the series as reported; the `firstSeen*` fields are never rewritten. */
export const historyChangePointSchema = z.strictObject({
  /** The first run of the new segment. */
  runId: z.string(),
  /** Its position among every point the series ever had, 0-based. */
  index: z.number().int().nonnegative(),
  /** When that run started, Unix epoch ms. */
  atMs: z.number(),
  /** Which way the mean moved. */
  direction: z.enum(['increase', 'decrease']),
  /** Whether that way is worse for this statistic (latency up, request rate down, …). */
  worse: z.boolean(),
  /** Relative change of the segment means, percent, as first reported. */
  changePct: z.number(),
  meanBefore: z.number(),
  meanAfter: z.number(),
  /** Permutation-test p-value, as first reported. */
  pValue: z.number(),
  /** `provisional` until enough runs follow it, then `confirmed`; `withdrawn` if it faded first. */
  status: z.enum(['provisional', 'confirmed', 'withdrawn']),
  statusAtMs: z.number(),
  /** When the controller first reported it, Unix epoch ms, and the newest run at that time. */
  firstSeenAtMs: z.number(),
  firstSeenAfterRunId: z.string(),
});
/** A change point of the series. */
export type HistoryChangePoint = z.output<typeof historyChangePointSchema>;

/** `GET /api/v1/history/:test`: one series with its points (oldest first) and change points. */
export const historyViewSchema = z.strictObject({
  projectId: z.string(),
  testName: z.string(),
  branch: z.string(),
  metric: z.string(),
  statistic: z.string(),
  direction: directionSchema,
  /** Points the series has in all (the answer holds the newest `limit`). */
  totalPoints: z.number().int().nonnegative(),
  points: z.array(historyPointViewSchema),
  changePoints: z.array(historyChangePointSchema),
  /** The detector's settings of this series. */
  settings: changePointSettingsSchema,
});
/** One series of the history. */
export type HistoryView = z.output<typeof historyViewSchema>;
