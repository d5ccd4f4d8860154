// The live figures a run page has seen, one point per poll, kept as columns for the charts. The
// controller serves only the latest merged interval (GET /runs/:id/live), so the series starts
// when the page was opened.
import type { RunLive, TimeSeries } from '@stampede/protocol';

/** Most points kept (6 h at one a second): older ones are dropped first. */
export const MAX_POINTS = 6 * 3600;

/** Columns of the live charts (the time series a report has); x in epoch seconds. */
export type LiveSeries = TimeSeries;

type Column = Exclude<keyof LiveSeries, 'timesSec'>;

/** The value of each column for one live answer. */
function pointOf(live: RunLive): Record<Column, number | null> {
  return {
    ratePerSec: live.requestRatePerSec,
    p50Ms: live.p50Ms,
    p95Ms: live.p95Ms,
    p99Ms: live.p99Ms,
    errorPct: live.errorRate === null ? null : live.errorRate * 100,
    vus: live.vus,
  };
}

/** An empty series. */
export function emptySeries(): LiveSeries {
  return {
    timesSec: [],
    ratePerSec: [],
    p50Ms: [],
    p95Ms: [],
    p99Ms: [],
    errorPct: [],
    vus: [],
  };
}

/** A new series with `live` appended at `nowMs` (same-second polls replace the last point), at most `maxPoints` long. */
export function appendLive(
  series: LiveSeries,
  live: RunLive,
  nowMs: number,
  maxPoints = MAX_POINTS,
): LiveSeries {
  const t = Math.floor(nowMs / 1000);
  const replace = series.timesSec.at(-1) === t;
  const append = <T>(col: T[], value: T): T[] => {
    const kept = replace ? col.slice(0, -1) : col.slice();
    const cut = kept.length >= maxPoints ? kept.slice(kept.length - maxPoints + 1) : kept;
    cut.push(value);
    return cut;
  };
  const point = pointOf(live);
  const out = { timesSec: append(series.timesSec, t) } as LiveSeries;
  for (const key of Object.keys(point) as Column[]) out[key] = append(series[key], point[key]);
  return out;
}
