import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStoreError } from '../errors.ts';
import type { Store } from '../store.ts';
import { makeRun, rejectsWith, withStore, type MakeDatabase } from './harness.ts';

/** Contract tests of generators and their exclusive assignment. */
export function generatorsContract(make: MakeDatabase, reopenable: boolean): void {
  test('generators: register, heartbeat, status CAS, retire; live names are unique', () =>
    withStore(make, async ({ store, clock }) => {
      const g = await store.createGenerator({ name: 'gen-1', kind: 'static', pool: 'eu' });
      assert.match(g.id, /^gen_/);
      assert.deepEqual(g, {
        id: g.id,
        name: 'gen-1',
        kind: 'static',
        pool: 'eu',
        status: 'idle',
        runId: null,
        certSerial: null,
        lastHeartbeatMs: null,
        createdAtMs: clock.nowMs(),
        retiredAtMs: null,
        healthJson: null,
      });
      await rejectsWith(
        store.createGenerator({ name: 'gen-1', kind: 'local', pool: 'x' }),
        'CONFLICT',
      );
      await rejectsWith(
        store.createGenerator({ name: 'g', kind: 'martian', pool: 'x' }),
        'INVALID_INPUT',
      );
      clock.advance(5);
      const hb = await store.recordHeartbeat(g.id, '{"cpu":0.5}');
      assert.equal(hb.lastHeartbeatMs, clock.nowMs());
      assert.equal(hb.healthJson, '{"cpu":0.5}');
      assert.equal((await store.setGeneratorCertSerial(g.id, 'abc')).certSerial, 'abc');
      await rejectsWith(store.recordHeartbeat('gen_nope', null), 'NOT_FOUND');
      await rejectsWith(store.setGeneratorStatus(g.id, ['assigned'], 'suspect'), 'INVALID_STATE');
      await rejectsWith(store.setGeneratorStatus(g.id, ['idle'], 'assigned'), 'INVALID_STATE');
      await rejectsWith(store.setGeneratorStatus('gen_nope', ['idle'], 'lost'), 'NOT_FOUND');
      assert.equal(
        (await store.setGeneratorStatus(g.id, ['idle'], 'terminating')).status,
        'terminating',
      );
      const dead = await store.setGeneratorStatus(g.id, ['terminating'], 'terminated');
      assert.equal(dead.retiredAtMs, clock.nowMs());
      await rejectsWith(store.setGeneratorStatus(g.id, ['terminated'], 'idle'), 'INVALID_STATE');
      assert.deepEqual(await store.listGenerators(), []);
      assert.equal((await store.listGenerators({ includeRetired: true })).length, 1);
      const again = await store.createGenerator({ name: 'gen-1', kind: 'static', pool: 'eu' });
      assert.notEqual(again.id, g.id);
    }));

  test('generators: assignment takes idle ones of the pool, all or none; release frees them', () =>
    withStore(make, async ({ store, clock }) => {
      const run = await makeRun(store, { pool: 'eu' });
      const eu = [];
      for (let i = 0; i < 3; i++) {
        clock.advance(1);
        eu.push(await store.createGenerator({ name: `eu-${i}`, kind: 'static', pool: 'eu' }));
      }
      await store.createGenerator({ name: 'us-0', kind: 'static', pool: 'us' });
      await rejectsWith(store.assignGenerators(run, 4, 'eu'), 'CONFLICT');
      assert.equal((await store.listGenerators({ status: ['idle'] })).length, 4);
      await rejectsWith(store.assignGenerators('run_nope', 1, 'eu'), 'NOT_FOUND');
      await rejectsWith(store.assignGenerators(run, 0, 'eu'), 'INVALID_INPUT');
      const got = await store.assignGenerators(run, 2, 'eu');
      assert.deepEqual(
        got.map((g) => g.id),
        [eu[0]!.id, eu[1]!.id],
      );
      assert.ok(got.every((g) => g.status === 'assigned' && g.runId === run));
      assert.deepEqual(
        (await store.listGenerators({ runId: run })).map((g) => g.id),
        got.map((g) => g.id),
      );
      await store.setGeneratorStatus(got[1]!.id, ['assigned'], 'suspect');
      assert.equal(await store.releaseGenerators(run), 2);
      const after = await store.listGenerators({ pool: 'eu' });
      assert.deepEqual(
        after.map((g) => [g.status, g.runId]),
        [
          ['idle', null],
          ['suspect', null],
          ['idle', null],
        ],
      );
      await store.transitionRun(run, ['queued'], 'aborted', 'stop', null);
      await rejectsWith(store.assignGenerators(run, 1, 'eu'), 'INVALID_STATE');
    }));

  test('generators: concurrent assignment never gives one generator to two runs', () =>
    withStore(make, async ({ store, another }) => {
      const stores: Store[] = [store];
      if (reopenable) stores.push(await another());
      for (let i = 0; i < 7; i++) {
        await store.createGenerator({ name: `g-${i}`, kind: 'local', pool: 'p' });
      }
      const runs: string[] = [];
      for (let i = 0; i < 6; i++) runs.push(await makeRun(store, { pool: 'p' }));
      const results = await Promise.allSettled(
        runs.map((r, i) => stores[i % stores.length]!.assignGenerators(r, 2, 'p')),
      );
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      for (const r of results) {
        if (r.status === 'rejected')
          assert.ok(isStoreError(r.reason, 'CONFLICT'), String(r.reason));
      }
      assert.ok(won.length >= 1 && won.length <= 3, `${won.length} runs got generators`);
      const ids = won.flat().map((g) => g.id);
      assert.equal(new Set(ids).size, ids.length, 'a generator was assigned twice');
      const assigned = await store.listGenerators({ status: ['assigned'] });
      assert.equal(assigned.length, ids.length, 'a failed assignment left generators behind');
      for (const g of assigned) {
        const owners = won.filter((w) => w.some((x) => x.id === g.id));
        assert.equal(owners.length, 1);
        assert.equal(g.runId, owners[0]![0]!.runId);
      }
    }));

  test('join tokens: single use, expiry, unknown, duplicates', () =>
    withStore(make, async ({ store, clock, another }) => {
      const t = await store.createJoinToken({
        name: 'agent-a',
        tokenHash: 'a'.repeat(64),
        expiresAtMs: clock.nowMs() + 1000,
      });
      assert.equal(t.usedAtMs, null);
      await rejectsWith(
        store.createJoinToken({ name: 'dup', tokenHash: 'a'.repeat(64), expiresAtMs: 1 }),
        'CONFLICT',
      );
      const stores: Store[] = [store];
      if (reopenable) stores.push(await another());
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          stores[i % stores.length]!.consumeJoinToken('a'.repeat(64)),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) {
        if (r.status === 'rejected')
          assert.ok(isStoreError(r.reason, 'CONFLICT'), String(r.reason));
      }
      await rejectsWith(store.consumeJoinToken('a'.repeat(64)), 'CONFLICT');
      await store.createJoinToken({
        name: 'b',
        tokenHash: 'b'.repeat(64),
        expiresAtMs: clock.nowMs() + 10,
      });
      clock.advance(10);
      await rejectsWith(store.consumeJoinToken('b'.repeat(64)), 'INVALID_STATE');
      await rejectsWith(store.consumeJoinToken('c'.repeat(64)), 'NOT_FOUND');
      await rejectsWith(store.consumeJoinToken('not-a-hash'), 'INVALID_INPUT');
      const list = await store.listJoinTokens();
      assert.deepEqual(list.map((x) => [x.name, x.usedAtMs === null]).sort(), [
        ['agent-a', false],
        ['b', true],
      ]);
    }));

  test('live api token names are unique; a revoked token frees its name', () =>
    withStore(make, async ({ store }) => {
      const t = await store.createApiToken({ name: 'x', tokenHash: 'e'.repeat(64), scopes: [] });
      await rejectsWith(
        store.createApiToken({ name: 'x', tokenHash: 'f'.repeat(64), scopes: [] }),
        'CONFLICT',
      );
      await store.revokeApiToken(t.id);
      const again = await store.createApiToken({
        name: 'x',
        tokenHash: 'f'.repeat(64),
        scopes: [],
      });
      assert.equal(again.name, 'x');
    }));

  test('api tokens and revoked certificates', () =>
    withStore(make, async ({ store, clock }) => {
      const t = await store.createApiToken({
        name: 'ci',
        tokenHash: 'd'.repeat(64),
        scopes: ['runs:write'],
      });
      assert.deepEqual(await store.findApiTokenByHash('d'.repeat(64)), t);
      assert.deepEqual(t.scopes, ['runs:write']);
      await rejectsWith(
        store.createApiToken({ name: 'dup', tokenHash: 'd'.repeat(64), scopes: [] }),
        'CONFLICT',
      );
      clock.advance(7);
      const revoked = await store.revokeApiToken(t.id);
      assert.equal(revoked.revokedAtMs, clock.nowMs());
      clock.advance(7);
      assert.equal((await store.revokeApiToken(t.id)).revokedAtMs, revoked.revokedAtMs);
      assert.equal(await store.findApiTokenByHash('d'.repeat(64)), null);
      await rejectsWith(store.revokeApiToken('atk_nope'), 'NOT_FOUND');
      assert.equal((await store.listApiTokens()).length, 1);

      assert.equal(await store.isCertificateRevoked('01AB'), false);
      const c1 = await store.revokeCertificate('01AB');
      clock.advance(3);
      const c2 = await store.revokeCertificate('01AB');
      assert.deepEqual(c2, c1);
      assert.equal(await store.isCertificateRevoked('01AB'), true);
      assert.deepEqual(await store.listRevokedCertificates(), [c1]);
    }));
}
