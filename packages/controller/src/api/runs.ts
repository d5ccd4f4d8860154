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
} from '@stampede/protocol';
import { ApiError } from './errors.ts';
import { queueRun } from './queue-run.ts';
import { defineRoute, type ApiRoute } from './route.ts';
import { toRunView } from './views.ts';

export { RUN_JOB_KIND, type RunJobPayload } from './queue-run.ts';

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
      const run = await queueRun(services, body, caller.actor);
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
