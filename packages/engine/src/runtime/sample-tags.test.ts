import assert from 'node:assert/strict';
import { test } from 'node:test';
import { iterationStorage, type IterationContext } from './context.ts';
import { TagSetCache, setBaseTags } from './sample-tags.ts';

function context(scenario: string, group: string, tags: Record<string, string>): IterationContext {
  return { scenario, group, tags } as unknown as IterationContext;
}

test('TagSetCache builds once per distinct sample tag set and hands the full tags to build', () => {
  const cache = new TagSetCache<Record<string, string>>();
  const built: Record<string, string>[] = [];
  const build = (tags: Record<string, string>): Record<string, string> => {
    built.push(tags);
    return tags;
  };
  const scenarioTags = Object.freeze({ env: 'test' });
  const a = context('a', '', scenarioTags);
  const first = iterationStorage.run(a, () => cache.get(undefined, 'k', build));
  const again = iterationStorage.run(a, () => cache.get(undefined, 'k', build));
  assert.equal(again, first);
  assert.deepEqual(first, { env: 'test', scenario: 'a' });
  // Another group, other extra tags, another key, another scenario: each a set of its own.
  const grouped = iterationStorage.run(context('a', '::g', scenarioTags), () =>
    cache.get(undefined, 'k', build),
  );
  assert.deepEqual(grouped, { env: 'test', scenario: 'a', group: '::g' });
  const extra = iterationStorage.run(a, () => cache.get({ name: 'n' }, 'k', build));
  assert.deepEqual(extra, { env: 'test', scenario: 'a', name: 'n' });
  iterationStorage.run(a, () => cache.get(undefined, 'other', build));
  iterationStorage.run(context('b', '', scenarioTags), () => cache.get(undefined, 'k', build));
  assert.equal(built.length, 5);
});

test('TagSetCache outside iterations uses the test-wide tags; separators skip the cache', () => {
  const cache = new TagSetCache<Record<string, string>>();
  setBaseTags({ team: 'x' });
  let builds = 0;
  const build = (tags: Record<string, string>): Record<string, string> => {
    builds++;
    return tags;
  };
  assert.deepEqual(cache.get(undefined, 'k', build), { team: 'x' });
  cache.get(undefined, 'k', build);
  assert.equal(builds, 1);
  // "a\u0000" + "b" must not collide with "a" + "\u0000b": such tags are built every time.
  const odd = cache.get({ x: 'a\u0000b' }, 'k', build);
  assert.deepEqual(odd, { team: 'x', x: 'a\u0000b' });
  cache.get({ x: 'a\u0000b' }, 'k', build);
  assert.equal(builds, 3);
  setBaseTags({});
});
