// The supervisor's side of one run: fetches and checks the archive, starts the run host thread,
// spools every snapshot before it is sent, converts the controller's start instant to this
// machine's clock, holds the run's lease gate, and reports each change of activity.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LeaseGate, monotonicMs, type Clock } from '@stampede/engine';
import type { AgentStateReport, PrepareCommand } from '@stampede/protocol';
import { DEFAULT_ARCHIVE_CACHE_BYTES, pruneArchiveCache, touchArchive } from './archive-cache.ts';
import type { ClockOffsetEstimator } from './clock-offset.ts';
import type { RunPhase } from './desired-state.ts';
import { AgentError } from './errors.ts';
import type { HealthSampler } from './health.ts';
import type { AgentLog } from './log.ts';
import type { FromRunHost, HostError, ToRunHost } from './run-host-messages.ts';
import type { MetricSpool } from './spool.ts';
import type { StateReporter } from './state-reporter.ts';
import type { MetricUploader } from './uploader.ts';

const RUN_HOST_URL = new URL('./run-host.ts', import.meta.url);
/** Margin added to a start instant that already passed when the start arrived, ms. */
const LATE_START_MARGIN_MS = 20;
/** Time a run host gets to end after a stop at once before it is terminated, ms. */
const HARD_STOP_GRACE_MS = 3000;
const LEASE_EXPIRED_MESSAGE = 'heartbeats went unanswered for the whole lease: load stopped';

/** What a run slot needs from the supervisor. */
export interface RunSlotDeps {
  command: PrepareCommand;
  dataDir: string;
  /** Size cap of the archive cache, bytes (default DEFAULT_ARCHIVE_CACHE_BYTES). */
  archiveCacheBytes?: number;
  workers: number;
  intervalMs?: number;
  fetchArchive(sha256: string): Promise<Uint8Array>;
  spool: MetricSpool;
  uploader: MetricUploader;
  reporter: StateReporter;
  health: HealthSampler;
  clock: Clock;
  offset: ClockOffsetEstimator;
  log: AgentLog;
  /** Ms left on the agent's lease now (0 when not held). */
  leaseRemainingMs(): number;
}

/** One run on this agent, from prepare to its final report. */
export class RunSlot {
  readonly runId: string;
  readonly gate = LeaseGate.create();
  readonly ended: Promise<void>;
  #phase: RunPhase = 'preparing';
  #startRequested = false;
  #hardStopRequested = false;
  #pendingStart: { startAtMs: number; setupDataJson: string | null } | undefined;
  #pendingStop: { graceful: boolean; reason: string } | undefined;
  #failure: HostError | null = null;
  #leased = false;
  #worker: Worker | undefined;
  #writes: Promise<void> = Promise.resolve();
  #resolveEnded: () => void = () => {};
  readonly #deps: RunSlotDeps;

