// The supervisor, on the agent's main thread: heartbeats that keep the lease and measure the clock
// offset, the command long-poll whose desired state it applies, the metric uploader and the state
// reporter. Load never runs here (see run-host.ts), so a saturated generator still heartbeats.
import type { CancelTimer, Clock } from '@stampede/engine';
import {
  AGENT_PROTOCOL_VERSION,
  commandPollSchema,
  heartbeatAckSchema,
  metricAckSchema,
  type AgentActivity,
  type AgentCommand,
  type PrepareCommand,
} from '@stampede/protocol';
import { z } from 'zod';
import { join } from 'node:path';
import { ClockOffsetEstimator } from './clock-offset.ts';
import type { ControllerClient } from './controller-client.ts';
import { decide, type AgentAction } from './desired-state.ts';
import { AgentError, isAgentError } from './errors.ts';
import { HealthSampler } from './health.ts';
import { Lease } from './lease.ts';
import type { AgentLog } from './log.ts';
import { DEFAULT_BACKOFF, backoffDelayMs } from './retry.ts';
import { RunSlot } from './run-slot.ts';
import { MetricSpool } from './spool.ts';
import { StateReporter } from './state-reporter.ts';
import { MetricUploader } from './uploader.ts';

/** Heartbeats answered 401/403 in a row after which the agent gives up (it was retired or revoked). */
const MAX_REFUSED_HEARTBEATS = 5;
/** Time a stopping agent waits for its run to end and its reports and metrics to go out, ms. */
const SHUTDOWN_DRAIN_MS = 5000;

/** Settings of the supervisor. */
export interface SupervisorOptions {
  client: ControllerClient;
  clock: Clock;
  log: AgentLog;
  dataDir: string;
  workers: number;
  heartbeatIntervalMs: number;
  commandWaitMs: number;
  /** Upper bound on the lease a heartbeat answer may grant, ms. */
  maxLeaseMs?: number;
  /** Metric interval of runs, ms (default 1000). */
  intervalMs?: number;
}

const stateAckSchema = z.object({ ok: z.literal(true) }).loose();

/** Runs the agent's conversation with the controller until stopped. */
export class Supervisor {
  readonly lease: Lease;
  readonly offset = new ClockOffsetEstimator();
  readonly spool: MetricSpool;
  readonly uploader: MetricUploader;
  readonly reporter: StateReporter;
  readonly health = new HealthSampler();
  readonly done: Promise<void>;
  readonly #o: SupervisorOptions;
  readonly #known = new Set<string>();
  readonly #draining = new Set<RunSlot>();
  readonly #abort = new AbortController();
  #slot: RunSlot | null = null;
  #commandVersion = 0;
  #heartbeatTimer: CancelTimer | undefined;
  #wakePoll: (() => void) | undefined;
  #refusedHeartbeats = 0;
  #heartbeatFailures = 0;
  #stopping: Promise<void> | undefined;
  #resolveDone: () => void = () => {};
  #rejectDone: (error: Error) => void = () => {};

