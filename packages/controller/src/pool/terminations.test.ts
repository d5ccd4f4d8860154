// Break-glass termination of a static generator, tracked until confirmed: its run is aborted,
// it is told to terminate, and it counts as terminated (certificate revoked) once silent for a
// lease; one that ignores the command loses its certificate after a lease.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Generator } from '@stampede/store';
import { coreHarness } from '../scheduler/testing/core-harness.ts';

test('terminateGenerator aborts its run and is confirmed once the agent is silent', async () => {
  const h = await coreHarness();
  try {
    await h.core.start();
    const [a, b] = (await h.addGenerators(2)) as [Generator, Generator];
    const run = await h.queueRun({ generators: 2 });
    await h.core.tick();
    await h.core.services.pools.terminateGenerator(b.id, 'misbehaving', 'ops (atk_9)');
    const aborted = await h.store.getRun(run.id);
    assert.equal(aborted.status, 'aborted');
    assert.match(aborted.statusReason, /terminated by ops \(atk_9\): misbehaving/);
    assert.deepEqual(h.core.hub.desired(b.id).command, {
      kind: 'terminate',
      reason: `generator ${b.name} (${b.id}) terminated by ops (atk_9): misbehaving`,
    });
    assert.equal((await h.store.getGenerator(b.id)).status, 'terminating');
    await h.heartbeat(await h.store.getGenerator(b.id));
    assert.equal((await h.store.getGenerator(b.id)).status, 'terminating', 'not confirmed yet');
    for (let i = 0; i < 7; i++) {
      await h.advance(2_000);
      await h.heartbeat(a);
    }
    const gone = await h.store.getGenerator(b.id);
    assert.equal(gone.status, 'terminated');
    assert.ok(gone.retiredAtMs !== null);
    assert.equal((await h.store.getGenerator(a.id)).status, 'idle', 'the other one is free');
  } finally {
    await h.close();
  }
});

test('an agent that keeps heartbeating after terminate loses its certificate after a lease', async () => {
  const h = await coreHarness();
  try {
    await h.core.start();
    const [a] = (await h.addGenerators(1)) as [Generator];
    await h.store.setGeneratorCertSerial(a.id, 'abc123');
    await h.core.services.pools.terminateGenerator(a.id, 'go', 'ops');
    for (let i = 0; i < 7; i++) {
      await h.advance(2_000);
      await h.heartbeat(await h.store.getGenerator(a.id));
    }
    assert.ok(await h.store.isCertificateRevoked('abc123'));
    assert.equal((await h.store.getGenerator(a.id)).status, 'terminating');
    await h.advance(13_000); // its heartbeats are refused now: silence confirms it
    assert.equal((await h.store.getGenerator(a.id)).status, 'terminated');
  } finally {
    await h.close();
  }
});
