import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pruneArchiveCache, touchArchive } from './archive-cache.ts';

test('the archive cache keeps under its cap by removing the least recently used, never the one in use', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-archives-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const base = Date.parse('2026-01-01T00:00:00Z');
  // a, b, c written in that order; then a used again, so b is the least recently used.
  for (const [i, name] of ['a', 'b', 'c'].entries()) {
    writeFileSync(join(dir, `${name}.json`), 'x'.repeat(100));
    await touchArchive(join(dir, `${name}.json`), base + i * 1000);
  }
  await touchArchive(join(dir, 'a.json'), base + 5000);
  writeFileSync(join(dir, 'd.json'), 'x'.repeat(100));
  await touchArchive(join(dir, 'd.json'), base + 6000);
  assert.deepEqual(await pruneArchiveCache(dir, 250, 'd.json'), ['b.json', 'c.json']);
  assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'd.json']);
  // The archive being prepared stays even when it alone is over the cap.
  assert.deepEqual(await pruneArchiveCache(dir, 50, 'd.json'), ['a.json']);
  assert.deepEqual(readdirSync(dir), ['d.json']);
});
