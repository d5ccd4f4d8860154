// The agent's lease: each heartbeat answer grants `leaseMs` counted from when that heartbeat was
// SENT (an answer may take long to arrive; the controller's promise started when it answered, which
// is after the send), measured on the monotonic clock. When the deadline passes without a newer
// answer the lease expires once; a later answer makes it held again.
import type { CancelTimer, Clock } from '@stampede/engine';

/** Lease state changes the supervisor acts on. */
export interface LeaseListener {
  /** The deadline moved to `deadlineMs` (clock.now() time). */
  extended(deadlineMs: number): void;
  /** The lease was held and its deadline passed. */
  expired(): void;
}

/** A lease measured on an injected monotonic clock. */
export class Lease {
  readonly #clock: Clock;
  readonly #listener: LeaseListener;
  /** Upper bound on a grant, ms (the agent's own limit on load without an answer). */
  readonly #maxLeaseMs: number;
  #deadlineMs = -Infinity;
  #held = false;
  #timer: CancelTimer | undefined;

  constructor(clock: Clock, listener: LeaseListener, maxLeaseMs = Infinity) {
    this.#clock = clock;
    this.#listener = listener;
    this.#maxLeaseMs = maxLeaseMs;
  }

  /** Applies an answer to the heartbeat sent at `sentAtMs` (clock.now()) granting `leaseMs`. */
  grant(sentAtMs: number, leaseMs: number): void {
    // An expiry whose timer has not run yet (the process was stopped) is still an expiry.
    this.check();
    const deadline = sentAtMs + Math.min(leaseMs, this.#maxLeaseMs);
    if (deadline <= this.#clock.now() || deadline <= this.#deadlineMs) return;
    this.#deadlineMs = deadline;
    this.#held = true;
    this.check();
    this.#listener.extended(deadline);
  }

  /** Fires `expired` if the lease was held and its deadline has passed; returns whether it is held. */
  check(): boolean {
    if (!this.#held) return false;
    const left = this.#deadlineMs - this.#clock.now();
    this.#timer?.();
    if (left > 0) {
      // Timers may fire a little early by this clock: look again then.
      this.#timer = this.#clock.setTimer(() => this.check(), Math.max(1, left));
      return true;
    }
    this.#held = false;
    this.#timer = undefined;
    this.#listener.expired();
    return false;
  }

  /** Whether the lease is held now. */
  get held(): boolean {
    return this.#held && this.#clock.now() < this.#deadlineMs;
  }

  /** The deadline (clock.now() time), -Infinity before the first grant. */
  get deadlineMs(): number {
    return this.#deadlineMs;
  }

  /** Ms left before the deadline (0 when not held). */
  remainingMs(): number {
    return this.held ? this.#deadlineMs - this.#clock.now() : 0;
  }

  /** Cancels the expiry timer (agent shutdown). */
  dispose(): void {
    this.#timer?.();
    this.#timer = undefined;
  }
}
