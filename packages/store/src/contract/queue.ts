import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from '../model.ts';
import type { Store } from '../store.ts';
import { rejectsWith, withStore, type MakeDatabase } from './harness.ts';

async function fill(store: Store, queue: string, n: number): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let i = 0; i < n; i++) {
    jobs.push(
      await store.enqueue({ queue, kind: 'start-run', payloadJson: JSON.stringify({ i }) }),
    );
  }
  return jobs;
}

/** Contract tests of the durable job queue. */
export function queueContract(make: MakeDatabase, reopenable: boolean): void {
  test('queue: FIFO within a priority, higher priority first', () =>
    withStore(make, async ({ store }) => {
      const [a, b] = await fill(store, 'q', 2);
      const urgent = await store.enqueue({ queue: 'q', kind: 'k', payloadJson: '{}', priority: 5 });
      assert.ok(b!.createdSeq > a!.createdSeq);
      assert.equal(a!.status, 'queued');
      const order: string[] = [];
      for (let i = 0; i < 3; i++) {
        const j = await store.lease('q', 'w', 1000, 10);
        assert.ok(j);
        assert.equal(j.status, 'leased');
        assert.equal(j.attempts, 1);
        order.push(j.id);
      }
      assert.deepEqual(order, [urgent.id, a!.id, b!.id]);
      assert.equal(await store.lease('q', 'w', 1000, 10), null);
      assert.equal(await store.lease('empty', 'w', 1000, 10), null);
    }));

  test('queue: concurrency cap per queue', () =>
    withStore(make, async ({ store }) => {
      await fill(store, 'pool-a', 3);
      await fill(store, 'pool-b', 1);
      const first = await store.lease('pool-a', 'w1', 1000, 1);
      assert.ok(first);
      assert.equal(await store.lease('pool-a', 'w2', 1000, 1), null);
      assert.ok(await store.lease('pool-b', 'w2', 1000, 1), 'queues are capped separately');
      assert.ok(await store.lease('pool-a', 'w2', 1000, 2), 'a higher cap admits one more');
      await store.complete(first.id, 'w1');
      assert.equal((await store.getJob(first.id)).status, 'done');
      assert.ok(await store.lease('pool-a', 'w3', 1000, 2));
      assert.equal(await store.lease('pool-a', 'w3', 1000, 2), null);
    }));

  test('queue: an expired lease is taken over; the old owner loses it', () =>
    withStore(make, async ({ store, clock }) => {
      const [job] = await fill(store, 'q', 1);
      const l1 = await store.lease('q', 'w1', 1000, 1);
      assert.equal(l1?.leaseExpiresMs, clock.nowMs() + 1000);
      clock.advance(500);
      const renewed = await store.renew(job!.id, 'w1', 1000);
      assert.equal(renewed.leaseExpiresMs, clock.nowMs() + 1000);
      clock.advance(999);
      assert.equal(await store.lease('q', 'w2', 1000, 1), null, 'still leased');
      clock.advance(1);
      const l2 = await store.lease('q', 'w2', 1000, 1);
      assert.equal(l2?.id, job!.id);
      assert.equal(l2?.attempts, 2);
      assert.equal(l2?.leaseOwner, 'w2');
      await rejectsWith(store.complete(job!.id, 'w1'), 'CONFLICT');
      await rejectsWith(store.renew(job!.id, 'w1', 1000), 'CONFLICT');
      await rejectsWith(store.fail(job!.id, 'w1', 'boom', null), 'CONFLICT');
      await rejectsWith(store.complete('job_nope', 'w1'), 'NOT_FOUND');
      await rejectsWith(store.getJob('job_nope'), 'NOT_FOUND');
      const done = await store.complete(job!.id, 'w2');
      assert.equal(done.status, 'done');
      await rejectsWith(store.complete(job!.id, 'w2'), 'CONFLICT');
    }));

  test('queue: fail retries later or fails for good; future jobs wait', () =>
    withStore(make, async ({ store, clock }) => {
      const [job] = await fill(store, 'q', 1);
      const later = await store.enqueue({
        queue: 'q',
        kind: 'k',
        payloadJson: '{}',
        availableAtMs: clock.nowMs() + 10_000,
      });
      await store.lease('q', 'w', 1000, 5);
      const retried = await store.fail(job!.id, 'w', 'target down', clock.nowMs() + 2000);
      assert.equal(retried.status, 'queued');
      assert.equal(retried.lastError, 'target down');
      assert.equal(retried.leaseOwner, null);
      assert.equal(await store.lease('q', 'w', 1000, 5), null);
      clock.advance(2000);
      const again = await store.lease('q', 'w', 1000, 5);
      assert.equal(again?.id, job!.id);
      assert.equal(again?.attempts, 2);
      const failed = await store.fail(job!.id, 'w', 'gave up', null);
      assert.equal(failed.status, 'failed');
      assert.equal(await store.lease('q', 'w', 1000, 5), null);
      clock.advance(8000);
      assert.equal((await store.lease('q', 'w', 1000, 5))?.id, later.id);
      assert.deepEqual(
        (await store.listJobs({ queue: 'q', status: ['failed'] })).map((j) => j.id),
        [job!.id],
      );
      await rejectsWith(
        store.enqueue({ queue: 'q', kind: 'k', payloadJson: 'nope' }),
        'INVALID_INPUT',
      );
      await rejectsWith(store.lease('q', 'w', 0, 1), 'INVALID_INPUT');
      assert.equal((await store.listJobs()).length, 2);
    }));

  test('queue: concurrent leasers never get the same job and respect the cap', () =>
    withStore(make, async ({ store, another }) => {
      const stores: Store[] = [store];
      if (reopenable) stores.push(await another());
      await fill(store, 'q', 30);
      const many = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          stores[i % stores.length]!.lease('q', `w${i}`, 5000, 100),
        ),
      );
      const ids = many.map((j) => j?.id);
      assert.ok(ids.every((id) => id !== undefined));
      assert.equal(new Set(ids).size, 20);
      await fill(store, 'capped', 10);
      const capped = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          stores[i % stores.length]!.lease('capped', `c${i}`, 5000, 3),
        ),
      );
      assert.equal(capped.filter((j) => j !== null).length, 3);
      const leased = await store.listJobs({ queue: 'capped', status: ['leased'] });
      assert.equal(leased.length, 3);
    }));

  test('queue: jobs survive a restart in order', { skip: !reopenable && 'in-memory' }, () =>
    withStore(make, async ({ store, clock, another }) => {
      const jobs = await fill(store, 'q', 4);
      const held = await store.lease('q', 'w1', 1000, 10);
      await store.close();
      const reopened = await another();
      const queued = await reopened.listJobs({ queue: 'q', status: ['queued'] });
      assert.deepEqual(
        queued.map((j) => j.id),
        jobs.slice(1).map((j) => j.id),
      );
      assert.equal((await reopened.getJob(held!.id)).leaseOwner, 'w1');
      clock.advance(1000);
      const order: (string | undefined)[] = [];
      for (let i = 0; i < 4; i++) order.push((await reopened.lease('q', 'w2', 1000, 10))?.id);
      assert.deepEqual(
        order,
        jobs.map((j) => j.id),
      );
    }),
  );
}
