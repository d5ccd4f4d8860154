// The controller's in-memory view of connected agents: the desired state (command) of each, with a
// version the long-poll and heartbeats hand out, and what each agent last said it was doing. Only
// the desired state is authoritative; it is rebuilt after a restart from the store (see
// docs/controller.md, "Reconciliation").
import type { AgentActivity, AgentCommand } from '@stampede/protocol';
import type { ControllerClock } from '../services.ts';

/** Longest a command long-poll is held open, ms. */
export const MAX_COMMAND_WAIT_MS = 30_000;

/** One agent's desired state and its version. */
export interface DesiredState {
  version: number;
  command: AgentCommand;
}

/** What an agent last reported about itself (heartbeat or state report). */
export interface ObservedAgent {
  activity: AgentActivity;
  runId: string | null;
  /** Controller wall clock when the agent was last heard from, Unix epoch ms. */
  lastSeenMs: number;
  /** Agent clock minus controller clock, ms, estimated on the last heartbeat (positive: agent ahead). */
  clockOffsetMs: number | null;
  saturated: boolean;
  /** Version of the desired state last handed to the agent by the long-poll, or null. */
  deliveredVersion: number | null;
}

interface Waiter {
  after: number;
  resolve(state: DesiredState): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Desired states with versions and long-poll waiters. Versions start at the controller's boot time
 * in epoch ms and grow by one per change, so they keep growing across restarts; the long-poll also
 * answers at once whenever the agent's version merely differs, so an agent never ignores a state.
 */
export class AgentHub {
  readonly #clock: ControllerClock;
  readonly #desired = new Map<string, DesiredState>();
  readonly #observed = new Map<string, ObservedAgent>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  #nextVersion: number;

  constructor(clock: ControllerClock) {
    this.#clock = clock;
    this.#nextVersion = Math.max(1, Math.floor(clock.nowMs()));
  }

  /** The agent's desired state; an agent the hub has not seen yet is told to be idle. */
  desired(agentId: string): DesiredState {
    let d = this.#desired.get(agentId);
    if (!d) {
      d = { version: this.#nextVersion++, command: { kind: 'idle' } };
      this.#desired.set(agentId, d);
    }
    return d;
  }

  /** Sets the agent's desired state (a new version even if equal) and wakes its long-polls. */
  setDesired(agentId: string, command: AgentCommand): DesiredState {
    const d = { version: this.#nextVersion++, command };
    this.#desired.set(agentId, d);
    const waiters = this.#waiters.get(agentId);
    if (waiters) {
      this.#waiters.delete(agentId);
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.resolve(d);
      }
    }
    return d;
  }

  /**
   * Resolves with the desired state as soon as its version differs from `after`, or after
   * `waitMs` (capped at MAX_COMMAND_WAIT_MS) with the unchanged state; `signal` ends the wait early.
   */
  waitForCommand(
    agentId: string,
    after: number,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<DesiredState> {
    const current = this.desired(agentId);
    const wait = Math.max(0, Math.min(waitMs, MAX_COMMAND_WAIT_MS));
    if (current.version !== after || wait === 0 || signal?.aborted) {
      return Promise.resolve(this.#delivered(agentId, current));
    }
    return new Promise((resolve) => {
      let set = this.#waiters.get(agentId);
      if (!set) {
        set = new Set();
        this.#waiters.set(agentId, set);
      }
      const waiters = set;
      const finish = (state: DesiredState): void => {
        waiters.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
        resolve(this.#delivered(agentId, state));
      };
      const onAbort = (): void => {
        clearTimeout(waiter.timer);
        finish(this.desired(agentId));
      };
      const waiter: Waiter = {
        after,
        resolve: finish,
        timer: setTimeout(() => finish(this.desired(agentId)), wait),
      };
      waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #delivered(agentId: string, state: DesiredState): DesiredState {
    const o = this.#observed.get(agentId);
    if (o) o.deliveredVersion = state.version;
    return state;
  }

  /** Records what the agent says it is doing, heard now. */
  observe(
    agentId: string,
    update: { activity: AgentActivity; runId: string | null; saturated?: boolean },
  ): ObservedAgent {
    const prev = this.#observed.get(agentId);
    const o: ObservedAgent = {
      activity: update.activity,
      runId: update.runId,
      lastSeenMs: this.#clock.nowMs(),
      clockOffsetMs: prev?.clockOffsetMs ?? null,
      saturated: update.saturated ?? prev?.saturated ?? false,
      deliveredVersion: prev?.deliveredVersion ?? null,
    };
    this.#observed.set(agentId, o);
    return o;
  }

  /** Records the clock offset measured on a heartbeat sent at `sentAtMs` (agent clock). */
  recordClockOffset(agentId: string, sentAtMs: number): void {
    const o = this.#observed.get(agentId);
    if (o) o.clockOffsetMs = sentAtMs - this.#clock.nowMs();
  }

  /** What the agent last reported, or undefined if it has not been heard from since start. */
  observed(agentId: string): ObservedAgent | undefined {
    return this.#observed.get(agentId);
  }

  /** Forgets a retired agent and answers its pending long-polls. */
  forget(agentId: string): void {
    const d = this.#desired.get(agentId);
    const waiters = this.#waiters.get(agentId);
    this.#waiters.delete(agentId);
    for (const w of waiters ?? []) {
      clearTimeout(w.timer);
      w.resolve(d ?? { version: 0, command: { kind: 'idle' } });
    }
    this.#desired.delete(agentId);
    this.#observed.delete(agentId);
  }

  /** Answers every pending long-poll now (at shutdown), with the unchanged states. */
  releaseAllWaiters(): void {
    for (const [agentId, waiters] of this.#waiters) {
      const d = this.desired(agentId);
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.resolve(d);
      }
    }
    this.#waiters.clear();
  }
}
