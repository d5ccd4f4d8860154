// Queue order, per-pool concurrency and reconciliation after a controller restart, against a
// SQLite file that outlives the first scheduler.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Generator, Run } from '@stampede/store';
import { fakeSnapshot } from '../agents/testing/snapshots.ts';
import { coreHarness, type CoreHarness } from './testing/core-harness.ts';

async function finish(h: CoreHarness, run: Run, gens: Generator[]): Promise<void> {
  for (const g of gens) await h.report(g, { runId: run.id, activity: 'ready' });
  await h.advance(1_000);
  for (const g of gens) await h.report(g, { runId: run.id, activity: 'finished', lastSeqs: {} });
}

test('runs of one pool start one at a time in queue order; other pools run alongside', async () => {
  const h = await coreHarness();
  try {
    await h.core.start();
    const gens = await h.addGenerators(2);
    const other = await h.addGenerators(1, 'p2');
    const r1 = await h.queueRun({ generators: 1 });
    const r2 = await h.queueRun({ generators: 1 });
    const r3 = await h.queueRun({ generators: 1 });
    const rOther = await h.queueRun({ generators: 1, pool: 'p2' });
    await h.core.tick();
    const status = async (r: Run) => (await h.store.getRun(r.id)).status;
    assert.deepEqual(
      [await status(r1), await status(r2), await status(r3), await status(rOther)],
      ['preparing', 'queued', 'queued', 'preparing'],
      'one run per pool at a time, even with idle generators left',
    );
    const holders = async (r: Run) => h.store.listGenerators({ runId: r.id });
    assert.equal((await holders(r1))[0]?.id, gens[0]?.id, 'the longest idle generator first');
    await finish(h, r1, await holders(r1));
    assert.equal(await status(r1), 'passed');
    await h.core.tick();
    assert.deepEqual([await status(r2), await status(r3)], ['preparing', 'queued']);
    await finish(h, r2, await holders(r2));
    await h.core.tick();
    assert.equal(await status(r3), 'preparing');
    await finish(h, rOther, other);
    assert.equal(await status(rOther), 'passed');
  } finally {
    await h.close();
  }
});

test('a configured pool concurrency runs several runs of the pool at once', async () => {
  const h = await coreHarness({ core: { poolConcurrency: { p1: 2 } } });
  try {
    await h.core.start();
    await h.addGenerators(2);
    const r1 = await h.queueRun({ generators: 1 });
    const r2 = await h.queueRun({ generators: 1 });
    await h.core.tick();
    assert.equal((await h.store.getRun(r1.id)).status, 'preparing');
    assert.equal((await h.store.getRun(r2.id)).status, 'preparing');
  } finally {
    await h.close();
  }
});

test('after a restart, an active run is aborted with the reason and queued runs start in order', async () => {
  const first = await coreHarness();
  let second: CoreHarness | undefined;
  try {
    await first.core.start();
    const [a, b] = (await first.addGenerators(2)) as [Generator, Generator];
    const running = await first.queueRun({ generators: 2 });
    const q1 = await first.queueRun({ generators: 2 });
    const q2 = await first.queueRun({ generators: 1 });
    await first.core.tick();
    await first.report(a, { runId: running.id, activity: 'ready' });
    await first.report(b, { runId: running.id, activity: 'ready' });
    await first.advance(1_000);
    await first.send(a, running.id, [fakeSnapshot('g0', 0, first.clock.t, { durationsMs: [3] })]);
    assert.equal((await first.store.getRun(running.id)).status, 'running');
    await first.crash(); // the process dies: nothing is cleaned up

    second = await coreHarness({ dbPath: first.dbPath, clock: first.clock });
    await second.heartbeat(a, b);
    await second.core.start();
    const aborted = await second.store.getRun(running.id);
    assert.equal(aborted.status, 'aborted');
    assert.equal(
      aborted.statusReason,
      'controller restarted while the run was running; a run cannot resume',
    );
    assert.ok(aborted.summaryJson !== null, 'a summary of the stored snapshots is kept');
    for (const g of [a, b]) {
      const c = second.core.hub.desired(g.id).command;
      // Freed at once: the next queued run already has them, after the stop for the old one.
      assert.ok(c.kind === 'prepare' && c.runId === q1.id, `${g.name} prepares ${q1.id}`);
    }
    assert.equal((await second.store.getRun(q1.id)).status, 'preparing');
    assert.equal((await second.store.getRun(q2.id)).status, 'queued');
    const jobs = await second.store.listJobs({ queue: 'p1' });
    assert.deepEqual(
      jobs.map((j) => j.status),
      ['done', 'leased', 'queued'],
    );
    // An agent still uploading for the aborted run is acknowledged and its snapshots stored.
    const ack = await second.send(a, running.id, [
      fakeSnapshot('g0', 1, second.clock.t, { durationsMs: [3] }),
    ]);
    assert.deepEqual(ack.acked, [{ source: 'g0', seq: 1 }]);
    assert.equal((await second.store.listSnapshots(running.id)).length, 2);
  } finally {
    await (second ?? first).close();
    rmSync(dirname(first.dbPath), { recursive: true, force: true });
  }
});

test('after a restart, a preparing run is aborted and its generator told to stop', async () => {
  const first = await coreHarness();
  let second: CoreHarness | undefined;
  try {
    await first.core.start();
    const [a] = (await first.addGenerators(1)) as [Generator];
    const preparing = await first.queueRun({ generators: 1 });
    await first.core.tick();
    assert.equal((await first.store.getRun(preparing.id)).status, 'preparing');
    await first.crash();

    second = await coreHarness({ dbPath: first.dbPath, clock: first.clock });
    await second.heartbeat(a);
    await second.core.start();
    assert.equal((await second.store.getRun(preparing.id)).status, 'aborted');
    const stop = second.core.hub.desired(a.id).command;
    assert.ok(stop.kind === 'stop' && stop.runId === preparing.id && !stop.graceful);
    assert.equal((await second.store.getGenerator(a.id)).status, 'idle');
  } finally {
    await (second ?? first).close();
    rmSync(dirname(first.dbPath), { recursive: true, force: true });
  }
});
