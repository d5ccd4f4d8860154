import { StoreError } from './errors.ts';
import type {
  ApiToken,
  AuditEntry,
  Generator,
  GeneratorStatus,
  Job,
  JobStatus,
  JoinToken,
  LogLevel,
  Project,
  Run,
  RunLogEntry,
  RunStatus,
  RunTransition,
  SnapshotRecord,
} from './model.ts';
import type { StoreClock } from './clock.ts';
import type { SqlDriver, SqlRow } from './sql/driver.ts';

/** What every repository function needs: the driver and the clock. */
export interface StoreContext {
  db: SqlDriver;
  clock: StoreClock;
}

/** A column as a number (PostgreSQL returns BIGINT as a string). */
export function num(row: SqlRow, col: string): number {
  return Number(row[col]);
}

/** A nullable numeric column. */
export function numOrNull(row: SqlRow, col: string): number | null {
  const v = row[col];
  return v === null || v === undefined ? null : Number(v);
}

/** A text column. */
export function str(row: SqlRow, col: string): string {
  return String(row[col]);
}

/** A nullable text column. */
export function strOrNull(row: SqlRow, col: string): string | null {
  const v = row[col];
  return v === null || v === undefined ? null : String(v);
}

/** Throws INVALID_INPUT unless `text` is valid JSON. */
export function assertJson(text: string, field: string): void {
  try {
    JSON.parse(text);
  } catch {
    throw new StoreError('INVALID_INPUT', `${field} is not valid JSON`, { field });
  }
}

/** Throws INVALID_INPUT unless `value` is a non-empty string. */
export function assertText(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new StoreError('INVALID_INPUT', `${field} must be a non-empty string`, { field });
  }
}

/** Throws INVALID_INPUT unless `value` is an integer within [min, max]. */
export function assertInt(
  value: unknown,
  field: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StoreError('INVALID_INPUT', `${field} must be an integer in [${min}, ${max}]`, {
      field,
      value,
    });
  }
}

/** A list limit clamped to [1, max]. */
export function clampLimit(limit: number | undefined, dflt: number, max: number): number {
  if (limit === undefined) return dflt;
  assertInt(limit, 'limit', 1);
  return Math.min(limit, max);
}

/** Maps a projects row. */
export function toProject(r: SqlRow): Project {
  return { id: str(r, 'id'), name: str(r, 'name'), createdAtMs: num(r, 'created_at_ms') };
}

/** Maps a runs row. */
export function toRun(r: SqlRow): Run {
  return {
    id: str(r, 'id'),
    projectId: str(r, 'project_id'),
    status: str(r, 'status') as RunStatus,
    statusReason: str(r, 'status_reason'),
    stateDeadlineMs: numOrNull(r, 'state_deadline_ms'),
    planJson: str(r, 'plan_json'),
    bundleSha256: str(r, 'bundle_sha256'),
    generatorsRequested: num(r, 'generators_requested'),
    pool: str(r, 'pool'),
    createdBy: str(r, 'created_by'),
    createdAtMs: num(r, 'created_at_ms'),
    startedAtMs: numOrNull(r, 'started_at_ms'),
    endedAtMs: numOrNull(r, 'ended_at_ms'),
    summaryJson: strOrNull(r, 'summary_json'),
    labels: JSON.parse(str(r, 'labels_json')) as Record<string, string>,
  };
}

/** Maps a run_transitions row. */
export function toTransition(r: SqlRow): RunTransition {
  return {
    runId: str(r, 'run_id'),
    seq: num(r, 'seq'),
    from: strOrNull(r, 'from_status') as RunStatus | null,
    to: str(r, 'to_status') as RunStatus,
    reason: str(r, 'reason'),
    atMs: num(r, 'at_ms'),
  };
}

/** Maps a generators row. */
export function toGenerator(r: SqlRow): Generator {
  return {
    id: str(r, 'id'),
    name: str(r, 'name'),
    kind: str(r, 'kind'),
    pool: str(r, 'pool'),
    status: str(r, 'status') as GeneratorStatus,
    runId: strOrNull(r, 'run_id'),
    certSerial: strOrNull(r, 'cert_serial'),
    lastHeartbeatMs: numOrNull(r, 'last_heartbeat_ms'),
    createdAtMs: num(r, 'created_at_ms'),
    retiredAtMs: numOrNull(r, 'retired_at_ms'),
    healthJson: strOrNull(r, 'health_json'),
  };
}

/** Maps a join_tokens row. */
export function toJoinToken(r: SqlRow): JoinToken {
  return {
    id: str(r, 'id'),
    name: str(r, 'name'),
    tokenHash: str(r, 'token_hash'),
    createdAtMs: num(r, 'created_at_ms'),
    expiresAtMs: num(r, 'expires_at_ms'),
    usedAtMs: numOrNull(r, 'used_at_ms'),
  };
}

/** Maps an api_tokens row. */
export function toApiToken(r: SqlRow): ApiToken {
  return {
    id: str(r, 'id'),
    name: str(r, 'name'),
    tokenHash: str(r, 'token_hash'),
    scopes: JSON.parse(str(r, 'scopes_json')) as string[],
    createdAtMs: num(r, 'created_at_ms'),
    revokedAtMs: numOrNull(r, 'revoked_at_ms'),
  };
}

/** Maps an audit_log row. */
export function toAudit(r: SqlRow): AuditEntry {
  return {
    id: num(r, 'id'),
    atMs: num(r, 'at_ms'),
    actor: str(r, 'actor'),
    action: str(r, 'action'),
    target: str(r, 'target'),
    detailsJson: str(r, 'details_json'),
  };
}

/** Maps a metric_snapshots row. */
export function toSnapshot(r: SqlRow): SnapshotRecord {
  return {
    runId: str(r, 'run_id'),
    source: str(r, 'source'),
    seq: num(r, 'seq'),
    payloadJson: str(r, 'payload_json'),
    receivedAtMs: num(r, 'received_at_ms'),
  };
}

/** Maps a run_logs row. */
export function toRunLog(r: SqlRow): RunLogEntry {
  return {
    id: num(r, 'id'),
    runId: str(r, 'run_id'),
    atMs: num(r, 'at_ms'),
    source: str(r, 'source'),
    level: str(r, 'level') as LogLevel,
    message: str(r, 'message'),
  };
}

/** Maps a jobs row. */
export function toJob(r: SqlRow): Job {
  return {
    id: str(r, 'id'),
    kind: str(r, 'kind'),
    queue: str(r, 'queue'),
    payloadJson: str(r, 'payload_json'),
    status: str(r, 'status') as JobStatus,
    priority: num(r, 'priority'),
    attempts: num(r, 'attempts'),
    leaseOwner: strOrNull(r, 'lease_owner'),
    leaseExpiresMs: numOrNull(r, 'lease_expires_ms'),
    createdSeq: num(r, 'created_seq'),
    createdAtMs: num(r, 'created_at_ms'),
    availableAtMs: num(r, 'available_at_ms'),
    lastError: strOrNull(r, 'last_error'),
  };
}
