// The controller's moving parts wired together: agent hub, scheduler, liveness monitor,
// termination tracker and pools, the agent routes plugin, and the services the REST API gets.
// No sockets here: startController listens; tests drive `tick()` with an injected clock.
import { LOOPBACK_ENTRY } from '@stampede/engine/results';
import type { FastifyPluginAsync } from 'fastify';
import type { ChangePointSettings } from '@stampede/protocol';
import type { Store } from '@stampede/store';
import type { AgentEvents } from '../agents/agent-events.ts';
import { AgentHub } from '../agents/agent-hub.ts';
import { agentRoutes } from '../agents/agent-routes.ts';
import { queueRun } from '../api/queue-run.ts';
import type { CertificateAuthority } from '../ca/index.ts';
import { ComparisonJobs } from '../jobs/comparison-jobs.ts';
import { HistoryRecorder } from '../jobs/history-recorder.ts';
import { placementOf, LOCAL_POOL, STATIC_POOL } from '../pool/join-placement.ts';
import { Liveness } from '../pool/liveness.ts';
import { LocalPool, type LocalPoolOptions } from '../pool/local-pool.ts';
import { PoolRegistry } from '../pool/pool.ts';
import { Pools } from '../pool/pool-control.ts';
import { Terminations } from '../pool/terminations.ts';
import type { ControllerClock, ControllerConfig, ControllerServices } from '../services.ts';
import { silentLog, type ControllerLog } from './log.ts';
import { Scheduler } from './scheduler.ts';
import {
  DEFAULT_RUN_TIMEOUTS,
  type RunTimeouts,
  type SchedulerConfig,
} from './scheduler-config.ts';

/** Everything the core is built from. */
export interface CoreOptions {
  store: Store;
  clock: ControllerClock;
  ca: CertificateAuthority;
  config: ControllerConfig;
  /** Owner id of job leases, stable across restarts of this controller. */
  ownerId: string;
  log?: ControllerLog;
  timeouts?: Partial<RunTimeouts>;
  /** Runs at once per pool (default 1 each). */
  poolConcurrency?: Record<string, number>;
  jobLeaseMs?: number;
  suspectAfterMs?: number;
  lostGraceMs?: number;
  /** Validity of agent client certificates, ms (default 1 hour). */
  certValidityMs?: number;
  thresholdIntervalMs?: number;
  keepEndedMs?: number;
  /** Change-point settings of new history series (default: the analysis package's). */
  historySettings?: Partial<ChangePointSettings>;
}

/** Settings of the local pool given once the controller's URL is known. */
export type LocalPoolSettings = Omit<
  LocalPoolOptions,
  'store' | 'clock' | 'hub' | 'terminations' | 'log' | 'onGone'
>;

/** The wired controller without its listener. */
export interface ControllerCore {
  services: ControllerServices;
  hub: AgentHub;
  scheduler: Scheduler;
  /** Experiment (and later baseline and compare) jobs. */
  comparisons: ComparisonJobs;
  /** Appends ended runs' statistics to their history. */
  history: HistoryRecorder;
  liveness: Liveness;
  terminations: Terminations;
  pools: PoolRegistry;
  events: AgentEvents;
  /** The agent routes; register on the HTTPS app. */
  plugin: FastifyPluginAsync;
  /** The local pool once added. */
  readonly localPool: LocalPool | null;
  /** Adds the local pool (needs the controller's URL, known after listen). */
  addLocalPool(settings: LocalPoolSettings): LocalPool;
  /** Reconciles the store, then runs `tick` every `intervalMs` (never when omitted). */
  start(options?: { intervalMs?: number }): Promise<void>;
  /** One pass of liveness, terminations, pools and the scheduler. */
  tick(): Promise<void>;
  /** Stops the timers; aborts active runs with `abortReason` if given; stops the local pool. */
  stop(options?: { abortReason?: string }): Promise<void>;
}

