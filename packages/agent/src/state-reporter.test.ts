import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@stampede/engine';
import { agentStateReportSchema, type AgentStateReport } from '@stampede/protocol';
import { AgentError } from './errors.ts';
import { MAX_LOG_LINES, StateReporter } from './state-reporter.ts';

async function until(cond: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('reports go out in order, each retried until taken, with the run logs attached', async () => {
  const clock = new ManualClock();
  const sent: AgentStateReport[] = [];
  let calls = 0;
  const reporter = new StateReporter({
    clock,
    log: () => {},
    random: () => 0,
    send: async (r) => {
      if (++calls <= 2) throw new AgentError('NETWORK', 'ECONNRESET');
      sent.push(r);
    },
  });
  reporter.addLog('r1', 'error', 'boom');
  reporter.report({ runId: 'r1', activity: 'preparing' });
  reporter.report({ runId: 'r1', activity: 'ready', setupDataJson: null });
  await until(() => calls === 1);
  await clock.advance(200);
  await until(() => calls === 2);
  await clock.advance(500);
  await until(() => sent.length === 2);
  assert.deepEqual(
    sent.map((r) => r.activity),
    ['preparing', 'ready'],
  );
  assert.equal(sent[0]?.protocolVersion, 1);
  assert.deepEqual(
    sent[0]?.logs?.map((l) => l.message),
    ['boom'],
  );
  assert.equal(sent[1]?.logs, undefined);

  // Logs between reports go out with the last activity on the periodic flush.
  reporter.addLog('r1', 'warn', 'slow');
  reporter.flushLogs();
  await until(() => sent.length === 3);
  assert.equal(sent[2]?.activity, 'ready');
  assert.deepEqual(
    sent[2]?.logs?.map((l) => l.message),
    ['slow'],
  );
  reporter.flushLogs();
  await clock.advance(10);
  assert.equal(sent.length, 3, 'nothing to flush');
});

test('a refused report is dropped (not retried); log lines beyond the limit are counted', async () => {
  const clock = new ManualClock();
  const sent: AgentStateReport[] = [];
  const logged: string[] = [];
  const reporter = new StateReporter({
    clock,
    log: (_l, m) => logged.push(m),
    send: async (r) => {
      if (r.activity === 'running') throw new AgentError('HTTP_STATUS', 'bad', { status: 400 });
      sent.push(r);
    },
  });
  for (let i = 0; i < MAX_LOG_LINES + 10; i++) reporter.addLog('r', 'info', `line ${i}`);
  reporter.report({ runId: 'r', activity: 'running' });
  reporter.report({ runId: 'r', activity: 'finished', lastSeqs: {} });
  assert.equal(await reporter.drained(1000), true);
  assert.deepEqual(
    sent.map((r) => r.activity),
    ['finished'],
  );
  assert.match(logged.join('\n'), /state report running of run r refused/);
});

test('log lines carry whole-ms times, so a report with logs passes the protocol schema', async () => {
  // A wall clock with a fractional part, as performance.timeOrigin + performance.now() gives.
  const clock = new ManualClock(0.375, 1_700_000_000_000.25);
  const sent: AgentStateReport[] = [];
  const reporter = new StateReporter({
    clock,
    log: () => {},
    random: () => 0,
    send: async (r) => {
      sent.push(r);
    },
  });
  reporter.addLog('r1', 'warn', 'requests to http://x:1 refused');
  reporter.report({ runId: 'r1', activity: 'preparing' });
  await until(() => sent.length === 1);
  const parsed = agentStateReportSchema.safeParse(sent[0]);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
});
