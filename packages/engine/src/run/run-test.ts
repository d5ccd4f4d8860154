import type { IntervalSnapshot, Summary } from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import type { ExecutorProgress } from '../executors/types.ts';
import type { PreparedTest } from './prepare.ts';
import { prepareRun } from './prepared-run.ts';

/** How to run a prepared test on this machine. */
export interface RunSettings {
  /** Number of load worker threads. */
  workers: number;
  /** Share of the whole plan this process runs ("a:b", default "0:1") and the partition it belongs to. */
  segment?: string;
  segmentSequence?: string;
  /** Length of a metric interval, ms (default 1000). */
  intervalMs?: number;
  /** Write every interval snapshot as one NDJSON line here ("-": standard output). */
  ndjsonPath?: string;
  onStatus?: (status: LiveStatus) => void;
  onLog?: (level: 'error' | 'warn' | 'info', message: string, repeated: number) => void;
  /** Called with every interval snapshot as it is produced (load workers, then the main thread's at the end). */
  onSnapshot?: (snapshot: IntervalSnapshot) => void;
  /**
   * Prefix of the snapshot sources, so several generators of one run never collide:
   * `${prefix}.w0`, `${prefix}.w1`…, `${prefix}.main` (default: "w0"…, "main").
   */
  sourcePrefix?: string;
  /** Whether this process runs setup() (default), or else the setup data another one's setup() returned. */
  setup?: { run: boolean; dataJson?: string | null };
  /** Whether this process runs teardown() after the load (default true). */
  teardown?: boolean;
  /** Shared memory of a LeaseGate: load workers send nothing once its deadline passed (agent runs). */
  leaseGate?: SharedArrayBuffer;
  /** Whether a failed abortOnFail threshold stops this process (default true; false when a controller judges the merged run). */
  abortOnThresholds?: boolean;
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

/** Iterations completed and dropped by one scenario in this process. */
export interface ScenarioResult {
  iterations: number;
  droppedIterations: number;
}

/** How a run ended. */
export interface RunOutcome {
  summary: Summary;
  thresholdsOk: boolean;
  /** Why the run was cut short (threshold abortOnFail, user interrupt, crash), or null. */
  abortReason: string | null;
  interrupted: boolean;
  /** Set when the run failed for a reason other than thresholds: teardown() threw, a load worker crashed, the script missed an await. */
  failure: 'teardown' | 'crash' | 'script' | null;
  /** Per scenario of the plan, what this process ran. */
  scenarios: Record<string, ScenarioResult>;
}

/** A running test: stop it gracefully or at once; `done` resolves with the outcome. */
export interface RunHandle {
  stop(graceful: boolean, reason?: string): void;
  readonly done: Promise<RunOutcome>;
}

/** Runs a prepared test in load worker threads on this machine, starting as soon as every VU is ready. */
export function startRun(test: PreparedTest, settings: RunSettings): RunHandle {
  let handle: RunHandle | undefined;
  let pending: { graceful: boolean; reason?: string } | undefined;
  const done = prepareRun(test, settings).then((prepared) => {
    handle = prepared.start(Date.now() + 50);
    if (pending) handle.stop(pending.graceful, pending.reason);
    return handle.done;
  });
  return {
    stop(graceful, reason) {
      if (handle) {
        handle.stop(graceful, reason);
        return;
      }
      // A stop before the workers are ready applies once they are; the harder one wins.
      const hard = !graceful || pending?.graceful === false;
      const why = pending?.reason ?? reason;
      pending = why === undefined ? { graceful: !hard } : { graceful: !hard, reason: why };
    },
    done,
  };
}

export { prepareRun, sourceName, type PreparedRun } from './prepared-run.ts';
export { EngineError };
