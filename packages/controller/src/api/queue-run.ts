// Queuing one run: caps, archive, allow-list, store, run job, audit, wake the scheduler. Used by
// POST /api/v1/runs and by the comparison jobs, which start their runs the same way.
import { API_PREFIX, type RunCreate, type RunPlan } from '@stampede/protocol';
import { isStoreError, type Run } from '@stampede/store';
import type { ControllerServices } from '../services.ts';
import { inspectRun } from './archive-work.ts';
import { ApiError } from './errors.ts';
import { assertPoolKnown } from './pool-check.ts';
import { assertNoneRefused, assertWithinCaps } from './run-checks.ts';

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
  const { store, config } = services;
  assertWithinCaps(body, config);
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
  const refused = await inspectRun(bytes, `archive ${body.archiveSha256}`, body.env, config);
  assertNoneRefused(refused, config);
  const pool = body.pool ?? config.defaultPool;
  await assertPoolKnown(services, pool);
  const plan: RunPlan = {
    archiveSha256: body.archiveSha256,
    overrides: body.overrides,
    env: body.env,
  };
  const run = await store.createRun({
    ...(body.projectId === undefined ? {} : { projectId: body.projectId }),
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
