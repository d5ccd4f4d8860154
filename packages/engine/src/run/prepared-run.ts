// A run in two steps: prepare (setup(), load workers initialised with their VUs) and start at an
// instant. `stampede run` does both at once; an agent prepares, reports ready and starts at the
// instant the controller chose for every generator.
import type { IntervalSnapshot } from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import type { ExecutorProgress } from '../executors/types.ts';
import { MetricTotals } from '../metrics/totals.ts';
import { ExecutionSegment, SegmentSequence } from '../segment/index.ts';
import { buildSummary } from '../summary/build.ts';
import { evaluateThresholds, type ThresholdResult } from '../thresholds/evaluate.ts';
import type { SegmentLevel, WorkerInit } from '../worker/messages.ts';
import { applyHeapPolicy } from './heap-policy.ts';
import { MISSING_AWAIT_METRIC } from '../runtime/missing-await.ts';
import { liveStatus } from './live-status.ts';
import { openNdjsonSink, type NdjsonSink } from './ndjson-sink.ts';
import type { PreparedTest } from './prepare.ts';
import { mergeProgress } from './progress.ts';
import type { RunHandle, RunOutcome, RunSettings, ScenarioResult } from './run-test.ts';
import { runSetup, runTeardown } from './setup-teardown.ts';
import { startWorkers, type LoadWorker } from './worker-pool.ts';
import { splitSegment } from './worker-segments.ts';

/** A run whose load workers are initialised and wait for the start instant. */
export interface PreparedRun {
  /** JSON of setup()'s result: what this process's setup() returned, or what `settings.setup` gave. */
  readonly setupDataJson: string | null;
  /** VUs the load workers may use at most. */
  readonly maxVus: number;
  /**
   * Starts the load at `startAtEpochMs` (Unix epoch ms, this machine's clock; a past instant starts
   * now). `setupDataJson` replaces the prepared setup data (setup() ran on another generator).
   */
  start(startAtEpochMs: number, options?: { setupDataJson?: string | null }): RunHandle;
  /** Ends a run that will not start: terminates the load workers, runs teardown() if due, reports. */
  abort(reason: string): Promise<RunOutcome>;
}

/** The abort reason of a run whose script is missing an `await` (the errors name the line). */
export const MISSING_AWAIT_REASON =
  'script error: a script API Promise was not awaited (missing await?)';

function countsMissingAwait(snapshot: IntervalSnapshot): boolean {
  for (const s of snapshot.series) {
    if (s.metric === MISSING_AWAIT_METRIC && s.type === 'counter' && s.value > 0) return true;
  }
  return false;
}

/** Snapshot source names of a run: `${prefix}.w0`…, `${prefix}.main`, or bare without a prefix. */
export function sourceName(prefix: string | undefined, name: string): string {
  return prefix === undefined || prefix === '' ? name : `${prefix}.${name}`;
}

