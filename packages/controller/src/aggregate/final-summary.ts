// The end-of-run summary of a distributed run: rebuilt from every snapshot in the store (not from
// the live merge, which may have missed snapshots stored by another controller or after a
// restart), in the same Summary JSON as a local `stampede run --summary-json`.
import { intervalSnapshotSchema } from '@stampede/protocol';
import type { Summary } from '@stampede/protocol';
import type { Store } from '@stampede/store';
import { MetricTotals, buildSummary, evaluateThresholds } from '@stampede/engine/results';
import type { CompiledThreshold } from '@stampede/engine/results';
import {
  EMPTY_PLAN,
  compilePlanThresholds,
  summaryScenarios,
  type PlanReport,
  type ScenarioCounts,
} from './run-plan.ts';

/** What the summary needs besides the stored snapshots. */
export interface FinalSummaryInput {
  runId: string;
  plan: PlanReport | null;
  /** Coordinated start and end of the run, Unix epoch ms; null: the first interval's start, the last one's end. */
  startedAtMs: number | null;
  endedAtMs: number | null;
  /** Now, Unix epoch ms: the end when nothing else is known. */
  nowMs: number;
  scenarios: ScenarioCounts;
  abortReason: string | null;
}

/** The summary and what the run's final status follows from. */
export interface FinalSummary {
  summary: Summary;
  thresholdsOk: boolean;
  snapshots: number;
  /** Stored snapshots that did not parse or merge (left out). */
  skipped: number;
}

/** Builds the run's summary from all its stored snapshots and evaluates the thresholds once more. */
export async function buildFinalSummary(
  store: Store,
  input: FinalSummaryInput,
): Promise<FinalSummary> {
  const totals = new MetricTotals();
  const records = await store.listSnapshots(input.runId);
  let skipped = 0;
  for (const r of records) {
    try {
      totals.add(intervalSnapshotSchema.parse(JSON.parse(r.payloadJson)));
    } catch {
      skipped++;
    }
  }
  const plan = input.plan ?? EMPTY_PLAN;
  let thresholds: CompiledThreshold[] = [];
  let abortReason = input.abortReason;
  try {
    thresholds = compilePlanThresholds(plan, (m) => totals.metricType(m));
  } catch (err) {
    abortReason ??= `thresholds could not be compiled: ${(err as Error).message}`;
  }
  const startedAtMs = input.startedAtMs ?? totals.startMs ?? input.nowMs;
  const endedAtMs = Math.max(startedAtMs, input.endedAtMs ?? totals.endMs ?? input.nowMs);
  const evaluation = evaluateThresholds(thresholds, totals, endedAtMs - startedAtMs);
  const summary = buildSummary({
    totals,
    thresholds: evaluation.results,
    startedAtMs,
    endedAtMs,
    scenarios: summaryScenarios(plan, input.scenarios),
    abortReason,
    subMetricKeys: thresholds.map((t) => t.key),
  });
  return {
    summary,
    thresholdsOk: evaluation.results.every((r) => r.ok),
    snapshots: records.length,
    skipped,
  };
}
