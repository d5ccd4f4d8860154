// The live figures a run page has seen, one point per poll, kept as columns for the charts. The
// controller serves only the latest merged interval (GET /runs/:id/live), so the series starts
// when the page was opened.
import type { RunLive } from '@stampede/protocol';

/** Most points kept (6 h at one a second): older ones are dropped first. */
export const MAX_POINTS = 6 * 3600;

/** Columns of the live charts; x in epoch seconds. */
export interface LiveSeries {
  timesSec: number[];
  ratePerSec: (number | null)[];
  p95Ms: (number | null)[];
  failed: (number | null)[];
  vus: (number | null)[];
}

/** An empty series. */
export function emptySeries(): LiveSeries {
  return { timesSec: [], ratePerSec: [], p95Ms: [], failed: [], vus: [] };
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
  const cut = (col: (number | null)[] | number[]) => {
    const kept = replace ? col.slice(0, -1) : col.slice();
    return kept.length >= maxPoints ? kept.slice(kept.length - maxPoints + 1) : kept;
  };
  return {
    timesSec: [...(cut(series.timesSec) as number[]), t],
    ratePerSec: [...cut(series.ratePerSec), live.requestRatePerSec],
    p95Ms: [...cut(series.p95Ms), live.p95Ms],
    failed: [...cut(series.failed), live.failedRequests],
    vus: [...cut(series.vus), live.vus],
  };
}