/** Builds the core. */
export function createControllerCore(o: CoreOptions): ControllerCore {
  const log = o.log ?? silentLog;
  const hub = new AgentHub(o.clock);
  const pools = new PoolRegistry();
  pools.get(STATIC_POOL);
  // The agents' runtime list: `loopback` admits all of 127.0.0.0/8, ::1 and localhost, the same
  // rule as the API's check before a run is queued.
  const allowTargets = [
    ...o.config.allowTargets,
    ...(o.config.allowLoopback ? [LOOPBACK_ENTRY] : []),
  ];
  const schedulerConfig: SchedulerConfig = {
    ownerId: o.ownerId,
    jobLeaseMs: o.jobLeaseMs ?? 30_000,
    poolConcurrency: o.poolConcurrency ?? {},
    pools: [o.config.defaultPool, STATIC_POOL],
    timeouts: { ...DEFAULT_RUN_TIMEOUTS, ...o.timeouts },
    maxDurationMs: o.config.maxDurationMs,
    allowTargets,
    thresholdIntervalMs: o.thresholdIntervalMs ?? 1_000,
    keepEndedMs: o.keepEndedMs ?? 10 * 60_000,
  };
  const scheduler = new Scheduler({
    store: o.store,
    clock: o.clock,
    hub,
    pools,
    config: schedulerConfig,
    log,
  });
  const graceMs = o.lostGraceMs ?? 2_000;
  const terminations = new Terminations({
    store: o.store,
    clock: o.clock,
    hub,
    pools,
    log,
    leaseMs: o.config.leaseMs,
    graceMs,
  });
  const liveness = new Liveness({
    store: o.store,
    clock: o.clock,
    terminations,
    log,
    leaseMs: o.config.leaseMs,
    graceMs,
    ...(o.suspectAfterMs === undefined ? {} : { suspectAfterMs: o.suspectAfterMs }),
    onLost: async (g, runId, reason) => {
      await scheduler.generatorGone(g, runId, reason);
      // A local process that stopped heartbeating is hung: kill it, the pool replaces it.
      if (g.kind === 'local') await terminations.request(g.id, reason, { kill: true });
    },
  });
  let localPool: LocalPool | null = null;
  const events: AgentEvents = {
    placement: (token) => placementOf(token, (h) => localPool?.isLocalToken(h) ?? false),
    enrolled: (g, token) => {
      localPool?.enrolled(g, token);
      scheduler.wake(); // a new idle generator may complete a provisioning run
    },
    heartbeat: (g, hb) => liveness.heartbeat(g, hb),
    stateReported: (g, r) => scheduler.stateReported(g, r),
    sourceAllowed: (g, runId, source) => scheduler.sourceAllowed(g, runId, source),
    snapshotsStored: (runId, g, s) => scheduler.snapshotsStored(runId, g, s),
  };
  const services: ControllerServices = {
    store: o.store,
    clock: o.clock,
    ca: o.ca,
    config: o.config,
    runs: scheduler,
    pools: new Pools({
      store: o.store,
      terminations,
      generatorGone: (g, runId, reason) => scheduler.generatorGone(g, runId, reason),
    }),
  };
  const comparisons = new ComparisonJobs({
    store: o.store,
    clock: o.clock,
    log,
    ownerId: o.ownerId,
    jobLeaseMs: schedulerConfig.jobLeaseMs,
    queueRun: (body, actor) => queueRun(services, body, actor),
  });
  const history = new HistoryRecorder({
    store: o.store,
    clock: o.clock,
    log,
    ...(o.historySettings === undefined ? {} : { settings: o.historySettings }),
  });
  const plugin = agentRoutes({
    services,
    hub,
    events,
    ...(o.certValidityMs === undefined ? {} : { enrollment: { certValidityMs: o.certValidityMs } }),
  });

  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  const pass = async (): Promise<void> => {
    await liveness.sweep();
    await terminations.sweep();
    for (const p of pools.all()) await p.tick();
    await scheduler.tick();
    await comparisons.tick();
    await history.tick();
  };
  const tick = (): Promise<void> => {
    current = current.then(pass, pass);
    return current;
  };

  return {
    services,
    hub,
    scheduler,
    comparisons,
    history,
    liveness,
    terminations,
    pools,
    events,
    plugin,
    get localPool() {
      return localPool;
    },
    addLocalPool(settings) {
      localPool = new LocalPool({
        ...settings,
        store: o.store,
        clock: o.clock,
        hub,
        terminations,
        log,
        onGone: (g, runId, reason) => scheduler.generatorGone(g, runId, reason),
      });
      pools.add(localPool);
      return localPool;
    },
    async start(options = {}) {
      await scheduler.start();
      const every = options.intervalMs;
      if (every === undefined) return;
      const loop = (): void => {
        if (stopped) return;
        tick()
          .catch((err: unknown) => log.error(`controller tick failed: ${String(err)}`))
          .finally(() => {
            if (!stopped) timer = setTimeout(loop, every);
          });
      };
      timer = setTimeout(loop, every);
    },
    tick,
    async stop(options = {}) {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current.catch(() => undefined);
      await scheduler.stop(options);
      for (const p of pools.all()) await p.stop();
      await terminations.sweep().catch(() => undefined);
      hub.releaseAllWaiters();
    },
  };
}

/** The pool runs go to when they name none: the local pool. */
export const DEFAULT_POOL = LOCAL_POOL;
