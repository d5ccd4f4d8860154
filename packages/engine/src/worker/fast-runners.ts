import { systemClock } from '../clock.ts';
import { EngineError } from '../errors.ts';
import type { ExecutorRunner } from '../executors/types.ts';
import { createFastRunner } from '../fastpath/executor-adapter.ts';
import { resolveTemplates } from '../fastpath/shared.ts';
import type { MetricRegistry } from '../metrics/registry.ts';
import type { SegmentPlan } from '../segment/segment-plan.ts';
import { targetChecker } from './allow-list.ts';
import type { FastPathInit, WorkerInit } from './messages.ts';

/** Builds a worker's fast-path runners: one executor adapter per scenario, all on the init's templates. */
export async function createFastRunners(
  msg: WorkerInit,
  fast: FastPathInit,
  registry: MetricRegistry,
  segmentPlan: SegmentPlan,
  onVus: (scenario: string) => (active: number, allocated: number) => void,
): Promise<ExecutorRunner[]> {
  const options = msg.plan.options;
  // The main thread chose the fast path only for allowed targets; a worker still refuses others.
  const checkTarget = targetChecker(msg.allowTargets);
  for (const t of fast.templates) {
    const refused = checkTarget?.(new URL(t.url)) ?? null;
    if (refused !== null) throw new EngineError('INVALID_INPUT', refused);
  }
  let resolved;
  try {
    resolved = await resolveTemplates(
      fast.templates,
      options.userAgent,
      !options.noConnectionReuse,
    );
  } catch (error) {
    throw new EngineError('INVALID_INPUT', `request templates: ${(error as Error).message}`);
  }
  const runners = Object.entries(msg.plan.scenarios).map(([name, scenario]) =>
    createFastRunner(name, scenario, segmentPlan, {
      resolved,
      registry,
      clock: systemClock,
      testTags: options.tags,
      pipelining: fast.pipelining,
      timeoutMs: options.httpTimeout,
      rejectUnauthorized: !options.insecureSkipTLSVerify,
      onVus: onVus(name),
    }),
  );
  await Promise.all(runners.map((r) => r.prepare()));
  return runners;
}
