// Comparison jobs: start an experiment (A vs B, interleaved) or a compare job (candidate runs vs
// the stored baseline), show one job, list them. The jobs
// themselves (src/jobs) start the runs and compute the result; these routes only queue and read.
import {
  API_PREFIX,
  comparisonListSchema,
  comparisonParamsSchema,
  comparisonResultSchema,
  comparisonViewSchema,
  baselineJobCreateSchema,
  compareJobCreateSchema,
  compareJobSpecSchema,
  experimentCreateSchema,
  type CompareJobSpec,
  type ComparisonKind,
  type ComparisonView,
} from '@stampede/protocol';
import { DEFAULT_PROJECT_ID, type ComparisonRecord, type Store } from '@stampede/store';
import { z } from 'zod';
import { ComparisonJobs } from '../jobs/comparison-jobs.ts';
import { progressOf } from '../jobs/comparison-step.ts';
import { ApiError } from './errors.ts';
import { defineRoute, type ApiRoute, type RouteContext } from './route.ts';

// What the view reads of any kind's stored spec.
const specRunsSchema = z.looseObject({
  runsPerSide: z.number().int(),
  baselineRunIds: z.array(z.string()).optional(),
});

/** A comparison record as the API shows it, with the current status of each of its runs. */
export async function toComparisonView(
  store: Store,
  record: ComparisonRecord,
): Promise<ComparisonView> {
  const spec = specRunsSchema.parse(JSON.parse(record.specJson));
  const progress = progressOf(record, spec);
  const fixed = (spec.baselineRunIds ?? []).map((runId) => ({ side: 'baseline' as const, runId }));
  const runs = await Promise.all(
    [...fixed, ...progress.runs].map(async (r) => ({
      ...r,
      status: (await store.getRun(r.runId)).status,
    })),
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

async function requireArchive(store: Store, field: string, sha256: string): Promise<void> {
  if ((await store.getBundleInfo(sha256)) === null) {
    throw new ApiError(
      'ARCHIVE_NOT_FOUND',
      `body.${field}.archiveSha256: no archive ${sha256}; upload it with POST ${API_PREFIX}/archives`,
      { archiveSha256: sha256 },
    );
  }
}

/** Stores a comparison job's record, queues its job, audits it and answers its view (201, Location). */
async function queueComparisonJob(
  {
    caller,
    services,
    reply,
  }: Pick<RouteContext<unknown, unknown, unknown>, 'caller' | 'services' | 'reply'>,
  job: { kind: ComparisonKind; projectId: string; spec: unknown; details: unknown },
): Promise<ComparisonView> {
  const { store } = services;
  const record = await store.createComparison({
    kind: job.kind,
    projectId: job.projectId,
    specJson: JSON.stringify(job.spec),
    createdBy: caller.actor,
  });
  await ComparisonJobs.enqueue(store, job.kind, record.id);
  await store.appendAudit({
    actor: caller.actor,
    action: `${job.kind}.start`,
    target: record.id,
    detailsJson: JSON.stringify(job.details),
  });
  services.runs.wake();
  reply.header('location', `${API_PREFIX}/comparisons/${record.id}`);
  return toComparisonView(store, record);
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
    async handler({ body, ...context }) {
      for (const side of ['a', 'b'] as const) {
        await requireArchive(context.services.store, side, body[side].archiveSha256);
      }
      return queueComparisonJob(context, {
        kind: 'experiment',
        projectId: body.projectId ?? DEFAULT_PROJECT_ID,
        spec: body,
        details: { runsPerSide: body.runsPerSide, generators: body.generators },
      });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/compare-jobs',
    operationId: 'createCompareJob',
    summary:
      "Start a compare job: K runs of a candidate compared with the branch's stored baseline",
    tag: 'comparisons',
    scope: 'run',
    body: compareJobCreateSchema,
    status: 201,
    response: comparisonViewSchema,
    errors: [400, 404, 409, 413, 415, 422],
    async handler({ body, ...context }) {
      const { store } = context.services;
      await requireArchive(store, 'candidate', body.candidate.archiveSha256);
      const projectId = body.projectId ?? DEFAULT_PROJECT_ID;
      const key = { projectId, testName: body.testName, branch: body.branch };
      const baseline = await store.getBaseline(key);
      if (baseline === null) {
        throw new ApiError(
          'NO_BASELINE',
          `no baseline for test ${body.testName} on ${body.branch}: set one with POST ${API_PREFIX}/baselines/${body.testName}/${body.branch} (stampede baseline set)`,
          key,
        );
      }
      const spec: CompareJobSpec = compareJobSpecSchema.parse({
        ...body,
        baselineRunIds: baseline.runIds,
      });
      return queueComparisonJob(context, {
        kind: 'compare',
        projectId,
        spec,
        details: {
          testName: body.testName,
          branch: body.branch,
          runsPerSide: body.runsPerSide,
          baselineRunIds: baseline.runIds,
        },
      });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/baseline-jobs',
    operationId: 'createBaselineJob',
    summary: "Start a baseline job: K runs of a test that become the branch's baseline",
    tag: 'comparisons',
    scope: 'run',
    body: baselineJobCreateSchema,
    status: 201,
    response: comparisonViewSchema,
    errors: [400, 404, 413, 415, 422],
    async handler({ body, ...context }) {
      await requireArchive(context.services.store, 'run', body.run.archiveSha256);
      return queueComparisonJob(context, {
        kind: 'baseline',
        projectId: body.projectId ?? DEFAULT_PROJECT_ID,
        spec: body,
        details: { testName: body.testName, branch: body.branch, runsPerSide: body.runsPerSide },
      });
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
