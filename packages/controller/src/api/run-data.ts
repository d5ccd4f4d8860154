// What a run produced or went through: transitions, log lines, live figures and the summary.
import {
  idParamsSchema,
  runLiveSchema,
  runLogsQuerySchema,
  runLogsSchema,
  runTransitionListSchema,
  intervalSnapshotSchema,
  summarySchema,
  timeSeriesSchema,
} from '@stampede/protocol';
import { timeSeriesOf } from '@stampede/engine/results';
import { ApiError } from './errors.ts';
import { defineRoute, RawJson, type ApiRoute } from './route.ts';
import { liveFromRun, toLogLine, toTransitionView } from './views.ts';

/** Routes of /api/v1/runs/:id/{transitions,logs,live,summary,series}. */
export const runDataRoutes: readonly ApiRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/runs/:id/transitions',
    operationId: 'listRunTransitions',
    summary: "A run's status changes with reasons, oldest first",
    tag: 'runs',
    scope: 'read',
    params: idParamsSchema,
    response: runTransitionListSchema,
    errors: [400, 404],
    async handler({ params, services }) {
      const list = await services.store.listRunTransitions(params.id);
      return { items: list.map(toTransitionView) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/runs/:id/logs',
    operationId: 'listRunLogs',
    summary: "A run's log lines after `afterId`, in append order",
    tag: 'runs',
    scope: 'read',
    params: idParamsSchema,
    query: runLogsQuerySchema,
    response: runLogsSchema,
    errors: [400, 404],
    async handler({ params, query, services }) {
      await services.store.getRun(params.id);
      const lines = await services.store.listRunLogs(params.id, {
        ...(query.afterId === undefined ? {} : { afterId: query.afterId }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
      const last = lines.at(-1);
      return { items: lines.map(toLogLine), nextAfterId: last?.id ?? query.afterId ?? 0 };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/runs/:id/live',
    operationId: 'getRunLive',
    summary: 'Live merged figures of a run (zeros when the controller holds none)',
    tag: 'runs',
    scope: 'read',
    params: idParamsSchema,
    response: runLiveSchema,
    errors: [400, 404],
    async handler({ params, services }) {
      const run = await services.store.getRun(params.id);
      return services.runs.live(run.id) ?? liveFromRun(run, services.clock.nowMs());
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/runs/:id/summary',
    operationId: 'getRunSummary',
    summary: "A run's end-of-test summary (docs/summary-json.md), once stored",
    tag: 'runs',
    scope: 'read',
    params: idParamsSchema,
    response: summarySchema,
    errors: [400, 404],
    async handler({ params, services }) {
      const run = await services.store.getRun(params.id);
      if (run.summaryJson === null) {
        throw new ApiError('NOT_FOUND', `run ${run.id} has no summary yet (${run.status})`, {
          id: run.id,
          status: run.status,
        });
      }
      return new RawJson(run.summaryJson);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/runs/:id/series',
    operationId: 'getRunSeries',
    summary:
      "A run's time series from its stored snapshots: per interval the request rate, p50/p95/p99 (merged histograms), error rate and VUs",
    tag: 'runs',
    scope: 'read',
    params: idParamsSchema,
    response: timeSeriesSchema,
    errors: [400, 404],
    async handler({ params, services }) {
      const run = await services.store.getRun(params.id);
      const records = await services.store.listSnapshots(run.id);
      return timeSeriesOf(
        records.map((r) => intervalSnapshotSchema.parse(JSON.parse(r.payloadJson))),
      );
    },
  }),
];
