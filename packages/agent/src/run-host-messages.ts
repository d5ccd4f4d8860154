// Messages between the supervisor (main thread) and the run host thread that prepares and runs
// one test with the engine.
import type { PlanReport, ScenarioResult } from '@stampede/engine';
import type { IntervalSnapshot, PrepareCommand } from '@stampede/protocol';
import type { LogLevel } from './log.ts';

/** Prepare one run: unpack the archive, load the test, run setup() if asked, initialise the VUs. */
export interface HostPrepare {
  type: 'prepare';
  /** File holding the archive bytes, already checked against `archiveSha256`. */
  archivePath: string;
  archiveSha256: string;
  /** Folder the archive is unpacked into. */
  runDir: string;
  command: PrepareCommand;
  workers: number;
  /** LeaseGate memory shared with the load workers. */
  leaseGate: SharedArrayBuffer;
  /** Metric interval, ms (default 1000). */
  intervalMs?: number;
}

/** Messages the supervisor sends to the run host. */
export type ToRunHost =
  | HostPrepare
  | { type: 'start'; startAtEpochMs: number; setupDataJson: string | null }
  | { type: 'stop'; graceful: boolean; reason: string };

/** An error as reported: a stable code and a message. */
export interface HostError {
  code: string;
  message: string;
}

/** Messages the run host sends to the supervisor. */
export type FromRunHost =
  | {
      type: 'ready';
      /** setup()'s result when this generator ran it, else null. */
      setupDataJson: string | null;
      /** The plan report (generator 0 only). */
      plan: PlanReport | null;
      maxVus: number;
    }
  | { type: 'snapshot'; snapshot: IntervalSnapshot }
  | { type: 'log'; level: LogLevel; message: string }
  | {
      type: 'finished';
      scenarios: Record<string, ScenarioResult>;
      abortReason: string | null;
      /** Set when the run failed (a load worker crashed, teardown() threw). */
      error: HostError | null;
    }
  | { type: 'failed'; error: HostError };
