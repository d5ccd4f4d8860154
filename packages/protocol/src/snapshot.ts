import { z } from 'zod';

/** Metric kinds, as in k6: counters add up, gauges keep the last value, rates count passes/fails, trends keep distributions. */
export const metricTypeSchema = z.enum(['counter', 'gauge', 'rate', 'trend']);
/** A metric kind. */
export type MetricType = z.output<typeof metricTypeSchema>;

/** Tags of one series (method, status, name, scenario, group, check, error_code, …). */
export const tagsSchema = z.record(z.string(), z.string());
/** Tags of one series. */
export type Tags = z.output<typeof tagsSchema>;

const base = { metric: z.string().min(1), tags: tagsSchema };

/**
 * One metric series (a metric and a tag set) over one interval. Trend values are held in an HDR
 * histogram of integer units: microseconds when `isTime`, thousandths of a unit otherwise.
 */
export const seriesSnapshotSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('counter'), ...base, isData: z.boolean(), value: z.number() }),
  z.strictObject({
    type: z.literal('gauge'),
    ...base,
    value: z.number(),
    min: z.number(),
    max: z.number(),
    /** When `value` was set, epoch ms (absent from older agents: the interval's end stands in). */
    setAtMs: z.number().optional(),
  }),
  z.strictObject({
    type: z.literal('rate'),
    ...base,
    passes: z.number().int().nonnegative(),
    fails: z.number().int().nonnegative(),
  }),
  z.strictObject({
    type: z.literal('trend'),
    ...base,
    isTime: z.boolean(),
    count: z.number().int().nonnegative(),
    /** Exact sum of the recorded values (ms for time trends), so the mean is exact. */
    sum: z.number(),
    min: z.number(),
    max: z.number(),
    /** HdrHistogram compressed V2 encoding, base64. */
    hdr: z.string(),
  }),
]);
/** One metric series over one interval. */
export type SeriesSnapshot = z.output<typeof seriesSnapshotSchema>;

/** Health of one load worker over one interval. */
export const workerHealthSchema = z.strictObject({
  worker: z.string(),
  /** Event-loop delay p99 over the interval, ms. */
  eventLoopDelayP99Ms: z.number().nonnegative(),
  /** Event-loop delay max over the interval, ms. */
  eventLoopDelayMaxMs: z.number().nonnegative(),
  /** CPU time of the worker thread divided by wall time (1 = one core fully busy). */
  cpuUtilization: z.number().nonnegative(),
  heapUsedBytes: z.number().nonnegative(),
});
/** Health of one load worker over one interval. */
export type WorkerHealth = z.output<typeof workerHealthSchema>;

/** Everything one producer (worker or generator) measured in one interval (normally 1 s). */
export const intervalSnapshotSchema = z.strictObject({
  v: z.literal(1),
  /** Producer id, such as "w0" for load worker 0, or a generator id. */
  source: z.string(),
  /** Sequence number per source, from 0, without gaps. */
  seq: z.number().int().nonnegative(),
  /** Interval start and end, Unix epoch ms. */
  startMs: z.number(),
  endMs: z.number(),
  series: z.array(seriesSnapshotSchema),
  health: z.array(workerHealthSchema).default([]),
});
/** Everything one producer measured in one interval. */
export type IntervalSnapshot = z.output<typeof intervalSnapshotSchema>;
