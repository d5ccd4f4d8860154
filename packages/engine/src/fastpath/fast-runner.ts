// The fast-path executors' runner: the lifecycle every executor shares (ScenarioLifecycle).
// Iterations are counted by the loops, not launched one by one, so no promise or
// AbortController exists per iteration.
import type { Clock } from '../clock.ts';
import { ScenarioLifecycle, type ScenarioTally } from '../executors/scenario-lifecycle.ts';

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
export interface FastRunnerCounts extends ScenarioTally {
  /** Iterations started and neither completed nor interrupted. */
  pending: number;
}

/** Base of the fast-path executor adapters; subclasses run a ClosedLoop or an ArrivalLoop. */
export abstract class FastRunner extends ScenarioLifecycle {
  readonly #onVus: (active: number, allocated: number) => void;
  #final: FastRunnerCounts | undefined;

  constructor(settings: FastRunnerSettings) {
    super(settings);
    this.#onVus = settings.onVus;
  }

  /** Work done before the worker reports ready (before the start instant is known); none by default. */
  prepare(): Promise<void> {
    return Promise.resolve();
  }

  /** Current counts (zeros before begin). */
  protected abstract counts(): FastRunnerCounts;

  protected tally(): ScenarioTally {
    return this.#final ?? this.counts();
  }

  protected pendingIterations(): number {
    return this.counts().pending;
  }

  protected emitVus(active: number, allocated: number): void {
    this.#onVus(active, allocated);
  }

  /** Tells the runner that no iteration is pending: the graceful period, if any, is over. */
  protected quiet(): void {
    this.maybeFinish();
  }

  protected override onFinish(): void {
    this.#final = this.counts();
  }
}
