// The experiment job's steps against a real SQLite store: runs are started one at a time in the
// order A B A B …, ended by hand with summaries whose latency is set per side, then compared.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteStore, type Run, type Store } from '@stampede/store';
import type { ExperimentCreateInput, RunCreate, Summary } from '@stampede/protocol';
import { SUMMARY } from '../api/testing/suite-runs.ts';
import { progressOf, type ComparisonSide, type StepDeps } from './comparison-step.ts';
import { stepExperiment } from './experiment-step.ts';
import { experimentCreateSchema } from '@stampede/protocol';

function summaryWithP99(p99: number): Summary {
  const trend = {
    count: 100,
    min: 1,
    mean: p99 / 2,
    p50: p99 / 2,
    p90: p99 * 0.9,
    p95: p99 * 0.95,
    p99,
    p999: p99,
    max: p99,
  };
  return {
    ...SUMMARY,
    result: 'passed',
    thresholds: {},
    metrics: {
      http_req_duration: { type: 'trend', contains: 'time', values: trend },
    },
  };
}

async function setup(spec: Partial<ExperimentCreateInput> = {}) {
  const store = await SqliteStore.open(':memory:');
  const bundle = await store.putBundle(new TextEncoder().encode('x'));
  const side = { archiveSha256: bundle.sha256 };
  const body = experimentCreateSchema.parse({
    a: side,
    b: { ...side, env: { DELAY: '1' } },
    runsPerSide: 3,
    metrics: ['http_req_duration:p99'],
    ...spec,
  });
  const queued: RunCreate[] = [];
  const deps: StepDeps = {
    store,
    async queueRun(b, actor) {
      queued.push(b);
      return store.createRun({
        planJson: '{}',
        bundleSha256: b.archiveSha256,
        generatorsRequested: b.generators,
        pool: 'local',
        createdBy: actor,
        labels: b.labels,
      });
    },
  };
  const record = await store.createComparison({
    kind: 'experiment',
    projectId: 'prj_default',
    specJson: JSON.stringify(body),
    createdBy: 'tester',
  });
  return { store, deps, record, queued };
}

async function finishRun(store: Store, run: Run, p99: number): Promise<void> {
  await store.transitionRun(run.id, ['queued'], 'running', 'test', null);
  await store.setRunSummary(run.id, JSON.stringify(summaryWithP99(p99)));
  await store.transitionRun(run.id, ['running'], 'passed', 'test', null);
}

/** Steps the experiment to its end, finishing each started run with `p99Of(side, index)`. */
async function drive(
  h: Awaited<ReturnType<typeof setup>>,
  p99Of: (side: ComparisonSide, i: number) => number,
): Promise<string[]> {
  const sides: string[] = [];
  for (let guard = 0; guard < 200; guard++) {
    const record = await h.store.getComparison(h.record.id);
    const before = progressOf(record, experimentCreateSchema.parse(JSON.parse(record.specJson)))
      .runs.length;
    const outcome = await stepExperiment(h.deps, record);
    if (outcome === 'done') return sides;
    const after = await h.store.getComparison(h.record.id);
    const progress = progressOf(after, experimentCreateSchema.parse(JSON.parse(after.specJson)));
    if (progress.runs.length > before) {
      const started = progress.runs[progress.runs.length - 1]!;
      // The previous run must be over before the next starts: never two at once.
      assert.equal(await stepExperiment(h.deps, after), 'wait');
      assert.equal(
        progressOf(
          await h.store.getComparison(h.record.id),
          experimentCreateSchema.parse(JSON.parse(after.specJson)),
        ).runs.length,
        progress.runs.length,
      );
      sides.push(started.side);
      const i = sides.filter((s) => s === started.side).length - 1;
      await finishRun(h.store, await h.store.getRun(started.runId), p99Of(started.side, i));
    }
  }
  throw new Error('the experiment never ended');
}

test('experiment: runs interleave A B A B, a +25% shift with low noise is a regression', async () => {
  const h = await setup({ runsPerSide: 4 });
  try {
    const noise = [1, 1.01, 0.99, 1.005, 0.995, 1.002];
    const sides = await drive(h, (side, i) => (side === 'a' ? 100 : 125) * (noise[i] ?? 1));
    assert.deepEqual(sides, ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
    const done = await h.store.getComparison(h.record.id);
    assert.equal(done.status, 'done', done.statusReason);
    const result = JSON.parse(done.resultJson ?? 'null') as {
      regressed: boolean;
      rows: { verdict: string; metric: string }[];
    };
    assert.equal(result.regressed, true);
    assert.deepEqual(
      result.rows.map((r) => [r.metric, r.verdict]),
      [['http_req_duration', 'regression']],
    );
    assert.match(done.statusReason, /^regression/);
    assert.equal(h.queued[1]?.env['DELAY'], '1', 'side B runs with its own env');
    assert.equal(h.queued[0]?.labels['stampede/side'], 'a');
  } finally {
    await h.store.close();
  }
});

test('experiment: A/A is never a regression; inconclusive adds pairs up to the cap', async () => {
  const h = await setup({ runsPerSide: 3, maxRunsPerSide: 5 });
  try {
    const noise = [1, 1.08, 0.93, 1.05, 0.97];
    const sides = await drive(h, (side, i) => 100 * (noise[(i + (side === 'b' ? 2 : 0)) % 5] ?? 1));
    const done = await h.store.getComparison(h.record.id);
    assert.equal(done.status, 'done', done.statusReason);
    const result = JSON.parse(done.resultJson ?? 'null') as {
      regressed: boolean;
      rows: { verdict: string }[];
    };
    assert.equal(result.regressed, false);
    assert.notEqual(result.rows[0]?.verdict, 'regression');
    // 3 per side gives no verdict but inconclusive (no rank test reaches p < 0.05), so pairs are added.
    assert.ok(sides.length > 6 && sides.length <= 10, `ran ${sides.length} runs`);
  } finally {
    await h.store.close();
  }
});

test('experiment: a run that ends aborted errors the experiment with its reason', async () => {
  const h = await setup();
  try {
    await stepExperiment(h.deps, await h.store.getComparison(h.record.id));
    const progress = progressOf(
      await h.store.getComparison(h.record.id),
      experimentCreateSchema.parse(JSON.parse(h.record.specJson)),
    );
    await h.store.transitionRun(
      progress.runs[0]!.runId,
      ['queued'],
      'aborted',
      'target refused',
      null,
    );
    assert.equal(await stepExperiment(h.deps, await h.store.getComparison(h.record.id)), 'done');
    const rec = await h.store.getComparison(h.record.id);
    assert.equal(rec.status, 'errored');
    assert.match(rec.statusReason, /ended aborted: target refused/);
  } finally {
    await h.store.close();
  }
});
