import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@stampede/engine';
import { Lease } from './lease.ts';

function lease(clock: ManualClock, max?: number) {
  const events: string[] = [];
  const l = new Lease(
    clock,
    {
      extended: (d) => events.push(`extended ${d}`),
      expired: () => events.push(`expired at ${clock.now()}`),
    },
    max,
  );
  return { l, events };
}

test('Lease: counted from when the heartbeat was sent, not from when the answer came', async () => {
  const clock = new ManualClock(1000);
  const { l, events } = lease(clock);
  assert.equal(l.held, false);
  const sent = clock.now();
  await clock.advance(300); // the answer took 300 ms
  l.grant(sent, 2000);
  assert.equal(l.held, true);
  assert.equal(l.deadlineMs, 3000);
  assert.equal(l.remainingMs(), 1700);
  await clock.advance(1699);
  assert.equal(l.held, true);
  await clock.advance(1);
  assert.equal(l.held, false);
  assert.deepEqual(events, ['extended 3000', 'expired at 3000']);
});

test('Lease: each answer extends it; expiry fires once; a later answer holds it again', async () => {
  const clock = new ManualClock(0);
  const { l, events } = lease(clock);
  for (let t = 0; t < 6000; t += 2000) {
    l.grant(clock.now(), 5000);
    await clock.advance(2000);
  }
  assert.deepEqual(events, ['extended 5000', 'extended 7000', 'extended 9000']);
  await clock.advance(3000); // no answer since t = 4000
  assert.deepEqual(events.slice(3), ['expired at 9000']);
  await clock.advance(10_000);
  assert.equal(events.length, 4, 'expired only once');
  l.grant(clock.now(), 5000);
  assert.equal(l.held, true);
});

test('Lease: a late answer to an old heartbeat neither shortens nor revives the lease', async () => {
  const clock = new ManualClock(0);
  const { l, events } = lease(clock);
  l.grant(0, 5000);
  l.grant(1000, 5000);
  l.grant(500, 5000); // older heartbeat, answered last
  assert.equal(l.deadlineMs, 6000);
  await clock.advance(7000);
  l.grant(0, 5000); // the answer to a heartbeat sent long before the expiry
  assert.equal(l.held, false);
  assert.deepEqual(events, ['extended 5000', 'extended 6000', 'expired at 6000']);
});

test('Lease: an expiry whose timer did not run yet (process stopped) fires before the next grant', () => {
  // A clock whose timers never fire: time jumps as after SIGSTOP/SIGCONT, and an answer that
  // arrived meanwhile is read before the expiry timer runs.
  let t = 0;
  const clock = { now: () => t, epochMs: () => t, setTimer: () => () => {} };
  const events: string[] = [];
  const l = new Lease(clock, {
    extended: (d) => events.push(`extended ${d}`),
    expired: () => events.push(`expired at ${t}`),
  });
  l.grant(0, 5000);
  t = 30_000;
  assert.equal(l.held, false, 'held only while the deadline is ahead, timer or not');
  l.grant(29_990, 5000);
  assert.deepEqual(events, ['extended 5000', 'expired at 30000', 'extended 34990']);
});

test('Lease: the agent caps what one answer grants', () => {
  const clock = new ManualClock(0);
  const { l } = lease(clock, 3000);
  l.grant(0, 60_000);
  assert.equal(l.deadlineMs, 3000);
});
