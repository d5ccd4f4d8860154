// Which test a run measured: its `test` label, or else its script's file name without the
// extension (the rule the history uses too), so `--label test=NAME` is needed only to rename.
import type { Run, Store } from '@stampede/store';
import { HISTORY_LABELS, scriptNameOfArchive, testNameOfScript } from '../jobs/history-target.ts';

/** The label that names a run's test. */
export const TEST_LABEL = HISTORY_LABELS.test;

/** The test name of a run: its `test` label, else its archive's script name without extension. */
export async function testNameOfRun(store: Store, run: Run): Promise<string> {
  const label = run.labels[TEST_LABEL];
  if (label !== undefined && label !== '') return label;
  const bundle = await store.getBundle(run.bundleSha256).catch(() => null);
  return testNameOfScript(bundle === null ? null : scriptNameOfArchive(bundle.content));
}
