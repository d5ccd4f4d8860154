// The scheduler on PostgreSQL: a whole run and a restart reconciliation, each in a fresh schema.
// PostgreSQL must run on 127.0.0.1:5432 (trust auth, database "test"); override with STAMPEDE_TEST_PG_URL.
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { PostgresStore, type Generator, type Store } from '@stampede/store';
import { fakeSnapshot } from '../agents/testing/snapshots.ts';
import type { TestClock } from '../ca/test-helpers.ts';
import { coreHarness } from './testing/core-harness.ts';

const url = process.env['STAMPEDE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `stampede_core_${randomBytes(5).toString('hex')}`;
const admin = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
admin.on('error', () => undefined);
let created = false;

async function open(clock: TestClock): Promise<Store> {
  if (!created) {
    await admin.query(`CREATE SCHEMA ${schema}`);
    created = true;
  }
  return PostgresStore.open(url, { clock, schema, maxConnections: 4 });
}

after(async () => {
  if (created) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
});

test('PostgreSQL: a run passes, then a restart aborts a running one and starts the next', async () => {
  const first = await coreHarness({ open });
  await first.core.start();
  const [a, b] = (await first.addGenerators(2)) as [Generator, Generator];
  const run = await first.queueRun({ generators: 2 });
  await first.core.tick();
  for (const g of [a, b]) await first.report(g, { runId: run.id, activity: 'ready' });
  await first.advance(1_000);
  await first.send(a, run.id, [fakeSnapshot('g0', 0, first.clock.t, { durationsMs: [5] })]);
  await first.report(a, { runId: run.id, activity: 'finished', lastSeqs: { g0: 0 } });
  await first.report(b, { runId: run.id, activity: 'finished', lastSeqs: {} });
  assert.equal((await first.store.getRun(run.id)).status, 'passed');

  const running = await first.queueRun({ generators: 2 });
  const next = await first.queueRun({ generators: 1 });
  await first.core.tick();
  for (const g of [a, b]) await first.report(g, { runId: running.id, activity: 'ready' });
  await first.advance(1_000);
  assert.equal((await first.store.getRun(running.id)).status, 'running');
  await first.crash();

  const second = await coreHarness({ open, clock: first.clock });
  try {
    await second.heartbeat(a, b);
    await second.core.start();
    const aborted = await second.store.getRun(running.id);
    assert.equal(aborted.status, 'aborted');
    assert.match(aborted.statusReason, /^controller restarted while the run was running/);
    assert.equal((await second.store.getRun(next.id)).status, 'preparing');
  } finally {
    await second.close();
  }
});