  constructor(options: SupervisorOptions) {
    this.#o = options;
    const { client, clock, log } = options;
    this.done = new Promise((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    this.lease = new Lease(
      clock,
      {
        extended: (deadline) => this.#slot?.extendGate(deadline - clock.now()),
        expired: () => this.#leaseExpired(),
      },
      options.maxLeaseMs,
    );
    this.spool = new MetricSpool(join(options.dataDir, 'spool'));
    this.uploader = new MetricUploader({
      spool: this.spool,
      clock,
      log,
      send: (batch) =>
        client.json({
          method: 'POST',
          path: '/agent/v1/metrics',
          body: batch,
          schema: metricAckSchema,
          timeoutMs: 30_000,
          idempotent: true,
          attempts: 1,
        }),
    });
    this.reporter = new StateReporter({
      clock,
      log,
      send: (report) =>
        client.json({
          method: 'POST',
          path: '/agent/v1/state',
          body: report,
          schema: stateAckSchema,
          timeoutMs: 10_000,
          idempotent: true,
          attempts: 1,
        }),
    });
  }

  /** Re-sends what an earlier process left in the spool, then starts heartbeats and the command poll. */
  async start(): Promise<void> {
    const leftovers = await this.spool.recover();
    if (leftovers.length > 0) {
      this.#o.log('info', `re-sending spooled metrics of run ${leftovers.join(', ')}`);
      this.uploader.kick();
    }
    this.#heartbeat();
    void this.#pollLoop();
  }

  /** What the agent is doing, as heartbeats say. */
  get activity(): { activity: AgentActivity; runId: string | null } {
    const slot = this.#slot;
    return slot === null
      ? { activity: 'idle', runId: null }
      : { activity: slot.phase, runId: slot.runId };
  }

  /** Stops load at once, delivers what it can within a few seconds, and resolves `done`. */
  stop(reason: string, error?: Error): Promise<void> {
    this.#stopping ??= this.#shutdown(reason, error);
    return this.#stopping;
  }

  #heartbeat(): void {
    const { client, clock, heartbeatIntervalMs, log } = this.#o;
    if (this.#abort.signal.aborted) return;
    this.#heartbeatTimer = clock.setTimer(() => this.#heartbeat(), heartbeatIntervalMs);
    this.reporter.flushLogs();
    const sentAtMono = clock.now();
    const sentAtMs = clock.epochMs();
    const { activity, runId } = this.activity;
    void client
      .json({
        method: 'POST',
        path: '/agent/v1/heartbeat',
        body: {
          protocolVersion: AGENT_PROTOCOL_VERSION,
          sentAtMs,
          activity,
          runId,
          health: this.health.read(),
        },
        schema: heartbeatAckSchema,
        // An answer later than this would grant little lease; the next heartbeat is on its way.
        timeoutMs: Math.max(heartbeatIntervalMs * 2, 5000),
        idempotent: false,
        signal: this.#abort.signal,
      })
      .then(
        (ack) => {
          this.offset.add({
            sentEpochMs: sentAtMs,
            rttMs: clock.now() - sentAtMono,
            serverTimeMs: ack.serverTimeMs,
          });
          this.lease.grant(sentAtMono, ack.leaseMs);
          this.#refusedHeartbeats = 0;
          if (this.#heartbeatFailures > 0) log('info', 'heartbeats answered again');
          this.#heartbeatFailures = 0;
          if (ack.commandVersion !== this.#commandVersion) this.#wakePoll?.();
          this.uploader.kick();
        },
        (error: unknown) => {
          if (isAgentError(error, 'STOPPED')) return;
          if (this.#heartbeatFailures++ === 0)
            log('warn', `heartbeat failed: ${(error as Error).message}`);
          const status = isAgentError(error, 'HTTP_STATUS') ? Number(error.details['status']) : 0;
          if (status === 401 || status === 403) {
            if (++this.#refusedHeartbeats >= MAX_REFUSED_HEARTBEATS) {
              void this.stop(
                'the controller refuses this agent',
                new AgentError(
                  'IDENTITY_EXPIRED',
                  `the controller refuses this agent: ${(error as Error).message}`,
                ),
              );
            }
          }
        },
      );
  }

  async #pollLoop(): Promise<void> {
    const { client, clock, commandWaitMs, log } = this.#o;
    let failures = 0;
    while (!this.#abort.signal.aborted) {
      try {
        const poll = await client.json({
          method: 'GET',
          path: `/agent/v1/commands?after=${this.#commandVersion}&waitMs=${commandWaitMs}`,
          schema: commandPollSchema,
          timeoutMs: commandWaitMs + 15_000,
          idempotent: true,
          attempts: 1,
          signal: this.#abort.signal,
        });
        if (failures > 0) log('info', 'command poll answered again');
        failures = 0;
        if (poll.commandVersion !== this.#commandVersion) {
          this.#commandVersion = poll.commandVersion;
          this.apply(poll.command);
        }
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        if (failures === 0) log('warn', `command poll failed: ${(error as Error).message}`);
        const delay = backoffDelayMs(failures++, DEFAULT_BACKOFF);
        await new Promise<void>((resolve) => {
          const cancel = clock.setTimer(resolve, delay);
          this.#wakePoll = () => {
            cancel();
            resolve();
          };
        });
        this.#wakePoll = undefined;
      }
    }
  }

  /** Applies one desired state (idempotent: applying it again changes nothing). */
  apply(command: AgentCommand): void {
    const slot = this.#slot;
    const run =
      slot === null
        ? null
        : {
            runId: slot.runId,
            phase: slot.phase,
            startRequested: slot.startRequested,
            hardStopRequested: slot.hardStopRequested,
          };
    for (const action of decide(run, command, this.#known)) this.#act(action);
  }

  #act(action: AgentAction): void {
    const { log } = this.#o;
    switch (action.kind) {
      case 'prepare': {
        this.#known.add(action.command.runId);
        log(
          'info',
          `preparing run ${action.command.runId} (${action.command.source}, segment ${action.command.segment})`,
        );
        const slot = this.#newSlot(action.command);
        this.#slot = slot;
        void slot.prepare();
        return;
      }
      case 'start':
        this.#slot?.start(action.startAtMs, action.setupDataJson);
        return;
      case 'stop': {
        const slot = this.#slot?.runId === action.runId ? this.#slot : undefined;
        if (!slot) return;
        log(
          'info',
          `stopping run ${action.runId}${action.graceful ? ' gracefully' : ''}: ${action.reason}`,
        );
        slot.stop(action.graceful, action.reason);
        // A run replaced by another one keeps ending in the background.
        this.#draining.add(slot);
        void slot.ended.then(() => this.#draining.delete(slot));
        return;
      }
      case 'forget':
        if (this.#slot?.runId === action.runId) this.#slot = null;
        return;
      case 'refuse':
        this.#known.add(action.runId);
        log('warn', action.message);
        this.reporter.report({
          runId: action.runId,
          activity: 'failed',
          lastSeqs: {},
          error: { code: action.code, message: action.message },
        });
        return;
      case 'terminate':
        log('info', `terminating: ${action.reason}`);
        void this.stop(action.reason);
        return;
    }
  }

  #newSlot(command: PrepareCommand): RunSlot {
    const o = this.#o;
    return new RunSlot({
      command,
      dataDir: o.dataDir,
      workers: o.workers,
      ...(o.intervalMs !== undefined ? { intervalMs: o.intervalMs } : {}),
      fetchArchive: (sha256) =>
        o.client.bytes(`/agent/v1/archives/${sha256}`, {
          timeoutMs: 60_000,
          signal: this.#abort.signal,
        }),
      spool: this.spool,
      uploader: this.uploader,
      reporter: this.reporter,
      health: this.health,
      clock: o.clock,
      offset: this.offset,
      log: o.log,
      leaseRemainingMs: () => this.lease.remainingMs(),
    });
  }

  #leaseExpired(): void {
    const active = this.#slot;
    this.#o.log(
      'warn',
      active ? `lease expired: stopping run ${active.runId} at once` : 'lease expired (no run)',
    );
    active?.leaseExpired();
    for (const slot of this.#draining) slot.leaseExpired();
  }

  async #shutdown(reason: string, error: Error | undefined): Promise<void> {
    const { clock, log } = this.#o;
    this.#abort.abort();
    this.#heartbeatTimer?.();
    this.#wakePoll?.();
    const slots = [...this.#draining, ...(this.#slot ? [this.#slot] : [])];
    for (const slot of slots) slot.stop(false, reason);
    await Promise.race([
      Promise.all(slots.map((s) => s.ended)),
      new Promise<void>((r) => clock.setTimer(r, SHUTDOWN_DRAIN_MS)),
    ]);
    const [reported, uploaded] = await Promise.all([
      this.reporter.drained(SHUTDOWN_DRAIN_MS),
      this.uploader.drained(SHUTDOWN_DRAIN_MS),
    ]);
    if (!reported) log('warn', `${this.reporter.pending} state reports not delivered`);
    if (!uploaded)
      log('warn', `${this.uploader.pending()} snapshots left in the spool for the next start`);
    this.uploader.stop();
    this.reporter.stop();
    this.lease.dispose();
    this.health.stop();
    if (error) this.#rejectDone(error);
    else this.#resolveDone();
  }
}
