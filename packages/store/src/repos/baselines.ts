import { StoreError } from '../errors.ts';
import type {
  Baseline,
  HistoryPointRecord,
  HistorySeriesState,
  SeriesKey,
  TestBranch,
} from '../model-comparisons.ts';
import {
  assertInt,
  assertJson,
  assertText,
  clampLimit,
  num,
  str,
  strOrNull,
  type StoreContext,
} from '../rows.ts';
import type { SqlRow } from '../sql/driver.ts';

function assertTestBranch(k: TestBranch): void {
  assertText(k.projectId, 'projectId');
  assertText(k.testName, 'testName');
  assertText(k.branch, 'branch');
}

/** INVALID_INPUT unless every part of the series key is non-empty text. */
export function assertSeries(k: SeriesKey): void {
  assertTestBranch(k);
  assertText(k.metric, 'metric');
  assertText(k.statistic, 'statistic');
}

/** WHERE clause of one series, parameters $1…$5 (seriesParams). */
export const SERIES_WHERE =
  'project_id = $1 AND test_name = $2 AND branch = $3 AND metric = $4 AND statistic = $5';

/** The parameters of SERIES_WHERE. */
export function seriesParams(k: SeriesKey): string[] {
  return [k.projectId, k.testName, k.branch, k.metric, k.statistic];
}

function toBaseline(row: SqlRow): Baseline {
  return {
    projectId: str(row, 'project_id'),
    testName: str(row, 'test_name'),
    branch: str(row, 'branch'),
    runIds: JSON.parse(str(row, 'run_ids_json')) as string[],
    fingerprintJson: str(row, 'fingerprint_json'),
    setBy: str(row, 'set_by'),
    setAtMs: num(row, 'set_at_ms'),
  };
}

/** The series key of a history row. */
export function seriesOf(row: SqlRow): SeriesKey {
  return {
    projectId: str(row, 'project_id'),
    testName: str(row, 'test_name'),
    branch: str(row, 'branch'),
    metric: str(row, 'metric'),
    statistic: str(row, 'statistic'),
  };
}

/** Sets (replaces) the branch's baseline; NOT_FOUND when a run or the project is unknown. */
export async function setBaseline(
  c: StoreContext,
  input: TestBranch & { runIds: string[]; fingerprintJson: string; setBy: string },
): Promise<Baseline> {
  assertTestBranch(input);
  assertText(input.setBy, 'setBy');
  assertJson(input.fingerprintJson, 'fingerprintJson');
  if (!Array.isArray(input.runIds) || input.runIds.length === 0) {
    throw new StoreError('INVALID_INPUT', 'runIds must hold at least one run id', {
      field: 'runIds',
    });
  }
  const runIds = [...new Set(input.runIds)];
  return c.db.transaction(async (tx) => {
    const project = await tx.query('SELECT 1 AS one FROM projects WHERE id = $1', [
      input.projectId,
    ]);
    if (project.rows.length === 0) {
      throw new StoreError('NOT_FOUND', `no project ${input.projectId}`, {
        projectId: input.projectId,
      });
    }
    for (const id of runIds) {
      const { rows } = await tx.query('SELECT project_id FROM runs WHERE id = $1', [id]);
      const row = rows[0];
      if (!row) throw new StoreError('NOT_FOUND', `no run ${id}`, { id });
      if (str(row, 'project_id') !== input.projectId) {
        throw new StoreError('INVALID_INPUT', `run ${id} belongs to another project`, { id });
      }
    }
    const { rows } = await tx.query(
      `INSERT INTO baselines (project_id, test_name, branch, run_ids_json, fingerprint_json,
         set_by, set_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (project_id, test_name, branch) DO UPDATE SET
         run_ids_json = excluded.run_ids_json, fingerprint_json = excluded.fingerprint_json,
         set_by = excluded.set_by, set_at_ms = excluded.set_at_ms
       RETURNING *`,
      [
        input.projectId,
        input.testName,
        input.branch,
        JSON.stringify(runIds),
        input.fingerprintJson,
        input.setBy,
        c.clock.nowMs(),
      ],
    );
    return toBaseline(rows[0] ?? {});
  });
}

/** The branch's baseline, or null. */
export async function getBaseline(c: StoreContext, key: TestBranch): Promise<Baseline | null> {
  assertTestBranch(key);
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT * FROM baselines WHERE project_id = $1 AND test_name = $2 AND branch = $3', [
      key.projectId,
      key.testName,
      key.branch,
    ]),
  );
  return rows[0] ? toBaseline(rows[0]) : null;
}

