import type { Tags } from '@stampede/protocol';

/** A stable key of a tag set: the same tags in any order give the same key. */
export function tagsKey(tags: Tags): string {
  const keys = Object.keys(tags);
  if (keys.length === 0) return '';
  if (keys.length > 1) keys.sort();
  // Control characters as separators are fast and unambiguous for ordinary tags; JSON keeps
  // the rare tag that contains them unambiguous too.
  let key = '';
  for (const k of keys) {
    const v = tags[k] as string;
    if (/[\u0000\u0001]/.test(k) || /[\u0000\u0001]/.test(v)) {
      return JSON.stringify(keys.map((name) => [name, tags[name]]));
    }
    key += `${k}\u0001${v}\u0000`;
  }
  return key;
}

/** True when every tag of `filter` is present in `tags` with the same value. */
export function tagsInclude(tags: Tags, filter: Tags): boolean {
  for (const [k, v] of Object.entries(filter)) {
    if (tags[k] !== v) return false;
  }
  return true;
}

/** A copy of `tags` with keys sorted, so snapshots of the same series always look alike. */
export function sortedTags(tags: Tags): Tags {
  const out: Tags = {};
  for (const k of Object.keys(tags).sort()) out[k] = tags[k] as string;
  return out;
}
