import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TestClock } from './contract/harness.ts';
import { isStoreError } from './errors.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { openStore } from './open-store.ts';

test('openStore picks SQLite for sqlite: URLs and plain paths, and refuses unknown schemes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-open-'));
  try {
    const clock = new TestClock();
    for (const url of [`sqlite:${join(dir, 'a.db')}`, join(dir, 'b.db'), 'sqlite::memory:']) {
      const store = await openStore(url, { clock });
      assert.equal(store.dialect, 'sqlite');
      assert.equal(await store.schemaVersion(), Math.max(...MIGRATIONS.map((m) => m.version)));
      await store.close();
    }
    const again = await openStore(join(dir, 'a.db'), { clock });
    assert.equal((await again.listProjects()).length, 1);
    await again.close();
    await assert.rejects(openStore('mysql://x/y', { clock }), (e) =>
      isStoreError(e, 'INVALID_INPUT'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
