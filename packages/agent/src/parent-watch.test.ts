import assert from 'node:assert/strict';
import { test } from 'node:test';
import { watchParent } from './parent-watch.ts';

test('watchParent calls onGone once when the parent PID changes, and not before', async (t) => {
  let parent = 100;
  const calls: string[] = [];
  const stop = watchParent({
    parentPid: 100,
    currentParentPid: () => parent,
    onGone: (why) => calls.push(why),
    intervalMs: 5,
  });
  t.after(stop);
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(calls, []);
  parent = 1;
  // Bounded wait for the next poll; it can only come later on a busy machine, never not at all.
  for (let i = 0; i < 200 && calls.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(calls.length, 1);
  assert.match(calls[0] ?? '', /pid 100\) is gone \(parent is now pid 1\)/);
});

test('watchParent reports a parent already gone at once', (t) => {
  const calls: string[] = [];
  t.after(watchParent({ parentPid: 100, currentParentPid: () => 1, onGone: (w) => calls.push(w) }));
  assert.equal(calls.length, 1);
});
