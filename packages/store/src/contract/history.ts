import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PROJECT_ID } from '../migrations/index.ts';
import type { Store } from '../store.ts';
import { makeRun, rejectsWith, withStore, type MakeDatabase } from './harness.ts';

const SERIES = {
  projectId: DEFAULT_PROJECT_ID,
  testName: 'checkout',
  branch: 'main',
  metric: 'http_req_duration',
  statistic: 'p99',
};

/** A run that went through its life cycle to `to`, with a summary when it passed or failed. */
async function endedRun(store: Store, to: 'passed' | 'failed' | 'aborted'): Promise<string> {
  const id = await makeRun(store);
  let prev = 'queued' as const as string;
  for (const s of ['provisioning', 'preparing', 'ready', 'running', 'collecting'] as const) {
    await store.transitionRun(id, [prev as 'queued'], s, s, null);
    prev = s;
  }
  if (to !== 'aborted') await store.setRunSummary(id, '{"version":1}');
  await store.transitionRun(id, ['collecting'], to, to, null);
  return id;
}

/** Contract tests of the recorder's half of the history (migration 007). */
export function historyContract(make: MakeDatabase): void {
  test('history append: point and state in one step, once per run, CAS on the point count', () =>
    withStore(make, async ({ store }) => {
      const [a, b, c] = [await makeRun(store), await makeRun(store), await makeRun(store)];
      const point = (
        runId: string,
        value: number,
        state: string,
        count: number,
        exp: number | null,
      ) =>
        store.appendHistoryPoint({
          ...SERIES,
          runId,
          value,
          atMs: 1000 + count,
          commit: count === 1 ? 'abc123' : null,
          stateJson: state,
          pointCount: count,
          expectedCount: exp,
        });
      assert.equal(await point(a!, 10, '{"n":1}', 1, null), 'appended');
      // The same run again: nothing changes, whatever state it carries.
      assert.equal(await point(a!, 99, '{"n":"lost"}', 2, 1), 'duplicate');
      assert.equal((await store.getHistoryState(SERIES))?.stateJson, '{"n":1}');
      // Two appenders computed from count 1: the second loses and writes nothing.
      assert.equal(await point(b!, 11, '{"n":2}', 2, 1), 'appended');
      await rejectsWith(point(c!, 12, '{"n":"stale"}', 2, 1), 'CONFLICT');
      await rejectsWith(point(c!, 12, '{"n":"stale"}', 1, null), 'CONFLICT');
      const points = await store.listHistoryPoints(SERIES);
      assert.deepEqual(
        points.map((p) => [p.runId, p.value, p.commit]),
        [
          [a, 10, 'abc123'],
          [b, 11, null],
        ],
      );
      const state = await store.getHistoryState(SERIES);
      assert.equal(state?.stateJson, '{"n":2}');
      assert.equal(state?.pointCount, 2);
      // Retried on the state as it is now, the loser appends.
      assert.equal(await point(c!, 12, '{"n":3}', 3, 2), 'appended');
      assert.equal((await store.listHistoryPoints(SERIES)).length, 3);
      await rejectsWith(point('run_nope', 1, '{}', 4, 3), 'NOT_FOUND');
      await rejectsWith(point(c!, Number.NaN, '{}', 4, 3), 'INVALID_INPUT');
      await rejectsWith(point(c!, 1, '{bad', 4, 3), 'INVALID_INPUT');
      assert.equal((await store.getHistoryState(SERIES))?.pointCount, 3);
    }));

  test('history append: concurrent appenders of one series never lose a point', () =>
    withStore(make, async ({ store }) => {
      const runs: string[] = [];
      for (let i = 0; i < 6; i++) runs.push(await makeRun(store));
      // Each appender reads the count, "computes" the next state and retries on CONFLICT.
      const append = async (runId: string): Promise<number> => {
        for (let attempt = 1; ; attempt++) {
          const st = await store.getHistoryState(SERIES);
          const count = st?.pointCount ?? 0;
          const seen = st === null ? [] : (JSON.parse(st.stateJson) as string[]);
          try {
            await store.appendHistoryPoint({
              ...SERIES,
              runId,
              value: count,
              atMs: 1,
              stateJson: JSON.stringify([...seen, runId]),
              pointCount: count + 1,
              expectedCount: st?.pointCount ?? null,
            });
            return attempt;
          } catch (err) {
            if ((err as { code?: string }).code !== 'CONFLICT' || attempt > 50) throw err;
          }
        }
      };
      await Promise.all([...runs, ...runs].map(append));
      const st = await store.getHistoryState(SERIES);
      assert.equal(st?.pointCount, 6);
      assert.deepEqual(
        [...(JSON.parse(st?.stateJson ?? '[]') as string[])].sort(),
        [...runs].sort(),
      );
      assert.equal((await store.listHistoryPoints(SERIES)).length, 6);
    }));

  test('history runs: ended passed/failed runs are pending until marked, once', () =>
    withStore(make, async ({ store, clock }) => {
      const passed = await endedRun(store, 'passed');
      clock.advance(1);
      const failed = await endedRun(store, 'failed');
      clock.advance(1);
      await endedRun(store, 'aborted');
      await makeRun(store); // still queued
      assert.deepEqual(
        (await store.listRunsPendingHistory()).map((r) => r.id),
        [passed, failed],
      );
      assert.deepEqual(
        (await store.listRunsPendingHistory({ limit: 1 })).map((r) => r.id),
        [passed],
      );
      const failedEnd = (await store.getRun(failed)).endedAtMs ?? 0;
      assert.deepEqual(
        (await store.listRunsPendingHistory({ endedSinceMs: failedEnd })).map((r) => r.id),
        [failed],
      );
      assert.deepEqual(await store.listRunsPendingHistory({ endedSinceMs: failedEnd + 1 }), []);
      assert.equal(await store.getRunHistory(passed), null);
      const first = await store.markRunHistory({
        runId: passed,
        outcome: 'recorded',
        reason: '3 series',
        points: 3,
      });
      assert.deepEqual(first, {
        runId: passed,
        outcome: 'recorded',
        reason: '3 series',
        points: 3,
        doneAtMs: clock.nowMs(),
      });
      clock.advance(5);
      const again = await store.markRunHistory({
        runId: passed,
        outcome: 'skipped',
        reason: 'late',
        points: 0,
      });
      assert.deepEqual(again, first, 'the first record stays');
      assert.deepEqual(
        (await store.listRunsPendingHistory()).map((r) => r.id),
        [failed],
      );
      await rejectsWith(
        store.markRunHistory({ runId: 'run_nope', outcome: 'skipped', reason: 'x', points: 0 }),
        'NOT_FOUND',
      );
      await rejectsWith(
        store.markRunHistory({
          runId: failed,
          outcome: 'nope' as 'skipped',
          reason: 'x',
          points: 0,
        }),
        'INVALID_INPUT',
      );
    }));
}
