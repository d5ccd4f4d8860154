// Metric batches: every snapshot is stored idempotently under (run, source, seq) and acknowledged
// whether it is new or was stored before, so an agent's spool drains even when an answer was
// lost; only new snapshots reach the live merge.
import {
  AGENT_PROTOCOL_VERSION,
  type IntervalSnapshot,
  type MetricAck,
  type MetricBatch,
} from '@stampede/protocol';
import type { Generator, Store } from '@stampede/store';
import { ApiError } from '../api/errors.ts';
import type { AgentEvents } from './agent-events.ts';

/** Stores a validated batch and returns the acknowledgement of every (source, seq) now stored. */
export async function ingestMetricBatch(
  store: Store,
  events: AgentEvents,
  generator: Generator,
  batch: MetricBatch,
): Promise<MetricAck> {
  for (const s of batch.snapshots) {
    if (!events.sourceAllowed(generator, batch.runId, s.source)) {
      throw new ApiError(
        'FORBIDDEN',
        `snapshot source ${s.source} does not belong to generator ${generator.name} in run ${batch.runId}`,
        { runId: batch.runId, source: s.source },
      );
    }
  }
  const acked: MetricAck['acked'] = [];
  const fresh: IntervalSnapshot[] = [];
  for (const s of batch.snapshots) {
    const created = await store.putSnapshot({
      runId: batch.runId,
      source: s.source,
      seq: s.seq,
      payloadJson: JSON.stringify(s),
    });
    acked.push({ source: s.source, seq: s.seq });
    if (created) fresh.push(s);
  }
  if (fresh.length > 0) events.snapshotsStored(batch.runId, generator, fresh);
  return { protocolVersion: AGENT_PROTOCOL_VERSION, acked };
}
