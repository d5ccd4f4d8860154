// Why: V8 lets an old generation grow to about 3.5-4x its live set before a full collection.
// 100,000 sleeping VUs live in about 200 MB, so the heap alone would pass 1 GiB before the first
// full GC (bench/RESULTS.md, "100,000 sleeping VUs"). Runs with many VUs therefore trade a few
// more full collections (measured: no loss of iterations/s at 100,000 VUs) for a heap that grows
// by at most half its size per cycle. V8 flags are process-wide: every run of the process sets
// the value again, so a small run after a big one gets V8's own dynamic growth back.
import { setFlagsFromString } from 'node:v8';
import type { Scenario } from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import { globalMaxVus } from '../worker/vu-offsets.ts';

/** VUs (all scenarios together) from which a run gets the lean heap growth. */
export const LEAN_HEAP_MIN_VUS = 10_000;
/** Heap growth per GC cycle of a lean run, percent (V8's --heap-growing-percent). */
export const LEAN_HEAP_GROWING_PERCENT = 50;
/** Environment variable that overrides the policy: a percent, or 0 for V8's own dynamic growth. */
export const HEAP_GROWING_ENV = 'STAMPEDE_HEAP_GROWING_PERCENT';

/**
 * The --heap-growing-percent a run of these scenarios gets (0 = V8's dynamic default): the
 * environment's override when set, else LEAN_HEAP_GROWING_PERCENT from LEAN_HEAP_MIN_VUS VUs.
 */
export function heapGrowingPercent(
  scenarios: Readonly<Record<string, Scenario>>,
  override: string | undefined,
): number {
  if (override !== undefined && override.trim() !== '') {
    const n = Number(override);
    if (!Number.isInteger(n) || n < 0 || n > 1000) {
      throw new EngineError(
        'INVALID_INPUT',
        `${HEAP_GROWING_ENV}: expected a whole percent from 0 to 1000, got "${override}"`,
      );
    }
    return n;
  }
  let vus = 0;
  for (const s of Object.values(scenarios)) vus += globalMaxVus(s);
  return vus >= LEAN_HEAP_MIN_VUS ? LEAN_HEAP_GROWING_PERCENT : 0;
}

/** Sets V8's heap growth for a run of these scenarios (process-wide); returns the percent. */
export function applyHeapPolicy(
  scenarios: Readonly<Record<string, Scenario>>,
  override: string | undefined = process.env[HEAP_GROWING_ENV],
): number {
  const percent = heapGrowingPercent(scenarios, override);
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
