/** A handle that cancels a pending timer. */
export type CancelTimer = () => void;

/** Time source and timers, injected so executors and pacers are tested without sleeping. */
export interface Clock {
  /** Monotonic time in ms (fractional), from an arbitrary origin. */
  now(): number;
  /** Wall-clock Unix epoch ms corresponding to `now()`. */
  epochMs(): number;
  /** Calls `fn` after `delayMs` (clamped at 0); returns a canceller. */
  setTimer(fn: () => void, delayMs: number): CancelTimer;
}

/** The real clock: performance.now() and Node timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  epochMs: () => performance.timeOrigin + performance.now(),
  setTimer(fn, delayMs) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return () => clearTimeout(t);
  },
};

/** A clock for tests: time moves only when `advance` is called, firing due timers in order. */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: { at: number; seq: number; fn: () => void }[] = [];

  readonly epochOffsetMs: number;

  constructor(startMs = 0, epochOffsetMs = 1_700_000_000_000) {
    this.#now = startMs;
    this.epochOffsetMs = epochOffsetMs;
  }
  now(): number {
    return this.#now;
  }
  epochMs(): number {
    return this.epochOffsetMs + this.#now;
  }
  setTimer(fn: () => void, delayMs: number): CancelTimer {
    const timer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn };
    this.#timers.push(timer);
    return () => {
      const i = this.#timers.indexOf(timer);
      if (i >= 0) this.#timers.splice(i, 1);
    };
  }
  /** Number of pending timers. */
  get pending(): number {
    return this.#timers.length;
  }
  /**
   * Moves time forward by `ms`, firing each due timer at its own instant and letting promise
   * callbacks run between timers (so async code driven by the timers makes progress).
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await flushMicrotasks();
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers[0];
      if (!next || next.at > end) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = end;
    await flushMicrotasks();
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
