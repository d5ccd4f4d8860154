// The run life cycle on an injected clock against a real SQLite file: every state, deadlines,
// quorum failure, a lost generator, aborts, thresholds, missing snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentCommand, Summary } from '@stampede/protocol';
import type { Generator } from '@stampede/store';
import { fakeSnapshot } from '../agents/testing/snapshots.ts';
import type { PlanReport } from '../aggregate/run-plan.ts';
import { coreHarness, type CoreHarness } from './testing/core-harness.ts';

const PLAN: PlanReport = {
  thresholds: { http_req_duration: ['p(95)<500'] },
  metricTypes: { http_req_duration: 'trend' },
  scenarios: { default: { executor: 'constant-vus' } },
  maxDurationMs: 5_000,
};

function requests(summary: Summary): number | undefined {
  const m = summary.metrics['http_reqs'];
  return m?.type === 'counter' ? m.values.count : undefined;
}

function command(h: CoreHarness, g: Generator): AgentCommand {
  return h.core.hub.desired(g.id).command;
}

/** Brings a 2-generator run to `running`; returns it with its generators. */
async function startedRun(h: CoreHarness, plan: PlanReport = PLAN) {
  await h.core.start();
  const [a, b] = (await h.addGenerators(2)) as [Generator, Generator];
  const run = await h.queueRun({ generators: 2 });
  await h.core.tick();
  await h.report(a, { runId: run.id, activity: 'ready', setupDataJson: '{"t":1}', plan });
  await h.report(b, { runId: run.id, activity: 'ready' });
  await h.advance(1_000);
  assert.equal((await h.store.getRun(run.id)).status, 'running');
  return { run, a, b };
}

async function sendSeconds(
  h: CoreHarness,
  g: Generator,
  runId: string,
  source: string,
  n: number,
  durationMs = 20,
) {
  const t0 = h.clock.t;
  const snaps = Array.from({ length: n }, (_, seq) =>
    fakeSnapshot(source, seq, t0 + seq * 1000, { durationsMs: [durationMs, durationMs + 5] }),
  );
  return h.send(g, runId, snaps);
}

test('a 2-generator run goes queued → … → passed with a summary and every reason', async () => {
  const h = await coreHarness();
  try {
    await h.core.start();
    const [a, b] = (await h.addGenerators(2)) as [Generator, Generator];
    const run = await h.queueRun({ generators: 2 });
    await h.core.tick();
    assert.equal((await h.store.getRun(run.id)).status, 'preparing');
    const pa = command(h, a);
    const pb = command(h, b);
    assert.ok(pa.kind === 'prepare' && pb.kind === 'prepare');
    assert.equal(pa.segment, '0:1/2');
    assert.equal(pb.segment, '1/2:1');
    assert.equal(pa.segmentSequence, '0,1/2,1');
    assert.deepEqual([pa.runSetup, pb.runSetup], [true, false]);
    assert.deepEqual([pa.source, pb.source], ['g0', 'g1']);
    assert.deepEqual([pa.generatorIndex, pb.generatorCount], [0, 2]);
    assert.equal(pa.overridesJson, '{"vus":2}');
    assert.deepEqual(pa.env, { A: '1' });
    assert.ok(pa.allowTargets.includes('loopback'));

    await h.report(a, { runId: run.id, activity: 'ready', setupDataJson: '{"t":1}', plan: PLAN });
    assert.equal((await h.store.getRun(run.id)).status, 'preparing', 'one of two is no quorum');
    await h.report(b, { runId: run.id, activity: 'ready', setupDataJson: null });
    assert.equal((await h.store.getRun(run.id)).status, 'ready');
    const start = command(h, b);
    assert.ok(start.kind === 'start');
    assert.equal(start.startAtMs, h.clock.t + 1_000);
    assert.equal(start.setupDataJson, '{"t":1}', 'generator 0 setup data goes to every generator');

    await h.advance(1_000);
    assert.equal((await h.store.getRun(run.id)).status, 'running');
    await sendSeconds(h, a, run.id, 'g0', 3);
    await sendSeconds(h, b, run.id, 'g1.w0', 3);
    const live = h.core.scheduler.live(run.id);
    assert.equal(live?.totalRequests, 12);
    assert.equal(live?.status, 'running');
    assert.deepEqual(
      live?.generators.map((g) => g.lastSeqs),
      [{ g0: 2 }, { 'g1.w0': 2 }],
    );

    const scenarios = { default: { iterations: 6, droppedIterations: 0 } };
    await h.report(a, { runId: run.id, activity: 'finished', lastSeqs: { g0: 2 }, scenarios });
    assert.equal((await h.store.getRun(run.id)).status, 'running');
    await h.report(b, { runId: run.id, activity: 'finished', lastSeqs: { 'g1.w0': 2 }, scenarios });
    const done = await h.store.getRun(run.id);
    assert.equal(done.status, 'passed', done.statusReason);
    assert.equal(done.statusReason, 'all thresholds passed');

    const transitions = await h.store.listRunTransitions(run.id);
    assert.deepEqual(
      transitions.map((t) => t.to),
      [
        'queued',
        'provisioning',
        'preparing',
        'ready',
        'running',
        'collecting',
        'analysing',
        'passed',
      ],
    );
    for (const t of transitions) assert.ok(t.reason.length > 0, `${t.to} has a reason`);

    const summary = JSON.parse(done.summaryJson ?? 'null') as Summary;
    assert.equal(summary.result, 'passed');
    assert.equal(requests(summary), 12);
    assert.equal(summary.thresholds['http_req_duration']?.[0]?.ok, true);
    assert.deepEqual(summary.scenarios['default'], {
      executor: 'constant-vus',
      iterations: 12,
      droppedIterations: 0,
    });
    for (const g of [a, b]) {
      const now = await h.store.getGenerator(g.id);
      assert.deepEqual([now.status, now.runId], ['idle', null]);
      assert.equal(command(h, g).kind, 'idle');
    }
    const [job] = await h.store.listJobs({ queue: 'p1' });
    assert.equal(job?.status, 'done');
  } finally {
    await h.close();
  }
});

