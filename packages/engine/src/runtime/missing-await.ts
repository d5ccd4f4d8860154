// A k6 script ported with only its imports renamed calls `http.get()` and `sleep()` without
// `await`: the iteration ends at once, nothing is measured, and the run would pass green. The
// script API's promises are therefore tracked: one that is passed to check(), or that nobody
// awaited (or chained) by the end of its iteration, is a script error that fails the run.
import type { MetricRegistry } from '../metrics/registry.ts';
import { currentIteration, type IterationContext } from './context.ts';

/** The counter that makes the run fail: un-awaited script API calls seen in iterations. */
export const MISSING_AWAIT_METRIC = 'missing_await';

/** A script API Promise used as if it were its result: the script is missing an `await`. */
export class MissingAwaitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingAwaitError';
  }
}

/**
 * A Promise of the script API that notices being awaited: `await` and Promise.all call `then`
 * on a Promise subclass (not on a plain Promise), and so do `.catch` and `.finally`.
 */
class TrackedPromise<T> extends Promise<T> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }
  awaited = false;
  api = '';
  site: MissingAwaitError | undefined;
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.awaited = true;
    return super.then(onFulfilled, onRejected);
  }
}

// Capturing a stack per request costs more than the rest of the call; sites are captured in each
// VU's first iteration, and everywhere once an un-awaited call was seen without one.
let captureEverywhere = false;

/** Wraps script API function `fn` (named `api` in messages) so that its Promises are tracked. */
export function trackAwait<A extends unknown[], R>(
  api: string,
  fn: (...args: A) => R,
): (...args: A) => R {
  const message = `${api}() returned a Promise that the iteration never awaited: missing await?`;
  const wrapped = (...args: A): R => {
    const result = fn(...args);
    const ctx = currentIteration();
    if (ctx === undefined || !(result instanceof Promise)) return result;
    const tracked = new TrackedPromise<unknown>((resolve, reject) => {
      result.then(resolve, reject);
    });
    tracked.api = api;
    if (captureEverywhere || ctx.vu.iterations === 0) {
      tracked.site = new MissingAwaitError(message);
      Error.captureStackTrace(tracked.site, wrapped);
    }
    (ctx.trackedPromises ??= []).push(tracked);
    return tracked as R;
  };
  return wrapped;
}

/** Throws a MissingAwaitError at the caller's line when `value` is a Promise inside an iteration. */
export function rejectPromiseValue(
  value: unknown,
  api: string,
  caller: (...args: never[]) => unknown,
): void {
  if (!(value instanceof Promise) || currentIteration() === undefined) return;
  // The Promise was used, so it must not be reported a second time as never awaited.
  if (value instanceof TrackedPromise) value.awaited = true;
  const error = new MissingAwaitError(
    `${api} got a Promise, not a value: missing await? (write \`const res = await http.get(…)\`)`,
  );
  Error.captureStackTrace(error, caller);
  throw error;
}

/**
 * At the end of an iteration: the first tracked Promise nobody awaited, as an error naming its
 * line when known (null when every one was awaited). Forgets the iteration's Promises.
 */
export function unawaitedCall(ctx: IterationContext): MissingAwaitError | null {
  const list = ctx.trackedPromises;
  if (list === undefined || list.length === 0) return null;
  let found: MissingAwaitError | null = null;
  for (const p of list as TrackedPromise<unknown>[]) {
    if (p.awaited) continue;
    // An un-awaited Promise that rejects later must not become an unhandled rejection.
    silenceRejection(p);
    if (found !== null) continue;
    if (p.site !== undefined) found = p.site;
    else {
      captureEverywhere = true;
      found = new MissingAwaitError(
        `${p.api}() returned a Promise that the iteration never awaited: missing await? (the line is shown for the next one)`,
      );
      found.stack = `${found.name}: ${found.message}`;
    }
  }
  list.length = 0;
  return found;
}

function silenceRejection(p: TrackedPromise<unknown>): void {
  Promise.prototype.then.call(p, undefined, () => undefined);
}

/** Records one missing await in the run's metrics, which fails the run (see prepared-run). */
export function recordMissingAwait(registry: MetricRegistry): void {
  registry.add(MISSING_AWAIT_METRIC, {}, 1);
}
