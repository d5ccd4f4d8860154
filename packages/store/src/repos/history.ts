// The run-level half of the history: appending a run's value of a series together with the
// series' next change-point state (one transaction, so "the point is stored" and "the state has
// seen it" are the same fact), and the once-per-run record that the recorder handled a run.
import { StoreError } from '../errors.ts';
import type { Run } from '../model.ts';
import type { SqlRow } from '../sql/driver.ts';
import type { HistoryAppend, HistoryRunOutcome, HistoryRunRecord } from '../model-comparisons.ts';
import {
  assertInt,
  assertJson,
  assertText,
  clampLimit,
  num,
  str,
  toRun,
  type StoreContext,
} from '../rows.ts';
import { SERIES_WHERE, assertSeries, seriesParams } from './baselines.ts';

/**
 * Appends one run's value of a series and the series' next change-point state atomically:
 * `duplicate` (nothing changes) when the run already has a point in the series; CONFLICT (nothing
 * changes) when the stored state's point count is not `expectedCount`, so of two controllers
 * appending at once one retries on the state the other wrote; NOT_FOUND for an unknown run.
 */
export async function appendHistoryPoint(
  c: StoreContext,
  input: HistoryAppend,
): Promise<'appended' | 'duplicate'> {
  assertSeries(input);
  assertText(input.runId, 'runId');
  assertInt(input.atMs, 'atMs');
  assertInt(input.pointCount, 'pointCount', 1);
  assertJson(input.stateJson, 'stateJson');
  if (input.expectedCount !== null) assertInt(input.expectedCount, 'expectedCount');
  if (typeof input.value !== 'number' || !Number.isFinite(input.value)) {
    throw new StoreError('INVALID_INPUT', 'value must be a finite number', { field: 'value' });
  }
  const key = seriesParams(input);
  const nowMs = c.clock.nowMs();
  return c.db.transaction(async (tx) => {
    const run = await tx.query('SELECT 1 AS one FROM runs WHERE id = $1', [input.runId]);
    if (run.rows.length === 0) {
      throw new StoreError('NOT_FOUND', `no run ${input.runId}`, { id: input.runId });
    }
    const had = await tx.query(
      `SELECT 1 AS one FROM history_points WHERE ${SERIES_WHERE} AND run_id = $6`,
      [...key, input.runId],
    );
    if (had.rows.length > 0) return 'duplicate';
    // The state first: its row lock (PostgreSQL) or the write transaction (SQLite) orders two
    // appends, and the loser sees a moved count and rolls back without a point.
    const moved =
      input.expectedCount === null
        ? await tx.query(
            `INSERT INTO history_series (project_id, test_name, branch, metric, statistic,
               state_json, point_count, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (project_id, test_name, branch, metric, statistic) DO NOTHING`,
            [...key, input.stateJson, input.pointCount, nowMs],
          )
        : await tx.query(
            `UPDATE history_series SET state_json = $6, point_count = $7, updated_at_ms = $8
             WHERE ${SERIES_WHERE} AND point_count = $9`,
            [...key, input.stateJson, input.pointCount, nowMs, input.expectedCount],
          );
    if (moved.changes === 0) {
      throw new StoreError('CONFLICT', 'the series state changed concurrently; read it again', {
        metric: input.metric,
        statistic: input.statistic,
        expectedCount: input.expectedCount,
      });
    }
    await tx.query(
      `INSERT INTO history_points (project_id, test_name, branch, metric, statistic, run_id,
         value, at_ms, commit_label) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [...key, input.runId, input.value, input.atMs, input.commit ?? null],
    );
    return 'appended';
  });
}

/**
 * Runs the history has not handled yet: ended `passed` or `failed` (a summary is stored before
 * either), with no history record, oldest first; `limit` defaults to 10 (max 500);
 * `endedSinceMs` keeps runs that ended at or after it (an index range instead of every run).
 */
export async function listRunsPendingHistory(
  c: StoreContext,
  options: { limit?: number; endedSinceMs?: number } = {},
): Promise<Run[]> {
  const limit = clampLimit(options.limit, 10, 500);
  const since = options.endedSinceMs;
  if (since !== undefined) assertInt(since, 'endedSinceMs');
  // With a lower bound on the end, `status || ''` keeps SQLite's planner off runs_by_status (all
  // ended runs) and on runs_by_ended (the recent ones); the same text works on PostgreSQL.
  const status = since === undefined ? 'r.status' : "r.status || ''";
  const { rows } = await c.db.run((ex) =>
    ex.query(
      `SELECT r.* FROM runs r WHERE ${status} IN ('passed', 'failed')
         AND r.summary_json IS NOT NULL
         ${since === undefined ? '' : 'AND r.ended_at_ms >= $2'}
         AND NOT EXISTS (SELECT 1 FROM history_runs h WHERE h.run_id = r.id)
       ORDER BY r.created_at_ms, r.id LIMIT $1`,
      since === undefined ? [limit] : [limit, since],
    ),
  );
  return rows.map(toRun);
}

function toHistoryRun(row: SqlRow): HistoryRunRecord {
  return {
    runId: str(row, 'run_id'),
    outcome: str(row, 'outcome') as HistoryRunOutcome,
    reason: str(row, 'reason'),
    points: num(row, 'points'),
    doneAtMs: num(row, 'done_at_ms'),
  };
}

/** Records that the history handled a run; the first record stays (idempotent); NOT_FOUND unknown run. */
export async function markRunHistory(
  c: StoreContext,
  input: { runId: string; outcome: HistoryRunOutcome; reason: string; points: number },
): Promise<HistoryRunRecord> {
  assertText(input.runId, 'runId');
  if (input.outcome !== 'recorded' && input.outcome !== 'skipped') {
    throw new StoreError('INVALID_INPUT', `${String(input.outcome)} is not a history outcome`, {
      field: 'outcome',
      allowed: ['recorded', 'skipped'],
    });
  }
  assertInt(input.points, 'points');
  return c.db.transaction(async (tx) => {
    const run = await tx.query('SELECT 1 AS one FROM runs WHERE id = $1', [input.runId]);
    if (run.rows.length === 0) {
      throw new StoreError('NOT_FOUND', `no run ${input.runId}`, { id: input.runId });
    }
    await tx.query(
      `INSERT INTO history_runs (run_id, outcome, reason, points, done_at_ms)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id) DO NOTHING`,
      [input.runId, input.outcome, input.reason, input.points, c.clock.nowMs()],
    );
    const { rows } = await tx.query('SELECT * FROM history_runs WHERE run_id = $1', [input.runId]);
    return toHistoryRun(rows[0] ?? {});
  });
}

/** The history record of a run, or null when the history has not handled it. */
export async function getRunHistory(
  c: StoreContext,
  runId: string,
): Promise<HistoryRunRecord | null> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT * FROM history_runs WHERE run_id = $1', [runId]),
  );
  return rows[0] ? toHistoryRun(rows[0]) : null;
}
