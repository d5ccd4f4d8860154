import { createWriteStream, type WriteStream } from 'node:fs';
import type { IntervalSnapshot, Summary } from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import type { ExecutorProgress } from '../executors/types.ts';
import { MetricTotals } from '../metrics/totals.ts';
import { buildSummary } from '../summary/build.ts';
import { evaluateThresholds, type ThresholdResult } from '../thresholds/evaluate.ts';
import type { SegmentLevel, WorkerInit } from '../worker/messages.ts';
import type { PreparedTest } from './prepare.ts';
import { mergeProgress } from './progress.ts';
import { ExecutionSegment, SegmentSequence } from '../segment/index.ts';
import { runSetup, runTeardown } from './setup-teardown.ts';
import { startWorkers, type LoadWorker } from './worker-pool.ts';
import { splitSegment } from './worker-segments.ts';

/** How to run a prepared test on this machine. */
export interface RunSettings {
  /** Number of load worker threads. */
  workers: number;
  /** Share of the whole plan this process runs ("a:b", default "0:1") and the partition it belongs to. */
  segment?: string;
  segmentSequence?: string;
  /** Length of a metric interval, ms (default 1000). */
  intervalMs?: number;
  /** Write every interval snapshot as one NDJSON line here. */
  ndjsonPath?: string;
  onStatus?: (status: LiveStatus) => void;
  onLog?: (level: 'error' | 'warn' | 'info', message: string, repeated: number) => void;
}

/** What the live view shows, once per interval. */
export interface LiveStatus {
  elapsedMs: number;
  scenarios: ExecutorProgress[];
  vus: number;
  vusMax: number;
  /** Requests per second over the last interval. */
  requestRatePerSec: number;
  /** Failed requests over the last interval. */
  failedRequests: number;
  /** p95 of http_req_duration over the last interval, ms, or null without requests. */
  p95Ms: number | null;
  iterations: number;
  failingThresholds: number;
  stopping: boolean;
}

/** How a run ended. */
export interface RunOutcome {
  summary: Summary;
  thresholdsOk: boolean;
  /** Why the run was cut short (threshold abortOnFail, user interrupt, crash), or null. */
  abortReason: string | null;
  interrupted: boolean;
  /** Set when the run failed for a reason other than thresholds: teardown() threw, a load worker crashed. */
  failure: 'teardown' | 'crash' | null;
}

/** A running test: stop it gracefully or at once; `done` resolves with the outcome. */
export interface RunHandle {
  stop(graceful: boolean, reason?: string): void;
  readonly done: Promise<RunOutcome>;
}

/** Runs a prepared test in load worker threads on this machine. */
export function startRun(test: PreparedTest, settings: RunSettings): RunHandle {
  let stopRequest: ((graceful: boolean, reason?: string) => void) | undefined;
  let pendingStop: { graceful: boolean; reason?: string } | undefined;
  const done = execute(test, settings, (fn) => {
    stopRequest = fn;
    if (pendingStop) fn(pendingStop.graceful, pendingStop.reason);
  });
  return {
    stop(graceful, reason) {
      if (stopRequest) stopRequest(graceful, reason);
      else pendingStop = reason === undefined ? { graceful } : { graceful, reason };
    },
    done,
  };
}

