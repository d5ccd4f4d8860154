// Status vocabularies shared by the store's rows, the REST API, the CLI and the web UI. They live
// here (not in the store) because every one of those speaks them.
import { z } from 'zod';

/** Every run status, in life-cycle order; the last four are terminal. */
export const RUN_STATUSES = [
  'queued',
  'provisioning',
  'preparing',
  'ready',
  'running',
  'collecting',
  'analysing',
  'passed',
  'failed',
  'aborted',
  'errored',
] as const;

/** A run's status (ARCHITECTURE.md, "Run life cycle"). */
export const runStatusSchema = z.enum(RUN_STATUSES);
/** A run's status. */
export type RunStatus = z.output<typeof runStatusSchema>;

/** Statuses a run never leaves. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = [
  'passed',
  'failed',
  'aborted',
  'errored',
];

/** Whether `s` is a run status. */
export function isRunStatus(s: unknown): s is RunStatus {
  return typeof s === 'string' && (RUN_STATUSES as readonly string[]).includes(s);
}

/** Whether a run in status `s` can no longer change. */
export function isTerminalRunStatus(s: RunStatus): boolean {
  return TERMINAL_RUN_STATUSES.includes(s);
}

/** The transition rule: forward in life-cycle order (steps may be skipped), never out of a terminal status. */
export function canTransitionRun(from: RunStatus, to: RunStatus): boolean {
  return !isTerminalRunStatus(from) && RUN_STATUSES.indexOf(to) > RUN_STATUSES.indexOf(from);
}

/** Every generator status. */
export const GENERATOR_STATUSES = [
  'idle',
  'assigned',
  'suspect',
  'lost',
  'terminating',
  'terminated',
] as const;

/** A generator's status. */
export const generatorStatusSchema = z.enum(GENERATOR_STATUSES);
/** A generator's status. */
export type GeneratorStatus = z.output<typeof generatorStatusSchema>;

/** Generator kinds known today (cloud and Kubernetes kinds come later; the column is free text). */
export const GENERATOR_KINDS = ['local', 'static'] as const;

/** How a generator came to be. */
export const generatorKindSchema = z.enum(GENERATOR_KINDS);
/** How a generator came to be. */
export type GeneratorKind = z.output<typeof generatorKindSchema>;

/** Every job status. */
export const JOB_STATUSES = ['queued', 'leased', 'done', 'failed'] as const;

/** A queued job's status. */
export const jobStatusSchema = z.enum(JOB_STATUSES);
/** A queued job's status. */
export type JobStatus = z.output<typeof jobStatusSchema>;

/** Levels of a run log line. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A run log line's level. */
export const logLevelSchema = z.enum(LOG_LEVELS);
/** A run log line's level. */
export type LogLevel = z.output<typeof logLevelSchema>;
