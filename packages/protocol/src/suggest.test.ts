import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestName } from './suggest.ts';

test('a close misspelling gets the known name; a far one gets none', () => {
  assert.equal(closestName('vuss', ['vus', 'duration', 'iterations']), 'vus');
  assert.equal(closestName('duraton', ['vus', 'duration', 'iterations']), 'duration');
  assert.equal(closestName('Thresholds', ['thresholds', 'tags']), 'thresholds');
  assert.equal(closestName('banana', ['vus', 'duration']), undefined);
  assert.equal(closestName('x', []), undefined);
});
