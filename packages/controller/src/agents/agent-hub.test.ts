// Desired states: versions grow across restarts, the long-poll answers at once when the agent's
// version differs and wakes on change, and waits are capped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testClock } from '../ca/test-helpers.ts';
import { AgentHub, MAX_COMMAND_WAIT_MS } from './agent-hub.ts';

test('an unknown agent is idle; every change is a new, higher version', () => {
  const clock = testClock(1_000_000);
  const hub = new AgentHub(clock);
  const first = hub.desired('a');
  assert.deepEqual(first.command, { kind: 'idle' });
  assert.equal(first.version, 1_000_000, 'versions start at the boot time');
  const next = hub.setDesired('a', { kind: 'terminate', reason: 'x' });
  assert.ok(next.version > first.version);
  // A controller started later hands out higher versions than this one did.
  clock.t = 2_000_000;
  assert.ok(new AgentHub(clock).desired('a').version > next.version);
});

test('the long-poll answers at once when the version differs, even when it is lower', async () => {
  const hub = new AgentHub(testClock(5_000));
  const current = hub.desired('a');
  assert.equal((await hub.waitForCommand('a', 0, 30_000)).version, current.version);
  // An agent of a previous controller that handed out higher versions still gets the state.
  assert.equal(
    (await hub.waitForCommand('a', current.version + 999, 30_000)).version,
    current.version,
  );
});

test('a waiting long-poll is woken by a change, and times out with the same state', async () => {
  const hub = new AgentHub(testClock(5_000));
  const v = hub.desired('a').version;
  const waiting = hub.waitForCommand('a', v, 10_000);
  hub.setDesired('a', { kind: 'terminate', reason: 'now' });
  const got = await waiting;
  assert.equal(got.command.kind, 'terminate');
  assert.equal(hub.observed('a'), undefined, 'nothing observed yet');

  const t0 = Date.now();
  const same = await hub.waitForCommand('a', got.version, 50);
  assert.equal(same.version, got.version);
  assert.ok(Date.now() - t0 >= 45);
});

test('a client that goes away ends its wait; waits are capped at 30 s', async () => {
  const hub = new AgentHub(testClock(5_000));
  const v = hub.desired('a').version;
  const ac = new AbortController();
  const waiting = hub.waitForCommand('a', v, 10 * MAX_COMMAND_WAIT_MS, ac.signal);
  ac.abort();
  assert.equal((await waiting).version, v);
  const w2 = hub.waitForCommand('a', v, 10 * MAX_COMMAND_WAIT_MS);
  hub.releaseAllWaiters();
  assert.equal((await w2).version, v);
});
