import { z } from 'zod';

/** Current version of the summary JSON format (docs/summary-json.md). */
export const SUMMARY_VERSION = 1;

/** Summary values of a trend; time trends in ms. */
export const trendValuesSchema = z.strictObject({
  count: z.number(),
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
});

/** One metric (or sub-metric, keyed `name{tag:value}`) in the summary. */
export const summaryMetricSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('trend'),
    contains: z.enum(['time', 'default']),
    values: trendValuesSchema,
  }),
  z.strictObject({
    type: z.literal('counter'),
    contains: z.enum(['data', 'default']),
    values: z.strictObject({ count: z.number(), rate: z.number() }),
  }),
  z.strictObject({
    type: z.literal('gauge'),
    values: z.strictObject({ value: z.number(), min: z.number(), max: z.number() }),
  }),
  z.strictObject({
    type: z.literal('rate'),
    values: z.strictObject({ rate: z.number(), passes: z.number(), fails: z.number() }),
  }),
]);
/** One metric in the summary. */
export type SummaryMetric = z.output<typeof summaryMetricSchema>;

/** One threshold expression and its result at the end of the test. */
export const summaryThresholdSchema = z.strictObject({
  expression: z.string(),
  ok: z.boolean(),
  /** The aggregated value the expression compared, or null when the metric had no data. */
  value: z.number().nullable(),
  abortOnFail: z.boolean(),
});

/** One check with its passes and fails; `group` is the group path ("" at top level). */
export const summaryCheckSchema = z.strictObject({
  name: z.string(),
  group: z.string(),
  passes: z.number(),
  fails: z.number(),
});

/** Health of the load generator over the whole run. */
export const generatorSummarySchema = z.strictObject({
  workers: z.number(),
  /** Which path sent the requests: `fast` (request templates on raw sockets) or `scripted`. */
  path: z.enum(['fast', 'scripted']).optional(),
  /** Highest per-interval event-loop delay p99 of any load worker, ms. */
  eventLoopDelayP99Ms: z.number(),
  /** Mean CPU utilisation of the load workers (1 = one core busy per worker). */
  cpuUtilization: z.number(),
  /** Highest CPU utilisation of a worker in any interval. */
  cpuUtilizationMax: z.number(),
  /** True when the generator itself was the bottleneck: its numbers are suspect. */
  saturated: z.boolean(),
  reasons: z.array(z.string()),
});

/** Failed requests of a run, counted by the client's error code and by HTTP status. */
export const summaryErrorsSchema = z.strictObject({
  /** Requests that failed (http_req_failed), whatever the reason. */
  failedRequests: z.number(),
  /** Requests that got no response, by stable error code (ECONNREFUSED, ETIMEDOUT, …), most first. */
  byErrorCode: z.array(
    z.strictObject({ code: z.string(), count: z.number(), description: z.string() }),
  ),
  /** Failed requests that got a response (status >= 400), by status, most first. */
  byStatus: z.array(z.strictObject({ status: z.number(), count: z.number() })),
});

/** One endpoint of the per-endpoint table: the `name` tag, or method + URL template when unnamed. */
export const summaryEndpointSchema = z.strictObject({
  /** The request's `name` tag, or its URL with ids replaced by `{id}` and the query left out. */
  name: z.string(),
  /** The HTTP method, or `*` when requests of several methods share the name. */
  method: z.string(),
  requests: z.number(),
  failures: z.number(),
  /** http_req_duration percentiles of the endpoint's requests, ms (from its merged histogram). */
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  /** Requests per second over the run's duration. */
  ratePerSec: z.number(),
});

/** The end-of-test summary written by `--summary-json` (format version 1). */
export const summarySchema = z.strictObject({
  version: z.literal(SUMMARY_VERSION),
  tool: z.strictObject({ name: z.literal('stampede'), version: z.string() }),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number(),
  /** passed | failed (a threshold failed) | aborted (abortOnFail, Ctrl-C or error). */
  result: z.enum(['passed', 'failed', 'aborted']),
  abortReason: z.string().nullable(),
  scenarios: z.record(
    z.string(),
    z.strictObject({ executor: z.string(), iterations: z.number(), droppedIterations: z.number() }),
  ),
  metrics: z.record(z.string(), summaryMetricSchema),
  thresholds: z.record(z.string(), z.array(summaryThresholdSchema)),
  checks: z.array(summaryCheckSchema),
  /** Added in 1.x; absent in summaries written before it. */
  errors: summaryErrorsSchema.optional(),
  /** Per-endpoint table, busiest first, at most `ENDPOINT_LIMIT` rows; added in 1.x. */
  endpoints: z.array(summaryEndpointSchema).optional(),
  /** Endpoints beyond the limit, merged into none of the rows (0 or absent when none). */
  endpointsOmitted: z.number().optional(),
  generator: generatorSummarySchema,
  /** Labels of the run (`--label key=value`, or the controller run's labels); absent when none. */
  labels: z.record(z.string(), z.string()).optional(),
});
/** Failed requests by error code and status. */
export type SummaryErrors = z.output<typeof summaryErrorsSchema>;
/** One row of the per-endpoint table. */
export type SummaryEndpoint = z.output<typeof summaryEndpointSchema>;
/** The end-of-test summary. */
export type Summary = z.output<typeof summarySchema>;
