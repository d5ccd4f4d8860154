import assert from 'node:assert/strict';
import { test } from 'node:test';
import { href, hrefWithQuery, parseHash } from './router.ts';

test('parseHash splits the path after #/ and reads the query', () => {
  const r = parseHash('#/runs/run_1?status=failed&projectId=shop');
  assert.deepEqual(r.parts, ['runs', 'run_1']);
  assert.equal(r.query.get('status'), 'failed');
  assert.equal(r.query.get('projectId'), 'shop');
  assert.deepEqual(parseHash('').parts, []);
  assert.deepEqual(parseHash('#/').parts, []);
});

test('href and parseHash round-trip ids with reserved characters', () => {
  const id = 'a/b?c#d';
  assert.deepEqual(parseHash(href('runs', id)).parts, ['runs', id]);
});

test('hrefWithQuery leaves out empty filters', () => {
  assert.equal(hrefWithQuery('runs', { status: '', projectId: 'p' }), '#/runs?projectId=p');
  assert.equal(hrefWithQuery('runs', { status: '' }), '#/runs');
});
