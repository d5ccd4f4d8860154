import { StoreError } from '../errors.ts';
import {
  LOG_LEVELS,
  type AuditEntry,
  type LogLevel,
  type RunLogEntry,
  type SnapshotRecord,
} from '../model.ts';
import {
  assertInt,
  assertJson,
  assertText,
  clampLimit,
  numOrNull,
  toAudit,
  toRunLog,
  toSnapshot,
  type StoreContext,
} from '../rows.ts';
import type { SqlValue } from '../sql/driver.ts';

/** Appends an audit entry stamped now. */
export async function appendAudit(
  c: StoreContext,
  input: { actor: string; action: string; target: string; detailsJson?: string },
): Promise<AuditEntry> {
  assertText(input.actor, 'actor');
  assertText(input.action, 'action');
  if (typeof input.target !== 'string')
    throw new StoreError('INVALID_INPUT', 'target must be a string');
  const details = input.detailsJson ?? '{}';
  assertJson(details, 'detailsJson');
  const { rows } = await c.db.run((ex) =>
    ex.query(
      `INSERT INTO audit_log (at_ms, actor, action, target, details_json)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [c.clock.nowMs(), input.actor, input.action, input.target, details],
    ),
  );
  return toAudit(rows[0] ?? {});
}

/** Audit entries newest first. */
export async function listAudit(
  c: StoreContext,
  options: { limit?: number; beforeId?: number } = {},
): Promise<AuditEntry[]> {
  const limit = clampLimit(options.limit, 100, 1000);
  const params: SqlValue[] = [];
  let where = '';
  if (options.beforeId !== undefined) {
    params.push(options.beforeId);
    where = 'WHERE id < $1';
  }
  params.push(limit);
  const { rows } = await c.db.run((ex) =>
    ex.query(`SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT $${params.length}`, params),
  );
  return rows.map(toAudit);
}

/** Stores a snapshot once; false for a duplicate. */
export async function putSnapshot(
  c: StoreContext,
  input: { runId: string; source: string; seq: number; payloadJson: string },
): Promise<boolean> {
  assertText(input.source, 'source');
  assertInt(input.seq, 'seq');
  assertJson(input.payloadJson, 'payloadJson');
  return c.db.transaction(async (tx) => {
    const run = await tx.query('SELECT 1 AS one FROM runs WHERE id = $1', [input.runId]);
    if (run.rows.length === 0) {
      throw new StoreError('NOT_FOUND', `no run ${input.runId}`, { id: input.runId });
    }
    const r = await tx.query(
      `INSERT INTO metric_snapshots (run_id, source, seq, payload_json, received_at_ms)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, source, seq) DO NOTHING`,
      [input.runId, input.source, input.seq, input.payloadJson, c.clock.nowMs()],
    );
    return r.changes > 0;
  });
}

/** The run's snapshots ordered by seq then source. */
export async function listSnapshots(
  c: StoreContext,
  runId: string,
  options: { source?: string } = {},
): Promise<SnapshotRecord[]> {
  const params: SqlValue[] = [runId];
  let where = 'run_id = $1';
  if (options.source !== undefined) {
    params.push(options.source);
    where += ' AND source = $2';
  }
  const { rows } = await c.db.run((ex) =>
    ex.query(`SELECT * FROM metric_snapshots WHERE ${where} ORDER BY seq, source`, params),
  );
  return rows.map(toSnapshot);
}

/** The highest stored seq of (run, source), or null. */
export async function maxSeq(
  c: StoreContext,
  runId: string,
  source: string,
): Promise<number | null> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT MAX(seq) AS m FROM metric_snapshots WHERE run_id = $1 AND source = $2', [
      runId,
      source,
    ]),
  );
  return rows[0] ? numOrNull(rows[0], 'm') : null;
}

/** Appends a run log line. */
export async function appendRunLog(
  c: StoreContext,
  input: { runId: string; source: string; level: LogLevel; message: string; atMs?: number },
): Promise<RunLogEntry> {
  assertText(input.source, 'source');
  if (!(LOG_LEVELS as readonly string[]).includes(input.level)) {
    throw new StoreError('INVALID_INPUT', `unknown log level ${String(input.level)}`);
  }
  if (typeof input.message !== 'string')
    throw new StoreError('INVALID_INPUT', 'message must be a string');
  const atMs = input.atMs ?? c.clock.nowMs();
  assertInt(atMs, 'atMs');
  const { rows } = await c.db.run((ex) =>
    ex.query(
      `INSERT INTO run_logs (run_id, at_ms, source, level, message)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [input.runId, atMs, input.source, input.level, input.message],
    ),
  );
  return toRunLog(rows[0] ?? {});
}

/** The run's log lines in append order. */
export async function listRunLogs(
  c: StoreContext,
  runId: string,
  options: { afterId?: number; limit?: number } = {},
): Promise<RunLogEntry[]> {
  const limit = clampLimit(options.limit, 1000, 10_000);
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT * FROM run_logs WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT $3', [
      runId,
      options.afterId ?? 0,
      limit,
    ]),
  );
  return rows.map(toRunLog);
}