/** Runs setup() (unless told not to), starts the load workers and waits until every VU is initialised. */
export async function prepareRun(test: PreparedTest, settings: RunSettings): Promise<PreparedRun> {
  const intervalMs = settings.intervalMs ?? 1000;
  // Before setup(): a bad override fails the run before anything reaches the target.
  applyHeapPolicy(test.plan.scenarios);
  const teardownHere = settings.teardown ?? true;
  const abortOnThresholds = settings.abortOnThresholds ?? true;
  const totals = new MetricTotals();
  let recent = new MetricTotals();
  let ndjson: NdjsonSink | undefined;
  if (settings.ndjsonPath)
    ndjson = openNdjsonSink(settings.ndjsonPath, (m) => settings.onLog?.('error', m, 1));
  const accept = (snapshot: IntervalSnapshot): void => {
    totals.add(snapshot);
    recent.add(snapshot);
    if (failure === null && countsMissingAwait(snapshot)) {
      // A forgotten `await` measures nothing: the run fails now instead of passing green.
      failure = 'script';
      abortReason ??= MISSING_AWAIT_REASON;
      if (!stopping) stop(false, MISSING_AWAIT_REASON);
    }
    ndjson?.write(`${JSON.stringify(snapshot)}\n`);
    settings.onSnapshot?.(snapshot);
  };

  const preparedAtMs = Date.now();
  let setupDataJson =
    settings.setup?.run === false ? (settings.setup.dataJson ?? null) : await runSetup(test);

  let abortReason: string | null = null;
  let failure: RunOutcome['failure'] = null;
  let interrupted = false;
  let stopping = false;
  let started = false;
  let hardStopped = false;
  const progress = new Map<string, ExecutorProgress[]>();
  let workers: LoadWorker[] = [];
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

  const inits: WorkerInit[] = splitSegment(baseLevel(settings), settings.workers).map(
    (segments, i) => ({
      type: 'init',
      workerId: sourceName(settings.sourcePrefix, `w${i}`),
      bundlePath: test.bundle.path,
      entryPath: test.bundle.entryPath,
      baseDir: test.bundle.baseDir,
      plan: test.plan,
      segments,
      env: test.env,
      setupDataJson,
      intervalMs,
      allowTargets: test.allowTargets,
      ...(test.path.kind === 'fast'
        ? { fastPath: { templates: test.path.templates, pipelining: test.path.pipelining } }
        : {}),
      ...(settings.leaseGate !== undefined ? { leaseGate: settings.leaseGate } : {}),
    }),
  );

  const loggedOnce = new Set<string>();
  const pool = await startWorkers(
    inits,
    (worker, msg) => {
      if (msg.type === 'snapshot') {
        accept(msg.snapshot);
        progress.set(worker.id, msg.progress);
      } else if (msg.type === 'log') {
        if (msg.onceKey !== undefined) {
          if (loggedOnce.has(msg.onceKey)) return;
          loggedOnce.add(msg.onceKey);
        }
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
    if (teardownHere) await runTeardown(test, setupDataJson).catch(() => undefined);
    await ndjson?.end();
    throw error;
  });
  workers = pool.workers;

  const finish = async (startAtEpochMs: number | null): Promise<RunOutcome> => {
    await Promise.all(workers.map((w) => w.terminate()));
    if (teardownHere) {
      try {
        await runTeardown(test, setupDataJson);
      } catch (error) {
        settings.onLog?.('error', (error as Error).message, 1);
        abortReason ??= 'teardown() failed';
        failure ??= 'teardown';
      }
    }
    const endedAtMs = Date.now();
    accept(
      test.registry.snapshot(
        sourceName(settings.sourcePrefix, 'main'),
        0,
        preparedAtMs,
        endedAtMs,
        [],
      ),
    );
    test.runtime.close();
    await ndjson?.end();
    const startedAtMs = startAtEpochMs ?? endedAtMs;
    const evaluation = evaluateThresholds(test.thresholds, totals, endedAtMs - startedAtMs);
    const thresholdsOk = evaluation.results.every((r) => r.ok);
    const scenarios = scenarioResults(test, mergeProgress([...progress.values()]));
    const summary = buildSummary({
      totals,
      thresholds: evaluation.results,
      startedAtMs,
      endedAtMs,
      scenarios: Object.fromEntries(
        Object.entries(scenarios).map(([name, r]) => [
          name,
          { executor: test.plan.scenarios[name]?.executor ?? 'unknown', ...r },
        ]),
      ),
      abortReason,
      workers: settings.workers,
      path: test.path.kind,
      subMetricKeys: test.thresholds.map((t) => t.key),
    });
    return { summary, thresholdsOk, abortReason, interrupted, failure, scenarios };
  };

  const claim = (): void => {
    if (started) throw new EngineError('INTERNAL', 'a prepared run starts or aborts only once');
    started = true;
  };

  return {
    get setupDataJson() {
      return setupDataJson;
    },
    maxVus: pool.maxVus,
    start(startAtEpochMs, options = {}) {
      claim();
      if (options.setupDataJson !== undefined) setupDataJson = options.setupDataJson;
      const startMsg =
        options.setupDataJson !== undefined
          ? { type: 'start' as const, startAtEpochMs, setupDataJson: options.setupDataJson }
          : { type: 'start' as const, startAtEpochMs };
      for (const w of workers) w.send(startMsg);
      let lastResults: ThresholdResult[] = [];
      const tick = setInterval(() => {
        const elapsedMs = Date.now() - startAtEpochMs;
        const evaluation = evaluateThresholds(test.thresholds, totals, elapsedMs);
        lastResults = evaluation.results;
        if (abortOnThresholds && evaluation.abort && !stopping) {
          stop(
            false,
            `threshold ${evaluation.abortedBy ?? ''} failed (abortOnFail)`.replace('  ', ' '),
          );
        }
        settings.onStatus?.(
          liveStatus(recent, progress, elapsedMs, intervalMs, lastResults, stopping),
        );
        recent = new MetricTotals();
      }, intervalMs);
      const done = allDone.then(() => {
        clearInterval(tick);
        return finish(startAtEpochMs);
      });
      return {
        stop(graceful, reason) {
          if (reason === 'interrupted') interrupted = true;
          stop(graceful, reason === 'interrupted' ? 'interrupted by the user' : reason);
        },
        done,
      };
    },
    async abort(reason) {
      claim();
      abortReason = reason;
      return finish(null);
    },
  };
}

function scenarioResults(
  test: PreparedTest,
  merged: readonly ExecutorProgress[],
): Record<string, ScenarioResult> {
  return Object.fromEntries(
    Object.keys(test.plan.scenarios).map((name) => {
      const p = merged.find((m) => m.scenario === name);
      return [
        name,
        { iterations: p?.iterationsCompleted ?? 0, droppedIterations: p?.dropped ?? 0 },
      ];
    }),
  );
}

function baseLevel(settings: RunSettings): SegmentLevel {
  const segment = ExecutionSegment.parse(settings.segment ?? '0:1');
  const sequence = settings.segmentSequence
    ? SegmentSequence.parse(settings.segmentSequence)
    : SegmentSequence.forSegment(segment);
  return { sequence: sequence.toString(), segment: segment.toString() };
}
