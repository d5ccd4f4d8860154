import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HistoryView } from '@stampede/protocol';
import { UsageError } from '../cli-error.ts';
import { historySelector } from '../commands/history.ts';
import { renderHistory } from './history-text.ts';

const VIEW: HistoryView = {
  projectId: 'prj_default',
  testName: 'checkout',
  branch: 'main',
  metric: 'http_req_duration',
  statistic: 'p99',
  direction: 'higher-is-worse',
  totalPoints: 3,
  points: [
    { runId: 'run_a', atMs: 1_700_000_000_000, value: 10.5, commit: 'abc' },
    { runId: 'run_b', atMs: 1_700_000_060_000, value: 13.1, commit: null },
    { runId: 'run_c', atMs: 1_700_000_120_000, value: 13.2, commit: 'def' },
  ],
  changePoints: [
    {
      runId: 'run_b',
      index: 1,
      atMs: 1_700_000_060_000,
      direction: 'increase',
      worse: true,
      changePct: 24.84,
      meanBefore: 10.5,
      meanAfter: 13.1,
      pValue: 0.001,
      status: 'confirmed',
      statusAtMs: 1,
      firstSeenAtMs: 1,
      firstSeenAfterRunId: 'run_c',
    },
    {
      runId: 'run_old',
      index: 0,
      atMs: 1_600_000_000_000,
      direction: 'decrease',
      worse: false,
      changePct: -10,
      meanBefore: 12,
      meanAfter: 10.8,
      pValue: 0.001,
      status: 'withdrawn',
      statusAtMs: 1,
      firstSeenAtMs: 1,
      firstSeenAfterRunId: 'run_x',
    },
  ],
  settings: {
    windowSize: 50,
    pValue: 0.001,
    permutations: 999,
    minSegment: 3,
    confirmAfter: 3,
    seed: 1,
  },
};

test('history text: one line per run, the change point marked on the run that starts it', () => {
  const text = renderHistory(VIEW);
  const lines = text.split('\n');
  assert.match(
    lines[0] ?? '',
    /^checkout on main: http_req_duration p99, 3 of 3 runs \(higher is worse\)$/,
  );
  assert.match(text, /run_a\s+abc\s+10\.50\s*\n/);
  assert.match(text, /run_b\s+-\s+13\.10\s+▲ \+24\.8% change point \(confirmed, worse\)\n/);
  assert.match(
    text,
    /withdrawn \(reported, then no longer detected\):\n {2}at run run_old .*▼ -10\.0% change point \(withdrawn, better\)/,
  );
  assert.match(text, /\n1 change point\(s\): E-divisive means, p ≤ 0\.001, window 50/);
  assert.match(renderHistory({ ...VIEW, points: [] }), /no points/);
});

test('history --metric: statistic defaults by metric kind; unknown ones name the flag', () => {
  assert.deepEqual(historySelector('http_req_duration'), {
    metric: 'http_req_duration',
    statistic: 'p99',
  });
  assert.deepEqual(historySelector('http_reqs'), { metric: 'http_reqs', statistic: 'rate' });
  assert.deepEqual(historySelector('http_req_duration{name:home}:p50'), {
    metric: 'http_req_duration{name:home}',
    statistic: 'p50',
  });
  assert.throws(
    () => historySelector('http_req_duration:p42'),
    (e: unknown) => e instanceof UsageError && /--metric: unknown statistic "p42"/.test(e.message),
  );
  assert.throws(() => historySelector(':p99'), UsageError);
});
