// The history recorder against real stores (SQLite, and PostgreSQL in a fresh schema): ended runs
// become points once, change points come from the analysis package's append-only state, two
// recorders on one database lose nothing, and a restart half-way through a run appends nothing
// twice.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { changePointStateSchema } from '@stampede/protocol';
import { PostgresStore, SqliteStore, type Store } from '@stampede/store';
import { silentLog } from '../scheduler/log.ts';
import { HistoryRecorder } from './history-recorder.ts';
import { scriptNameOfArchive, testNameOfScript } from './history-target.ts';
import { checkoutArchive, endedRun } from './testing/history-runs.ts';

const SERIES = { testName: 'checkout', branch: 'main', metric: 'http_req_duration' };
const SETTINGS = { pValue: 0.05 };
// Strictly increasing, so runs are created and started in a definite order.
let tick = 1_700_000_000_000;
const storeClock = { nowMs: () => ++tick };

interface Ctx {
  store: Store;
  projectId: string;
  clock: { nowMs(): number };
  /** A run ended with this p50 (or status) and these labels; returns its id. */
  run(
    p50: number,
    labels?: Record<string, string>,
    status?: 'passed' | 'failed' | 'aborted',
  ): Promise<string>;
}

async function context(store: Store): Promise<Ctx> {
  const bundle = await checkoutArchive(store);
  const projectId = (await store.listProjects())[0]?.id ?? '';
  return {
    store,
    projectId,
    clock: storeClock,
    run: (p50, labels, status) => endedRun(store, bundle, p50, labels, status),
  };
}

async function drain(recorders: HistoryRecorder[], store: Store): Promise<void> {
  for (let i = 0; i < 500; i++) {
    await Promise.all(recorders.map((r) => r.tick()));
    if ((await store.listRunsPendingHistory()).length === 0) return;
  }
  throw new Error('runs still pending after 500 ticks');
}

function recorder(c: Ctx, extra: { pointsPerTick?: number } = {}): HistoryRecorder {
  return new HistoryRecorder({
    store: c.store,
    clock: c.clock,
    log: silentLog,
    settings: SETTINGS,
    scanIntervalMs: 0,
    ...extra,
  });
}

async function stateOf(c: Ctx, statistic: string) {
  const st = await c.store.getHistoryState({ projectId: c.projectId, ...SERIES, statistic });
  assert.ok(st, `state of ${statistic}`);
  return { row: st, state: changePointStateSchema.parse(JSON.parse(st.stateJson)) };
}