async function execute(
  test: PreparedTest,
  settings: RunSettings,
  exposeStop: (fn: (graceful: boolean, reason?: string) => void) => void,
): Promise<RunOutcome> {
  const intervalMs = settings.intervalMs ?? 1000;
  const totals = new MetricTotals();
  let recent = new MetricTotals();
  let ndjson: WriteStream | undefined;
  if (settings.ndjsonPath) ndjson = createWriteStream(settings.ndjsonPath);
  const accept = (snapshot: IntervalSnapshot): void => {
    totals.add(snapshot);
    recent.add(snapshot);
    ndjson?.write(`${JSON.stringify(snapshot)}\n`);
  };

  const startedAtMs = Date.now();
  const setupDataJson = await runSetup(test);
  let mainSeq = 0;
  const flushMain = (): void => {
    const now = Date.now();
    accept(test.registry.snapshot('main', mainSeq++, startedAtMs, now, []));
  };

  let abortReason: string | null = null;
  let failure: RunOutcome['failure'] = null;
  let interrupted = false;
  let stopping = false;
  const progress = new Map<string, ExecutorProgress[]>();
  let workers: LoadWorker[] = [];
  let hardStopped = false;
  const workerDone = new Set<string>();
  let resolveAllDone: () => void = () => {};
  const allDone = new Promise<void>((r) => (resolveAllDone = r));

  const stop = (graceful: boolean, reason?: string): void => {
    if (reason && !abortReason) abortReason = reason;
    stopping = true;
    for (const w of workers) w.send({ type: 'stop', graceful });
    if (!graceful && !hardStopped) {
      hardStopped = true;
      // Give workers a moment to flush their last snapshot, then cut them off.
      setTimeout(() => {
        for (const w of workers) if (!workerDone.has(w.id)) void w.terminate();
        resolveAllDone();
      }, 500).unref();
    }
  };
  exposeStop((graceful, reason) => {
    if (reason === 'interrupted') interrupted = true;
    stop(graceful, reason === 'interrupted' ? 'interrupted by the user' : reason);
  });

  const levels = baseLevel(settings);
  const inits: WorkerInit[] = splitSegment(levels, settings.workers).map((segments, i) => ({
    type: 'init',
    workerId: `w${i}`,
    bundlePath: test.bundle.path,
    baseDir: test.bundle.baseDir,
    plan: test.plan,
    segments,
    env: test.env,
    setupDataJson,
    intervalMs,
    allowTargets: test.allowTargets,
  }));

  const pool = await startWorkers(
    inits,
    (worker, msg) => {
      if (msg.type === 'snapshot') {
        accept(msg.snapshot);
        progress.set(worker.id, msg.progress);
      } else if (msg.type === 'log') {
        settings.onLog?.(msg.level, msg.message, msg.repeated);
      } else if (msg.type === 'done') {
        workerDone.add(worker.id);
        if (workerDone.size === workers.length) resolveAllDone();
      }
    },
    (worker, error) => {
      settings.onLog?.('error', `load worker ${worker.id} crashed: ${error.message}`, 1);
      workerDone.add(worker.id);
      failure = 'crash';
      stop(false, `load worker ${worker.id} crashed`);
    },
  ).catch(async (error: unknown) => {
    await runTeardown(test, setupDataJson).catch(() => undefined);
    throw error;
  });
  workers = pool.workers;

  const startAtEpochMs = Date.now() + 50;
  for (const w of workers) w.send({ type: 'start', startAtEpochMs });

  let lastResults: ThresholdResult[] = [];
  const tick = setInterval(() => {
    const elapsedMs = Date.now() - startAtEpochMs;
    const evaluation = evaluateThresholds(test.thresholds, totals, elapsedMs);
    lastResults = evaluation.results;
    if (evaluation.abort && !stopping) {
      stop(
        false,
        `threshold ${evaluation.abortedBy ?? ''} failed (abortOnFail)`.replace('  ', ' '),
      );
    }
    settings.onStatus?.(liveStatus(recent, progress, elapsedMs, intervalMs, lastResults, stopping));
    recent = new MetricTotals();
  }, intervalMs);

  await allDone;
  clearInterval(tick);
  await Promise.all(workers.map((w) => w.terminate()));
  try {
    await runTeardown(test, setupDataJson);
  } catch (error) {
    settings.onLog?.('error', (error as Error).message, 1);
    abortReason ??= 'teardown() failed';
    failure ??= 'teardown';
  }
  flushMain();
  test.runtime.close();
  await new Promise<void>((r) => (ndjson ? ndjson.end(r) : r()));

  const endedAtMs = Date.now();
  const elapsedMs = endedAtMs - startAtEpochMs;
  const evaluation = evaluateThresholds(test.thresholds, totals, elapsedMs);
  const thresholdsOk = evaluation.results.every((r) => r.ok);
  const merged = mergeProgress([...progress.values()]);
  const summary = buildSummary({
    totals,
    thresholds: evaluation.results,
    startedAtMs: startAtEpochMs,
    endedAtMs,
    scenarios: Object.fromEntries(
      Object.entries(test.plan.scenarios).map(([name, s]) => {
        const p = merged.find((m) => m.scenario === name);
        return [
          name,
          {
            executor: s.executor,
            iterations: p?.iterationsCompleted ?? 0,
            droppedIterations: p?.dropped ?? 0,
          },
        ];
      }),
    ),
    abortReason,
    workers: settings.workers,
    subMetricKeys: test.thresholds.map((t) => t.key),
  });
  return { summary, thresholdsOk, abortReason, interrupted, failure };
}

function baseLevel(settings: RunSettings): SegmentLevel {
  const segment = ExecutionSegment.parse(settings.segment ?? '0:1');
  const sequence = settings.segmentSequence
    ? SegmentSequence.parse(settings.segmentSequence)
    : SegmentSequence.forSegment(segment);
  return { sequence: sequence.toString(), segment: segment.toString() };
}

function liveStatus(
  recent: MetricTotals,
  progress: Map<string, ExecutorProgress[]>,
  elapsedMs: number,
  intervalMs: number,
  results: ThresholdResult[],
  stopping: boolean,
): LiveStatus {
  const scenarios = mergeProgress([...progress.values()]);
  const reqs = recent.query('http_reqs', {});
  const failed = recent.query('http_req_failed', {});
  const duration = recent.query('http_req_duration', {});
  const count = reqs?.type === 'counter' ? reqs.value : 0;
  return {
    elapsedMs,
    scenarios,
    vus: scenarios.reduce((n, s) => n + s.activeVus, 0),
    vusMax: scenarios.reduce((n, s) => n + s.allocatedVus, 0),
    requestRatePerSec: count / (intervalMs / 1000),
    failedRequests: failed?.type === 'rate' ? failed.passes : 0,
    p95Ms:
      duration?.type === 'trend' && duration.count > 0 ? recent.percentile(duration, 95) : null,
    iterations: scenarios.reduce((n, s) => n + s.iterationsCompleted, 0),
    failingThresholds: results.filter((r) => !r.ok).length,
    stopping,
  };
}

export { EngineError };
