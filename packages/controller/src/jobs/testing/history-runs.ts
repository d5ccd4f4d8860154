// Test helpers of the history: ended runs with summaries whose latency is given.
import type { Summary } from '@stampede/protocol';
import type { Store } from '@stampede/store';
import { SUMMARY } from '../../api/testing/suite-runs.ts';

/** A passed summary with this http_req_duration p50 (and mean; p99 = 1.2 × p50). */
export function summaryWithP50(p50: number): Summary {
  const t = {
    count: 100,
    min: 1,
    mean: p50,
    p50,
    p90: p50,
    p95: p50,
    p99: p50 * 1.2,
    p999: p50,
    max: p50,
  };
  return {
    ...SUMMARY,
    thresholds: {},
    metrics: {
      ...SUMMARY.metrics,
      http_req_duration: { type: 'trend', contains: 'time', values: t },
    },
  };
}

/** An archive whose script is `checkout.ts`; returns its SHA-256. */
export async function checkoutArchive(store: Store): Promise<string> {
  const bytes = '{"v":1,"scriptName":"checkout.ts","script":"","files":{},"targets":[]}';
  return (await store.putBundle(new TextEncoder().encode(bytes))).sha256;
}

/** A run of `bundleSha256` taken through its life cycle to `status` with a summary of this p50; returns its id. */
export async function endedRun(
  store: Store,
  bundleSha256: string,
  p50: number,
  labels: Record<string, string> = { branch: 'main' },
  status: 'passed' | 'failed' | 'aborted' = 'passed',
): Promise<string> {
  const r = await store.createRun({
    planJson: '{}',
    bundleSha256,
    generatorsRequested: 1,
    pool: 'local',
    createdBy: 'test',
    labels,
  });
  let prev: string = 'queued';
  for (const s of ['provisioning', 'preparing', 'ready', 'running', 'collecting'] as const) {
    await store.transitionRun(r.id, [prev as 'queued'], s, s, null);
    prev = s;
  }
  await store.setRunSummary(r.id, JSON.stringify(summaryWithP50(p50)));
  await store.transitionRun(r.id, ['collecting'], status, status, null);
  return r.id;
}
