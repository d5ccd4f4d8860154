// Settings of the scheduler: how long each run state may last, how far ahead the coordinated start
// is set, and how many runs each pool runs at once.

/** Deadlines of the run states and the start lead, all ms. */
export interface RunTimeouts {
  /** Getting N idle generators from the pool (local processes start and enroll). */
  provisioningMs: number;
  /** From `prepare` sent to every generator ready (bundle fetched, VUs initialised, setup run). */
  preparingMs: number;
  /** From quorum to the coordinated start. */
  startLeadMs: number;
  /** Slack after the start instant before `ready` counts as stuck. */
  readyGraceMs: number;
  /** Slack after the plan's longest duration before `running` counts as stuck. */
  runningGraceMs: number;
  /** From every generator finished (or stopped) to every snapshot stored. */
  collectingMs: number;
  /** Building the summary. */
  analysingMs: number;
}

/** Default deadlines: generous enough for a cold local pool, short enough to notice a hang. */
export const DEFAULT_RUN_TIMEOUTS: RunTimeouts = {
  provisioningMs: 60_000,
  preparingMs: 120_000,
  // Long enough for the start command to reach every agent over a long-poll on a busy machine.
  startLeadMs: 2_000,
  readyGraceMs: 10_000,
  runningGraceMs: 60_000,
  collectingMs: 30_000,
  analysingMs: 60_000,
};

/** Everything the scheduler is configured with. */
export interface SchedulerConfig {
  /** Owner id of job leases; stable across restarts of one controller (kept in its data directory). */
  ownerId: string;
  /** Lease of a run's job, ms; renewed while the run is active. */
  jobLeaseMs: number;
  /** Runs at once per pool (default 1). */
  poolConcurrency: Readonly<Record<string, number>>;
  /** Pools whose queues are polled even before a job names them. */
  pools: readonly string[];
  timeouts: RunTimeouts;
  /** Longest run when generator 0 reports no plan duration, ms. */
  maxDurationMs: number;
  /** Hosts runs may target, loopback included when allowed (sent to generators with `prepare`). */
  allowTargets: readonly string[];
  /** How often thresholds are evaluated on the merged stream, ms. */
  thresholdIntervalMs: number;
  /** How long the live view of an ended run stays available, ms. */
  keepEndedMs: number;
}

/** Runs at once of `pool` under `config` (1 unless configured). */
export function concurrencyOf(config: SchedulerConfig, pool: string): number {
  const n = config.poolConcurrency[pool];
  return n !== undefined && Number.isInteger(n) && n >= 1 ? n : 1;
}
