// The abort signal of a VU's iterations. A real AbortController per VU (an EventTarget with its
// own listener map, and a Listener object per sleep) was a large share of a sleeping VU's memory;
// this keeps only what the engine uses. A real AbortSignal fits the same interface.

/** What iteration code may do with its signal: read it and listen for the abort. */
export interface IterationSignal {
  readonly aborted: boolean;
  /** The abort reason (an Error), undefined until aborted. */
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** An IterationSignal and the means to abort it (its own AbortController). */
export class IterationAbort implements IterationSignal {
  aborted = false;
  reason: unknown = undefined;
  // A VU usually waits on one thing at a time (a sleep or a request): one slot, and an array
  // only for the rest.
  #first: (() => void) | null = null;
  #more: (() => void)[] | null = null;

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    if (this.#first === null) this.#first = listener;
    else (this.#more ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.#first === listener) {
      this.#first = this.#more?.shift() ?? null;
      return;
    }
    const more = this.#more;
    if (more === null) return;
    const i = more.lastIndexOf(listener);
    if (i >= 0) more.splice(i, 1);
  }

  /** Aborts with `reason` and calls every listener once (an abort happens only once). */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#first === null ? [] : [this.#first, ...(this.#more ?? [])];
    this.#first = null;
    this.#more = null;
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        // Like an EventTarget: one failing listener neither stops the others nor the caller.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
