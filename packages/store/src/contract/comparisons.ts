import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PROJECT_ID } from '../migrations/index.ts';
import { makeRun, rejectsWith, withStore, type MakeDatabase } from './harness.ts';

const BRANCH = { projectId: DEFAULT_PROJECT_ID, testName: 'checkout', branch: 'main' };
const SERIES = { ...BRANCH, metric: 'http_req_duration', statistic: 'p99' };

/** Contract tests of baselines, history and comparison records (migration 003). */
export function comparisonsContract(make: MakeDatabase): void {
  test('baselines: set, replace and read per (project, test, branch)', () =>
    withStore(make, async ({ store, clock }) => {
      assert.equal(await store.getBaseline(BRANCH), null);
      const a = await makeRun(store);
      const b = await makeRun(store);
      const first = await store.setBaseline({
        ...BRANCH,
        runIds: [a, b, a],
        fingerprintJson: '{"generators":1}',
        setBy: 'alice',
      });
      assert.deepEqual(first, {
        ...BRANCH,
        runIds: [a, b],
        fingerprintJson: '{"generators":1}',
        setBy: 'alice',
        setAtMs: clock.nowMs(),
      });
      clock.advance(5);
      await store.setBaseline({ ...BRANCH, runIds: [b], fingerprintJson: '{}', setBy: 'bob' });
      const got = await store.getBaseline(BRANCH);
      assert.deepEqual(got?.runIds, [b]);
      assert.equal(got?.setBy, 'bob');
      assert.equal(await store.getBaseline({ ...BRANCH, branch: 'feature' }), null);
      await rejectsWith(
        store.setBaseline({ ...BRANCH, runIds: ['run_nope'], fingerprintJson: '{}', setBy: 'x' }),
        'NOT_FOUND',
      );
      await rejectsWith(
        store.setBaseline({ ...BRANCH, runIds: [], fingerprintJson: '{}', setBy: 'x' }),
        'INVALID_INPUT',
      );
      const other = await store.createProject({ name: 'other' });
      await rejectsWith(
        store.setBaseline({
          ...BRANCH,
          projectId: other.id,
          runIds: [a],
          fingerprintJson: '{}',
          setBy: 'x',
        }),
        'INVALID_INPUT',
      );
      assert.deepEqual((await store.getBaseline(BRANCH))?.runIds, [b]);
    }));

  test('history: points are idempotent per run, listed oldest first, newest `limit` kept', () =>
    withStore(make, async ({ store }) => {
      const runs = [await makeRun(store), await makeRun(store), await makeRun(store)];
      const values = [10.5, 11.25, 30];
      for (let i = 0; i < 3; i++) {
        const stored = await store.putHistoryPoint({
          ...SERIES,
          runId: runs[i]!,
          value: values[i]!,
          atMs: 1000 * (3 - i), // stored out of time order
        });
        assert.equal(stored, true);
      }
      assert.equal(
        await store.putHistoryPoint({ ...SERIES, runId: runs[0]!, value: 99, atMs: 1 }),
        false,
      );
      const points = await store.listHistoryPoints(SERIES);
      assert.deepEqual(
        points.map((p) => [p.runId, p.value, p.atMs]),
        [
          [runs[2], 30, 1000],
          [runs[1], 11.25, 2000],
          [runs[0], 10.5, 3000],
        ],
      );
      assert.deepEqual(
        (await store.listHistoryPoints(SERIES, { limit: 2 })).map((p) => p.runId),
        [runs[1], runs[0]],
      );
      await store.putHistoryPoint({
        ...SERIES,
        statistic: 'p50',
        runId: runs[0]!,
        value: 1,
        atMs: 1,
      });
      assert.deepEqual(
        (await store.listHistorySeries(BRANCH)).map((s) => s.statistic),
        ['p50', 'p99'],
      );
      await rejectsWith(
        store.putHistoryPoint({ ...SERIES, runId: 'run_nope', value: 1, atMs: 1 }),
        'NOT_FOUND',
      );
      await rejectsWith(
        store.putHistoryPoint({ ...SERIES, runId: runs[0]!, value: Number.NaN, atMs: 1 }),
        'INVALID_INPUT',
      );
    }));

  test('history: change-point state is a compare-and-set on its point count', () =>
    withStore(make, async ({ store, clock }) => {
      assert.equal(await store.getHistoryState(SERIES), null);
      const s1 = await store.putHistoryState(SERIES, {
        stateJson: '{"count":1}',
        pointCount: 1,
        expectedCount: null,
      });
      assert.equal(s1.pointCount, 1);
      await rejectsWith(
        store.putHistoryState(SERIES, { stateJson: '{}', pointCount: 1, expectedCount: null }),
        'CONFLICT',
      );
      clock.advance(7);
      await store.putHistoryState(SERIES, {
        stateJson: '{"count":2}',
        pointCount: 2,
        expectedCount: 1,
      });
      await rejectsWith(
        store.putHistoryState(SERIES, {
          stateJson: '{"lost":true}',
          pointCount: 2,
          expectedCount: 1,
        }),
        'CONFLICT',
      );
      const got = await store.getHistoryState(SERIES);
      assert.equal(got?.stateJson, '{"count":2}');
      assert.equal(got?.updatedAtMs, clock.nowMs());
    }));

  test('comparisons: create, update, read and list', () =>
    withStore(make, async ({ store, clock }) => {
      const c = await store.createComparison({
        kind: 'experiment',
        projectId: DEFAULT_PROJECT_ID,
        specJson: '{"runsPerSide":3}',
        createdBy: 'ci',
      });
      assert.match(c.id, /^cmp_[0-9a-z]{26}$/);
      assert.equal(c.status, 'queued');
      assert.equal(c.runsJson, '[]');
      assert.equal(c.resultJson, null);
      clock.advance(10);
      const done = await store.updateComparison(c.id, {
        status: 'done',
        statusReason: 'no regression',
        runsJson: '[{"side":"a","runId":"run_x"}]',
        resultJson: '{"regressed":false}',
      });
      assert.deepEqual(await store.getComparison(c.id), done);
      assert.equal(done.updatedAtMs, clock.nowMs());
      assert.equal(done.specJson, '{"runsPerSide":3}');
      assert.deepEqual(
        (await store.listComparisons({ status: ['done'] })).map((x) => x.id),
        [c.id],
      );
      assert.deepEqual(await store.listComparisons({ status: ['queued'] }), []);
      await rejectsWith(store.getComparison('cmp_nope'), 'NOT_FOUND');
      await rejectsWith(store.updateComparison(c.id, { resultJson: '{bad' }), 'INVALID_INPUT');
      await rejectsWith(
        store.createComparison({
          kind: 'nope' as 'experiment',
          projectId: DEFAULT_PROJECT_ID,
          specJson: '{}',
          createdBy: 'x',
        }),
        'INVALID_INPUT',
      );
      await rejectsWith(
        store.createComparison({
          kind: 'compare',
          projectId: 'prj_nope',
          specJson: '{}',
          createdBy: 'x',
        }),
        'NOT_FOUND',
      );
    }));
}
