// Runs: start one (checks, store, queue, wake the scheduler), list, show and abort them. The
// scheduler (RunControl) drives a run once queued; these routes never change its status.
import {
  API_PREFIX,
  idParamsSchema,
  isTerminalRunStatus,
  reasonBodySchema,
  runCreateSchema,
  runListQuerySchema,
  runPageSchema,
  runViewSchema,
  type RunPlan,
} from '@stampede/protocol';
import { isStoreError } from '@stampede/store';
import { ApiError } from './errors.ts';
import { inspectRun } from './archive-work.ts';
import { assertPoolKnown } from './pool-check.ts';
import { defineRoute, type ApiRoute } from './route.ts';
import { assertNoneRefused, assertWithinCaps } from './run-checks.ts';
import { toRunView } from './views.ts';

/** Kind of the queue job that asks the scheduler to run a run; its queue is the run's pool. */
export const RUN_JOB_KIND = 'run';

/** Payload of a run job (JSON in the job's payloadJson). */
export interface RunJobPayload {
  runId: string;
}

/** Routes of /api/v1/runs (starting, listing, showing, aborting). */
export const runRoutes: readonly ApiRoute[] = [
  defineRoute({
    method: 'POST',
    url: '/runs',
    operationId: 'createRun',
    summary: 'Start a run of an uploaded archive (queued; the scheduler takes it from there)',
    tag: 'runs',
    scope: 'run',
    body: runCreateSchema,
    status: 201,
    response: runViewSchema,
    errors: [400, 404, 413, 415, 422, 503],
    async handler({ body, caller, services, reply }) {
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
        createdBy: caller.actor,
        labels: body.labels,
      });
      const payload: RunJobPayload = { runId: run.id };
      await store.enqueue({
        queue: pool,
        kind: RUN_JOB_KIND,
        payloadJson: JSON.stringify(payload),
      });
      await store.appendAudit({
        actor: caller.actor,
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
      reply.header('location', `${API_PREFIX}/runs/${run.id}`);
      return toRunView(run);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/runs',
    operationId: 'listRuns',
    summary: 'Runs, newest first, paged',
    tag: 'runs',
    scope: 'read',
    query: runListQuerySchema,
    response: runPageSchema,
    errors: [400],
    async handler({ query, services }) {
      const page = await services.store.listRuns({
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.projectId === undefined ? {} : { projectId: query.projectId }),
        ...(query.label === undefined ? {} : { labels: query.label }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return { items: page.items.map(toRunView), nextCursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/runs/:id',
    operationId: 'getRun',
    summary: 'One run, with its summary once stored',
    tag: 'runs',
    scope: 'read',
    params: idParamsSchema,
    response: runViewSchema,
    errors: [400, 404],
    async handler({ params, services }) {
      return toRunView(await services.store.getRun(params.id));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/runs/:id/abort',
    operationId: 'abortRun',
    summary: 'Abort a run now: its generators stop and it ends aborted',
    tag: 'runs',
    scope: 'run',
    params: idParamsSchema,
    body: reasonBodySchema,
    response: runViewSchema,
    errors: [400, 404, 409, 413, 415],
    async handler({ params, body, caller, services }) {
      const run = await services.store.getRun(params.id);
      if (isTerminalRunStatus(run.status)) {
        throw new ApiError('RUN_TERMINAL', `run ${run.id} has already ended (${run.status})`, {
          id: run.id,
          status: run.status,
        });
      }
      const reason = body?.reason ?? `aborted by ${caller.actor}`;
      await services.runs.abortRun(run.id, reason, caller.actor);
      await services.store.appendAudit({
        actor: caller.actor,
        action: 'run.abort',
        target: run.id,
        detailsJson: JSON.stringify({ reason, fromStatus: run.status }),
      });
      return toRunView(await services.store.getRun(run.id));
    },
  }),
];
