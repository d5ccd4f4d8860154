// State reports (`POST /agent/v1/state`) in the order they happened, each retried until the
// controller took it (a report says the same thing however often it arrives), with the run's log
// lines attached: errors of the script, warnings of the agent.
import type { Clock } from '@stampede/engine';
import {
  AGENT_PROTOCOL_VERSION,
  type AgentActivity,
  type AgentStateReport,
} from '@stampede/protocol';
import { isRetryable } from './controller-client.ts';
import { isAgentError } from './errors.ts';
import type { AgentLog, LogLevel } from './log.ts';
import { DEFAULT_BACKOFF, backoffDelayMs, type BackoffPolicy } from './retry.ts';

/** Most log lines kept per run between reports (the protocol's limit per report). */
export const MAX_LOG_LINES = 1000;
/** Longest log message sent, characters. */
export const MAX_LOG_CHARS = 8192;

/** A state report without the protocol version and the logs the reporter adds. */
export type StateUpdate = Omit<AgentStateReport, 'protocolVersion' | 'logs'>;

type LogLine = NonNullable<AgentStateReport['logs']>[number];

/** What the reporter needs. */
export interface ReporterDeps {
  send(report: AgentStateReport): Promise<unknown>;
  clock: Clock;
  log: AgentLog;
  backoff?: BackoffPolicy;
  random?: () => number;
}

/** Queues state reports and log lines and delivers them in order. */
export class StateReporter {
  readonly #deps: ReporterDeps;
  readonly #queue: AgentStateReport[] = [];
  readonly #logs = new Map<string, { lines: LogLine[]; dropped: number }>();
  readonly #activity = new Map<string, AgentActivity>();
  #sending = false;
  #stopped = false;
  #cancelWait: (() => void) | undefined;
  #progress: (() => void)[] = [];

  constructor(deps: ReporterDeps) {
    this.#deps = deps;
  }

  /** Queues a change of activity of a run, with the run's log lines so far. */
  report(update: StateUpdate): void {
    this.#activity.set(update.runId, update.activity);
    this.#queue.push({
      protocolVersion: AGENT_PROTOCOL_VERSION,
      ...update,
      ...this.#takeLogs(update.runId),
    });
    this.#pump();
  }

  /** Keeps a log line of a run for the next report. */
  addLog(runId: string, level: LogLevel, message: string): void {
    let buf = this.#logs.get(runId);
    if (!buf) {
      buf = { lines: [], dropped: 0 };
      this.#logs.set(runId, buf);
    }
    if (buf.lines.length >= MAX_LOG_LINES - 1) {
      buf.dropped++;
      return;
    }
    // The protocol wants whole ms; the wall clock gives fractions (a report with one would be
    // refused, and with it every later report of the run).
    buf.lines.push({
      level,
      message: message.slice(0, MAX_LOG_CHARS),
      atMs: Math.floor(this.#deps.clock.epochMs()),
    });
  }

  /** Sends the waiting log lines of every run with its last reported activity (called periodically). */
  flushLogs(): void {
    for (const [runId, buf] of this.#logs) {
      const activity = this.#activity.get(runId);
      if (activity === undefined || (buf.lines.length === 0 && buf.dropped === 0)) continue;
      this.#queue.push({
        protocolVersion: AGENT_PROTOCOL_VERSION,
        runId,
        activity,
        ...this.#takeLogs(runId),
      });
    }
    this.#pump();
  }

  /** Forgets a run's activity and unsent log lines (it is over and reported). */
  forget(runId: string): void {
    this.#activity.delete(runId);
    this.#logs.delete(runId);
  }

  /** Number of reports not delivered yet. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves true once every queued report was delivered, or false after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = this.#deps.clock.now() + timeoutMs;
    while (this.#queue.length > 0) {
      const left = deadline - this.#deps.clock.now();
      if (left <= 0 || this.#stopped) return false;
      this.#pump();
      await new Promise<void>((resolve) => {
        const cancel = this.#deps.clock.setTimer(resolve, Math.min(left, 50));
        this.#progress.push(() => {
          cancel();
          resolve();
        });
      });
    }
    return true;
  }

  /** Stops delivering. */
  stop(): void {
    this.#stopped = true;
    this.#cancelWait?.();
  }

  #takeLogs(runId: string): { logs?: LogLine[] } {
    const buf = this.#logs.get(runId);
    if (!buf || (buf.lines.length === 0 && buf.dropped === 0)) return {};
    const lines = buf.lines;
    if (buf.dropped > 0) {
      lines.push({
        level: 'warn',
        message: `${buf.dropped} log lines dropped (more than ${MAX_LOG_LINES} between reports)`,
        atMs: Math.floor(this.#deps.clock.epochMs()),
      });
    }
    this.#logs.set(runId, { lines: [], dropped: 0 });
    return { logs: lines };
  }

  #notify(): void {
    const waiters = this.#progress;
    this.#progress = [];
    for (const w of waiters) w();
  }

  #pump(): void {
    if (this.#sending || this.#stopped) return;
    this.#sending = true;
    void this.#loop().finally(() => {
      this.#sending = false;
    });
  }

  async #loop(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      const head = this.#queue[0];
      if (head === undefined) return;
      try {
        await this.#deps.send(head);
        this.#queue.shift();
        this.#notify();
        failures = 0;
      } catch (error) {
        if (isAgentError(error, 'STOPPED')) return;
        if (!isRetryable(error)) {
          this.#queue.shift();
          this.#notify();
          this.#deps.log(
            'error',
            `state report ${head.activity} of run ${head.runId} refused: ${(error as Error).message}`,
          );
          continue;
        }
        const delay = backoffDelayMs(
          failures++,
          this.#deps.backoff ?? DEFAULT_BACKOFF,
          this.#deps.random,
        );
        await new Promise<void>((resolve) => {
          const cancel = this.#deps.clock.setTimer(resolve, delay);
          this.#cancelWait = () => {
            cancel();
            resolve();
          };
        });
        this.#cancelWait = undefined;
      }
    }
  }
}
