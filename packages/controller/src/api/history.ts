// The history of a test on a branch: one series (metric, statistic) with its points, one per
// ended run, and its change points as the controller reported them (first sightings kept).
import { directionOf, statisticKey } from '@stampede/analysis';
import {
  changePointStateSchema,
  historyParamsSchema,
  historyQuerySchema,
  historyViewSchema,
  type HistoryView,
} from '@stampede/protocol';
import { DEFAULT_PROJECT_ID } from '@stampede/store';
import { ApiError } from './errors.ts';
import { defineRoute, type ApiRoute } from './route.ts';

/** Routes of /api/v1/history. */
export const historyRoutes: readonly ApiRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/history/:test',
    operationId: 'getHistory',
    summary:
      'One statistic of a test on a branch over its runs, with change points (E-divisive means)',
    tag: 'comparisons',
    scope: 'read',
    params: historyParamsSchema,
    query: historyQuerySchema,
    response: historyViewSchema,
    errors: [400, 404],
    async handler({ params, query, services }): Promise<HistoryView> {
      const { store } = services;
      const branchKey = {
        projectId: query.projectId ?? DEFAULT_PROJECT_ID,
        testName: params.test,
        branch: query.branch,
      };
      const key = { ...branchKey, metric: query.metric, statistic: query.statistic };
      const state = await store.getHistoryState(key);
      if (state === null) {
        const series = await store.listHistorySeries(branchKey);
        if (series.length === 0) {
          throw new ApiError(
            'NOT_FOUND',
            `no history for test ${params.test} on branch ${query.branch} (runs join it when they end passed or failed with a branch label)`,
            branchKey,
          );
        }
        const available = series.map((s) => statisticKey(s.metric, s.statistic));
        const field = series.some((s) => s.metric === query.metric) ? 'statistic' : 'metric';
        throw new ApiError(
          'INVALID_INPUT',
          `query.${field}: test ${params.test} on ${query.branch} has no series ${statisticKey(query.metric, query.statistic)}; available: ${available.join(', ')}`,
          { field, available },
        );
      }
      const cp = changePointStateSchema.parse(JSON.parse(state.stateJson));
      const points = await store.listHistoryPoints(key, { limit: query.limit ?? 200 });
      const direction = directionOf(query.metric);
      return {
        ...branchKey,
        metric: query.metric,
        statistic: query.statistic,
        direction,
        totalPoints: cp.count,
        points: points.map((p) => ({
          runId: p.runId,
          atMs: p.atMs,
          value: p.value,
          commit: p.commit ?? null,
        })),
        changePoints: cp.records.map((r) => {
          const up = r.firstSeen.meanAfter >= r.firstSeen.meanBefore;
          return {
            runId: r.pointId,
            index: r.index,
            atMs: r.pointAtMs,
            direction: up ? 'increase' : 'decrease',
            worse: up === (direction === 'higher-is-worse'),
            changePct: r.firstSeen.changePct,
            meanBefore: r.firstSeen.meanBefore,
            meanAfter: r.firstSeen.meanAfter,
            pValue: r.firstSeen.pValue,
            status: r.status,
            statusAtMs: r.statusAtMs,
            firstSeenAtMs: r.firstSeen.atMs,
            firstSeenAfterRunId: r.firstSeen.afterPointId,
          };
        }),
        settings: cp.settings,
      };
    },
  }),
];
