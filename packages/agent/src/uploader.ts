// Sends spooled snapshots to the controller in batches, oldest first, and deletes exactly what
// the answer acknowledges. Failures back off with jitter; a run the controller refuses for good
// (it no longer knows it, the source is not this agent's) stays on disk and is not retried until
// the agent restarts, so one bad run cannot stall the others.
import type { Clock } from '@stampede/engine';
import { AGENT_PROTOCOL_VERSION, type MetricAck, type MetricBatch } from '@stampede/protocol';
import { isRetryable } from './controller-client.ts';
import { isAgentError } from './errors.ts';
import type { AgentLog } from './log.ts';
import { DEFAULT_BACKOFF, backoffDelayMs, type BackoffPolicy } from './retry.ts';
import type { MetricSpool } from './spool.ts';

/** What the uploader needs. */
export interface UploaderDeps {
  spool: MetricSpool;
  /** Sends one batch (POST /agent/v1/metrics). */
  send(batch: MetricBatch): Promise<MetricAck>;
  clock: Clock;
  log: AgentLog;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Snapshots per batch (default and maximum 500). */
  batchSize?: number;
}

/** Drains the spool to the controller. */
export class MetricUploader {
  readonly #deps: UploaderDeps;
  readonly #refused = new Set<string>();
  #running = false;
  #dirty = false;
  #stopped = false;
  #failures = 0;
  #cancelWait: (() => void) | undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(deps: UploaderDeps) {
    this.#deps = deps;
  }

  /** Asks for a pass soon (a snapshot was spooled, or the controller may be back). */
  kick(): void {
    this.#dirty = true;
    if (this.#running) return;
    this.#running = true;
    void this.#loop().finally(() => {
      this.#running = false;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    });
  }

  /** Runs whose snapshots the controller refused for good (kept on disk). */
  get refusedRuns(): string[] {
    return [...this.#refused].sort();
  }

  /** Number of snapshots still to send, refused runs left out. */
  pending(): number {
    return this.#sendable().reduce((n, runId) => n + this.#deps.spool.pendingCount(runId), 0);
  }

  /** Resolves true once nothing is left to send, or false after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = this.#deps.clock.now() + timeoutMs;
    while (this.pending() > 0) {
      const left = deadline - this.#deps.clock.now();
      if (left <= 0 || this.#stopped) return false;
      this.kick();
      await new Promise<void>((resolve) => {
        const cancel = this.#deps.clock.setTimer(resolve, Math.min(left, 100));
        this.#idleWaiters.push(() => {
          cancel();
          resolve();
        });
      });
    }
    return true;
  }

  /** Stops sending (the spool keeps what is left for the next start). */
  stop(): void {
    this.#stopped = true;
    this.#cancelWait?.();
  }

  #sendable(): string[] {
    return this.#deps.spool.pendingRuns().filter((r) => !this.#refused.has(r));
  }

  async #loop(): Promise<void> {
    const { spool, log } = this.#deps;
    const size = Math.min(500, this.#deps.batchSize ?? 500);
    while (!this.#stopped && (this.#dirty || this.#sendable().length > 0)) {
      this.#dirty = false;
      for (const runId of this.#sendable()) {
        if (this.#stopped) return;
        const snapshots = await spool.take(runId, size, undefined, (file, reason) =>
          log('warn', `dropped unreadable spool file ${file}: ${reason}`),
        );
        if (snapshots.length === 0) continue;
        try {
          const ack = await this.#deps.send({
            protocolVersion: AGENT_PROTOCOL_VERSION,
            runId,
            snapshots,
          });
          const deleted = await spool.ack(runId, ack.acked);
          if (deleted === 0) throw new Error('the controller acknowledged none of the batch');
          this.#failures = 0;
        } catch (error) {
          if (isAgentError(error, 'STOPPED')) return;
          if (isAgentError(error, 'HTTP_STATUS') && !isRetryable(error)) {
            this.#refused.add(runId);
            log('error', `metrics of run ${runId} refused, kept in the spool: ${error.message}`);
            continue;
          }
          const delay = backoffDelayMs(
            this.#failures++,
            this.#deps.backoff ?? DEFAULT_BACKOFF,
            this.#deps.random,
          );
          if (this.#failures === 1) {
            log('warn', `metric upload failed, retrying: ${(error as Error).message}`);
          }
          await this.#wait(delay);
          break;
        }
      }
    }
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.#deps.clock.setTimer(() => {
        this.#cancelWait = undefined;
        resolve();
      }, ms);
      this.#cancelWait = () => {
        cancel();
        this.#cancelWait = undefined;
        resolve();
      };
    });
  }
}
