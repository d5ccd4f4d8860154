// Comparison jobs: start an experiment (A vs B, interleaved), show one job, list them. The jobs
// themselves (src/jobs) start the runs and compute the result; these routes only queue and read.
import {
  API_PREFIX,
  comparisonListSchema,
  comparisonParamsSchema,
  comparisonResultSchema,
  comparisonViewSchema,
  experimentCreateSchema,
  type ComparisonView,
} from '@stampede/protocol';
import { DEFAULT_PROJECT_ID, type ComparisonRecord, type Store } from '@stampede/store';
import { z } from 'zod';
import { ComparisonJobs } from '../jobs/comparison-jobs.ts';
import { progressOf } from '../jobs/experiment-step.ts';
import { ApiError } from './errors.ts';
import { defineRoute, type ApiRoute } from './route.ts';

/** A comparison record as the API shows it, with the current status of each of its runs. */
export async function toComparisonView(
  store: Store,
  record: ComparisonRecord,
): Promise<ComparisonView> {
  const spec = experimentCreateSchema.parse(JSON.parse(record.specJson));
  const progress = progressOf(record, spec);
  const runs = await Promise.all(
    progress.runs.map(async (r) => ({ ...r, status: (await store.getRun(r.runId)).status })),
  );
  return {
    id: record.id,
    kind: record.kind,
    projectId: record.projectId,
    status: record.status,
    statusReason: record.statusReason,
    createdBy: record.createdBy,
    createdAtMs: record.createdAtMs,
    updatedAtMs: record.updatedAtMs,
    targetRunsPerSide: progress.targetRunsPerSide,
    runs,
    result:
      record.resultJson === null
        ? null
        : comparisonResultSchema.parse(JSON.parse(record.resultJson)),
  };
}

/** Routes of /api/v1/experiments and /api/v1/comparisons. */
export const comparisonRoutes: readonly ApiRoute[] = [
  defineRoute({
    method: 'POST',
    url: '/experiments',
    operationId: 'createExperiment',
    summary: 'Start an experiment: A vs B run interleaved A B A B …, K per side, then compared',
    tag: 'comparisons',
    scope: 'run',
    body: experimentCreateSchema,
    status: 201,
    response: comparisonViewSchema,
    errors: [400, 404, 413, 415, 422],
    async handler({ body, caller, services, reply }) {
      const { store } = services;
      for (const side of ['a', 'b'] as const) {
        if ((await store.getBundleInfo(body[side].archiveSha256)) === null) {
          throw new ApiError(
            'ARCHIVE_NOT_FOUND',
            `body.${side}.archiveSha256: no archive ${body[side].archiveSha256}; upload it with POST ${API_PREFIX}/archives`,
            { archiveSha256: body[side].archiveSha256 },
          );
        }
      }
      const record = await store.createComparison({
        kind: 'experiment',
        projectId: body.projectId ?? DEFAULT_PROJECT_ID,
        specJson: JSON.stringify(body),
        createdBy: caller.actor,
      });
      await ComparisonJobs.enqueue(store, 'experiment', record.id);
      await store.appendAudit({
        actor: caller.actor,
        action: 'experiment.start',
        target: record.id,
        detailsJson: JSON.stringify({ runsPerSide: body.runsPerSide, generators: body.generators }),
      });
      services.runs.wake();
      reply.header('location', `${API_PREFIX}/comparisons/${record.id}`);
      return toComparisonView(store, record);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/comparisons/:id',
    operationId: 'getComparison',
    summary: 'One comparison job with its runs and, once done, its comparison result',
    tag: 'comparisons',
    scope: 'read',
    params: comparisonParamsSchema,
    response: comparisonViewSchema,
    errors: [400, 404],
    async handler({ params, services }) {
      const record = await services.store.getComparison(params.id);
      return toComparisonView(services.store, record);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/comparisons',
    operationId: 'listComparisons',
    summary: 'Comparison jobs, newest first',
    tag: 'comparisons',
    scope: 'read',
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).optional() }),
    response: comparisonListSchema,
    errors: [400],
    async handler({ query, services }) {
      const list = await services.store.listComparisons(
        query.limit === undefined ? {} : { limit: query.limit },
      );
      return { items: await Promise.all(list.map((r) => toComparisonView(services.store, r))) };
    },
  }),
];
