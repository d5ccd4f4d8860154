// The lifecycle every executor shares, scripted (BaseRunner) or fast path (FastRunner): wait for
// startTime, an active period driven by the subclass, then a graceful period (no new iterations;
// those in flight get gracefulStop, then are interrupted). How iterations are started, counted
// and interrupted is the subclass's business.
import type { CancelTimer, Clock } from '../clock.ts';
import type { ExecutorProgress, ExecutorRunner } from './types.ts';

/** Settings of a scenario's lifecycle; times in ms. */
export interface LifecycleSettings {
  scenario: string;
  executor: string;
  startTimeMs: number;
  gracefulStopMs: number;
  plannedMs: number;
  clock: Clock;
}

/** Iteration and VU counts of a runner, as progress reports them. */
export interface ScenarioTally {
  started: number;
  completed: number;
  interrupted: number;
  dropped: number;
  activeVus: number;
  allocatedVus: number;
}

/** Where a runner is in its lifecycle. */
export type Phase = 'idle' | 'waiting' | 'active' | 'stopping' | 'done';

/** Base of every executor runner: start timer, graceful and hard stop, progress, coalesced VU reports. */
export abstract class ScenarioLifecycle implements ExecutorRunner {
  abstract readonly maxVus: number;
  protected readonly scenario: string;
  protected readonly clock: Clock;
  /** Clock time (ms) at which the scenario started: run's startAtMs + startTime; NaN before. */
  protected startMs = Number.NaN;
  protected phase: Phase = 'idle';
  readonly #settings: LifecycleSettings;
  readonly #done: Promise<void>;
  #resolveDone!: () => void;
  #startTimer: CancelTimer | undefined;
  #graceTimer: CancelTimer | undefined;
  #endMs = Number.NaN;
  #reported = { active: 0, allocated: 0 };
  #reportQueued = false;

  constructor(settings: LifecycleSettings) {
    this.#settings = settings;
    this.scenario = settings.scenario;
    this.clock = settings.clock;
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  /** Delay of the scenario's start after the run's start (options startTime), ms. */
  protected get startTimeMs(): number {
    return this.#settings.startTimeMs;
  }

  /** Begins the active period; called once at the scenario's start instant. */
  protected abstract begin(): void;

  /** Stops starting iterations and cancels the subclass's own timers; may be called more than once. */
  protected abstract halt(): void;

  /** Iterations started and neither completed nor interrupted. */
  protected abstract pendingIterations(): number;

  /** Interrupts every iteration in flight, saying why. */
  protected abstract interruptAll(reason: string): void;

  /** The runner's counts now. */
  protected abstract tally(): ScenarioTally;

  /** Tells the host the VU counts. */
  protected abstract emitVus(active: number, allocated: number): void;

  /** Runs once the run is over, before dispose (last bookkeeping). */
  protected onFinish(): void {}

  /** Releases subclass resources once the run is over (pending timers, connections). */
  protected dispose(): void {}

  run(startAtMs: number): Promise<void> {
    if (this.phase === 'idle') {
      this.phase = 'waiting';
      const at = startAtMs + this.#settings.startTimeMs;
      this.#startTimer = this.clock.setTimer(() => {
        this.#startTimer = undefined;
        // The intended instant, not the wake time, anchors all offsets (a late timer shifts nothing).
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
      this.interruptAll('hard stop');
      this.#finish();
    }
  }

  progress(): ExecutorProgress {
    const c = this.tally();
    const started = !Number.isNaN(this.startMs);
    const until = this.phase === 'done' ? this.#endMs : this.clock.now();
    return {
      scenario: this.scenario,
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
    if (this.pendingIterations() === 0) {
      this.#finish();
      return;
    }
    this.#graceTimer = this.clock.setTimer(() => {
      this.#graceTimer = undefined;
      this.interruptAll('gracefulStop expired');
      this.#finish();
    }, this.#settings.gracefulStopMs);
  }

  /** Ends the graceful period once no iteration is pending (call when iterations end). */
  protected maybeFinish(): void {
    if (this.phase === 'stopping' && this.pendingIterations() === 0) this.#finish();
  }

  /** Reports the VU counts to the host, coalesced to one call per microtask turn. */
  protected vusChanged(): void {
    if (this.#reportQueued) return;
    this.#reportQueued = true;
    queueMicrotask(() => this.#reportVus());
  }

  #reportVus(): void {
    this.#reportQueued = false;
    const c = this.tally();
    const active = this.phase === 'done' ? 0 : c.activeVus;
    const allocated = c.allocatedVus;
    if (active === this.#reported.active && allocated === this.#reported.allocated) return;
    this.#reported = { active, allocated };
    this.emitVus(active, allocated);
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
    this.onFinish();
    this.dispose();
    this.#reportVus();
    this.#resolveDone();
  }
}
