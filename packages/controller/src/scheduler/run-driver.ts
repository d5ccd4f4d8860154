// The life cycle of one run held by this controller: queued → provisioning → preparing → ready →
// running → collecting → analysing → passed | failed | aborted | errored. The driver reacts to
// agent reports, stored snapshots, ticks and deadlines; every step is a CAS transition with a
// reason and the next state's deadline. Calls are serialised by the scheduler (one at a time).
import {
  isTerminalRunStatus,
  type AgentActivity,
  type AgentCommand,
  type AgentStateReport,
} from '@stampede/protocol';
import { isStoreError, type Generator, type Job, type Run, type RunStatus } from '@stampede/store';
import { addScenarioCounts, type ScenarioCounts } from '../aggregate/run-plan.ts';
import { RunAggregator } from '../aggregate/run-aggregator.ts';
import { buildFinalSummary } from '../aggregate/final-summary.ts';
import type { RunContext } from './run-context.ts';
import { parseRunPlan } from './run-context.ts';
import {
  formatSeqRanges,
  segmentOf,
  segmentSequenceOf,
  sourceIndex,
  sourceOf,
} from './partition.ts';

/** One generator of the run, in partition order. */
export interface Slot {
  index: number;
  generator: Generator;
  source: string;
  activity: AgentActivity | null;
  setupDataJson: string | null;
  /** Last seq per source, as reported with `finished`/`failed`; null before. */
  lastSeqs: Record<string, number> | null;
  error: { code: string; message: string } | null;
  /** Why the generator was lost (it will send nothing more), or null. */
  lost: string | null;
}

/** A decided end that waits for the generators' last snapshots before the summary. */
interface PendingEnd {
  status: 'failed' | 'aborted' | 'errored';
  reason: string;
}

const ACTIVITY_RANK: Readonly<Record<AgentActivity, number>> = {
  idle: 0,
  preparing: 1,
  ready: 2,
  running: 3,
  stopping: 4,
  finished: 5,
  failed: 5,
};

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Drives one run; owned by the Scheduler, which serialises calls and removes it when `ended`. */
export class RunDriver {
  readonly #ctx: RunContext;
  run: Run;
  job: Job;
  readonly aggregator: RunAggregator;
  slots: Slot[] = [];
  readonly scenarioCounts: ScenarioCounts = {};
  #startAtMs: number | null = null;
  #pendingEnd: PendingEnd | null = null;
  #lastEvalMs = -Infinity;
  /** When the run reached a terminal status (Unix epoch ms), or null while active. */
  endedAtMs: number | null = null;

  constructor(ctx: RunContext, run: Run, job: Job) {
    this.#ctx = ctx;
    this.run = run;
    this.job = job;
    this.aggregator = new RunAggregator(run.id);
  }

  get ended(): boolean {
    return this.endedAtMs !== null;
  }

  /** The slot of a generator of this run, if it is one. */
  slotOf(generatorId: string): Slot | undefined {
    return this.slots.find((s) => s.generator.id === generatorId);
  }

  /** Whether `source` may be uploaded by `generatorId` for this run. */
  sourceAllowed(generatorId: string, source: string): boolean {
    const slot = this.slotOf(generatorId);
    return slot !== undefined && sourceIndex(source) === slot.index;
  }