test('thresholds that fail end the run failed, naming them', async () => {
  const h = await coreHarness();
  try {
    const { run, a, b } = await startedRun(h);
    await sendSeconds(h, a, run.id, 'g0', 2, 900);
    await sendSeconds(h, b, run.id, 'g1', 2, 900);
    await h.report(a, { runId: run.id, activity: 'finished', lastSeqs: { g0: 1 } });
    await h.report(b, { runId: run.id, activity: 'finished', lastSeqs: { g1: 1 } });
    const done = await h.store.getRun(run.id);
    assert.equal(done.status, 'failed');
    assert.match(done.statusReason, /^thresholds failed: http_req_duration p\(95\)<500/);
    assert.equal((JSON.parse(done.summaryJson ?? '{}') as Summary).result, 'failed');
  } finally {
    await h.close();
  }
});

test('abortOnFail stops the generators, collects their last snapshots, ends failed', async () => {
  const h = await coreHarness();
  try {
    const plan = {
      ...PLAN,
      thresholds: {
        http_req_duration: [{ threshold: 'p(95)<100', abortOnFail: true, delayAbortEval: 0 }],
      },
    };
    const { run, a, b } = await startedRun(h, plan);
    await sendSeconds(h, a, run.id, 'g0', 1, 400);
    await h.advance(1_000);
    for (const g of [a, b]) {
      const c = command(h, g);
      assert.ok(c.kind === 'stop' && !c.graceful, 'stop, not graceful');
    }
    assert.equal((await h.store.getRun(run.id)).status, 'running', 'still collecting data');
    await h.report(a, { runId: run.id, activity: 'finished', lastSeqs: { g0: 0 } });
    await h.report(b, { runId: run.id, activity: 'finished', lastSeqs: { g1: 0 } });
    assert.equal((await h.store.getRun(run.id)).status, 'collecting');
    await sendSeconds(h, b, run.id, 'g1', 1, 10);
    await h.core.tick();
    const done = await h.store.getRun(run.id);
    assert.equal(done.status, 'failed');
    assert.match(
      done.statusReason,
      /threshold http_req_duration p\(95\)<100 failed \(abortOnFail\)/,
    );
    const summary = JSON.parse(done.summaryJson ?? '{}') as Summary;
    assert.equal(requests(summary), 4, 'both generators counted');
  } finally {
    await h.close();
  }
});

