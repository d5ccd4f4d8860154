// Which history a run belongs to, and with which numbers: pure rules the recorder applies to
// each ended run. The series key is (project, test, branch); the test name is the run's `test`
// label or else its script's file name without the extension, the branch its `branch` label.
import { runStatisticsFromSummary, type RunStatistic } from '@stampede/analysis';
import { summarySchema } from '@stampede/protocol';
import type { Run, TestBranch } from '@stampede/store';

/** Labels the history reads: test name, branch and commit of a run. */
export const HISTORY_LABELS = { test: 'test', branch: 'branch', commit: 'commit' } as const;

/** Most statistics of one run recorded (a summary with thousands of tagged series is cut). */
export const MAX_STATISTICS_PER_RUN = 2000;

/** Where a run's points go, or why it stays out of the history. */
export type HistoryTarget =
  | { ok: true; key: TestBranch; commit: string | null; atMs: number }
  | { ok: false; reason: string };

/**
 * The history of an ended run: `passed` and `failed` runs count (a failed threshold is still a
 * measurement, and often the very regression to see); aborted or errored runs, runs without a
 * `branch` label and the A/B runs of an experiment (alternating variants would fake change
 * points) do not. `scriptName` is the archive's script file name, when the run has no test label.
 */
export function historyTargetOf(run: Run, scriptName: string | null): HistoryTarget {
  if (run.status !== 'passed' && run.status !== 'failed') {
    return { ok: false, reason: `run ended ${run.status}` };
  }
  const branch = run.labels[HISTORY_LABELS.branch];
  if (branch === undefined || branch === '') {
    return { ok: false, reason: 'no branch label (--label branch=NAME)' };
  }
  const side = run.labels['stampede/side'];
  if (side === 'a' || side === 'b') return { ok: false, reason: 'a run of an experiment' };
  const testName = run.labels[HISTORY_LABELS.test] || testNameOfScript(scriptName);
  if (testName === '') return { ok: false, reason: 'no test label and no script name' };
  return {
    ok: true,
    key: { projectId: run.projectId, testName, branch },
    commit: run.labels[HISTORY_LABELS.commit] ?? null,
    atMs: run.startedAtMs ?? run.createdAtMs,
  };
}

/** `checkout.ts` → `checkout`; `null` → ''. */
export function testNameOfScript(scriptName: string | null): string {
  if (scriptName === null) return '';
  const base = scriptName.replace(/^.*[\\/]/, '');
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * The script name of a test archive from the start of its bytes (archives are written with
 * `scriptName` first after the version), without parsing megabytes of script; null if absent.
 */
export function scriptNameOfArchive(bytes: Uint8Array): string | null {
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  const m = /"scriptName"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(head);
  if (!m) return null;
  try {
    const name: unknown = JSON.parse(m[1] as string);
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

/** The statistics of a run's stored summary that become history points (at most MAX_STATISTICS_PER_RUN). */
export function historyStatisticsOf(run: Run): RunStatistic[] {
  if (run.summaryJson === null) return [];
  const summary = summarySchema.parse(JSON.parse(run.summaryJson));
  const all = runStatisticsFromSummary(summary, { source: run.id }).statistics;
  return all.filter((s) => Number.isFinite(s.value)).slice(0, MAX_STATISTICS_PER_RUN);
}
