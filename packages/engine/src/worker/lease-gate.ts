// The lease gate: a deadline on the monotonic clock in shared memory. The agent's supervisor
// extends it on every heartbeat answer; load workers read it before they send anything, so a
// generator that lost its controller stops loading on its own, even while (or right after) the
// supervisor's event loop is not running, as after SIGSTOP/SIGCONT of the whole process.

// Slot 0: deadline in ns of process.hrtime (CLOCK_MONOTONIC, the same in every thread, unlike
// performance.now() whose origin is per thread). Slot 1: 1 once revoked (closed for good).
const DEADLINE = 0;
const REVOKED = 1;
const SLOTS = 2;

/** Monotonic time in ms from an arbitrary origin that every thread of the process shares. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** A deadline shared by the supervisor (writer) and the load workers (readers). */
export class LeaseGate {
  readonly buffer: SharedArrayBuffer;
  readonly #slots: BigInt64Array;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#slots = new BigInt64Array(buffer, 0, SLOTS);
  }

  /** Creates a closed gate (deadline in the past) in new shared memory. */
  static create(): LeaseGate {
    return new LeaseGate(new SharedArrayBuffer(SLOTS * BigInt64Array.BYTES_PER_ELEMENT));
  }

  /** Opens a view on a gate's memory received from another thread. */
  static from(buffer: SharedArrayBuffer): LeaseGate {
    return new LeaseGate(buffer);
  }

  /** Moves the deadline to `deadlineMonotonicMs` (a `monotonicMs()` value); never earlier, never after revoke. */
  extendUntil(deadlineMonotonicMs: number): void {
    const ns = BigInt(Math.floor(deadlineMonotonicMs * 1e6));
    // One writer (the supervisor thread), so load-compare-store needs no CAS loop.
    if (ns > Atomics.load(this.#slots, DEADLINE)) Atomics.store(this.#slots, DEADLINE, ns);
  }

  /** Closes the gate for good: later extensions are ignored. */
  revoke(): void {
    Atomics.store(this.#slots, REVOKED, 1n);
  }

  /** Whether load may go out now: not revoked and the deadline not reached. */
  isOpen(): boolean {
    return (
      Atomics.load(this.#slots, REVOKED) === 0n &&
      process.hrtime.bigint() < Atomics.load(this.#slots, DEADLINE)
    );
  }

  /** Ms left before the deadline (negative once passed; -Infinity once revoked). */
  remainingMs(): number {
    if (Atomics.load(this.#slots, REVOKED) !== 0n) return -Infinity;
    return Number(Atomics.load(this.#slots, DEADLINE) - process.hrtime.bigint()) / 1e6;
  }
}