test('quorum not reached by the preparing deadline aborts the run and frees the generators', async () => {
  const h = await coreHarness();
  try {
    await h.core.start();
    const [a, b] = (await h.addGenerators(2)) as [Generator, Generator];
    const run = await h.queueRun({ generators: 2 });
    await h.core.tick();
    await h.report(a, { runId: run.id, activity: 'ready', plan: PLAN });
    await h.report(b, { runId: run.id, activity: 'preparing' });
    for (let i = 0; i < 12; i++) {
      await h.advance(10_000);
      await h.heartbeat(a, b);
    }
    const done = await h.store.getRun(run.id);
    assert.equal(done.status, 'aborted');
    assert.match(done.statusReason, /^quorum not reached: 1 of 2 generator\(s\) ready/);
    assert.match(done.statusReason, /g1 .*: preparing/);
    assert.equal(command(h, b).kind, 'stop');
    assert.equal((await h.store.getGenerator(b.id)).status, 'idle');
  } finally {
    await h.close();
  }
});

test('a generator failing to prepare ends the run errored with its error', async () => {
  const h = await coreHarness();
  try {
    await h.core.start();
    const [a, b] = (await h.addGenerators(2)) as [Generator, Generator];
    const run = await h.queueRun({ generators: 2 });
    await h.core.tick();
    await h.report(a, { runId: run.id, activity: 'ready', plan: PLAN });
    await h.report(b, {
      runId: run.id,
      activity: 'failed',
      error: { code: 'SCRIPT_ERROR', message: 'boom' },
    });
    const done = await h.store.getRun(run.id);
    assert.equal(done.status, 'errored');
    assert.match(done.statusReason, /g1 .* failed to prepare: SCRIPT_ERROR: boom/);
    const logs = await h.store.listRunLogs(run.id);
    assert.deepEqual(
      logs.map((l) => [l.source, l.level, l.message]),
      [['g1', 'error', 'SCRIPT_ERROR: boom']],
    );
  } finally {
    await h.close();
  }
});

test('with too few generators the provisioning deadline aborts the run', async () => {
  const h = await coreHarness();
  try {
    await h.core.start();
    const [a] = (await h.addGenerators(1)) as [Generator];
    const run = await h.queueRun({ generators: 2 });
    await h.core.tick();
    assert.equal((await h.store.getRun(run.id)).status, 'provisioning');
    for (let i = 0; i < 21; i++) {
      await h.advance(3_000);
      await h.heartbeat(a);
    }
    const done = await h.store.getRun(run.id);
    assert.equal(done.status, 'aborted');
    assert.match(done.statusReason, /provisioning deadline passed: pool p1 has 1 idle/);
  } finally {
    await h.close();
  }
});

test('a lost generator aborts its run with its name and when it was last seen', async () => {
  const h = await coreHarness();
  try {
    const { run, a, b } = await startedRun(h);
    for (let i = 0; i < 7; i++) {
      await h.advance(2_000);
      await h.heartbeat(a); // b is silent
    }
    const gb = await h.store.getGenerator(b.id);
    assert.equal(gb.status, 'lost');
    const done = await h.store.getRun(run.id);
    assert.equal(done.status, 'aborted');
    assert.match(
      done.statusReason,
      new RegExp(
        `generator ${b.name} \\(${b.id}\\) lost: last heartbeat at .*, 1[0-9]\\.\\d s ago`,
      ),
    );
    assert.equal(command(h, a).kind, 'stop');
    assert.equal((await h.store.getGenerator(a.id)).status, 'idle');
    // It comes back: it gets no work, it is told to terminate.
    await h.heartbeat(gb);
    assert.equal(command(h, b).kind, 'terminate');
    assert.equal((await h.store.getGenerator(b.id)).status, 'terminating');
  } finally {
    await h.close();
  }
});

test('a silent generator is suspect first and comes back with its next heartbeat', async () => {
  const h = await coreHarness();
  try {
    await h.core.start();
    const [a] = (await h.addGenerators(1)) as [Generator];
    await h.advance(7_000);
    assert.equal((await h.store.getGenerator(a.id)).status, 'suspect');
    await h.heartbeat(await h.store.getGenerator(a.id));
    assert.equal((await h.store.getGenerator(a.id)).status, 'idle');
  } finally {
    await h.close();
  }
});

