// Queuing one run: the project's effective caps, archive, allow-list, store, run job, audit, wake the scheduler. Used by
// POST /api/v1/runs and by the comparison jobs, which start their runs the same way.
import { API_PREFIX, type RunCreate, type RunPlan } from '@stampede/protocol';
import { DEFAULT_PROJECT_ID, isStoreError, type Run } from '@stampede/store';
import type { ControllerServices } from '../services.ts';
import { inspectRun } from './archive-work.ts';
import { ApiError } from './errors.ts';
import { assertPoolKnown } from './pool-check.ts';
import { findProject, loadPolicy } from './project-lookup.ts';
import { runtimeAllowList } from './project-policy.ts';
import { assertNoneRefusedBy, assertWithinCaps } from './run-checks.ts';

/** Kind of the queue job that asks the scheduler to run a run; its queue is the run's pool. */
export const RUN_JOB_KIND = 'run';

/** Payload of a run job (JSON in the job's payloadJson). */
export interface RunJobPayload {
  runId: string;
}

/** Checks and queues a run for `actor`; ApiError when a cap, the archive or the allow-list refuses it. */
export async function queueRun(
  services: Pick<ControllerServices, 'store' | 'config' | 'runs' | 'clock'>,
  body: RunCreate,
  actor: string,
): Promise<Run> {
  const { store } = services;
  const project = await findProject(services, body.projectId ?? DEFAULT_PROJECT_ID);
  const { effective } = await loadPolicy(services, project);
  assertWithinCaps(body, effective.caps, project.name);
  let bytes: Uint8Array;
  try {
    bytes = (await store.getBundle(body.archiveSha256)).content;
  } catch (err) {
    if (!isStoreError(err, 'NOT_FOUND')) throw err;
    throw new ApiError(
      'ARCHIVE_NOT_FOUND',
      `body.archiveSha256: no archive ${body.archiveSha256}; upload it with POST ${API_PREFIX}/archives`,
      { archiveSha256: body.archiveSha256 },
    );
  }
  // Parsing and scanning megabytes of script run in the archive worker thread.
  const refused = await inspectRun(
    bytes,
    `archive ${body.archiveSha256}`,
    body.env,
    effective.targets,
  );
  assertNoneRefusedBy(refused, effective);
  const pool = body.pool ?? services.config.defaultPool;
  await assertPoolKnown(services, pool);
  const plan: RunPlan = {
    archiveSha256: body.archiveSha256,
    overrides: body.overrides,
    env: body.env,
    // The run keeps the policy it was queued under: the load workers enforce this list.
    allowTargets: runtimeAllowList(effective.targets),
    maxDurationMs: effective.caps.maxDurationMs.limit,
  };
  const run = await store.createRun({
    projectId: project.id,
    planJson: JSON.stringify(plan),
    bundleSha256: body.archiveSha256,
    generatorsRequested: body.generators,
    pool,
    createdBy: actor,
    labels: body.labels,
  });
  const payload: RunJobPayload = { runId: run.id };
  await store.enqueue({ queue: pool, kind: RUN_JOB_KIND, payloadJson: JSON.stringify(payload) });
  await store.appendAudit({
    actor,
    action: 'run.start',
    target: run.id,
    detailsJson: JSON.stringify({
      archiveSha256: body.archiveSha256,
      generators: body.generators,
      pool,
      labels: body.labels,
      overrides: body.overrides,
    }),
  });
  services.runs.wake();
  return run;
}
