// A run's figures over time, one point per interval bucket, as columns: what the HTML report
// embeds and the web UI's charts draw (the live page builds the same columns from its polls).
import { z } from 'zod';
import { summarySchema } from './summary.ts';

const column = z.array(z.number().nullable());

/** Columns of a run's time series; x in Unix epoch seconds, latencies in ms, error rate in percent. */
export const timeSeriesSchema = z.strictObject({
  /** End of each bucket, Unix epoch seconds. */
  timesSec: z.array(z.number()),
  /** Requests per second in each bucket. */
  ratePerSec: column,
  /** http_req_duration percentiles of each bucket from the merged histograms, ms (null: no request). */
  p50Ms: column,
  p95Ms: column,
  p99Ms: column,
  /** Failed requests in percent of the bucket's requests (null: no request). */
  errorPct: column,
  /** VUs at the end of each bucket, summed over sources. */
  vus: column,
});
/** A run's time series. */
export type TimeSeries = z.output<typeof timeSeriesSchema>;

/** What the self-contained HTML report embeds: the summary and, when intervals were given, the time series. */
export const reportDataSchema = z.strictObject({
  v: z.literal(1),
  /** The report's title (the summary file's name or the script's). */
  title: z.string(),
  generatedAtMs: z.number(),
  summary: summarySchema,
  /** Shown above everything, e.g. that the summary was rebuilt from intervals without thresholds. */
  note: z.string().nullable(),
  series: timeSeriesSchema.nullable(),
});
/** The data of an HTML report. */
export type ReportData = z.output<typeof reportDataSchema>;
