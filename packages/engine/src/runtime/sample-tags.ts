import { currentIteration } from './context.ts';

let baseTags: Readonly<Record<string, string>> = {};

/** Sets the tags every sample carries outside of iterations (the test-wide `options.tags`). */
export function setBaseTags(tags: Readonly<Record<string, string>>): void {
  baseTags = tags;
}

/** Tags for a sample taken now: test and scenario tags, scenario and group of the running iteration, then `extra`. */
export function sampleTags(extra?: Record<string, string>): Record<string, string> {
  const it = currentIteration();
  const tags: Record<string, string> = it ? { ...it.tags, scenario: it.scenario } : { ...baseTags };
  if (it && it.group !== '') tags['group'] = it.group;
  if (extra) Object.assign(tags, extra);
  return tags;
}
