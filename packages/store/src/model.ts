// Row types of the store. The status vocabularies they use live in @stampede/protocol (the REST
// API, the CLI and the web UI speak them too) and are re-exported here so store users need one import.
import type { GeneratorStatus, JobStatus, LogLevel, RunStatus } from '@stampede/protocol';

export {
  GENERATOR_KINDS,
  GENERATOR_STATUSES,
  JOB_STATUSES,
  LOG_LEVELS,
  RUN_STATUSES,
  TERMINAL_RUN_STATUSES,
  canTransitionRun,
  isRunStatus,
  isTerminalRunStatus,
  type GeneratorKind,
  type GeneratorStatus,
  type JobStatus,
  type LogLevel,
  type RunStatus,
} from '@stampede/protocol';

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
