import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunLive } from '@stampede/protocol';
import { appendLive, emptySeries } from './live-series.ts';

function live(
  requestRatePerSec: number,
  p95Ms: number | null,
  errorRate: number | null = 0,
): RunLive {
  return {
    runId: 'r',
    status: 'running',
    statusReason: '',
    elapsedMs: 0,
    vus: 2,
    vusMax: 2,
    requestRatePerSec,
    failedRequests: 0,
    intervalRequests: 10,
    errorRate,
    p50Ms: p95Ms === null ? null : p95Ms / 2,
    p95Ms,
    p99Ms: p95Ms === null ? null : p95Ms * 2,
    totalRequests: 0,
    iterations: 0,
    failingThresholds: 0,
    generators: [],
  };
}

test('one point per second: a second poll in the same second replaces the last point', () => {
  let s = appendLive(emptySeries(), live(10, 5), 1_000_500);
  s = appendLive(s, live(20, 6), 1_000_900);
  assert.deepEqual(s.timesSec, [1000]);
  assert.deepEqual(s.ratePerSec, [20]);
  s = appendLive(s, live(30, null), 1_001_100);
  assert.deepEqual(s.timesSec, [1000, 1001]);
  assert.deepEqual(s.p95Ms, [6, null]);
  assert.deepEqual(s.p50Ms, [3, null]);
  assert.deepEqual(s.p99Ms, [12, null]);
});

test('the error rate is kept in percent, null without requests', () => {
  let s = appendLive(emptySeries(), live(10, 5, 0.25), 1_000_000);
  s = appendLive(s, live(0, null, null), 1_001_000);
  assert.deepEqual(s.errorPct, [25, null]);
});

test('the series keeps at most maxPoints points, dropping the oldest', () => {
  let s = emptySeries();
  for (let i = 0; i < 105; i++) s = appendLive(s, live(i, i), i * 1000, 100);
  assert.equal(s.timesSec.length, 100);
  assert.equal(s.timesSec[0], 5);
  assert.equal(s.ratePerSec.at(-1), 104);
  assert.equal(s.vus.length, 100);
  assert.equal(s.p99Ms.length, 100);
  assert.equal(s.p99Ms[0], 10);
});
