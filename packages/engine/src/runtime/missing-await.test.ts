import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { iterationStorage, type IterationContext } from './context.ts';
import {
  MissingAwaitError,
  rejectPromiseValue,
  trackAwait,
  unawaitedCall,
} from './missing-await.ts';

function fakeIteration(iterations = 0): IterationContext {
  return { vu: { iterations } } as unknown as IterationContext;
}

const later = trackAwait('later', (v: number) => Promise.resolve(v));

test('awaited, chained and Promise.all-ed calls are not reported', async () => {
  const ctx = fakeIteration();
  await iterationStorage.run(ctx, async () => {
    assert.equal(await later(1), 1);
    await later(2).then((v) => v);
    await Promise.all([later(3), later(4)]);
    await later(5).catch(() => 0);
  });
  assert.equal(unawaitedCall(ctx), null);
});

test('a call nobody awaited is reported with the line of the call in the first iteration', async () => {
  const ctx = fakeIteration(0);
  await iterationStorage.run(ctx, async () => {
    void later(1); // the line below must not matter: the site is this line
  });
  const error = unawaitedCall(ctx);
  assert.ok(error instanceof MissingAwaitError);
  assert.match(error.message, /later\(\) returned a Promise .* missing await\?/);
  const callLine = readFileSync(new URL(import.meta.url), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes('void later(1);'));
  assert.match(error.stack ?? '', new RegExp(`missing-await\\.test\\.ts:${callLine + 1}:`));
  assert.equal(unawaitedCall(ctx), null, 'forgotten after the report');
});

test('outside an iteration nothing is tracked; check() of a Promise throws', async () => {
  assert.ok(!(later(1) instanceof MissingAwaitError));
  assert.doesNotThrow(() => rejectPromiseValue(Promise.resolve(1), 'check()', test));
  iterationStorage.run(fakeIteration(), () => {
    assert.throws(
      () => rejectPromiseValue(Promise.resolve(1), 'check()', test),
      /check\(\) got a Promise, not a value: missing await\?/,
    );
    assert.doesNotThrow(() => rejectPromiseValue({ status: 200 }, 'check()', test));
  });
});
