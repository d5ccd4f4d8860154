import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatDuration, formatNumber, formatPercent } from './format.ts';

test('durations use µs, ms, s, m and h', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(0.5123), '512.3µs');
  assert.equal(formatDuration(1), '1ms');
  assert.equal(formatDuration(148.214), '148.21ms');
  assert.equal(formatDuration(2500), '2.5s');
  assert.equal(formatDuration(62_500), '1m2.5s');
  assert.equal(formatDuration(3_723_000), '1h2m3s');
  assert.equal(formatDuration(-2), '-2ms');
});

test('bytes use decimal units; numbers and percentages', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(12_345), '12.3 kB');
  assert.equal(formatBytes(1_200_000), '1.2 MB');
  assert.equal(formatBytes(3e9), '3 GB');
  assert.equal(formatPercent(0.995), '99.50%');
  assert.equal(formatNumber(42), '42');
  assert.equal(formatNumber(3.14159), '3.14');
  assert.equal(formatNumber(0.012345), '0.0123');
});
