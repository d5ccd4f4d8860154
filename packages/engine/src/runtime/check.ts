import type { MetricRegistry, SeriesHandle } from '../metrics/registry.ts';
import { rejectPromiseValue } from './missing-await.ts';
import { hasSeparator, sampleTags, TagSetCache } from './sample-tags.ts';

/** A map of check names to predicates run against a value. */
export type CheckSet<T> = Record<string, (value: T) => unknown>;

/** Creates `check(value, checks, tags?)`: runs every predicate, records each in the `checks` rate, returns whether all passed. */
export function createCheck(registry: MetricRegistry) {
  const handles = new TagSetCache<SeriesHandle>();
  const build = (tags: Record<string, string>): SeriesHandle => registry.series('checks', tags);
  return function check<T>(value: T, checks: CheckSet<T>, tags?: Record<string, string>): boolean {
    rejectPromiseValue(value, 'check()', check);
    let all = true;
    for (const name of Object.keys(checks)) {
      const predicate = checks[name] as (value: T) => unknown;
      let ok: boolean;
      try {
        ok = Boolean(predicate(value));
      } catch {
        ok = false;
      }
      all &&= ok;
      // The check name goes last so it wins over a `check` tag the caller passed, as before.
      const series =
        tags !== undefined || hasSeparator(name)
          ? build(sampleTags({ ...tags, check: name }))
          : handles.get(undefined, name, (base) => build({ ...base, check: name }));
      series.add(ok ? 1 : 0);
    }
    return all;
  };
}
