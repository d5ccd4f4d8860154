import type { ExecutorProgress } from '../executors/types.ts';

/** Adds the progress of one scenario reported by several load workers into one view. */
export function mergeProgress(
  perWorker: readonly (readonly ExecutorProgress[])[],
): ExecutorProgress[] {
  const byScenario = new Map<string, ExecutorProgress>();
  for (const list of perWorker) {
    for (const p of list) {
      const m = byScenario.get(p.scenario);
      if (!m) {
        byScenario.set(p.scenario, { ...p });
        continue;
      }
      m.elapsedMs = Math.max(m.elapsedMs, p.elapsedMs);
      m.plannedMs = Math.max(m.plannedMs, p.plannedMs);
      m.activeVus += p.activeVus;
      m.allocatedVus += p.allocatedVus;
      m.iterationsStarted += p.iterationsStarted;
      m.iterationsCompleted += p.iterationsCompleted;
      m.iterationsInterrupted += p.iterationsInterrupted;
      m.dropped += p.dropped;
      m.done &&= p.done;
    }
  }
  return [...byScenario.values()];
}
