import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PROJECT_ID } from '../migrations/index.ts';
import { rejectsWith, withStore, type MakeDatabase } from './harness.ts';

const POLICY = {
  allowTargets: ['127.0.0.1:8080', 'api.example.com'],
  maxGenerators: 2,
  maxDurationMs: 60_000,
  maxRatePerSec: 12.5,
  updatedBy: 'alice',
};

/** Contract tests of per-project policies (migration 005). */
export function policiesContract(make: MakeDatabase, reopenable: boolean): void {
  test('project policies: none until set, replaced whole, one per project', () =>
    withStore(make, async ({ store, clock }) => {
      const shop = await store.createProject({ name: 'shop' });
      assert.equal(await store.getProjectPolicy(shop.id), null);
      assert.equal(await store.getProjectPolicy(DEFAULT_PROJECT_ID), null);
      const set = await store.setProjectPolicy({ projectId: shop.id, ...POLICY });
      assert.deepEqual(set, { projectId: shop.id, ...POLICY, updatedAtMs: clock.nowMs() });
      assert.deepEqual(await store.getProjectPolicy(shop.id), set);
      assert.equal(
        await store.getProjectPolicy(DEFAULT_PROJECT_ID),
        null,
        'other projects keep none',
      );
      clock.advance(10);
      const cleared = await store.setProjectPolicy({
        projectId: shop.id,
        allowTargets: [],
        maxGenerators: null,
        maxDurationMs: null,
        maxRatePerSec: null,
        updatedBy: 'bob',
      });
      assert.deepEqual(await store.getProjectPolicy(shop.id), cleared);
      assert.equal(cleared.updatedAtMs, clock.nowMs());
      assert.equal(cleared.maxGenerators, null);
    }));

  test('project policies: unknown project → NOT_FOUND, bad caps → INVALID_INPUT, nothing stored', () =>
    withStore(make, async ({ store }) => {
      await rejectsWith(store.getProjectPolicy('prj_nope'), 'NOT_FOUND');
      await rejectsWith(store.setProjectPolicy({ projectId: 'prj_nope', ...POLICY }), 'NOT_FOUND');
      const p = await store.createProject({ name: 'p' });
      for (const bad of [
        { maxGenerators: 0 },
        { maxGenerators: 1.5 },
        { maxDurationMs: -1 },
        { maxRatePerSec: 0 },
        { maxRatePerSec: Number.NaN },
      ]) {
        await rejectsWith(
          store.setProjectPolicy({ projectId: p.id, ...POLICY, ...bad }),
          'INVALID_INPUT',
        );
      }
      assert.equal(await store.getProjectPolicy(p.id), null);
    }));

  test('project policies outlive a reopen', { skip: !reopenable && 'in-memory' }, () =>
    withStore(make, async ({ store, another }) => {
      const p = await store.createProject({ name: 'kept' });
      const set = await store.setProjectPolicy({ projectId: p.id, ...POLICY });
      await store.close();
      assert.deepEqual(await (await another()).getProjectPolicy(p.id), set);
    }),
  );
}
