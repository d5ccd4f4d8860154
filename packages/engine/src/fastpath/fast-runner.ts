// The lifecycle of a fast-path executor, the same as the scripted executors' BaseRunner: wait for
// startTime, an active period driven by the subclass, then a graceful period (no new iterations;
// those in flight get gracefulStop, then are interrupted). Iterations are counted by the loops,
// not launched one by one, so no promise or AbortController exists per iteration.
import type { CancelTimer, Clock } from '../clock.ts';
import type { ExecutorProgress, ExecutorRunner } from '../executors/types.ts';

/** Common settings of every fast-path runner; times in ms. */
export interface FastRunnerSettings {
  scenario: string;
  executor: string;
  startTimeMs: number;
  gracefulStopMs: number;
  plannedMs: number;
  clock: Clock;
  /** Called whenever the active/allocated VU (connection) counts change. */
  onVus(active: number, allocated: number): void;
}

/** Iteration and VU counts a subclass reports. */
export interface FastRunnerCounts {
  started: number;
  completed: number;
  interrupted: number;
  dropped: number;
  /** Iterations started and neither completed nor interrupted. */
  pending: number;
  activeVus: number;
  allocatedVus: number;
}

type Phase = 'idle' | 'waiting' | 'active' | 'stopping' | 'done';

/** Base of the fast-path executor adapters; subclasses run a ClosedLoop or an ArrivalLoop. */
export abstract class FastRunner implements ExecutorRunner {
  abstract readonly maxVus: number;
  protected readonly clock: Clock;
  /** Clock time (ms) at which the scenario started: run's startAtMs + startTime; NaN before. */
  protected startMs = Number.NaN;
  protected phase: Phase = 'idle';
  readonly #settings: FastRunnerSettings;
  readonly #done: Promise<void>;
  #resolveDone!: () => void;
  #startTimer: CancelTimer | undefined;
  #graceTimer: CancelTimer | undefined;
  #endMs = Number.NaN;
  #reported = { active: 0, allocated: 0 };
  #reportQueued = false;
  #final: FastRunnerCounts | undefined;

  constructor(settings: FastRunnerSettings) {
    this.#settings = settings;
    this.clock = settings.clock;
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  /** Begins the active period; called once at the scenario's start instant. */
  protected abstract begin(): void;

  /** Stops starting iterations and cancels the subclass's timers; may be called more than once. */
  protected abstract halt(): void;

  /** Interrupts every iteration in flight (its requests are recorded as EABORTED). */
  protected abstract interruptAll(): void;

  /** Closes the connections once the run is over. */
  protected abstract dispose(): void;

  /** Current counts (zeros before begin). */
  protected abstract counts(): FastRunnerCounts;

  run(startAtMs: number): Promise<void> {
    if (this.phase === 'idle') {
      this.phase = 'waiting';
      const at = startAtMs + this.#settings.startTimeMs;
      this.#startTimer = this.clock.setTimer(() => {
        this.#startTimer = undefined;
        // The intended instant, not the wake time, anchors all offsets (as in BaseRunner).
        this.startMs = at;
        this.phase = 'active';
        this.begin();
      }, at - this.clock.now());
    }
    return this.#done;
  }

  stop(graceful: boolean): void {
    if (this.phase === 'idle' || this.phase === 'waiting') {
      this.#finish();
    } else if (graceful) {
      this.endActive();
    } else if (this.phase !== 'done') {
      this.halt();
      this.interruptAll();
      this.#finish();
    }
  }

  progress(): ExecutorProgress {
    const c = this.#final ?? this.counts();
    const started = !Number.isNaN(this.startMs);
    const until = this.phase === 'done' ? this.#endMs : this.clock.now();
    return {
      scenario: this.#settings.scenario,
      executor: this.#settings.executor,
      elapsedMs: started ? Math.max(0, until - this.startMs) : 0,
      plannedMs: this.#settings.plannedMs,
      activeVus: this.phase === 'done' ? 0 : c.activeVus,
      allocatedVus: c.allocatedVus,
      iterationsStarted: c.started,
      iterationsCompleted: c.completed,
      iterationsInterrupted: c.interrupted,
      dropped: c.dropped,
      done: this.phase === 'done',
    };
  }

  /** Ends the active period: no new iterations; those in flight get gracefulStop before interruption. */
  protected endActive(): void {
    if (this.phase !== 'active') return;
    this.halt();
    this.phase = 'stopping';
    if (this.counts().pending === 0) {
      this.#finish();
      return;
    }
    this.#graceTimer = this.clock.setTimer(() => {
      this.#graceTimer = undefined;
      this.interruptAll();
      this.#finish();
    }, this.#settings.gracefulStopMs);
  }

  /** Tells the runner that no iteration is pending: the graceful period, if any, is over. */
  protected quiet(): void {
    if (this.phase === 'stopping' && this.counts().pending === 0) this.#finish();
  }

  /** Reports the VU counts to the host, coalesced to one call per microtask turn. */
  protected vusChanged(): void {
    if (this.#reportQueued) return;
    this.#reportQueued = true;
    queueMicrotask(() => this.#reportVus());
  }

  #reportVus(): void {
    this.#reportQueued = false;
    const c = this.counts();
    const active = this.phase === 'done' ? 0 : c.activeVus;
    const allocated = c.allocatedVus;
    if (active === this.#reported.active && allocated === this.#reported.allocated) return;
    this.#reported = { active, allocated };
    this.#settings.onVus(active, allocated);
  }

  #finish(): void {
    if (this.phase === 'done') return;
    const wasRunning = this.phase !== 'idle' && this.phase !== 'waiting';
    this.phase = 'done';
    this.#endMs = this.clock.now();
    this.#startTimer?.();
    this.#graceTimer?.();
    this.#startTimer = this.#graceTimer = undefined;
    if (wasRunning) this.halt();
    this.#final = this.counts();
    this.dispose();
    this.#reportVus();
    this.#resolveDone();
  }
}
