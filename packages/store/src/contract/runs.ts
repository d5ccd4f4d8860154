import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStoreError } from '../errors.ts';
import { DEFAULT_PROJECT_ID } from '../migrations/index.ts';
import type { Store } from '../store.ts';
import { makeRun, rejectsWith, withStore, type MakeDatabase } from './harness.ts';

/** Contract tests of runs and their transitions. */
export function runsContract(make: MakeDatabase, reopenable: boolean): void {
  test('runs: create records every field and transition 1', () =>
    withStore(make, async ({ store, clock }) => {
      const bundle = await store.putBundle(new Uint8Array([1, 2, 3]));
      const run = await store.createRun({
        planJson: '{"a":1}',
        bundleSha256: bundle.sha256,
        generatorsRequested: 3,
        pool: 'static-eu',
        createdBy: 'alice',
        labels: { commit: 'abc123', branch: 'main' },
        stateDeadlineMs: clock.nowMs() + 60_000,
      });
      assert.match(run.id, /^run_[0-9a-z]{26}$/);
      assert.deepEqual(run, {
        id: run.id,
        projectId: DEFAULT_PROJECT_ID,
        status: 'queued',
        statusReason: 'created',
        stateDeadlineMs: clock.nowMs() + 60_000,
        planJson: '{"a":1}',
        bundleSha256: bundle.sha256,
        generatorsRequested: 3,
        pool: 'static-eu',
        createdBy: 'alice',
        createdAtMs: clock.nowMs(),
        startedAtMs: null,
        endedAtMs: null,
        summaryJson: null,
        labels: { commit: 'abc123', branch: 'main' },
      });
      assert.deepEqual(await store.getRun(run.id), run);
      assert.deepEqual(await store.listRunTransitions(run.id), [
        { runId: run.id, seq: 1, from: null, to: 'queued', reason: 'created', atMs: clock.nowMs() },
      ]);
    }));

  test('runs: unknown project, unknown bundle or bad input create nothing', () =>
    withStore(make, async ({ store }) => {
      const bundle = await store.putBundle(new Uint8Array([1]));
      const base = {
        planJson: '{}',
        bundleSha256: bundle.sha256,
        generatorsRequested: 1,
        pool: 'local',
        createdBy: 'x',
      };
      await rejectsWith(store.createRun({ ...base, projectId: 'prj_nope' }), 'NOT_FOUND');
      await rejectsWith(store.createRun({ ...base, bundleSha256: 'f'.repeat(64) }), 'NOT_FOUND');
      await rejectsWith(store.createRun({ ...base, planJson: '{oops' }), 'INVALID_INPUT');
      await rejectsWith(store.createRun({ ...base, generatorsRequested: 0 }), 'INVALID_INPUT');
      assert.deepEqual((await store.listRuns()).items, []);
      await rejectsWith(store.getRun('run_nope'), 'NOT_FOUND');
      await rejectsWith(store.listRunTransitions('run_nope'), 'NOT_FOUND');
    }));

  test('runs: transitions follow the life cycle and are recorded', () =>
    withStore(make, async ({ store, clock }) => {
      const id = await makeRun(store);
      const steps = ['provisioning', 'preparing', 'ready', 'running', 'collecting'] as const;
      let prev: (typeof steps)[number] | 'queued' = 'queued';
      for (const to of steps) {
        clock.advance(100);
        const r = await store.transitionRun(id, [prev], to, `to ${to}`, clock.nowMs() + 5000);
        assert.equal(r.status, to);
        assert.equal(r.statusReason, `to ${to}`);
        assert.equal(r.stateDeadlineMs, clock.nowMs() + 5000);
        prev = to;
      }
      const runningAt = (await store.listRunTransitions(id)).find((t) => t.to === 'running')?.atMs;
      clock.advance(100);
      const done = await store.transitionRun(id, ['collecting', 'analysing'], 'passed', 'ok', 123);
      assert.equal(done.status, 'passed');
      assert.equal(done.startedAtMs, runningAt);
      assert.equal(done.endedAtMs, clock.nowMs());
      assert.equal(done.stateDeadlineMs, null, 'terminal runs have no deadline');
      const ts = await store.listRunTransitions(id);
      assert.deepEqual(
        ts.map((t) => [t.seq, t.from, t.to]),
        [
          [1, null, 'queued'],
          [2, 'queued', 'provisioning'],
          [3, 'provisioning', 'preparing'],
          [4, 'preparing', 'ready'],
          [5, 'ready', 'running'],
          [6, 'running', 'collecting'],
          [7, 'collecting', 'passed'],
        ],
      );
    }));

  test('runs: CAS failures, backward steps and terminal runs change nothing', () =>
    withStore(make, async ({ store }) => {
      const id = await makeRun(store);
      await rejectsWith(
        store.transitionRun(id, ['running'], 'collecting', 'x', null),
        'INVALID_STATE',
      );
      await rejectsWith(
        store.transitionRun('run_nope', ['queued'], 'aborted', 'x', null),
        'NOT_FOUND',
      );
      await rejectsWith(
        store.transitionRun(id, ['queued'], 'bogus' as 'queued', 'x', null),
        'INVALID_INPUT',
      );
      await store.transitionRun(id, ['queued'], 'running', 'skip ahead', null);
      await rejectsWith(
        store.transitionRun(id, ['running'], 'queued', 'back', null),
        'INVALID_STATE',
      );
      await rejectsWith(
        store.transitionRun(id, ['running'], 'running', 'same', null),
        'INVALID_STATE',
      );
      await store.transitionRun(id, ['running'], 'aborted', 'user abort', null);
      for (const to of ['errored', 'failed', 'passed'] as const) {
        await rejectsWith(store.transitionRun(id, ['aborted'], to, 'again', null), 'INVALID_STATE');
      }
      const run = await store.getRun(id);
      assert.equal(run.status, 'aborted');
      assert.equal(run.statusReason, 'user abort');
      assert.equal((await store.listRunTransitions(id)).length, 3);
    }));

  test('runs: concurrent compare-and-set lets exactly one caller win', () =>
    withStore(make, async ({ store, another }) => {
      const id = await makeRun(store);
      const stores: Store[] = [store];
      if (reopenable) stores.push(await another());
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          stores[i % stores.length]!.transitionRun(
            id,
            ['queued'],
            'provisioning',
            `caller ${i}`,
            null,
          ),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) {
        if (r.status === 'rejected')
          assert.ok(isStoreError(r.reason, 'INVALID_STATE'), String(r.reason));
      }
      assert.equal((await store.listRunTransitions(id)).length, 2);
    }));

  test('runs: list filters by status and project, pages newest first', () =>
    withStore(make, async ({ store, clock }) => {
      const other = await store.createProject({ name: 'other' });
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        if (i !== 3) clock.advance(10); // runs 2 and 3 share a millisecond
        ids.push(await makeRun(store, i === 6 ? { projectId: other.id } : {}));
      }
      await store.transitionRun(ids[1]!, ['queued'], 'running', 'go', null);
      await store.transitionRun(ids[4]!, ['queued'], 'aborted', 'stop', null);
      const all = await store.listRuns();
      const byId = await Promise.all(ids.map((id) => store.getRun(id)));
      assert.equal(byId[2]!.createdAtMs, byId[3]!.createdAtMs);
      const expected = byId
        .sort((x, y) => y.createdAtMs - x.createdAtMs || (x.id < y.id ? 1 : -1))
        .map((r) => r.id);
      assert.deepEqual(
        all.items.map((r) => r.id),
        expected,
      );
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<Store['listRuns']>> = await store.listRuns({
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        assert.ok(page.items.length <= 2);
        paged.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(paged, expected);
      const active = await store.listRuns({ status: ['running', 'aborted'] });
      assert.deepEqual(active.items.map((r) => r.id).sort(), [ids[1], ids[4]].sort());
      const mine = await store.listRuns({ projectId: other.id });
      assert.deepEqual(
        mine.items.map((r) => r.id),
        [ids[6]],
      );
      await rejectsWith(store.listRuns({ cursor: 'garbage' }), 'INVALID_INPUT');
    }));

  test('runs: list filters by labels (every pair must match exactly)', () =>
    withStore(make, async ({ store, clock }) => {
      const main = await makeRun(store, { labels: { branch: 'main', 'ci/job': 'nightly' } });
      clock.advance(1);
      const feature = await makeRun(store, { labels: { branch: 'main-2', 'ci/job': 'nightly' } });
      clock.advance(1);
      await makeRun(store, {});
      const ids = async (labels: Record<string, string>) =>
        (await store.listRuns({ labels })).items.map((r) => r.id);
      assert.deepEqual(await ids({ branch: 'main' }), [main]);
      assert.deepEqual(await ids({ 'ci/job': 'nightly' }), [feature, main]);
      assert.deepEqual(await ids({ branch: 'main', 'ci/job': 'nightly' }), [main]);
      assert.deepEqual(await ids({ branch: 'main', 'ci/job': 'weekly' }), []);
      assert.deepEqual(await ids({ "x'; DROP TABLE runs; --": 'main' }), []);
      assert.equal((await store.listRuns()).items.length, 3);
    }));

  test('runs: summary and deadlines', () =>
    withStore(make, async ({ store, clock }) => {
      const a = await makeRun(store);
      const b = await makeRun(store);
      await store.transitionRun(a, ['queued'], 'provisioning', 'p', clock.nowMs() + 1000);
      await store.transitionRun(b, ['queued'], 'provisioning', 'p', clock.nowMs() + 3000);
      assert.deepEqual(await store.listRunsPastDeadline(), []);
      clock.advance(1000);
      assert.deepEqual(
        (await store.listRunsPastDeadline()).map((r) => r.id),
        [a],
      );
      clock.advance(5000);
      await store.transitionRun(a, ['provisioning'], 'errored', 'timeout', null);
      assert.deepEqual(
        (await store.listRunsPastDeadline()).map((r) => r.id),
        [b],
      );
      const withSummary = await store.setRunSummary(a, '{"p99":12}');
      assert.equal(withSummary.summaryJson, '{"p99":12}');
      await rejectsWith(store.setRunSummary('run_nope', '{}'), 'NOT_FOUND');
      await rejectsWith(store.setRunSummary(a, 'nope'), 'INVALID_INPUT');
      assert.equal((await store.getRun(a)).summaryJson, '{"p99":12}');
    }));
}
