// Test harness of the controller core: a real SQLite file store and CA on a clock that moves only
// when told, generators simulated by calling the same event handlers the agent routes call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AGENT_PROTOCOL_VERSION,
  type AgentStateReport,
  type IntervalSnapshot,
  type MetricAck,
} from '@stampede/protocol';
import { SqliteStore, type Generator, type Run, type Store } from '@stampede/store';
import { ingestMetricBatch } from '../../agents/metric-ingest.ts';
import { CertificateAuthority } from '../../ca/index.ts';
import { testClock, type TestClock } from '../../ca/test-helpers.ts';
import type { ControllerConfig } from '../../services.ts';
import { createControllerCore, type ControllerCore, type CoreOptions } from '../controller-core.ts';

/** The pool the harness's generators and runs use. */
export const TEST_POOL = 'p1';

/** A core on a test clock with helpers that play the agents' part. */
export interface CoreHarness {
  clock: TestClock;
  store: Store;
  core: ControllerCore;
  dbPath: string;
  /** Registers `n` idle generators of `pool` that have just heartbeated. */
  addGenerators(n: number, pool?: string): Promise<Generator[]>;
  /** Records a heartbeat of each generator now. */
  heartbeat(...gens: Generator[]): Promise<void>;
  /** Stores a bundle, creates a queued run and its job, wakes nothing. */
  queueRun(opts?: { generators?: number; pool?: string }): Promise<Run>;
  /** Sends a state report as the agent would. */
  report(g: Generator, report: Omit<AgentStateReport, 'protocolVersion'>): Promise<void>;
  /** Sends a metric batch as the agent would. */
  send(g: Generator, runId: string, snapshots: IntervalSnapshot[]): Promise<MetricAck>;
  /** Moves the clock by `ms` and runs one tick. */
  advance(ms: number): Promise<void>;
  /** Stops the core (without aborting runs, like a crash) and closes the store. */
  crash(): Promise<void>;
  /** Stops the core, closes the store, removes the directory. */
  close(): Promise<void>;
}

/** The controller config of the harness. */
export const TEST_CONFIG: ControllerConfig = {
  allowTargets: [],
  allowLoopback: true,
  maxDurationMs: 60_000,
  maxRatePerSec: 1e6,
  maxGenerators: 16,
  maxArchiveBytes: 1 << 20,
  leaseMs: 10_000,
  defaultPool: TEST_POOL,
};

let shared: CertificateAuthority | undefined;

/** Builds a harness; pass `dbPath` and `clock` of a crashed one to restart on the same file. */
export async function coreHarness(
  opts: {
    dbPath?: string;
    clock?: TestClock;
    core?: Partial<CoreOptions>;
    /** Opens another store instead of the SQLite file (PostgreSQL tests). */
    open?: (clock: TestClock) => Promise<Store>;
  } = {},
): Promise<CoreHarness> {
  const clock = opts.clock ?? testClock(Date.UTC(2030, 0, 1));
  const own = opts.dbPath === undefined && opts.open === undefined;
  const dir = own ? mkdtempSync(join(tmpdir(), 'stampede-core-')) : null;
  const dbPath = opts.dbPath ?? join(dir ?? '', 'store.db');
  const store = opts.open ? await opts.open(clock) : await SqliteStore.open(dbPath, { clock });
  shared ??= await CertificateAuthority.create({ commonName: 'core test', clock });
  const core = createControllerCore({
    store,
    clock,
    ca: shared,
    config: TEST_CONFIG,
    ownerId: 'ctl-test',
    jobLeaseMs: 30_000,
    ...opts.core,
    // The life-cycle tests step the clock by the 1 s start lead they were written for.
    timeouts: { startLeadMs: 1_000, ...opts.core?.timeouts },
  });
  let seq = 0;
  const h: CoreHarness = {
    clock,
    store,
    core,
    dbPath,
    async addGenerators(n, pool = TEST_POOL) {
      const out: Generator[] = [];
      for (let i = 0; i < n; i++) {
        clock.t += 1; // distinct creation times: the pool hands generators out in that order
        const g = await store.createGenerator({
          name: `gen-${pool}-${++seq}`,
          kind: 'static',
          pool,
        });
        out.push(await store.recordHeartbeat(g.id, null));
      }
      return out;
    },
    async heartbeat(...gens) {
      for (const g of gens) {
        const updated = await store.recordHeartbeat(g.id, null);
        core.hub.observe(g.id, { activity: 'idle', runId: updated.runId });
        await core.events.heartbeat(updated, {
          protocolVersion: AGENT_PROTOCOL_VERSION,
          sentAtMs: clock.nowMs(),
          activity: 'idle',
          runId: updated.runId,
          health: null,
        });
      }
    },
    async queueRun(o = {}) {
      const bundle = await store.putBundle(new TextEncoder().encode(`bundle ${++seq}`));
      const pool = o.pool ?? TEST_POOL;
      const run = await store.createRun({
        planJson: JSON.stringify({
          archiveSha256: bundle.sha256,
          overrides: { vus: 2 },
          env: { A: '1' },
        }),
        bundleSha256: bundle.sha256,
        generatorsRequested: o.generators ?? 2,
        pool,
        createdBy: 'test',
      });
      await store.enqueue({
        queue: pool,
        kind: 'run',
        payloadJson: JSON.stringify({ runId: run.id }),
      });
      return run;
    },
    async report(g, report) {
      const fresh = await store.getGenerator(g.id);
      core.hub.observe(g.id, { activity: report.activity, runId: report.runId });
      await core.events.stateReported(fresh, {
        protocolVersion: AGENT_PROTOCOL_VERSION,
        ...report,
      });
    },
    async send(g, runId, snapshots) {
      const fresh = await store.getGenerator(g.id);
      return ingestMetricBatch(store, core.events, fresh, {
        protocolVersion: AGENT_PROTOCOL_VERSION,
        runId,
        snapshots,
      });
    },
    async advance(ms) {
      clock.t += ms;
      await core.tick();
    },
    async crash() {
      await core.stop();
      await store.close();
    },
    async close() {
      await core.stop();
      await store.close();
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
