import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockOffsetEstimator } from './clock-offset.ts';

test('ClockOffsetEstimator: midpoint of the round trip, null before any sample', () => {
  const est = new ClockOffsetEstimator();
  assert.equal(est.offsetMs, null);
  assert.equal(est.toAgentEpochMs(5000), 5000);
  // Controller 1000 ms ahead; 40 ms round trip, symmetric.
  est.add({ sentEpochMs: 10_000, rttMs: 40, serverTimeMs: 11_020 });
  assert.equal(est.offsetMs, 1000);
  assert.equal(est.toAgentEpochMs(20_000), 19_000);
});

test('ClockOffsetEstimator: the smallest round trip wins over queued, asymmetric ones', () => {
  const est = new ClockOffsetEstimator();
  // True offset -250 ms (controller behind). Slow samples were delayed on the way back (answer
  // stamped early), which biases them; the fast one is nearly exact.
  est.add({ sentEpochMs: 0, rttMs: 900, serverTimeMs: -250 + 50 });
  est.add({ sentEpochMs: 1000, rttMs: 10, serverTimeMs: 1000 - 250 + 5 });
  est.add({ sentEpochMs: 2000, rttMs: 400, serverTimeMs: 2000 - 250 + 350 });
  assert.equal(est.offsetMs, -250);
  assert.equal(est.rttMs, 10);
});

test('ClockOffsetEstimator: old samples leave the window, bad round trips are ignored', () => {
  const est = new ClockOffsetEstimator(3);
  est.add({ sentEpochMs: 0, rttMs: 1, serverTimeMs: 100.5 }); // offset 100, best
  est.add({ sentEpochMs: 0, rttMs: -5, serverTimeMs: 9999 });
  est.add({ sentEpochMs: 0, rttMs: Number.NaN, serverTimeMs: 9999 });
  assert.equal(est.offsetMs, 100);
  for (let i = 0; i < 3; i++) est.add({ sentEpochMs: 0, rttMs: 20, serverTimeMs: 210 });
  // The clock was stepped by 100 ms: once the old best sample left the window, the estimate follows.
  assert.equal(est.offsetMs, 200);
});
