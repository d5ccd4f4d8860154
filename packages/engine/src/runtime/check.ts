import type { MetricRegistry } from '../metrics/registry.ts';
import { sampleTags } from './sample-tags.ts';

/** A map of check names to predicates run against a value. */
export type CheckSet<T> = Record<string, (value: T) => unknown>;

/** Creates `check(value, checks, tags?)`: runs every predicate, records each in the `checks` rate, returns whether all passed. */
export function createCheck(registry: MetricRegistry) {
  return function check<T>(value: T, checks: CheckSet<T>, tags?: Record<string, string>): boolean {
    let all = true;
    for (const [name, predicate] of Object.entries(checks)) {
      let ok: boolean;
      try {
        ok = Boolean(predicate(value));
      } catch {
        ok = false;
      }
      all &&= ok;
      registry.add('checks', sampleTags({ ...tags, check: name }), ok ? 1 : 0);
    }
    return all;
  };
}