function suite(name: string, open: () => Promise<{ store: Store; close(): Promise<void> }>) {
  const withCtx = (fn: (c: Ctx) => Promise<void>) => async () => {
    const { store, close } = await open();
    try {
      await fn(await context(store));
    } finally {
      await close();
    }
  };

  describe(name, () => {
    test(
      'a step in p50 is one change point at the step; later runs never rewrite its first sighting',
      withCtx(async (c) => {
        const ids: string[] = [];
        for (const p50 of [10, 10.4, 9.8, 10.1, 40, 41, 39.5, 40.2]) ids.push(await c.run(p50));
        await drain([recorder(c)], c.store);
        const { state, row } = await stateOf(c, 'p50');
        assert.equal(row.pointCount, 8);
        assert.equal(state.records.length, 1, JSON.stringify(state.records));
        const cp = state.records[0];
        assert.equal(cp?.pointId, ids[4]);
        assert.equal(cp?.index, 4);
        assert.ok((cp?.firstSeen.changePct ?? 0) > 250);
        const points = await c.store.listHistoryPoints({
          projectId: c.projectId,
          ...SERIES,
          statistic: 'p50',
        });
        assert.deepEqual(
          points.map((p) => p.runId),
          ids,
        );
        for (const p50 of [40.5, 39.9, 40.1]) await c.run(p50);
        await drain([recorder(c)], c.store);
        const later = await stateOf(c, 'p50');
        assert.equal(later.row.pointCount, 11);
        assert.deepEqual(later.state.records[0]?.firstSeen, cp?.firstSeen);
        assert.equal(later.state.records[0]?.status, 'confirmed');
        assert.equal(later.state.records.length, 1);
        // The mean steps too; the constant request rate has no change point.
        assert.equal((await stateOf(c, 'mean')).state.records.length, 1);
        const rate = await c.store.getHistoryState({
          projectId: c.projectId,
          ...SERIES,
          metric: 'http_reqs',
          statistic: 'rate',
        });
        assert.equal(
          changePointStateSchema.parse(JSON.parse(rate?.stateJson ?? '')).records.length,
          0,
        );
        for (const id of ids) assert.equal((await c.store.getRunHistory(id))?.outcome, 'recorded');
      }),
    );

    test(
      'failed runs count; aborted, unlabelled and experiment runs stay out; the test name falls back to the script',
      withCtx(async (c) => {
        const failed = await c.run(
          10,
          { branch: 'main', test: 'checkout', commit: 'abc' },
          'failed',
        );
        const aborted = await c.run(10, { branch: 'main' }, 'aborted');
        const unlabelled = await c.run(10, {});
        const experiment = await c.run(10, { branch: 'main', 'stampede/side': 'a' });
        const byScript = await c.run(11);
        await drain([recorder(c)], c.store);
        const points = await c.store.listHistoryPoints({
          projectId: c.projectId,
          ...SERIES,
          statistic: 'p50',
        });
        assert.deepEqual(
          points.map((p) => [p.runId, p.commit]),
          [
            [failed, 'abc'],
            [byScript, null],
          ],
        );
        assert.equal(await c.store.getRunHistory(aborted), null, 'aborted runs are never pending');
        assert.match((await c.store.getRunHistory(unlabelled))?.reason ?? '', /no branch label/);
        assert.match((await c.store.getRunHistory(experiment))?.reason ?? '', /experiment/);
        assert.equal((await c.store.getRunHistory(byScript))?.outcome, 'recorded');
        const series = await c.store.listHistorySeries({
          projectId: c.projectId,
          testName: 'checkout',
          branch: 'main',
        });
        assert.deepEqual(
          series.map((s) => `${s.metric}:${s.statistic}`),
          [
            'http_req_duration:mean',
            'http_req_duration:p50',
            'http_req_duration:p90',
            'http_req_duration:p95',
            'http_req_duration:p99',
            'http_reqs:rate',
            'iterations:rate',
          ],
        );
      }),
    );

    test(
      'once caught up, scans look at recently ended runs; a full scan every 5 minutes finds the rest',
      withCtx(async (c) => {
        let now = tick;
        const clock = { nowMs: () => now };
        const rec = new HistoryRecorder({
          store: c.store,
          clock,
          log: silentLog,
          scanIntervalMs: 0,
        });
        await c.run(10);
        await rec.tick();
        assert.deepEqual(await c.store.listRunsPendingHistory(), []);
        // A run that ended (by the database's clock) 10 minutes before the last scan.
        tick -= 10 * 60_000;
        const late = await c.run(11);
        tick += 20 * 60_000;
        await rec.tick();
        assert.equal(await c.store.getRunHistory(late), null, 'outside the incremental window');
        now += 5 * 60_000;
        await rec.tick();
        assert.equal((await c.store.getRunHistory(late))?.outcome, 'recorded');
      }),
    );

    test(
      'two recorders on one database and a restart half-way through a run append each run once',
      withCtx(async (c) => {
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) ids.push(await c.run(10 + i));
        // One point per tick, then "restart": a new recorder starts the run over.
        const first = recorder(c, { pointsPerTick: 1 });
        await first.tick();
        await first.tick();
        await drain(
          [recorder(c, { pointsPerTick: 3 }), recorder(c, { pointsPerTick: 2 })],
          c.store,
        );
        for (const statistic of ['p50', 'p99', 'mean']) {
          const { row, state } = await stateOf(c, statistic);
          assert.equal(row.pointCount, 6, statistic);
          assert.equal(state.count, 6);
          assert.deepEqual(new Set(state.tail.map((p) => p.id)), new Set(ids));
          const points = await c.store.listHistoryPoints({
            projectId: c.projectId,
            ...SERIES,
            statistic,
          });
          assert.equal(points.length, 6);
        }
      }),
    );
  });
}

suite('sqlite', async () => {
  const store = await SqliteStore.open(':memory:', { clock: storeClock });
  return { store, close: () => store.close() };
});

const url = process.env['STAMPEDE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `stampede_hist_${randomBytes(5).toString('hex')}`;
const admin = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 });
admin.on('error', () => undefined);
let n = 0;
after(() => admin.end());
suite('postgres', async () => {
  const schema = `${prefix}_${n++}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const store = await PostgresStore.open(url, { schema, maxConnections: 4, clock: storeClock });
  return {
    store,
    close: async () => {
      await store.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
});

test('script names become test names', () => {
  const bytes = new TextEncoder().encode('{"v":1,"scriptName":"dir\\/load.test.ts","script":"x"}');
  assert.equal(scriptNameOfArchive(bytes), 'dir/load.test.ts');
  assert.equal(testNameOfScript('dir/load.test.ts'), 'load.test');
  assert.equal(testNameOfScript('checkout'), 'checkout');
  assert.equal(scriptNameOfArchive(new TextEncoder().encode('{"v":1}')), null);
});
