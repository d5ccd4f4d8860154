import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationMs, parseDurationMs } from './duration.ts';
import { optionsSchema } from './options.ts';

test('a duration text needs a unit; a number is milliseconds', () => {
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs(1500), 1500);
  assert.equal(parseDurationMs('30'), undefined);
  assert.equal(parseDurationMs('2.5'), undefined);
});

test('a unitless duration string in options is refused with a hint naming the unit', () => {
  const r = optionsSchema.safeParse({ duration: '2' });
  assert.equal(r.success, false);
  assert.match(
    r.error?.issues[0]?.message ?? '',
    /"2": a duration needs a unit; did you mean "2s"/,
  );
  const stage = optionsSchema.safeParse({ stages: [{ duration: '30', target: 1 }] });
  assert.match(stage.error?.issues[0]?.message ?? '', /did you mean "30s"/);
  assert.equal(durationMs.parse('30s'), 30_000);
  assert.equal(durationMs.parse(30), 30);
});
