import { currentIteration, type IterationContext } from './context.ts';

let baseTags: Readonly<Record<string, string>> = {};

/** Sets the tags every sample carries outside of iterations (the test-wide `options.tags`). */
export function setBaseTags(tags: Readonly<Record<string, string>>): void {
  baseTags = tags;
}

/** Tags for a sample taken now: test and scenario tags, scenario and group of the running iteration, then `extra`. */
export function sampleTags(extra?: Record<string, string>): Record<string, string> {
  return tagsOf(currentIteration(), extra);
}

function tagsOf(
  it: IterationContext | undefined,
  extra: Record<string, string> | undefined,
): Record<string, string> {
  const tags: Record<string, string> = it ? { ...it.tags, scenario: it.scenario } : { ...baseTags };
  if (it && it.group !== '') tags['group'] = it.group;
  if (extra) Object.assign(tags, extra);
  return tags;
}

/**
 * Values (recording handles, usually) built once per distinct sample tag set: the per-request
 * paths look them up by the iteration's tags object and a short key instead of building, sorting
 * and hashing a tags object for every sample. Grows like the registry's series do.
 */
export class TagSetCache<V> {
  // Keyed by the context's tags object: scenarios have one each, so one lookup separates them.
  readonly #byOwner = new WeakMap<object, Map<string, V>>();

  /**
   * The value for the current sample tags plus `extra`, told apart by `key` (which must identify
   * whatever else `build` puts in, and whose parts must not contain the separators, see
   * hasSeparator); `build` gets the full sample tags on a miss.
   */
  get(
    extra: Record<string, string> | undefined,
    key: string,
    build: (tags: Record<string, string>) => V,
  ): V {
    const it = currentIteration();
    const owner = it ? it.tags : baseTags;
    let byKey = this.#byOwner.get(owner);
    if (byKey === undefined) {
      byKey = new Map();
      this.#byOwner.set(owner, byKey);
    }
    let full = it ? `${it.scenario}\u0000${it.group}\u0000${key}` : `\u0001${key}`;
    if (extra !== undefined) {
      for (const k in extra) {
        const value = extra[k] as string;
        // A separator inside a tag could make two tag sets share a key: such samples skip the cache.
        if (hasSeparator(k) || hasSeparator(value)) return build(tagsOf(it, extra));
        full += `\u0000${k}\u0001${value}`;
      }
    }
    let v = byKey.get(full);
    if (v === undefined) {
      v = build(tagsOf(it, extra));
      byKey.set(full, v);
    }
    return v;
  }
}

/** True when `s` contains a character TagSetCache uses to separate the parts of its keys. */
export function hasSeparator(s: string): boolean {
  return s.includes('\u0000') || s.includes('\u0001');
}
