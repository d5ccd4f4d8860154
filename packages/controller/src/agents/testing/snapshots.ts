// Test helper: interval snapshots as a generator would send them (real HDR histograms), so the
// controller's merge, thresholds and summary are tested on real data.
import type { IntervalSnapshot } from '@stampede/protocol';
import { Histogram } from '@stampede/engine/results';

/** What one fake interval holds. */
export interface FakeInterval {
  /** Request durations of the interval, ms (one http_reqs each). */
  durationsMs: number[];
  /** How many of them failed. */
  failed?: number;
  vus?: number;
  /** Interval length, ms (default 1000). */
  lengthMs?: number;
}

/** Builds snapshot `seq` of `source` starting at `startMs` (Unix epoch ms). */
export function fakeSnapshot(
  source: string,
  seq: number,
  startMs: number,
  interval: FakeInterval,
): IntervalSnapshot {
  const h = new Histogram();
  for (const d of interval.durationsMs) h.record(d * 1000);
  const n = interval.durationsMs.length;
  const failed = interval.failed ?? 0;
  const sum = interval.durationsMs.reduce((a, b) => a + b, 0);
  const vus = interval.vus ?? 1;
  return {
    v: 1,
    source,
    seq,
    startMs,
    endMs: startMs + (interval.lengthMs ?? 1000),
    series: [
      { type: 'counter', metric: 'http_reqs', tags: {}, isData: false, value: n },
      {
        type: 'counter',
        metric: 'iterations',
        tags: { scenario: 'default' },
        isData: false,
        value: n,
      },
      { type: 'rate', metric: 'http_req_failed', tags: {}, passes: failed, fails: n - failed },
      {
        type: 'trend',
        metric: 'http_req_duration',
        tags: {},
        isTime: true,
        count: n,
        sum,
        min: n ? Math.min(...interval.durationsMs) : 0,
        max: n ? Math.max(...interval.durationsMs) : 0,
        hdr: h.encode(),
      },
      { type: 'gauge', metric: 'vus', tags: {}, value: vus, min: vus, max: vus },
      { type: 'gauge', metric: 'vus_max', tags: {}, value: vus, min: vus, max: vus },
    ],
    health: [
      {
        worker: `${source}.w0`,
        eventLoopDelayP99Ms: 1,
        eventLoopDelayMaxMs: 2,
        cpuUtilization: 0.1,
        heapUsedBytes: 1_000_000,
      },
    ],
  };
}
