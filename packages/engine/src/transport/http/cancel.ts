import type { HttpError } from './errors.ts';

/**
 * Cancellation of one request hop (timeout, abort signal, agent close): whichever phase is in
 * progress registers a hook that tears it down.
 */
export class CancelScope {
  reason: HttpError | null = null;
  #hook: ((reason: HttpError) => void) | null = null;

  /** Installs the teardown of the current phase (null clears it); runs it at once if already cancelled. */
  setHook(hook: ((reason: HttpError) => void) | null): void {
    if (hook !== null && this.reason !== null) {
      hook(this.reason);
      return;
    }
    this.#hook = hook;
  }

  /** Cancels with `reason`; only the first call has an effect. */
  cancel(reason: HttpError): void {
    if (this.reason !== null) return;
    this.reason = reason;
    const hook = this.#hook;
    this.#hook = null;
    if (hook !== null) hook(reason);
  }
}
