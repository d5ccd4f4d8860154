// Row types of the store and the status vocabularies they use. The status lists are candidates
// for @stampede/protocol (the REST API and the web UI speak them too).

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
export type RunStatus = (typeof RUN_STATUSES)[number];

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
export type GeneratorStatus = (typeof GENERATOR_STATUSES)[number];

/** Generator kinds known today (cloud and Kubernetes kinds come later; the column is free text). */
export const GENERATOR_KINDS = ['local', 'static'] as const;

/** How a generator came to be. */
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];

/** Every job status. */
export const JOB_STATUSES = ['queued', 'leased', 'done', 'failed'] as const;

/** A queued job's status. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Levels of a run log line. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A run log line's level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A project: the unit that owns runs, baselines and allow-lists. */
export interface Project {
  id: string;
  name: string;
  createdAtMs: number;
}

/** A stored test bundle without its bytes. */
export interface BundleInfo {
  sha256: string;
  sizeBytes: number;
  createdAtMs: number;
}

/** A stored test bundle with its bytes. */
export interface Bundle extends BundleInfo {
  content: Uint8Array;
}

/** A test run. Fields ending in `Json` hold JSON text, validated by the controller's schemas. */
export interface Run {
  id: string;
  projectId: string;
  status: RunStatus;
  statusReason: string;
  stateDeadlineMs: number | null;
  planJson: string;
  bundleSha256: string;
  generatorsRequested: number;
  pool: string;
  createdBy: string;
  createdAtMs: number;
  startedAtMs: number | null;
  endedAtMs: number | null;
  summaryJson: string | null;
  labels: Record<string, string>;
}

/** One recorded status change of a run; seq 1 is the creation (`from` null). */
export interface RunTransition {
  runId: string;
  seq: number;
  from: RunStatus | null;
  to: RunStatus;
  reason: string;
  atMs: number;
}

/** A load generator (agent) known to the controller. */
export interface Generator {
  id: string;
  name: string;
  kind: string;
  pool: string;
  status: GeneratorStatus;
  runId: string | null;
  certSerial: string | null;
  lastHeartbeatMs: number | null;
  createdAtMs: number;
  retiredAtMs: number | null;
  healthJson: string | null;
}

/** A single-use join token for agent enrollment (only its SHA-256 hash is stored). */
export interface JoinToken {
  id: string;
  name: string;
  tokenHash: string;
  createdAtMs: number;
  expiresAtMs: number;
  usedAtMs: number | null;
}

/** An API token (only its SHA-256 hash is stored). */
export interface ApiToken {
  id: string;
  name: string;
  tokenHash: string;
  scopes: string[];
  createdAtMs: number;
  revokedAtMs: number | null;
}

/** A revoked client certificate. */
export interface RevokedCertificate {
  serial: string;
  revokedAtMs: number;
}

/** One audit log entry: who did what to which target. */
export interface AuditEntry {
  id: number;
  atMs: number;
  actor: string;
  action: string;
  target: string;
  detailsJson: string;
}

/** One metric snapshot of a run as received from a source (an agent), keyed by (runId, source, seq). */
export interface SnapshotRecord {
  runId: string;
  source: string;
  seq: number;
  payloadJson: string;
  receivedAtMs: number;
}

/** One log line of a run. */
export interface RunLogEntry {
  id: number;
  runId: string;
  atMs: number;
  source: string;
  level: LogLevel;
  message: string;
}

/** A durable job of the queue. */
export interface Job {
  id: string;
  kind: string;
  queue: string;
  payloadJson: string;
  status: JobStatus;
  priority: number;
  attempts: number;
  leaseOwner: string | null;
  leaseExpiresMs: number | null;
  createdSeq: number;
  createdAtMs: number;
  availableAtMs: number;
  lastError: string | null;
}

/** A page of results and the cursor of the next page (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
