// Metric batches: idempotent storage, acknowledgement of every stored (source, seq), live merge
// fed only with new snapshots, sources checked against the generator's slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Generator } from '@stampede/store';
import { ApiError } from '../api/errors.ts';
import { coreHarness } from '../scheduler/testing/core-harness.ts';
import { fakeSnapshot } from './testing/snapshots.ts';

test('a re-sent batch is acked again, stored once and merged once', async () => {
  const h = await coreHarness();
  try {
    await h.core.start();
    const [a, b] = (await h.addGenerators(2)) as [Generator, Generator];
    const run = await h.queueRun({ generators: 2 });
    await h.core.tick();
    const t = h.clock.t;
    const batch = [0, 1, 2].map((seq) =>
      fakeSnapshot('g0.w1', seq, t + seq * 1000, { durationsMs: [10, 20] }),
    );
    const first = await h.send(a, run.id, batch);
    assert.deepEqual(first.acked, [
      { source: 'g0.w1', seq: 0 },
      { source: 'g0.w1', seq: 1 },
      { source: 'g0.w1', seq: 2 },
    ]);
    // The answer was lost: the agent sends the same batch plus one more.
    const more = [...batch, fakeSnapshot('g0.w1', 3, t + 3000, { durationsMs: [30] })];
    const second = await h.send(a, run.id, more);
    assert.equal(second.acked.length, 4, 'old and new are acked');
    assert.equal((await h.store.listSnapshots(run.id)).length, 4, 'stored once');
    assert.equal(await h.store.maxSeq(run.id, 'g0.w1'), 3);
    assert.equal(h.core.scheduler.live(run.id)?.totalRequests, 7, 'merged once');

    // A source of another generator's slot (g1) is refused, the whole batch.
    await assert.rejects(
      h.send(a, run.id, [fakeSnapshot('g1', 0, t, { durationsMs: [1] })]),
      (err: unknown) => err instanceof ApiError && err.code === 'FORBIDDEN',
    );
    await assert.rejects(
      h.send(b, run.id, [fakeSnapshot('g10', 0, t, { durationsMs: [1] })]),
      (err: unknown) => err instanceof ApiError && err.code === 'FORBIDDEN',
      'g10 is not g1',
    );
    assert.equal(
      (await h.send(b, run.id, [fakeSnapshot('g1', 0, t, { durationsMs: [1] })])).acked.length,
      1,
    );
  } finally {
    await h.close();
  }
});

test('snapshots of a run the store does not know are refused with NOT_FOUND', async () => {
  const h = await coreHarness();
  try {
    const [a] = (await h.addGenerators(1)) as [Generator];
    await assert.rejects(
      h.send(a, 'run_nope', [fakeSnapshot('g0', 0, h.clock.t, { durationsMs: [1] })]),
      { code: 'NOT_FOUND' },
    );
  } finally {
    await h.close();
  }
});
