// What the controller knows of a run's resolved plan. It runs no user code, so generator 0 reports
// the thresholds, metric types and scenario executors with `ready` (AgentStateReport.plan).
import type { AgentStateReport, MetricType } from '@stampede/protocol';
import { builtinMetric, compileThresholds } from '@stampede/engine/results';
import type { CompiledThreshold } from '@stampede/engine/results';

/** The plan facts generator 0 reports with `ready`. */
export type PlanReport = NonNullable<AgentStateReport['plan']>;

/** A plan report without thresholds or scenarios, for runs whose generator 0 sent none. */
export const EMPTY_PLAN: PlanReport = { thresholds: {}, metricTypes: {}, scenarios: {} };

/**
 * Compiles the reported thresholds; a metric's type comes from the report, else the built-in
 * metrics, else the snapshots seen so far (`seenType`). Throws the engine's INVALID_OPTIONS error.
 */
export function compilePlanThresholds(
  plan: PlanReport,
  seenType: (metric: string) => MetricType | undefined = () => undefined,
): CompiledThreshold[] {
  return compileThresholds(
    plan.thresholds,
    (name) => plan.metricTypes[name] ?? builtinMetric(name)?.type ?? seenType(name),
  );
}

/** Scenario figures as reported by generators with `finished`, summed over generators. */
export type ScenarioCounts = Record<string, { iterations: number; droppedIterations: number }>;

/** Adds one generator's finished scenario counts into `into`. */
export function addScenarioCounts(
  into: ScenarioCounts,
  more: AgentStateReport['scenarios'] | undefined,
): void {
  for (const [name, s] of Object.entries(more ?? {})) {
    const t = (into[name] ??= { iterations: 0, droppedIterations: 0 });
    t.iterations += s.iterations;
    t.droppedIterations += s.droppedIterations;
  }
}

/** The summary's scenarios: every planned scenario with its executor and summed counts. */
export function summaryScenarios(
  plan: PlanReport,
  counts: ScenarioCounts,
): Record<string, { executor: string; iterations: number; droppedIterations: number }> {
  const out: Record<string, { executor: string; iterations: number; droppedIterations: number }> =
    {};
  for (const [name, s] of Object.entries(plan.scenarios)) {
    const c = counts[name];
    out[name] = {
      executor: s.executor,
      iterations: c?.iterations ?? 0,
      droppedIterations: c?.droppedIterations ?? 0,
    };
  }
  // Scenarios a generator counted but the plan report did not name still show up.
  for (const [name, c] of Object.entries(counts)) {
    out[name] ??= { executor: 'unknown', ...c };
  }
  return out;
}
