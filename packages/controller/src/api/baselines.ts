// Baselines: the set of ended runs of a test on a branch that candidates are compared with, and
// the environment fingerprint those runs share (generators, workers, Stampede version).
import {
  baselineParamsSchema,
  baselineQuerySchema,
  baselineSetSchema,
  baselineViewSchema,
  environmentFingerprintSchema,
  summarySchema,
  type BaselineView,
  type EnvironmentFingerprint,
} from '@stampede/protocol';
import {
  DEFAULT_PROJECT_ID,
  StoreError,
  type Baseline,
  type Run,
  type Store,
} from '@stampede/store';
import { ApiError } from './errors.ts';
import { defineRoute, type ApiRoute } from './route.ts';
import { testNameOfRun } from './run-test-name.ts';

/** The fingerprint of an ended run with a summary; INVALID_STATE when it has none yet. */
export function fingerprintOf(run: Run): EnvironmentFingerprint {
  if (run.summaryJson === null || (run.status !== 'passed' && run.status !== 'failed')) {
    throw new ApiError(
      'INVALID_STATE',
      `run ${run.id} is ${run.status}${run.summaryJson === null ? ' without a summary' : ''}; a baseline needs runs that ended passed or failed`,
      { id: run.id, status: run.status },
    );
  }
  const summary = summarySchema.parse(JSON.parse(run.summaryJson));
  return {
    generators: run.generatorsRequested,
    workersPerGenerator: summary.generator.workers,
    stampedeVersion: summary.tool.version,
  };
}

/**
 * The runs a baseline of `testName` on `branch` may be made of, in the given order: INVALID_INPUT
 * naming `runIds` for an unknown run, a run of another test (its `test` label or script name),
 * a run labelled with another branch, or runs measured on different environments.
 */
export async function baselineRuns(
  store: Store,
  testName: string,
  branch: string,
  runIds: readonly string[],
): Promise<{ runs: Run[]; fingerprint: EnvironmentFingerprint }> {
  const runs = await Promise.all(
    runIds.map((id) =>
      store.getRun(id).catch((error: unknown) => {
        if (error instanceof StoreError && error.code === 'NOT_FOUND') {
          throw new ApiError('INVALID_INPUT', `body.runIds: no run ${id}`, { field: 'runIds', id });
        }
        throw error;
      }),
    ),
  );
  for (const run of runs) {
    const name = await testNameOfRun(store, run);
    if (name !== testName) {
      throw new ApiError(
        'INVALID_INPUT',
        `body.runIds: run ${run.id} is a run of test "${name}", not "${testName}" (its test label or script name)`,
        { field: 'runIds', id: run.id, testName: name },
      );
    }
    const runBranch = run.labels['branch'];
    if (runBranch !== undefined && runBranch !== branch) {
      throw new ApiError(
        'INVALID_INPUT',
        `body.runIds: run ${run.id} is labelled branch=${runBranch}, not ${branch}`,
        { field: 'runIds', id: run.id, branch: runBranch },
      );
    }
  }
  const prints = runs.map(fingerprintOf);
  const first = JSON.stringify(prints[0]);
  const odd = runs.find((_, i) => JSON.stringify(prints[i]) !== first);
  if (odd) {
    throw new ApiError(
      'INVALID_INPUT',
      `body.runIds: run ${odd.id} ran on another environment (${JSON.stringify(fingerprintOf(odd))}) than ${runs[0]?.id} (${first})`,
      { field: 'runIds', id: odd.id },
    );
  }
  return { runs, fingerprint: prints[0] as EnvironmentFingerprint };
}

function toBaselineView(b: Baseline): BaselineView {
  return {
    projectId: b.projectId,
    testName: b.testName,
    branch: b.branch,
    runIds: b.runIds,
    fingerprint: environmentFingerprintSchema.parse(JSON.parse(b.fingerprintJson)),
    setBy: b.setBy,
    setAtMs: b.setAtMs,
  };
}

/** Routes of /api/v1/baselines. */
export const baselineRoutes: readonly ApiRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/baselines/:test/:branch',
    operationId: 'getBaseline',
    summary: "The branch's baseline runs of a test, with their environment fingerprint",
    tag: 'comparisons',
    scope: 'read',
    params: baselineParamsSchema,
    query: baselineQuerySchema,
    response: baselineViewSchema,
    errors: [400, 404],
    async handler({ params, query, services }) {
      const key = {
        projectId: query.projectId ?? DEFAULT_PROJECT_ID,
        testName: params.test,
        branch: params.branch,
      };
      const b = await services.store.getBaseline(key);
      if (!b) {
        throw new ApiError(
          'NOT_FOUND',
          `no baseline for test ${params.test} on ${params.branch}`,
          key,
        );
      }
      return toBaselineView(b);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/baselines/:test/:branch',
    operationId: 'setBaseline',
    summary: "Make these ended runs the branch's baseline of a test (replaces the previous one)",
    tag: 'comparisons',
    scope: 'run',
    params: baselineParamsSchema,
    query: baselineQuerySchema,
    body: baselineSetSchema,
    response: baselineViewSchema,
    errors: [400, 404, 409, 413, 415],
    async handler({ params, query, body, caller, services }) {
      const { store } = services;
      const projectId = query.projectId ?? DEFAULT_PROJECT_ID;
      const { fingerprint } = await baselineRuns(store, params.test, params.branch, body.runIds);
      const b = await store.setBaseline({
        projectId,
        testName: params.test,
        branch: params.branch,
        runIds: body.runIds,
        fingerprintJson: JSON.stringify(fingerprint),
        setBy: caller.actor,
      });
      await store.appendAudit({
        actor: caller.actor,
        action: 'baseline.set',
        target: `${projectId}/${params.test}/${params.branch}`,
        detailsJson: JSON.stringify({ runIds: body.runIds }),
      });
      return toBaselineView(b);
    },
  }),
];
