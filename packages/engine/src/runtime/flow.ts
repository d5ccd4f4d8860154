import type { MetricRegistry } from '../metrics/registry.ts';
import { currentIteration, iterationStorage } from './context.ts';
import { sampleTags } from './sample-tags.ts';

/** Error thrown by `fail()`: ends the iteration with a message. */
export class ScriptFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptFailure';
  }
}

const ONCE = { once: true } as const;

/** Pauses the calling VU for `seconds` (fractional allowed); rejects when the iteration is interrupted. */
export function sleep(seconds: number): Promise<void> {
  const ms = Math.max(0, Number(seconds) * 1000);
  const signal = currentIteration()?.signal;
  if (signal === undefined) return new Promise<void>((resolve) => setTimeout(resolve, ms));
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal.addEventListener('abort', onAbort, ONCE);
  });
}

/** Ends the current iteration with an error message (k6's fail()). */
export function fail(message = 'fail() called'): never {
  throw new ScriptFailure(message);
}

/** Creates `group(name, fn)`: runs fn with the group added to the path of every sample, records `group_duration`. */
export function createGroup(registry: MetricRegistry) {
  return async function group<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    if (typeof name !== 'string' || name === '' || name.includes('::')) {
      throw new TypeError('group name must be a non-empty string without "::"');
    }
    const outer = currentIteration();
    if (!outer) return await fn();
    const inner = { ...outer, group: `${outer.group}::${name}` };
    const startMs = performance.now();
    try {
      return await iterationStorage.run(inner, fn);
    } finally {
      const tags = iterationStorage.run(inner, () => sampleTags());
      registry.add('group_duration', tags, performance.now() - startMs);
    }
  };
}
