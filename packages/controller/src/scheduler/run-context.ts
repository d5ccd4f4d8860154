// What a run driver works with, and the run's plan as the REST API stored it.
import type { Run, Store } from '@stampede/store';
import { z } from 'zod';
import type { AgentHub } from '../agents/agent-hub.ts';
import type { PoolRegistry } from '../pool/pool.ts';
import type { ControllerClock } from '../services.ts';
import type { ControllerLog } from './log.ts';
import type { SchedulerConfig } from './scheduler-config.ts';

/** The parts of the controller a run driver uses. */
export interface RunContext {
  store: Store;
  clock: ControllerClock;
  hub: AgentHub;
  pools: PoolRegistry;
  config: SchedulerConfig;
  log: ControllerLog;
}

// planJson as written by POST /api/v1/runs: { overrides, env, archiveSha256, allowTargets, maxDurationMs }. Read leniently:
// the API validated it, and a field added later must not break runs queued before.
const storedPlanSchema = z.looseObject({
  overrides: z.unknown().optional(),
  env: z.record(z.string(), z.string()).optional(),
  allowTargets: z.array(z.string()).min(1).optional(),
  maxDurationMs: z.number().int().positive().optional(),
});

/** What generators get of the run's plan: the overrides as JSON, the environment and, when queued with one, the effective allow-list and duration cap. */
export interface RunPlanParts {
  overridesJson: string;
  env: Record<string, string>;
  /** The allow-list to enforce; absent in plans stored before project policies (the installation's then applies). */
  allowTargets?: string[];
  /** The duration cap when generator 0 reports no plan duration, ms; absent in older plans. */
  maxDurationMs?: number;
}

/** Reads the run's stored plan; a plan that does not parse yields no overrides and no env. */
export function parseRunPlan(run: Run): RunPlanParts {
  let raw: unknown;
  try {
    raw = JSON.parse(run.planJson);
  } catch {
    raw = {};
  }
  const parsed = storedPlanSchema.safeParse(raw);
  const plan = parsed.success ? parsed.data : {};
  return {
    overridesJson: JSON.stringify(plan.overrides ?? {}),
    env: plan.env ?? {},
    ...(plan.allowTargets === undefined ? {} : { allowTargets: plan.allowTargets }),
    ...(plan.maxDurationMs === undefined ? {} : { maxDurationMs: plan.maxDurationMs }),
  };
}
