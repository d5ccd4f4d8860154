// The scheduler: leases run jobs from the durable queue (per-pool concurrency), drives each run
// with a RunDriver, enforces state deadlines, reconciles after a restart, and routes agent
// reports and snapshots to the run they belong to. It is the RunControl the REST API calls.
import type {
  AgentStateReport,
  IntervalSnapshot,
  RunGeneratorView,
  RunLive,
} from '@stampede/protocol';
import { isStoreError, isTerminalRunStatus, type Generator, type Job } from '@stampede/store';
import { ApiError } from '../api/errors.ts';
import { COMPARISON_QUEUE } from '../jobs/comparison-jobs.ts';
import type { RunControl } from '../services.ts';
import {
  IN_FLIGHT,
  abortOrphanRun,
  isResumable,
  reconcileAtStart,
  restartReason,
  runIdOfJob,
  type ReconcileDeps,
} from './reconcile.ts';
import type { RunContext } from './run-context.ts';
import { rebuildEndedRunSummary } from '../aggregate/summary-refresh.ts';
import type { PlanReport } from '../aggregate/run-plan.ts';
import { RunDriver } from './run-driver.ts';
import { concurrencyOf } from './scheduler-config.ts';

/** Drives every run this controller holds; call `start`, then `tick` runs on a timer (or by hand in tests). */
export class Scheduler implements RunControl {
  readonly #ctx: RunContext;
  readonly #drivers = new Map<string, RunDriver>();
  readonly #ended = new Map<string, RunDriver>();
  readonly #locks = new Map<string, Promise<void>>();
  #ticking: Promise<void> | null = null;
  #again = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #stopped = false;

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
  }

  get #reconcileDeps(): ReconcileDeps {
    const { store, clock, hub, log, config } = this.#ctx;
    return { store, clock, hub, log, ownerId: config.ownerId };
  }

  /** Reconciles the store, then ticks every `intervalMs` (no timer when omitted: tests tick by hand). */
  async start(options: { intervalMs?: number } = {}): Promise<void> {
    const { aborted } = await reconcileAtStart(this.#reconcileDeps);
    if (aborted.length > 0) this.#ctx.log.warn(`reconciled: aborted ${aborted.join(', ')}`);
    if (options.intervalMs !== undefined) {
      this.#timer = setInterval(() => this.wake(), options.intervalMs);
    }
    await this.tick();
  }

  /**
   * Stops ticking. Active runs are left as they are (a restart reconciles them) unless
   * `abortReason` is given, then they are aborted with it (a clean shutdown).
   */
  async stop(options: { abortReason?: string } = {}): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#ticking;
    const reason = options.abortReason;
    if (reason !== undefined) {
      for (const d of [...this.#drivers.values()]) {
        // A run still waiting for generators has started nothing: it stays in the queue for the
        // next start (reconcileAtStart puts its job back).
        if (d.run.status === 'provisioning' && d.slots.length === 0) continue;
        await this.#exclusive(d.run.id, () =>
          d.abort('aborted', `${reason} while the run was ${d.run.status}`),
        );
      }
    }
    await Promise.all([...this.#locks.values()]);
  }

  /** Runs a tick soon (after a run was queued, or on the timer). */
  wake(): void {
    if (this.#stopped) return;
    this.tick().catch((err: unknown) => this.#ctx.log.error(`tick failed: ${String(err)}`));
  }

  /** One pass: deadlines, new jobs, every driver. Concurrent calls coalesce into one more pass. */
  async tick(): Promise<void> {
    if (this.#ticking) {
      this.#again = true;
      return this.#ticking;
    }
    this.#ticking = (async () => {
      do {
        this.#again = false;
        await this.#pass();
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#ticking = null;
    });
    return this.#ticking;
  }

  async #pass(): Promise<void> {
    await this.#sweepDeadlines();
    if (!this.#stopped) await this.#leaseJobs();
    for (const d of [...this.#drivers.values()]) {
      await this.#exclusive(d.run.id, async () => {
        await d.renewLease();
        await d.advance();
      });
    }
    const now = this.#ctx.clock.nowMs();
    for (const [id, d] of this.#ended) {
      if ((d.endedAtMs ?? now) + this.#ctx.config.keepEndedMs < now) this.#ended.delete(id);
    }
  }

  /** Runs `fn` after every earlier call for the same run; moves a driver that ended to #ended. */
  #exclusive(runId: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.#locks.get(runId) ?? Promise.resolve();
    const next = prev
      .then(fn)
      .catch((err: unknown) => {
        this.#ctx.log.error(`run ${runId}: ${err instanceof Error ? err.stack : String(err)}`);
      })
      .finally(() => {
        const d = this.#drivers.get(runId);
        if (d?.ended) {
          this.#drivers.delete(runId);
          this.#ended.set(runId, d);
        }
        if (this.#locks.get(runId) === next) this.#locks.delete(runId);
      });
    this.#locks.set(runId, next);
    return next;
  }

  async #sweepDeadlines(): Promise<void> {
    const { store, clock, config } = this.#ctx;
    for (const run of await store.listRunsPastDeadline(100)) {
      const d = this.#drivers.get(run.id);
      if (d) {
        await this.#exclusive(run.id, () => d.deadlinePassed());
        continue;
      }
      const job = (await store.listJobs({ status: ['leased'], limit: 1000 })).find(
        (j) => runIdOfJob(j) === run.id,
      );
      if (job && job.leaseOwner !== config.ownerId && (job.leaseExpiresMs ?? 0) > clock.nowMs()) {
        continue; // another live controller drives it and will see its own deadline
      }
      const reason =
        run.status === 'queued'
          ? 'queue deadline passed before the run could start'
          : `${run.status} deadline passed with no controller driving the run`;
      await abortOrphanRun(this.#reconcileDeps, run, reason);
    }
  }

  async #leaseJobs(): Promise<void> {
    const { store, config } = this.#ctx;
    const queued = await store.listJobs({ status: ['queued'], limit: 1000 });
    const queues = new Set([...config.pools, ...queued.map((j) => j.queue)]);
    for (const queue of queues) {
      if (queue === COMPARISON_QUEUE) continue; // comparison jobs start runs; they are not runs
      for (;;) {
        const job = await store.lease(
          queue,
          config.ownerId,
          config.jobLeaseMs,
          concurrencyOf(config, queue),
        );
        if (!job) break;
        await this.#adopt(job);
      }
    }
  }

  async #adopt(job: Job): Promise<void> {
    const { store, config } = this.#ctx;
    const runId = job.kind === 'run' ? runIdOfJob(job) : undefined;
    if (runId === undefined) {
      await store.fail(job.id, config.ownerId, `not a run job (${job.kind})`, null);
      return;
    }
    const existing = this.#drivers.get(runId);
    if (existing) {
      existing.job = job; // our own lease, taken again after it lapsed
      return;
    }
    let run;
    try {
      run = await store.getRun(runId);
    } catch (err) {
      if (!isStoreError(err, 'NOT_FOUND')) throw err;
      await store.fail(job.id, config.ownerId, `run ${runId} does not exist`, null);
      return;
    }
    if (isTerminalRunStatus(run.status)) {
      await store.complete(job.id, config.ownerId);
      return;
    }
    if (IN_FLIGHT.includes(run.status) && !(await isResumable(store, run))) {
      // Its controller died (the lease lapsed): the run cannot resume.
      await abortOrphanRun(this.#reconcileDeps, run, restartReason(run.status));
      await store.complete(job.id, config.ownerId);
      return;
    }
    const d = new RunDriver(this.#ctx, run, job);
    this.#drivers.set(runId, d);
    await this.#exclusive(runId, () => d.advance());
  }

  async abortRun(runId: string, reason: string, actor: string): Promise<void> {
    // The REST route audits the abort; the run's reason names who did it.
    const { store } = this.#ctx;
    const why = reason.startsWith('aborted by ') ? reason : `aborted by ${actor}: ${reason}`;
    const d = this.#drivers.get(runId);
    if (d) return this.#exclusive(runId, () => d.abort('aborted', why));
    const run = await store.getRun(runId);
    if (isTerminalRunStatus(run.status)) {
      throw new ApiError('RUN_TERMINAL', `run ${runId} already ended (${run.status})`, {
        status: run.status,
      });
    }
    // Queued (its job completes when leased) or in flight under no driver here.
    await abortOrphanRun(this.#reconcileDeps, run, why);
  }

  live(runId: string): RunLive | null {
    const d = this.#drivers.get(runId) ?? this.#ended.get(runId);
    if (!d) return null;
    const { hub, clock } = this.#ctx;
    const lastSeqs = d.aggregator.lastSeqs();
    const generators: RunGeneratorView[] = d.slots.map((s) => {
      const seen = hub.observed(s.generator.id);
      const own = Object.entries(lastSeqs).filter(([src]) => d.sourceAllowed(s.generator.id, src));
      return {
        generatorId: s.generator.id,
        name: s.generator.name,
        activity: s.activity ?? seen?.activity ?? 'idle',
        lastSeqs: Object.fromEntries(own),
        saturated: seen?.saturated ?? false,
        lastHeartbeatMs: seen?.lastSeenMs ?? null,
      };
    });
    return d.aggregator.live({
      status: d.run.status,
      statusReason: d.run.statusReason,
      nowMs: d.ended ? (d.endedAtMs ?? clock.nowMs()) : clock.nowMs(),
      generators,
    });
  }

  /** An agent's state report: its log lines go to the run log, the rest to the run's driver. */
  async stateReported(generator: Generator, report: AgentStateReport): Promise<void> {
    const d = this.#drivers.get(report.runId) ?? this.#ended.get(report.runId);
    const source = d?.slotOf(generator.id)?.source ?? generator.name;
    const lines = [...(report.logs ?? [])];
    if (report.error) {
      lines.push({
        level: 'error',
        message: `${report.error.code}: ${report.error.message}`,
        atMs: this.#ctx.clock.nowMs(),
      });
    }
    for (const l of lines) {
      try {
        await this.#ctx.store.appendRunLog({ runId: report.runId, source, ...l });
      } catch (err) {
        if (isStoreError(err, 'NOT_FOUND')) break; // a run this store does not know
        throw err;
      }
    }
    if (d && !d.ended) await this.#exclusive(d.run.id, () => d.report(generator, report));
  }

  /** Whether the generator may upload `source` for `runId`; unknown runs (after a restart) are accepted. */
  sourceAllowed(generator: Generator, runId: string, source: string): boolean {
    const d = this.#drivers.get(runId) ?? this.#ended.get(runId);
    return d === undefined || d.sourceAllowed(generator.id, source);
  }

  /** Feeds newly stored snapshots to the run's live merge; may complete its collecting state. */
  snapshotsStored(runId: string, _generator: Generator, snapshots: IntervalSnapshot[]): void {
    const d = this.#drivers.get(runId) ?? this.#ended.get(runId);
    if (d) for (const s of snapshots) d.aggregator.add(s);
    if (d && !d.ended) {
      if (d.run.status === 'collecting') void this.#exclusive(runId, () => d.advance());
      return;
    }
    // A run that ended (or that this process never drove: aborted after a restart) got snapshots
    // late: its stored summary is rebuilt so its totals include them.
    this.#refreshSummary(runId, d?.aggregator.plan ?? null);
  }

  // Runs whose summary is being rebuilt; `again` when more snapshots came in meanwhile, so a burst
  // of batches costs at most two rebuilds in a row, never one per batch at once.
  readonly #summaryRefresh = new Map<string, { again: boolean }>();

  #refreshSummary(runId: string, plan: PlanReport | null): void {
    const pending = this.#summaryRefresh.get(runId);
    if (pending) {
      pending.again = true;
      return;
    }
    const state = { again: false };
    this.#summaryRefresh.set(runId, state);
    void (async () => {
      try {
        do {
          state.again = false;
          await rebuildEndedRunSummary(this.#ctx.store, runId, plan, this.#ctx.clock.nowMs());
        } while (state.again);
      } catch (err) {
        if (!isStoreError(err, 'NOT_FOUND')) {
          this.#ctx.log.warn(`run ${runId}: summary not rebuilt: ${(err as Error).message}`);
        }
      } finally {
        this.#summaryRefresh.delete(runId);
      }
    })();
  }

  /** A generator of a run is gone (lost, exited, terminated): its run is aborted, or stops waiting for it. */
  async generatorGone(generator: Generator, runId: string | null, reason: string): Promise<void> {
    if (runId === null) return;
    const d = this.#drivers.get(runId);
    if (d) await this.#exclusive(runId, () => d.generatorLost(generator.id, reason));
  }

  /** Ids of the runs this controller drives now. */
  activeRunIds(): string[] {
    return [...this.#drivers.keys()];
  }
}
