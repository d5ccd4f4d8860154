import { IterationAbort } from './iteration-signal.ts';
import { ScenarioLifecycle, type ScenarioTally } from './scenario-lifecycle.ts';
import type { ExecutorHost, IterationStart } from './types.ts';

/** One VU of an executor: its global number and its scenario-local state. */
export interface Vu {
  /** 0-based rank among this segment's VUs. */
  readonly local: number;
  /** Global VU number, 1-based. */
  readonly id: number;
  /** Iterations started by this VU in this scenario. */
  iterations: number;
  /** The iteration in flight, if any. */
  flight: Flight | undefined;
  /** Whether an iteration loop is running on this VU (VU-loop executors). */
  looping: boolean;
  /** Called when the VU's loop ends (VU-loop executors). */
  onLoopEnd: (() => void) | undefined;
  /**
   * The signal the VU's iterations get: one per VU, replaced only once it was aborted, so an
   * iteration allocates no controller of its own.
   */
  controller: IterationAbort | undefined;
  /** The flight whose host promise the VU waits for, and what to call when it settles. */
  settling: Flight | undefined;
  onSettled: ((vu: Vu, completed: boolean) => void) | undefined;
  /** The VU's settle callback, made once. */
  settle: (() => void) | undefined;
}

function noop(): void {}

/** An iteration in flight; it is also the start record the host gets (one object, not two). */
export class Flight implements IterationStart {
  readonly scenario: string;
  readonly vuId: number;
  readonly vuIteration: number;
  readonly scenarioIteration: number;
  readonly intendedStartMs: number | null;
  readonly vu: Vu;
  readonly controller: IterationAbort;
  interrupted = false;
  /** Set only when the VU's previous iteration has not settled yet (see launchThen). */
  done: ((vu: Vu, completed: boolean) => void) | undefined;
  /** True while the executor is inside the host's runIteration for this flight. */
  launching = true;
  /** True once the host took over reporting the end of the iteration (handOff). */
  handedOff = false;
  /** What the host calls (after handOff) or the promise triggers when the iteration is over. */
  settler: () => void = noop;

  constructor(
    scenario: string,
    vu: Vu,
    controller: IterationAbort,
    scenarioIteration: number,
    intendedStartMs: number | null,
  ) {
    this.scenario = scenario;
    this.vuId = vu.id;
    this.vuIteration = vu.iterations++;
    this.scenarioIteration = scenarioIteration;
    this.intendedStartMs = intendedStartMs;
    this.vu = vu;
    this.controller = controller;
  }

  get signal(): IterationAbort {
    return this.controller;
  }

  handOff(): () => void {
    this.handedOff = true;
    return this.settler;
  }
}

/** Common settings of every runner; times in ms. */
export interface RunnerSettings {
  scenario: string;
  executor: string;
  startTimeMs: number;
  gracefulStopMs: number;
  plannedMs: number;
  host: ExecutorHost;
}

/**
 * The scripted executors' runner: the shared lifecycle (ScenarioLifecycle) with iterations
 * launched one by one on VUs. run() resolves once no iteration is in flight; an interrupted
 * iteration counts as finished when its signal aborts — the runner does not wait for the host to
 * unwind it.
 */
export abstract class BaseRunner extends ScenarioLifecycle {
  protected readonly host: ExecutorHost;
  /** VUs currently busy (VU loops running, or arrival-rate VUs in an iteration). */
  protected activeVus = 0;
  /** VUs allocated by this executor. */
  protected allocatedVus = 0;
  readonly #inflight = new Set<Flight>();
  #started = 0;
  #completed = 0;
  #interrupted = 0;
  #dropped = 0;

  constructor(settings: RunnerSettings) {
    super({ ...settings, clock: settings.host.clock });
    this.host = settings.host;
  }

  protected pendingIterations(): number {
    return this.#inflight.size;
  }

