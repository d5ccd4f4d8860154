// Snapshots can reach the store after a run ended: an abort does not wait for the agents'
// spools, and a restarted controller aborts the runs it cannot resume before their generators
// have uploaded what they spooled while it was down. The stored summary of such a run is rebuilt
// when they arrive, so its totals are those of every stored snapshot, aborts included.
import { summarySchema } from '@stampede/protocol';
import type { Store } from '@stampede/store';
import { buildFinalSummary } from './final-summary.ts';
import type { PlanReport } from './run-plan.ts';

/**
 * Rebuilds the stored summary of an aborted or errored run from all its stored snapshots,
 * keeping what snapshots do not carry (start, abort reason, scenario counts, and the threshold
 * results when the plan is unknown); answers whether it was rebuilt.
 */
export async function rebuildEndedRunSummary(
  store: Store,
  runId: string,
  plan: PlanReport | null,
  nowMs: number,
): Promise<boolean> {
  const run = await store.getRun(runId);
  if ((run.status !== 'aborted' && run.status !== 'errored') || run.summaryJson === null) {
    return false;
  }
  const previous = summarySchema.safeParse(JSON.parse(run.summaryJson));
  if (!previous.success) return false;
  const old = previous.data;
  const { summary } = await buildFinalSummary(store, {
    runId,
    plan,
    startedAtMs: Date.parse(old.startedAt),
    // The last interval's end: snapshots arriving now may extend the run past the old summary's end.
    endedAtMs: null,
    nowMs,
    scenarios: Object.fromEntries(
      Object.entries(old.scenarios).map(([name, s]) => [
        name,
        { iterations: s.iterations, droppedIterations: s.droppedIterations },
      ]),
    ),
    abortReason: old.abortReason,
  });
  if (plan === null) {
    summary.thresholds = old.thresholds;
    summary.scenarios = old.scenarios;
  }
  await store.setRunSummary(runId, JSON.stringify(summary));
  return true;
}
