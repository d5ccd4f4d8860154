import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentCommand, PrepareCommand } from '@stampede/protocol';
import { decide, type LocalRun, type RunPhase } from './desired-state.ts';

function prepare(runId: string): PrepareCommand {
  return {
    kind: 'prepare',
    runId,
    archiveSha256: 'a'.repeat(64),
    overridesJson: '{}',
    env: {},
    segment: '0:1',
    segmentSequence: '0,1',
    generatorIndex: 0,
    generatorCount: 1,
    runSetup: true,
    allowTargets: [],
    source: 'g0',
  };
}
const start = (runId: string): AgentCommand => ({
  kind: 'start',
  runId,
  startAtMs: 5000,
  setupDataJson: null,
});
const stop = (runId: string, graceful = true): AgentCommand => ({
  kind: 'stop',
  runId,
  graceful,
  reason: 'r',
});
const run = (runId: string, phase: RunPhase, more: Partial<LocalRun> = {}): LocalRun => ({
  runId,
  phase,
  startRequested: false,
  hardStopRequested: false,
  ...more,
});
const none = new Set<string>();
const kinds = (actions: { kind: string }[]): string[] => actions.map((a) => a.kind);

test('prepare: once per run; a known run is never prepared again; a new run replaces the active one', () => {
  assert.deepEqual(kinds(decide(null, prepare('r1'), none)), ['prepare']);
  assert.deepEqual(decide(run('r1', 'preparing'), prepare('r1'), new Set(['r1'])), []);
  assert.deepEqual(decide(run('r1', 'finished'), prepare('r1'), new Set(['r1'])), []);
  assert.deepEqual(decide(null, prepare('r1'), new Set(['r1'])), [], 'forgotten, still known');
  const replace = decide(run('r1', 'running'), prepare('r2'), new Set(['r1']));
  assert.deepEqual(kinds(replace), ['stop', 'prepare']);
  assert.deepEqual(replace[0], {
    kind: 'stop',
    runId: 'r1',
    graceful: false,
    reason: 'replaced by run r2',
  });
  assert.deepEqual(kinds(decide(run('r1', 'finished'), prepare('r2'), none)), ['prepare']);
});

test('start: applied once, while preparing or ready; refused for a run not prepared here', () => {
  const a = decide(run('r1', 'ready'), start('r1'), none);
  assert.deepEqual(a, [{ kind: 'start', runId: 'r1', startAtMs: 5000, setupDataJson: null }]);
  assert.deepEqual(kinds(decide(run('r1', 'preparing'), start('r1'), none)), ['start']);
  assert.deepEqual(decide(run('r1', 'ready', { startRequested: true }), start('r1'), none), []);
  assert.deepEqual(decide(run('r1', 'running'), start('r1'), none), []);
  assert.deepEqual(decide(run('r1', 'finished'), start('r1'), none), []);
  assert.deepEqual(decide(null, start('r1'), new Set(['r1'])), []);
  const refused = decide(null, start('r9'), none);
  assert.deepEqual(kinds(refused), ['refuse']);
  assert.equal(refused[0]?.kind === 'refuse' && refused[0].code, 'NOT_PREPARED');
  assert.deepEqual(kinds(decide(run('r1', 'running'), start('r9'), none)), ['stop', 'refuse']);
});

test('stop: only the current active run; a hard stop may follow a graceful one, once', () => {
  assert.deepEqual(kinds(decide(run('r1', 'running'), stop('r1'), none)), ['stop']);
  assert.deepEqual(kinds(decide(run('r1', 'ready'), stop('r1'), none)), ['stop']);
  assert.deepEqual(decide(run('r1', 'stopping'), stop('r1'), none), []);
  assert.deepEqual(kinds(decide(run('r1', 'stopping'), stop('r1', false), none)), ['stop']);
  assert.deepEqual(
    decide(run('r1', 'stopping', { hardStopRequested: true }), stop('r1', false), none),
    [],
  );
  assert.deepEqual(decide(run('r1', 'finished'), stop('r1'), none), []);
  assert.deepEqual(decide(run('r2', 'running'), stop('r1'), none), []);
  assert.deepEqual(decide(null, stop('r1'), none), []);
});

test('idle: stops an active run at once and forgets it; nothing to do when idle', () => {
  assert.deepEqual(kinds(decide(run('r1', 'running'), { kind: 'idle' }, none)), ['stop', 'forget']);
  assert.deepEqual(kinds(decide(run('r1', 'finished'), { kind: 'idle' }, none)), ['forget']);
  assert.deepEqual(decide(null, { kind: 'idle' }, none), []);
});

test('terminate: always', () => {
  assert.deepEqual(decide(run('r1', 'running'), { kind: 'terminate', reason: 'bye' }, none), [
    { kind: 'terminate', reason: 'bye' },
  ]);
});
