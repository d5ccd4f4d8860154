// Live progress of a distributed run, as the controller merges it from every generator's
// snapshots; served by `GET /api/v1/runs/:id/live` and shown by `stampede run --server`.
import { z } from 'zod';
import { agentActivitySchema } from './agent-protocol.ts';

/** One generator of a run as the controller sees it. */
export const runGeneratorViewSchema = z.strictObject({
  generatorId: z.string(),
  name: z.string(),
  activity: agentActivitySchema,
  /** Highest snapshot seq stored per source of this generator. */
  lastSeqs: z.record(z.string(), z.number().int()),
  /** Event-loop delay p99 / CPU / saturation from the last heartbeat, if any. */
  saturated: z.boolean(),
  lastHeartbeatMs: z.number().nullable(),
});
/** One generator of a run. */
export type RunGeneratorView = z.output<typeof runGeneratorViewSchema>;

/** Live figures of a run over the last merged interval and since the start. */
export const runLiveSchema = z.strictObject({
  runId: z.string(),
  status: z.string(),
  statusReason: z.string(),
  /** Ms since the coordinated start (0 before it). */
  elapsedMs: z.number().nonnegative(),
  vus: z.number().int().nonnegative(),
  vusMax: z.number().int().nonnegative(),
  /** Requests per second over the last interval. */
  requestRatePerSec: z.number().nonnegative(),
  /** Failed requests over the last interval. */
  failedRequests: z.number().int().nonnegative(),
  /** Requests over the last interval (the denominator of errorRate). */
  intervalRequests: z.number().int().nonnegative(),
  /** Share of failed requests over the last interval, 0..1, or null without requests. */
  errorRate: z.number().min(0).max(1).nullable(),
  /** p50 of http_req_duration over the last interval (merged histograms), ms, or null without requests. */
  p50Ms: z.number().nullable(),
  /** p95 of http_req_duration over the last interval, ms, or null without requests. */
  p95Ms: z.number().nullable(),
  /** p99 of http_req_duration over the last interval (merged histograms), ms, or null without requests. */
  p99Ms: z.number().nullable(),
  /** Requests and iterations since the start. */
  totalRequests: z.number().int().nonnegative(),
  iterations: z.number().int().nonnegative(),
  failingThresholds: z.number().int().nonnegative(),
  generators: z.array(runGeneratorViewSchema),
});
/** Live figures of a run. */
export type RunLive = z.output<typeof runLiveSchema>;
