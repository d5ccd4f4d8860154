import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PROJECT_ID, MIGRATIONS } from '../migrations/index.ts';
import type { Migration } from '../migrations/migration.ts';
import { rejectsWith, withStore, type MakeDatabase } from './harness.ts';

// Versions may have gaps (each branch of work is given its own number).
const NEWEST = Math.max(...MIGRATIONS.map((m) => m.version));

const NOT_REOPENABLE = 'an in-memory database does not outlive its connection';

/** Contract tests of migrations, projects and bundles. */
export function basicsContract(make: MakeDatabase, reopenable: boolean): void {
  test('open migrates and creates the default project', () =>
    withStore(make, async ({ store }) => {
      assert.equal(await store.schemaVersion(), NEWEST);
      const p = await store.getProject(DEFAULT_PROJECT_ID);
      assert.equal(p.name, 'default');
      assert.deepEqual(await store.listProjects(), [p]);
    }));

  test('reopening is a no-op that keeps data', { skip: !reopenable && NOT_REOPENABLE }, () =>
    withStore(make, async ({ store, another }) => {
      const p = await store.createProject({ name: 'shop' });
      await store.close();
      const again = await another();
      const again2 = await another();
      assert.equal(await again2.schemaVersion(), NEWEST);
      assert.deepEqual(await again.getProject(p.id), p);
      assert.equal((await again.listProjects()).length, 2);
    }),
  );

  test(
    'a database newer than the code is refused with SCHEMA_TOO_NEW',
    {
      skip: !reopenable && NOT_REOPENABLE,
    },
    () =>
      withStore(make, async ({ another }) => {
        const future: Migration = {
          version: 999,
          name: 'future',
          up: () => [{ sql: 'CREATE TABLE future_things (id TEXT PRIMARY KEY)' }],
        };
        const newer = await another({ migrations: [...MIGRATIONS, future] });
        assert.equal(await newer.schemaVersion(), 999);
        await rejectsWith(another(), 'SCHEMA_TOO_NEW');
      }),
  );

  test(
    'a failing migration is rolled back as a whole',
    { skip: !reopenable && NOT_REOPENABLE },
    () =>
      withStore(make, async ({ store, another }) => {
        const bad: Migration = {
          version: NEWEST + 1,
          name: 'bad',
          up: () => [
            { sql: 'CREATE TABLE half_done (id TEXT PRIMARY KEY)' },
            { sql: 'THIS IS NOT SQL' },
          ],
        };
        await rejectsWith(another({ migrations: [...MIGRATIONS, bad] }), 'INTERNAL');
        assert.equal(await store.schemaVersion(), NEWEST);
        const ok: Migration = {
          version: NEWEST + 1,
          name: 'good',
          up: () => [{ sql: 'CREATE TABLE half_done (id TEXT PRIMARY KEY)' }],
        };
        const fixed = await another({ migrations: [...MIGRATIONS, ok] });
        assert.equal(await fixed.schemaVersion(), NEWEST + 1);
      }),
  );

  test('projects: create, get, find, list; duplicates and unknown ids change nothing', () =>
    withStore(make, async ({ store, clock }) => {
      const a = await store.createProject({ name: 'shop' });
      assert.match(a.id, /^prj_/);
      assert.equal(a.createdAtMs, clock.nowMs());
      assert.deepEqual(await store.getProject(a.id), a);
      assert.deepEqual(await store.findProjectByName('shop'), a);
      assert.equal(await store.findProjectByName('nope'), null);
      await rejectsWith(store.createProject({ name: 'shop' }), 'CONFLICT');
      await rejectsWith(store.createProject({ name: '' }), 'INVALID_INPUT');
      await rejectsWith(store.getProject('prj_missing'), 'NOT_FOUND');
      assert.deepEqual(
        (await store.listProjects()).map((p) => p.name),
        ['default', 'shop'],
      );
    }));

  test('bundles: idempotent put, bytes round-trip, hash check', () =>
    withStore(make, async ({ store, clock }) => {
      const bytes = new Uint8Array([0, 1, 2, 255, 254, 10, 13]);
      const first = await store.putBundle(bytes);
      assert.equal(first.created, true);
      assert.equal(first.sizeBytes, 7);
      assert.match(first.sha256, /^[0-9a-f]{64}$/);
      clock.advance(1000);
      const second = await store.putBundle(bytes, first.sha256);
      assert.deepEqual(second, { ...first, created: false });
      const got = await store.getBundle(first.sha256);
      assert.deepEqual(Array.from(got.content), Array.from(bytes));
      assert.equal(got.createdAtMs, first.createdAtMs);
      assert.deepEqual(await store.getBundleInfo(first.sha256), {
        sha256: first.sha256,
        sizeBytes: 7,
        createdAtMs: first.createdAtMs,
      });
      await rejectsWith(store.putBundle(new Uint8Array([9]), first.sha256), 'INVALID_INPUT');
      await rejectsWith(store.getBundle('0'.repeat(64)), 'NOT_FOUND');
      assert.equal(await store.getBundleInfo('0'.repeat(64)), null);
      const empty = await store.putBundle(new Uint8Array(0));
      assert.equal((await store.getBundle(empty.sha256)).content.byteLength, 0);
    }));
}
