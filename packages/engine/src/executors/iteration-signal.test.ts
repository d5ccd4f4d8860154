import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IterationAbort } from './iteration-signal.ts';

test('IterationAbort calls each listener once, in order, and then forgets them', () => {
  const signal = new IterationAbort();
  const calls: string[] = [];
  signal.addEventListener('abort', () => calls.push('a'));
  signal.addEventListener('abort', () => calls.push('b'));
  const reason = new Error('stop');
  signal.abort(reason);
  signal.abort(new Error('again'));
  assert.deepEqual(calls, ['a', 'b']);
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, reason);
  signal.addEventListener('abort', () => calls.push('late'));
  signal.abort(reason);
  assert.deepEqual(calls, ['a', 'b']);
});

test('IterationAbort: a removed listener is not called, whichever slot it had', () => {
  const signal = new IterationAbort();
  const calls: string[] = [];
  const a = (): void => void calls.push('a');
  const b = (): void => void calls.push('b');
  const c = (): void => void calls.push('c');
  signal.addEventListener('abort', a);
  signal.addEventListener('abort', b);
  signal.addEventListener('abort', c);
  signal.removeEventListener('abort', a);
  signal.removeEventListener('abort', c);
  signal.removeEventListener('abort', () => {});
  signal.abort(new Error('stop'));
  assert.deepEqual(calls, ['b']);
});
