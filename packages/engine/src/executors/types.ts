import type { Clock } from '../clock.ts';
import type { IterationSignal } from './iteration-signal.ts';

/** What the executor tells the host when it starts one iteration. */
export interface IterationStart {
  scenario: string;
  /** Global VU number, 1-based, unique across all segments of this scenario (global VU index + 1). */
  vuId: number;
  /** 0-based count of iterations this VU has started in this scenario. */
  vuIteration: number;
  /** 0-based iteration index in the scenario, unique across all segments (see each executor for its derivation). */
  scenarioIteration: number;
  /** clock.now() value at which this iteration was due (arrival-rate only), else null. */
  intendedStartMs: number | null;
  /** Aborted when the iteration must be interrupted (gracefulStop / gracefulRampDown expired, hard stop). */
  readonly signal: IterationSignal;
  /**
   * Optional, for hosts: takes over telling the executor that the iteration is over. The host
   * then calls the returned function once, when its promise would settle (from inside the
   * iteration's async context, so the VU's next iteration starts there too), and the executor no
   * longer waits on the promise. Saves a promise reaction per iteration; hosts that do not call
   * it lose nothing.
   */
  handOff?(): () => void;
}

/** What an executor needs from the worker that hosts it. */
export interface ExecutorHost {
  clock: Clock;
  /** Runs one iteration; resolves when it is done; never rejects (errors are the host's business). */
  runIteration(start: IterationStart): Promise<void>;
  /** Called with the number of dropped iterations (arrival-rate: due but no VU free and maxVUs reached). */
  onDropped(count: number, scenario: string): void;
  /** Called whenever the active/allocated VU counts of this executor change. */
  onVus(active: number, allocated: number): void;
}

/** A snapshot of an executor's state; times in ms. */
export interface ExecutorProgress {
  scenario: string;
  executor: string;
  elapsedMs: number;
  plannedMs: number;
  activeVus: number;
  allocatedVus: number;
  iterationsStarted: number;
  iterationsCompleted: number;
  iterationsInterrupted: number;
  dropped: number;
  done: boolean;
}

/** One scenario's executor for one segment, driven by the host's clock. */
export interface ExecutorRunner {
  /** Starts at clock time `startAtMs` + the scenario's startTime; resolves when finished (including graceful stop). */
  run(startAtMs: number): Promise<void>;
  /** Stops early: graceful = stop starting iterations, let running ones finish within gracefulStop then interrupt; not graceful = interrupt now. */
  stop(graceful: boolean): void;
  /** Current counters and state. */
  progress(): ExecutorProgress;
  /** Max VUs this executor may use in this segment (for vus_max). */
  readonly maxVus: number;
}