  protected interruptAll(reason: string): void {
    for (const flight of [...this.#inflight]) this.interrupt(flight, reason);
  }

  protected tally(): ScenarioTally {
    return {
      started: this.#started,
      completed: this.#completed,
      interrupted: this.#interrupted,
      dropped: this.#dropped,
      activeVus: this.activeVus,
      allocatedVus: this.allocatedVus,
    };
  }

  protected emitVus(active: number, allocated: number): void {
    this.host.onVus(active, allocated);
  }

  protected override onFinish(): void {
    this.activeVus = 0;
  }

  /**
   * Starts one iteration on `vu` now; `done(vu, completed)` runs once the host's promise settles
   * (false when the iteration was interrupted), so a VU never runs two iterations at once. A
   * callback rather than a promise, settled through one closure per VU: an iteration allocates
   * little beyond what the host needs (this matters with 100,000 mostly sleeping VUs).
   */
  protected launchThen(
    vu: Vu,
    scenarioIteration: number,
    intendedStartMs: number | null,
    done: (vu: Vu, completed: boolean) => void,
  ): void {
    let controller = vu.controller;
    if (controller === undefined || controller.aborted) {
      controller = new IterationAbort();
      vu.controller = controller;
    }
    const flight = new Flight(this.scenario, vu, controller, scenarioIteration, intendedStartMs);
    // Normally one settle closure per VU serves every iteration; only if a host resolved an
    // earlier iteration's promise late does this flight get its own, to keep the two apart.
    if (vu.settling === undefined) {
      vu.settling = flight;
      vu.onSettled = done;
      flight.settler = vu.settle ??= this.#settlerOf(vu);
    } else {
      flight.done = done;
      flight.settler = this.#settlerOfFlight(flight, done);
    }
    const settler = flight.settler;
    vu.flight = flight;
    this.#inflight.add(flight);
    this.#started++;
    let pending: Promise<void>;
    try {
      pending = this.host.runIteration(flight);
    } catch {
      pending = Promise.resolve(); // the host broke its contract; count the iteration as done
    }
    flight.launching = false;
    // A host that took over (handOff) calls the settler itself, from inside the iteration's
    // async context and without a promise reaction per iteration; otherwise watch the promise.
    if (!flight.handedOff) pending.then(settler, settler);
  }

  // The closures are made in functions of their own: a closure keeps its whole creating scope
  // alive, and launchThen's scope holds the flight (one old flight per VU would stay reachable).
  #settlerOf(vu: Vu): () => void {
    return () => this.#settleVu(vu);
  }

  #settlerOfFlight(flight: Flight, done: (vu: Vu, completed: boolean) => void): () => void {
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      if (flight.launching) {
        queueMicrotask(settle);
        return;
      }
      settled = true;
      done(flight.vu, this.#settle(flight));
    };
    return settle;
  }

  #settleVu(vu: Vu): void {
    const flight = vu.settling;
    if (flight === undefined) return; // settled twice: the first call counted
    if (flight.launching) {
      // The host finished inside runIteration: continue after it returned, not recursively.
      queueMicrotask(vu.settle as () => void);
      return;
    }
    const done = vu.onSettled as (vu: Vu, completed: boolean) => void;
    vu.settling = undefined;
    vu.onSettled = undefined;
    done(vu, this.#settle(flight));
  }

  /** Bookkeeping once the host's promise of `flight` settled; true when it completed. */
  #settle(flight: Flight): boolean {
    const vu = flight.vu;
    if (vu.flight === flight) vu.flight = undefined;
    if (flight.interrupted) return false;
    this.#inflight.delete(flight);
    this.#completed++;
    this.maybeFinish();
    return true;
  }

  /** Aborts an iteration in flight; it counts as interrupted. */
  protected interrupt(flight: Flight, reason: string): void {
    if (flight.interrupted || !this.#inflight.has(flight)) return;
    flight.interrupted = true;
    this.#inflight.delete(flight);
    this.#interrupted++;
    const error = new Error(`iteration interrupted: ${reason}`);
    error.name = 'AbortError';
    flight.controller.abort(error);
  }

  /** Counts dropped iterations and tells the host. */
  protected drop(count: number): void {
    if (count <= 0) return;
    this.#dropped += count;
    this.host.onDropped(count, this.scenario);
  }
}

/** Creates a fresh VU for local rank `local` with global number `id`. */
export function newVu(local: number, id: number): Vu {
  return {
    local,
    id,
    iterations: 0,
    flight: undefined,
    looping: false,
    onLoopEnd: undefined,
    controller: undefined,
    settling: undefined,
    onSettled: undefined,
    settle: undefined,
  };
}