/** Stores one run's value of a series; false (nothing changes) if the run already has one. */
export async function putHistoryPoint(
  c: StoreContext,
  input: HistoryPointRecord,
): Promise<boolean> {
  assertSeries(input);
  assertText(input.runId, 'runId');
  assertInt(input.atMs, 'atMs');
  if (typeof input.value !== 'number' || !Number.isFinite(input.value)) {
    throw new StoreError('INVALID_INPUT', 'value must be a finite number', { field: 'value' });
  }
  return c.db.transaction(async (tx) => {
    const run = await tx.query('SELECT 1 AS one FROM runs WHERE id = $1', [input.runId]);
    if (run.rows.length === 0) {
      throw new StoreError('NOT_FOUND', `no run ${input.runId}`, { id: input.runId });
    }
    const r = await tx.query(
      `INSERT INTO history_points (project_id, test_name, branch, metric, statistic, run_id,
         value, at_ms, commit_label) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (project_id, test_name, branch, metric, statistic, run_id) DO NOTHING`,
      [...seriesParams(input), input.runId, input.value, input.atMs, input.commit ?? null],
    );
    return r.changes > 0;
  });
}

/** The series' points oldest first (atMs, then run id); the newest `limit` (default 1000, max 100000). */
export async function listHistoryPoints(
  c: StoreContext,
  key: SeriesKey,
  options: { limit?: number } = {},
): Promise<HistoryPointRecord[]> {
  assertSeries(key);
  const limit = clampLimit(options.limit, 1000, 100_000);
  const { rows } = await c.db.run((ex) =>
    ex.query(
      `SELECT * FROM (SELECT * FROM history_points WHERE ${SERIES_WHERE}
         ORDER BY at_ms DESC, run_id DESC LIMIT $6) AS newest ORDER BY at_ms, run_id`,
      [...seriesParams(key), limit],
    ),
  );
  return rows.map((row) => ({
    ...seriesOf(row),
    runId: str(row, 'run_id'),
    value: Number(row['value']),
    atMs: num(row, 'at_ms'),
    commit: strOrNull(row, 'commit_label'),
  }));
}

/** The series of a test on a branch that have points, by metric and statistic. */
export async function listHistorySeries(c: StoreContext, key: TestBranch): Promise<SeriesKey[]> {
  assertTestBranch(key);
  const { rows } = await c.db.run((ex) =>
    ex.query(
      `SELECT DISTINCT project_id, test_name, branch, metric, statistic FROM history_points
       WHERE project_id = $1 AND test_name = $2 AND branch = $3 ORDER BY metric, statistic`,
      [key.projectId, key.testName, key.branch],
    ),
  );
  return rows.map(seriesOf);
}

/** The series' persisted change-point state, or null. */
export async function getHistoryState(
  c: StoreContext,
  key: SeriesKey,
): Promise<HistorySeriesState | null> {
  assertSeries(key);
  const { rows } = await c.db.run((ex) =>
    ex.query(`SELECT * FROM history_series WHERE ${SERIES_WHERE}`, seriesParams(key)),
  );
  const row = rows[0];
  if (!row) return null;
  return {
    ...seriesOf(row),
    stateJson: str(row, 'state_json'),
    pointCount: num(row, 'point_count'),
    updatedAtMs: num(row, 'updated_at_ms'),
  };
}

/**
 * Compare-and-set of the series' change-point state: writes it only when the stored point count
 * is `expectedCount` (null: no state yet); CONFLICT otherwise, so two controllers appending at
 * once never overwrite each other's first-seen records.
 */
export async function putHistoryState(
  c: StoreContext,
  key: SeriesKey,
  input: { stateJson: string; pointCount: number; expectedCount: number | null },
): Promise<HistorySeriesState> {
  assertSeries(key);
  assertJson(input.stateJson, 'stateJson');
  assertInt(input.pointCount, 'pointCount');
  const nowMs = c.clock.nowMs();
  const { rows } = await c.db.run((ex) =>
    input.expectedCount === null
      ? ex.query(
          `INSERT INTO history_series (project_id, test_name, branch, metric, statistic,
             state_json, point_count, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (project_id, test_name, branch, metric, statistic) DO NOTHING
           RETURNING *`,
          [...seriesParams(key), input.stateJson, input.pointCount, nowMs],
        )
      : ex.query(
          `UPDATE history_series SET state_json = $6, point_count = $7, updated_at_ms = $8
           WHERE ${SERIES_WHERE} AND point_count = $9 RETURNING *`,
          [...seriesParams(key), input.stateJson, input.pointCount, nowMs, input.expectedCount],
        ),
  );
  const row = rows[0];
  if (!row) {
    throw new StoreError('CONFLICT', 'the series state changed concurrently; read it again', {
      ...key,
      expectedCount: input.expectedCount,
    });
  }
  return {
    ...seriesOf(row),
    stateJson: str(row, 'state_json'),
    pointCount: num(row, 'point_count'),
    updatedAtMs: num(row, 'updated_at_ms'),
  };
}