test('abortRun stops the generators at once, ends aborted, keeps later snapshots', async () => {
  const h = await coreHarness();
  try {
    const { run, a, b } = await startedRun(h);
    await sendSeconds(h, a, run.id, 'g0', 2);
    await h.core.scheduler.abortRun(run.id, 'enough', 'alice (atk_1)');
    const done = await h.store.getRun(run.id);
    assert.equal(done.status, 'aborted');
    assert.equal(done.statusReason, 'aborted by alice (atk_1): enough');
    for (const g of [a, b]) {
      const c = command(h, g);
      assert.ok(c.kind === 'stop' && !c.graceful && c.reason === done.statusReason);
      assert.equal((await h.store.getGenerator(g.id)).runId, null);
    }
    assert.equal((JSON.parse(done.summaryJson ?? '{}') as Summary).result, 'aborted');
    const ack = await sendSeconds(h, b, run.id, 'g1', 2);
    assert.equal(ack.acked.length, 2, 'late snapshots of an aborted run are stored and acked');
    assert.equal((await h.store.listSnapshots(run.id)).length, 4);
  } finally {
    await h.close();
  }
});

test('missing snapshots at the collecting deadline end the run errored, listing them', async () => {
  const h = await coreHarness();
  try {
    const { run, a, b } = await startedRun(h);
    await sendSeconds(h, a, run.id, 'g0', 3);
    await h.send(b, run.id, [fakeSnapshot('g1', 0, h.clock.t, { durationsMs: [5] })]);
    await h.report(a, { runId: run.id, activity: 'finished', lastSeqs: { g0: 2 } });
    await h.report(b, { runId: run.id, activity: 'finished', lastSeqs: { g1: 4 } });
    assert.equal((await h.store.getRun(run.id)).status, 'collecting');
    for (let i = 0; i < 16; i++) {
      await h.advance(2_000);
      await h.heartbeat(a, b);
    }
    const done = await h.store.getRun(run.id);
    assert.equal(done.status, 'errored');
    assert.equal(done.statusReason, 'metrics incomplete: g1 missing seq 1-4');
    assert.ok(done.summaryJson !== null, 'a summary of what arrived is kept');
  } finally {
    await h.close();
  }
});

test('a generator lost after it finished only loses its unsent snapshots', async () => {
  const h = await coreHarness();
  try {
    const { run, a, b } = await startedRun(h);
    await sendSeconds(h, a, run.id, 'g0', 2);
    await sendSeconds(h, b, run.id, 'g1', 1);
    await h.report(a, { runId: run.id, activity: 'finished', lastSeqs: { g0: 1 } });
    await h.report(b, { runId: run.id, activity: 'finished', lastSeqs: { g1: 2 } });
    for (let i = 0; i < 7; i++) {
      await h.advance(2_000);
      await h.heartbeat(a); // b goes silent before sending seq 1-2
    }
    const done = await h.store.getRun(run.id);
    assert.equal(done.status, 'errored');
    assert.equal(done.statusReason, 'metrics incomplete: g1 missing seq 1-2');
  } finally {
    await h.close();
  }
});

test('a run that outlives its running deadline is stopped and ends aborted after collecting', async () => {
  const h = await coreHarness();
  try {
    const { run, a, b } = await startedRun(h);
    for (let i = 0; i < 33; i++) {
      await h.advance(2_000);
      await h.heartbeat(a, b);
    }
    assert.equal((await h.store.getRun(run.id)).status, 'collecting');
    assert.equal(command(h, a).kind, 'stop');
    await h.report(a, { runId: run.id, activity: 'finished', lastSeqs: {} });
    await h.report(b, { runId: run.id, activity: 'finished', lastSeqs: {} });
    const done = await h.store.getRun(run.id);
    assert.equal(done.status, 'aborted');
    assert.match(
      done.statusReason,
      /^running deadline passed with generator g0 .*, generator g1 .* still running/,
    );
  } finally {
    await h.close();
  }
});