  async #transition(to: RunStatus, reason: string, deadlineMs: number | null): Promise<boolean> {
    try {
      this.run = await this.#ctx.store.transitionRun(
        this.run.id,
        [this.run.status],
        to,
        reason,
        deadlineMs,
      );
      this.#ctx.log.info(`run ${this.run.id}: ${to} (${reason})`);
      return true;
    } catch (err) {
      if (!isStoreError(err, 'INVALID_STATE')) throw err;
      // Someone else moved the run (an abort through another path, the deadline sweeper of
      // another controller): follow the store and stop driving if it ended.
      this.run = await this.#ctx.store.getRun(this.run.id);
      if (isTerminalRunStatus(this.run.status)) await this.#finish();
      return false;
    }
  }

  #tell(command: AgentCommand): void {
    for (const s of this.slots) {
      // `terminate` is final: a generator being retired gets no other command.
      if (this.#ctx.hub.desired(s.generator.id).command.kind === 'terminate') continue;
      this.#ctx.hub.setDesired(s.generator.id, command);
    }
  }

  /** Does what the current state calls for; called on every tick and after every event. */
  async advance(): Promise<void> {
    if (this.ended) return;
    const now = this.#ctx.clock.nowMs();
    const t = this.#ctx.config.timeouts;
    switch (this.run.status) {
      case 'queued':
        if (
          await this.#transition(
            'provisioning',
            `asking pool ${this.run.pool} for ${this.run.generatorsRequested} generator(s)`,
            now + t.provisioningMs,
          )
        ) {
          await this.#provision();
        }
        return;
      case 'provisioning':
        return this.#provision();
      case 'preparing':
        return this.#checkQuorum();
      case 'ready':
        if (this.#startAtMs !== null && now >= this.#startAtMs) {
          const maxMs =
            this.aggregator.plan?.maxDurationMs ??
            parseRunPlan(this.run).maxDurationMs ??
            this.#ctx.config.maxDurationMs;
          await this.#transition(
            'running',
            `started at ${iso(this.#startAtMs)}`,
            this.#startAtMs + maxMs + t.runningGraceMs,
          );
        }
        return this.#checkRunning();
      case 'running':
        return this.#checkRunning();
      case 'collecting':
        return this.#checkCollected(false);
      default:
        return;
    }
  }

  async #provision(): Promise<void> {
    const { store, pools } = this.#ctx;
    const n = this.run.generatorsRequested;
    const pool = pools.get(this.run.pool);
    const max = pool.maxSize();
    if (max !== null && max < n) {
      return this.abort(
        'errored',
        `pool ${pool.name} holds at most ${max} generator(s); the run asks for ${n}`,
      );
    }
    pool.ensureCapacity(n);
    let assigned: Generator[];
    try {
      assigned = await store.assignGenerators(this.run.id, n, this.run.pool);
    } catch (err) {
      if (isStoreError(err, 'CONFLICT')) return; // not enough idle generators yet: next tick
      throw err;
    }
    this.slots = assigned.map((generator, index) => ({
      index,
      generator,
      source: sourceOf(index),
      activity: null,
      setupDataJson: null,
      lastSeqs: null,
      error: null,
      lost: null,
    }));
    const plan = parseRunPlan(this.run);
    const sequence = segmentSequenceOf(n);
    for (const s of this.slots) {
      this.#ctx.hub.setDesired(s.generator.id, {
        kind: 'prepare',
        runId: this.run.id,
        archiveSha256: this.run.bundleSha256,
        overridesJson: plan.overridesJson,
        env: plan.env,
        segment: segmentOf(s.index, n),
        segmentSequence: sequence,
        generatorIndex: s.index,
        generatorCount: n,
        runSetup: s.index === 0,
        allowTargets: [...(plan.allowTargets ?? this.#ctx.config.allowTargets)],
        source: s.source,
      });
    }
    const names = this.slots.map((s) => `${s.source}=${s.generator.name}`).join(', ');
    const moved = await this.#transition(
      'preparing',
      `${n} generator(s) assigned (${names}); prepare sent`,
      this.#ctx.clock.nowMs() + this.#ctx.config.timeouts.preparingMs,
    );
    if (!moved) this.#tell({ kind: 'idle' }); // the run ended meanwhile: take the prepare back
  }

  async #checkQuorum(): Promise<void> {
    const failed = this.slots.find((s) => s.activity === 'failed');
    if (failed) {
      const why = failed.error
        ? `${failed.error.code}: ${failed.error.message}`
        : 'no reason given';
      return this.abort('errored', `${this.#label(failed)} failed to prepare: ${why}`);
    }
    if (!this.slots.every((s) => s.activity === 'ready')) return;
    const now = this.#ctx.clock.nowMs();
    const t = this.#ctx.config.timeouts;
    const startAtMs = now + t.startLeadMs;
    this.#startAtMs = startAtMs;
    this.aggregator.setStartAt(startAtMs);
    const setupDataJson = this.slots[0]?.setupDataJson ?? null;
    this.#tell({ kind: 'start', runId: this.run.id, startAtMs, setupDataJson });
    await this.#transition(
      'ready',
      `quorum: ${this.slots.length} of ${this.slots.length} generator(s) ready; start at ${iso(startAtMs)}`,
      startAtMs + t.readyGraceMs,
    );
  }

  async #checkRunning(): Promise<void> {
    if (this.ended) return;
    const now = this.#ctx.clock.nowMs();
    if (this.#pendingEnd === null) {
      const failed = this.slots.find((s) => s.activity === 'failed');
      if (failed) {
        const why = failed.error ? `${failed.error.code}: ${failed.error.message}` : 'no reason';
        this.#stopEarly('errored', `${this.#label(failed)} failed: ${why}`);
      } else if (now - this.#lastEvalMs >= this.#ctx.config.thresholdIntervalMs) {
        this.#lastEvalMs = now;
        const evaluation = this.aggregator.evaluate(now);
        if (evaluation?.abort) {
          this.#stopEarly(
            'failed',
            `threshold ${evaluation.abortedBy ?? '?'} failed (abortOnFail)`,
          );
        }
      }
    }
    const done = (s: Slot): boolean => s.activity === 'finished' || s.activity === 'failed';
    if (this.run.status === 'running' && this.slots.every(done)) {
      const why = this.#pendingEnd?.reason ?? `all ${this.slots.length} generator(s) finished`;
      await this.#transition(
        'collecting',
        `${why}; waiting for their last snapshots`,
        now + this.#ctx.config.timeouts.collectingMs,
      );
      return this.#checkCollected(false);
    }
  }

  /** Stops the load now but keeps collecting, so the summary has every snapshot sent before the stop. */
  #stopEarly(status: PendingEnd['status'], reason: string): void {
    if (this.#pendingEnd !== null) return;
    this.#pendingEnd = { status, reason };
    this.#ctx.log.warn(`run ${this.run.id}: stopping early: ${reason}`);
    this.#tell({ kind: 'stop', runId: this.run.id, graceful: false, reason });
  }

  /** What is still missing of one generator, as phrases; empty when everything is stored. */
  #missingOf(s: Slot): string[] {
    if (s.lastSeqs === null) return [`${this.#label(s)} did not report its last seqs`];
    const out: string[] = [];
    for (const [source, last] of Object.entries(s.lastSeqs)) {
      const missing = this.aggregator.missingSeqs(source, last);
      if (missing.length > 0) out.push(`${source} missing seq ${formatSeqRanges(missing)}`);
    }
    return out;
  }

  /** What is still missing of every generator. */
  #missing(): string[] {
    return this.slots.flatMap((s) => this.#missingOf(s));
  }

  /**
   * A generator of the run is lost. While it still had load to run, the run is aborted (the safe
   * default); once it had finished, only its unsent snapshots are lost, and collecting goes on.
   */
  async generatorLost(generatorId: string, reason: string): Promise<void> {
    const slot = this.slotOf(generatorId);
    if (!slot || this.ended) return;
    slot.lost = reason;
    const done = slot.activity === 'finished' || slot.activity === 'failed';
    if (this.run.status === 'collecting' || this.run.status === 'analysing') {
      return this.#checkCollected(false);
    }
    if (this.run.status === 'running' && done) return;
    return this.abort('aborted', reason);
  }

  async #checkCollected(deadlinePassed: boolean): Promise<void> {
    if (this.run.status !== 'collecting') return;
    const missing = this.#missing();
    // What a lost generator has not sent will never come: waiting for it is pointless.
    const waitable = this.slots.some((s) => s.lost === null && this.#missingOf(s).length > 0);
    if (missing.length > 0 && waitable && !deadlinePassed) return;
    const incomplete = missing.length > 0 ? `metrics incomplete: ${missing.join('; ')}` : null;
    const reason = incomplete ?? 'every snapshot stored';
    if (
      !(await this.#transition(
        'analysing',
        reason,
        this.#ctx.clock.nowMs() + this.#ctx.config.timeouts.analysingMs,
      ))
    ) {
      return;
    }
    await this.#analyse(incomplete);
  }

  async #analyse(incomplete: string | null): Promise<void> {
    const pending = this.#pendingEnd;
    const { summary, thresholdsOk } = await this.#summarise(pending?.reason ?? null);
    let status: RunStatus;
    let reason: string;
    if (pending) {
      status = pending.status;
      reason = incomplete ? `${pending.reason}; ${incomplete}` : pending.reason;
    } else if (incomplete) {
      status = 'errored';
      reason = incomplete;
    } else if (thresholdsOk) {
      status = 'passed';
      reason = 'all thresholds passed';
    } else {
      status = 'failed';
      const failed = Object.entries(summary.thresholds).flatMap(([key, list]) =>
        list.filter((r) => !r.ok).map((r) => `${key} ${r.expression} (${r.value ?? 'no data'})`),
      );
      reason = `thresholds failed: ${failed.join(', ')}`;
    }
    this.#tell({ kind: 'idle' });
    if (await this.#transition(status, reason, null)) await this.#finish();
  }

  async #summarise(abortReason: string | null) {
    const result = await buildFinalSummary(this.#ctx.store, {
      runId: this.run.id,
      plan: this.aggregator.plan,
      startedAtMs: this.#startAtMs,
      endedAtMs: null,
      nowMs: this.#ctx.clock.nowMs(),
      scenarios: this.scenarioCounts,
      abortReason,
    });
    await this.#ctx.store.setRunSummary(this.run.id, JSON.stringify(result.summary));
    return result;
  }

  /** Ends the run now (abort, lost generator, deadline): stop every generator, record the reason. */
  async abort(status: 'aborted' | 'errored', reason: string): Promise<void> {
    if (this.ended) return;
    this.#tell({ kind: 'stop', runId: this.run.id, graceful: false, reason });
    const startedLoad = this.#startAtMs !== null;
    if (!(await this.#transition(status, reason, null))) return;
    if (startedLoad) {
      try {
        await this.#summarise(reason);
      } catch (err) {
        this.#ctx.log.warn(`run ${this.run.id}: no summary: ${(err as Error).message}`);
      }
    }
    await this.#finish();
  }

  /** What to do when the store says the current state's deadline passed. */
  async deadlinePassed(): Promise<void> {
    if (this.ended) return;
    const s = this.run.status;
    if (s === 'queued' || s === 'provisioning') {
      const idle = (await this.#ctx.store.listGenerators({ pool: this.run.pool, status: ['idle'] }))
        .length;
      return this.abort(
        'aborted',
        `provisioning deadline passed: pool ${this.run.pool} has ${idle} idle generator(s), the run needs ${this.run.generatorsRequested}`,
      );
    }
    if (s === 'preparing') {
      const notReady = this.slots.filter((x) => x.activity !== 'ready');
      const list = notReady.map((x) => `${this.#label(x)}: ${x.activity ?? 'no report'}`);
      return this.abort(
        'aborted',
        `quorum not reached: ${this.slots.length - notReady.length} of ${this.slots.length} generator(s) ready by the deadline (${list.join('; ')})`,
      );
    }
    if (s === 'ready') return this.abort('aborted', 'the coordinated start did not happen in time');
    if (s === 'running') {
      const busy = this.slots.filter((x) => x.activity !== 'finished' && x.activity !== 'failed');
      this.#stopEarly(
        'aborted',
        `running deadline passed with ${busy.map((x) => this.#label(x)).join(', ')} still running`,
      );
      // Stopped generators get the collecting deadline to send their last snapshots.
      await this.#transition(
        'collecting',
        `${this.#pendingEnd?.reason ?? 'running deadline passed'}; collecting`,
        this.#ctx.clock.nowMs() + this.#ctx.config.timeouts.collectingMs,
      );
      return;
    }
    if (s === 'collecting') return this.#checkCollected(true);
    if (s === 'analysing') return this.abort('errored', 'analysis did not finish in time');
  }

  /** Takes an agent's state report for this run. */
  async report(generator: Generator, report: AgentStateReport): Promise<void> {
    const slot = this.slotOf(generator.id);
    if (!slot || this.ended) return;
    // Reports may overtake each other on separate connections: never step back from an end.
    if (ACTIVITY_RANK[report.activity] < ACTIVITY_RANK[slot.activity ?? 'idle']) return;
    slot.activity = report.activity;
    if (report.error) slot.error = report.error;
    if (report.activity === 'ready' && slot.index === 0) {
      slot.setupDataJson = report.setupDataJson ?? null;
      if (report.plan) {
        try {
          this.aggregator.setPlan(report.plan);
        } catch (err) {
          return this.abort('errored', `thresholds do not compile: ${(err as Error).message}`);
        }
      }
    }
    if (report.lastSeqs && (report.activity === 'finished' || report.activity === 'failed')) {
      const own = Object.entries(report.lastSeqs).filter(([src]) =>
        this.sourceAllowed(generator.id, src),
      );
      if (slot.lastSeqs === null) addScenarioCounts(this.scenarioCounts, report.scenarios);
      slot.lastSeqs = Object.fromEntries(own);
    }
    await this.advance();
  }

  /** Ends the run's hold on generators and on its job. */
  async #finish(): Promise<void> {
    if (this.ended) return;
    this.endedAtMs = this.#ctx.clock.nowMs();
    const { store, config, log } = this.#ctx;
    await store.releaseGenerators(this.run.id);
    try {
      this.job = await store.complete(this.job.id, config.ownerId);
    } catch (err) {
      log.warn(`run ${this.run.id}: job ${this.job.id} not completed: ${(err as Error).message}`);
    }
  }

  /** Renews the job lease when half of it is used. */
  async renewLease(): Promise<void> {
    if (this.ended) return;
    const { store, clock, config } = this.#ctx;
    const expires = this.job.leaseExpiresMs ?? 0;
    if (expires - clock.nowMs() > config.jobLeaseMs / 2) return;
    this.job = await store.renew(this.job.id, config.ownerId, config.jobLeaseMs);
  }

  #label(s: Slot): string {
    return `generator ${s.source} (${s.generator.name}, ${s.generator.id})`;
  }
}
