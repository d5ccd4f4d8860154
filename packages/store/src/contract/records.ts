import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeRun, rejectsWith, withStore, type MakeDatabase } from './harness.ts';

/** Contract tests of the audit log, run logs and metric snapshots. */
export function recordsContract(make: MakeDatabase): void {
  test('audit log: append and list newest first with paging', () =>
    withStore(make, async ({ store, clock }) => {
      const a = await store.appendAudit({ actor: 'alice', action: 'run.start', target: 'run_1' });
      clock.advance(1);
      const b = await store.appendAudit({
        actor: 'bob',
        action: 'run.abort',
        target: 'run_1',
        detailsJson: '{"why":"slow"}',
      });
      assert.equal(a.detailsJson, '{}');
      assert.ok(b.id > a.id);
      assert.equal(b.atMs, clock.nowMs());
      assert.deepEqual(await store.listAudit(), [b, a]);
      assert.deepEqual(await store.listAudit({ limit: 1 }), [b]);
      assert.deepEqual(await store.listAudit({ beforeId: b.id }), [a]);
      await rejectsWith(
        store.appendAudit({ actor: 'x', action: 'y', target: 'z', detailsJson: '{' }),
        'INVALID_INPUT',
      );
      assert.equal((await store.listAudit()).length, 2);
    }));

  test('snapshots: idempotent put, ordered list, maxSeq', () =>
    withStore(make, async ({ store }) => {
      const run = await makeRun(store);
      assert.equal(await store.maxSeq(run, 'gen-a'), null);
      assert.equal(
        await store.putSnapshot({ runId: run, source: 'gen-a', seq: 2, payloadJson: '{"n":2}' }),
        true,
      );
      assert.equal(
        await store.putSnapshot({ runId: run, source: 'gen-a', seq: 1, payloadJson: '{"n":1}' }),
        true,
      );
      assert.equal(
        await store.putSnapshot({ runId: run, source: 'gen-b', seq: 1, payloadJson: '{"n":9}' }),
        true,
      );
      assert.equal(
        await store.putSnapshot({
          runId: run,
          source: 'gen-a',
          seq: 2,
          payloadJson: '{"n":"dup"}',
        }),
        false,
      );
      const all = await store.listSnapshots(run);
      assert.deepEqual(
        all.map((s) => [s.seq, s.source, s.payloadJson]),
        [
          [1, 'gen-a', '{"n":1}'],
          [1, 'gen-b', '{"n":9}'],
          [2, 'gen-a', '{"n":2}'],
        ],
      );
      assert.equal((await store.listSnapshots(run, { source: 'gen-b' })).length, 1);
      assert.equal(await store.maxSeq(run, 'gen-a'), 2);
      assert.equal(await store.maxSeq(run, 'gen-b'), 1);
      await rejectsWith(
        store.putSnapshot({ runId: 'run_nope', source: 'a', seq: 1, payloadJson: '{}' }),
        'NOT_FOUND',
      );
      await rejectsWith(
        store.putSnapshot({ runId: run, source: 'a', seq: -1, payloadJson: '{}' }),
        'INVALID_INPUT',
      );
      assert.deepEqual(await store.listSnapshots('run_nope'), []);
    }));

  test('run logs: append and list in order', () =>
    withStore(make, async ({ store, clock }) => {
      const run = await makeRun(store);
      const first = await store.appendRunLog({
        runId: run,
        source: 'controller',
        level: 'info',
        message: 'queued',
      });
      assert.equal(first.atMs, clock.nowMs());
      const second = await store.appendRunLog({
        runId: run,
        source: 'gen-a',
        level: 'warn',
        message: 'slow start',
        atMs: 42,
      });
      assert.deepEqual(await store.listRunLogs(run), [first, second]);
      assert.deepEqual(await store.listRunLogs(run, { afterId: first.id }), [second]);
      assert.deepEqual(await store.listRunLogs(run, { limit: 1 }), [first]);
      await rejectsWith(
        store.appendRunLog({ runId: 'run_nope', source: 's', level: 'info', message: 'm' }),
        'NOT_FOUND',
      );
      await rejectsWith(
        store.appendRunLog({ runId: run, source: 's', level: 'loud' as 'info', message: 'm' }),
        'INVALID_INPUT',
      );
      assert.equal((await store.listRunLogs(run)).length, 2);
    }));
}
