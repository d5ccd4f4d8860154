// GET /api/v1/history/:test over the SQLite store: the points of ended runs recorded by the
// history recorder, change points with their first sighting, and bad queries named by field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyViewSchema } from '@stampede/protocol';
import { SqliteStore } from '@stampede/store';
import { HistoryRecorder } from '../jobs/history-recorder.ts';
import { checkoutArchive, endedRun } from '../jobs/testing/history-runs.ts';
import { silentLog } from '../scheduler/log.ts';
import { call, withApi, type ApiHarness, type MakeStore } from './testing/harness.ts';

const sqlite: MakeStore = async (clock) => {
  const store = await SqliteStore.open(':memory:', { clock });
  return { store, close: () => store.close() };
};

async function record(h: ApiHarness, p50s: number[], labels = { branch: 'main', commit: 'c0' }) {
  const sha = await checkoutArchive(h.store);
  const ids: string[] = [];
  for (const [i, p50] of p50s.entries()) {
    h.clock.t += 1000;
    ids.push(await endedRun(h.store, sha, p50, { ...labels, commit: `c${i}` }));
  }
  const recorder = new HistoryRecorder({
    store: h.store,
    clock: h.clock,
    log: silentLog,
    settings: { pValue: 0.05 },
    scanIntervalMs: 0,
  });
  for (let i = 0; i < 100 && (await h.store.listRunsPendingHistory()).length > 0; i++) {
    await recorder.tick();
  }
  return ids;
}

const get = (h: ApiHarness, path: string) =>
  call(h.app, 'GET', `/api/v1/history/${path}`, { token: h.tokens.read });

test('history of a series: points oldest first with commits, one change point at the step', () =>
  withApi(sqlite, async (h) => {
    const ids = await record(h, [10, 10.3, 9.9, 10.1, 40, 40.5, 39.8, 40.1]);
    const res = await get(h, 'checkout?metric=http_req_duration&statistic=p50&branch=main');
    assert.equal(res.statusCode, 200, res.body);
    const view = historyViewSchema.parse(res.json());
    assert.equal(view.testName, 'checkout');
    assert.equal(view.totalPoints, 8);
    assert.deepEqual(
      view.points.map((p) => [p.runId, p.value, p.commit]),
      ids.map((id, i) => [id, [10, 10.3, 9.9, 10.1, 40, 40.5, 39.8, 40.1][i], `c${i}`]),
    );
    assert.equal(view.changePoints.length, 1, res.body);
    const cp = view.changePoints[0];
    assert.equal(cp?.runId, ids[4]);
    assert.equal(cp?.index, 4);
    assert.equal(cp?.direction, 'increase');
    assert.equal(cp?.worse, true);
    assert.ok((cp?.changePct ?? 0) > 250);
    assert.equal(cp?.status, 'confirmed');
    // First seen once 3 runs followed the step (or the 4th), never before the step.
    assert.ok(ids.slice(6).includes(cp?.firstSeenAfterRunId ?? ''), cp?.firstSeenAfterRunId);
    // Defaults: branch main, http_req_duration p99; limit keeps the newest points.
    const p99 = historyViewSchema.parse((await get(h, 'checkout?limit=3')).json());
    assert.equal(p99.statistic, 'p99');
    assert.deepEqual(
      p99.points.map((p) => p.runId),
      ids.slice(5),
    );
    const rate = historyViewSchema.parse(
      (await get(h, 'checkout?metric=http_reqs&statistic=rate')).json(),
    );
    assert.equal(rate.direction, 'lower-is-worse');
    assert.deepEqual(rate.changePoints, []);
  }));

test('history: bad queries name the field; an unknown test or branch is 404', () =>
  withApi(sqlite, async (h) => {
    await record(h, [10, 11, 12]);
    const unknownMetric = await get(h, 'checkout?metric=http_nope');
    assert.equal(unknownMetric.statusCode, 400);
    const body = unknownMetric.json() as {
      code: string;
      message: string;
      details: { field: string; available: string[] };
    };
    assert.equal(body.code, 'INVALID_INPUT');
    assert.match(body.message, /query\.metric/);
    assert.equal(body.details.field, 'metric');
    assert.ok(body.details.available.includes('http_req_duration:p99'), body.message);
    const wrongStat = await get(h, 'checkout?metric=http_reqs&statistic=p99');
    assert.equal(wrongStat.statusCode, 400);
    assert.match(wrongStat.body, /query\.statistic/);
    const badStat = await get(h, 'checkout?statistic=p42');
    assert.equal(badStat.statusCode, 400);
    assert.match(badStat.body, /statistic/);
    const badLimit = await get(h, 'checkout?limit=0');
    assert.equal(badLimit.statusCode, 400);
    assert.match(badLimit.body, /limit/);
    assert.equal((await get(h, 'nope')).statusCode, 404);
    assert.equal((await get(h, 'checkout?branch=feature')).statusCode, 404);
    const anonymous = await call(h.app, 'GET', '/api/v1/history/checkout');
    assert.equal(anonymous.statusCode, 401);
  }));
