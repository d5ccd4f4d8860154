// Live figures of a run: percentiles of the last interval come from the generators' merged
// histograms (not averaged per generator), and the error rate from the merged failed/ok counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSnapshot } from '../agents/testing/snapshots.ts';
import { RunAggregator } from './run-aggregator.ts';

const ctx = { status: 'running', statusReason: '', nowMs: 10_000, generators: [] };

test('live p50/p95/p99 are percentiles of the merged last intervals', () => {
  const agg = new RunAggregator('r1');
  agg.setStartAt(0);
  // Generator A: 90 fast requests; generator B: 10 slow ones. Averaging each generator's p99
  // would give ~(10+1000)/2; the merged p99 is the slow requests' 1000 ms.
  agg.add(fakeSnapshot('g0', 0, 1000, { durationsMs: Array<number>(90).fill(10) }));
  agg.add(fakeSnapshot('g1', 0, 1000, { durationsMs: Array<number>(10).fill(1000), failed: 5 }));
  const live = agg.live(ctx);
  assert.ok(live.p50Ms !== null && Math.abs(live.p50Ms - 10) < 0.1, `p50 ${live.p50Ms}`);
  assert.ok(live.p95Ms !== null && Math.abs(live.p95Ms - 1000) < 5, `p95 ${live.p95Ms}`);
  assert.ok(live.p99Ms !== null && Math.abs(live.p99Ms - 1000) < 5, `p99 ${live.p99Ms}`);
  assert.equal(live.intervalRequests, 100);
  assert.equal(live.failedRequests, 5);
  assert.equal(live.errorRate, 0.05);
});

test('live figures use only the newest interval of each source', () => {
  const agg = new RunAggregator('r2');
  agg.setStartAt(0);
  agg.add(fakeSnapshot('g0', 0, 1000, { durationsMs: [500, 500], failed: 2 }));
  agg.add(fakeSnapshot('g0', 1, 2000, { durationsMs: [20, 20, 20, 20] }));
  const live = agg.live(ctx);
  assert.ok(live.p99Ms !== null && Math.abs(live.p99Ms - 20) < 0.1, `p99 ${live.p99Ms}`);
  assert.equal(live.errorRate, 0);
  assert.equal(live.totalRequests, 6, 'totals count every interval');
});

test('without requests the live percentiles and error rate are null', () => {
  const agg = new RunAggregator('r3');
  agg.add(fakeSnapshot('g0', 0, 1000, { durationsMs: [] }));
  const live = agg.live(ctx);
  assert.equal(live.p50Ms, null);
  assert.equal(live.p99Ms, null);
  assert.equal(live.errorRate, null);
  assert.equal(live.intervalRequests, 0);
});