  constructor(deps: RunSlotDeps) {
    this.#deps = deps;
    this.runId = deps.command.runId;
    this.ended = new Promise((r) => (this.#resolveEnded = r));
    this.extendGate(deps.leaseRemainingMs());
  }

  /** Where the run is. */
  get phase(): RunPhase {
    return this.#phase;
  }

  /** Whether a start was asked for. */
  get startRequested(): boolean {
    return this.#startRequested;
  }

  /** Whether a stop at once was asked for. */
  get hardStopRequested(): boolean {
    return this.#hardStopRequested;
  }

  /** Moves the run's lease gate to `remainingMs` from now. */
  extendGate(remainingMs: number): void {
    if (remainingMs <= 0) return;
    this.#leased = true;
    this.gate.extendUntil(monotonicMs() + remainingMs);
  }

  /** Fetches the archive, starts the run host and asks it to prepare. */
  async prepare(): Promise<void> {
    const { command, dataDir } = this.#deps;
    this.#report({ activity: 'preparing' });
    this.#deps.health.resetRun();
    try {
      const archivePath = await this.#archive(command.archiveSha256);
      if (this.#pendingStop) {
        this.#end('finished');
        return;
      }
      const worker = new Worker(RUN_HOST_URL, { name: `run ${this.runId}` });
      this.#worker = worker;
      worker.on('message', (msg: FromRunHost) => this.#onMessage(msg));
      worker.on('error', (error) => {
        this.#failure ??= { code: 'RUN_HOST_CRASHED', message: error.message };
      });
      worker.once('exit', () => {
        if (this.#phase !== 'finished' && this.#phase !== 'failed') {
          this.#failure ??= { code: 'RUN_HOST_EXITED', message: 'the run host thread exited' };
          void this.#finish(undefined);
        }
      });
      this.#post({
        type: 'prepare',
        archivePath,
        archiveSha256: command.archiveSha256,
        runDir: join(dataDir, 'runs', this.runId),
        command,
        workers: this.#deps.workers,
        leaseGate: this.gate.buffer,
        ...(this.#deps.intervalMs !== undefined ? { intervalMs: this.#deps.intervalMs } : {}),
      });
    } catch (error) {
      this.#failure = {
        code: (error as AgentError).code ?? 'RUN_FAILED',
        message: (error as Error).message,
      };
      this.#end('failed');
    }
  }

  /** Starts at the controller's instant `startAtMs` (its clock), once ready. */
  start(startAtMs: number, setupDataJson: string | null): void {
    if (this.#startRequested) return;
    this.#startRequested = true;
    if (this.#phase === 'preparing') {
      this.#pendingStart = { startAtMs, setupDataJson };
      return;
    }
    if (this.#phase !== 'ready') return;
    const { clock, offset, log } = this.#deps;
    if (offset.offsetMs === null)
      log('warn', 'no clock offset measured yet: starting on the local clock');
    let local = offset.toAgentEpochMs(startAtMs);
    const now = clock.epochMs();
    if (local < now + LATE_START_MARGIN_MS) {
      this.#log('warn', `start instant passed ${Math.round(now - local)} ms ago: starting now`);
      local = now + LATE_START_MARGIN_MS;
    }
    this.#phase = 'running';
    this.#post({ type: 'start', startAtEpochMs: local, setupDataJson });
    this.#report({ activity: 'running' });
  }

  /** Stops the load (gracefully: iterations may finish within gracefulStop) or ends a run not started. */
  stop(graceful: boolean, reason: string): void {
    if (this.#phase === 'finished' || this.#phase === 'failed') return;
    if (!graceful) this.#hardStopRequested = true;
    this.#pendingStop ??= { graceful, reason };
    if (this.#phase === 'running') {
      this.#phase = 'stopping';
      this.#report({ activity: 'stopping' });
    }
    this.#post({ type: 'stop', graceful, reason });
    if (!graceful) {
      // A run host stuck in user code (setup(), a busy loop) is cut off.
      const cancel = this.#deps.clock.setTimer(() => {
        if (this.#phase !== 'finished' && this.#phase !== 'failed') void this.#worker?.terminate();
      }, HARD_STOP_GRACE_MS);
      void this.ended.then(cancel);
    }
  }

  /** The lease expired: the gate closes for good and the load stops at once. */
  leaseExpired(): void {
    this.gate.revoke();
    if (this.#phase === 'finished' || this.#phase === 'failed') return;
    this.#failure ??= { code: 'LEASE_EXPIRED', message: LEASE_EXPIRED_MESSAGE };
    this.stop(false, 'lease expired');
  }

  #onMessage(msg: FromRunHost): void {
    switch (msg.type) {
      case 'snapshot':
        this.#deps.health.observe(msg.snapshot);
        this.#writes = this.#writes
          .then(() => this.#deps.spool.write(this.runId, msg.snapshot))
          .then(
            () => this.#deps.uploader.kick(),
            (error: unknown) => this.#log('error', (error as Error).message),
          );
        return;
      case 'log':
        this.#log(msg.level, msg.message);
        return;
      case 'ready': {
        if (this.#phase !== 'preparing') return;
        this.#phase = 'ready';
        const extra: Partial<AgentStateReport> = {};
        if (this.#deps.command.runSetup) extra.setupDataJson = msg.setupDataJson;
        if (msg.plan !== null) extra.plan = msg.plan;
        this.#report({ activity: 'ready', ...extra });
        const start = this.#pendingStart;
        if (start) {
          this.#startRequested = false;
          this.start(start.startAtMs, start.setupDataJson);
        }
        return;
      }
      case 'finished':
        if (msg.error) this.#failure ??= msg.error;
        void this.#finish(msg.scenarios);
        return;
      case 'failed':
        this.#failure ??= msg.error;
        void this.#finish(undefined);
        return;
    }
  }

  async #finish(
    scenarios: Record<string, { iterations: number; droppedIterations: number }> | undefined,
  ): Promise<void> {
    await this.#writes;
    await this.#deps.spool.seal(this.runId);
    // The load workers may notice the lease's end before the supervisor's timer does.
    if (this.#failure === null && this.#leased && this.gate.remainingMs() <= 0) {
      this.#failure = { code: 'LEASE_EXPIRED', message: LEASE_EXPIRED_MESSAGE };
    }
    const activity = this.#failure === null ? 'finished' : 'failed';
    this.#end(activity, scenarios);
  }

  #end(
    activity: 'finished' | 'failed',
    scenarios?: Record<string, { iterations: number; droppedIterations: number }>,
  ): void {
    if (this.#phase === 'finished' || this.#phase === 'failed') return;
    this.#phase = activity;
    this.gate.revoke();
    this.#report({
      activity,
      lastSeqs: this.#deps.spool.lastSeqs(this.runId),
      ...(scenarios !== undefined ? { scenarios } : {}),
      ...(this.#failure !== null
        ? { error: { code: this.#failure.code, message: this.#failure.message.slice(0, 8192) } }
        : {}),
    });
    this.#log(
      activity === 'finished' ? 'info' : 'error',
      `run ${this.runId} ${activity}${this.#failure ? `: ${this.#failure.message}` : ''}`,
    );
    const worker = this.#worker;
    void (async () => {
      await worker?.terminate();
      await rm(join(this.#deps.dataDir, 'runs', this.runId), {
        recursive: true,
        force: true,
      }).catch(() => undefined);
      this.#resolveEnded();
    })();
  }

  /** The archive in the local cache, fetched and checked when missing; returns its path. */
  async #archive(sha256: string): Promise<string> {
    const dir = join(this.#deps.dataDir, 'archives');
    const path = join(dir, `${sha256}.json`);
    const cached = await readFile(path).catch(() => undefined);
    if (cached && hash(cached) === sha256) {
      await touchArchive(path, this.#deps.clock.epochMs());
      return path;
    }
    const bytes = await this.#deps.fetchArchive(sha256);
    const actual = hash(bytes);
    if (actual !== sha256) {
      throw new AgentError('ARCHIVE_MISMATCH', `archive ${sha256} arrived with SHA-256 ${actual}`);
    }
    await mkdir(dir, { recursive: true });
    await writeFile(`${path}.tmp`, bytes);
    await rename(`${path}.tmp`, path);
    const removed = await pruneArchiveCache(
      dir,
      this.#deps.archiveCacheBytes ?? DEFAULT_ARCHIVE_CACHE_BYTES,
      `${sha256}.json`,
    );
    if (removed.length > 0)
      this.#log('info', `archive cache: removed ${removed.length} least recently used`);
    return path;
  }

  #post(msg: ToRunHost): void {
    this.#worker?.postMessage(msg);
  }

  #report(update: Omit<AgentStateReport, 'protocolVersion' | 'runId' | 'logs'>): void {
    this.#deps.reporter.report({ runId: this.runId, ...update });
  }

  #log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.#deps.log(level, `run ${this.runId}: ${message}`);
    this.#deps.reporter.addLog(this.runId, level, message);
  }
}

function hash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
