import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { globPaths, nameMatcher } from './basename-glob.ts';

test('nameMatcher: *, ?, classes, negated classes and braces', () => {
  assert.ok(nameMatcher('base.*.json').test('base.10.json'));
  assert.ok(!nameMatcher('base.*.json').test('base.10.jsonx'));
  assert.ok(!nameMatcher('base.*.json').test('baseX1.json'), 'a dot is literal');
  assert.ok(nameMatcher('run-?.json').test('run-3.json'));
  assert.ok(!nameMatcher('run-?.json').test('run-33.json'));
  assert.ok(nameMatcher('run-[12].json').test('run-2.json'));
  assert.ok(!nameMatcher('run-[!12].json').test('run-2.json'));
  assert.ok(nameMatcher('{a,b}.json').test('b.json'));
  assert.ok(!nameMatcher('{a,b}.json').test('c.json'));
  assert.ok(nameMatcher('a+(b).json').test('a+(b).json'), 'regex characters are literal');
});

test('globPaths gives the same files as fs.glob, dotfiles left out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-glob-'));
  try {
    for (const f of ['a.1.json', 'a.2.json', 'a.10.json', 'b.1.json', '.a.3.json', 'a.1.txt']) {
      writeFileSync(join(dir, f), '{}');
    }
    for (const pattern of ['a.*.json', '{a,b}.1.json', 'a.?.json', '*.txt']) {
      const ours = (await globPaths(join(dir, pattern))).sort();
      const theirs: string[] = [];
      for await (const p of glob(join(dir, pattern))) theirs.push(p);
      assert.deepEqual(ours, theirs.sort(), pattern);
    }
    assert.deepEqual(await globPaths(join(dir, 'missing', '*.json')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
