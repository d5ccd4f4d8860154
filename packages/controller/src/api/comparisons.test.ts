// POST /api/v1/experiments and GET /api/v1/comparisons over the SQLite store: the job is queued
// in the comparisons queue, bad bodies are refused naming the field, unknown ids are 404.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparisonListSchema, comparisonViewSchema } from '@stampede/protocol';
import { SqliteStore } from '@stampede/store';
import { COMPARISON_QUEUE } from '../jobs/comparison-jobs.ts';
import { call, upload, withApi, type MakeStore } from './testing/harness.ts';

const sqlite: MakeStore = async (clock) => {
  const store = await SqliteStore.open(':memory:', { clock });
  return { store, close: () => store.close() };
};

test('an experiment is queued as a comparison job and shown with its runs', () =>
  withApi(sqlite, async (h) => {
    const sha = await upload(h);
    const res = await call(h.app, 'POST', '/api/v1/experiments', {
      token: h.tokens.readRun,
      json: {
        a: { archiveSha256: sha },
        b: { archiveSha256: sha, env: { DELAY_MS: '5' } },
        runsPerSide: 3,
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const view = comparisonViewSchema.parse(res.json());
    assert.equal(view.kind, 'experiment');
    assert.equal(view.status, 'queued');
    assert.equal(view.targetRunsPerSide, 3);
    assert.deepEqual(view.runs, []);
    assert.equal(view.result, null);
    const jobs = await h.store.listJobs({ queue: COMPARISON_QUEUE });
    assert.deepEqual(
      jobs.map((j) => [j.kind, JSON.parse(j.payloadJson)]),
      [['experiment', { comparisonId: view.id }]],
    );
    const got = await call(h.app, 'GET', `/api/v1/comparisons/${view.id}`, {
      token: h.tokens.read,
    });
    assert.deepEqual(comparisonViewSchema.parse(got.json()), view);
    const list = comparisonListSchema.parse(
      (await call(h.app, 'GET', '/api/v1/comparisons', { token: h.tokens.read })).json(),
    );
    assert.deepEqual(
      list.items.map((c) => c.id),
      [view.id],
    );
  }));

test('experiments: bad bodies are 400 naming the field; unknown archive and id are 404', () =>
  withApi(sqlite, async (h) => {
    const sha = await upload(h);
    const post = (json: unknown) =>
      call(h.app, 'POST', '/api/v1/experiments', { token: h.tokens.readRun, json });
    const few = await post({
      a: { archiveSha256: sha },
      b: { archiveSha256: sha },
      runsPerSide: 2,
    });
    assert.equal(few.statusCode, 400);
    assert.match(few.body, /runsPerSide/);
    const cap = await post({
      a: { archiveSha256: sha },
      b: { archiveSha256: sha },
      runsPerSide: 6,
      maxRunsPerSide: 4,
    });
    assert.equal(cap.statusCode, 400);
    assert.match(cap.body, /maxRunsPerSide/);
    const noB = await post({ a: { archiveSha256: sha } });
    assert.equal(noB.statusCode, 400);
    assert.match(noB.body, /\bb\b/);
    const unknown = await post({ a: { archiveSha256: sha }, b: { archiveSha256: 'f'.repeat(64) } });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /body\.b\.archiveSha256/);
    const missing = await call(h.app, 'GET', '/api/v1/comparisons/cmp_nope', {
      token: h.tokens.read,
    });
    assert.equal(missing.statusCode, 404);
    assert.equal((await h.store.listComparisons()).length, 0);
  }));
