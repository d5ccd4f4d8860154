import { StoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { DEFAULT_PROJECT_ID } from '../migrations/index.ts';
import {
  RUN_STATUSES,
  TERMINAL_RUN_STATUSES,
  canTransitionRun,
  isRunStatus,
  isTerminalRunStatus,
  type Page,
  type Run,
  type RunStatus,
  type RunTransition,
} from '../model.ts';
import {
  assertInt,
  assertJson,
  assertText,
  clampLimit,
  str,
  toRun,
  toTransition,
  type StoreContext,
} from '../rows.ts';
import { placeholders, type SqlExecutor, type SqlValue } from '../sql/driver.ts';
import type { NewRun, RunFilter } from '../store.ts';

function assertStatuses(list: readonly unknown[], field: string): asserts list is RunStatus[] {
  for (const s of list) {
    if (!isRunStatus(s)) {
      throw new StoreError('INVALID_INPUT', `${field}: ${String(s)} is not a run status`, {
        field,
        allowed: RUN_STATUSES,
      });
    }
  }
}

function assertLabels(labels: unknown): asserts labels is Record<string, string> {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new StoreError('INVALID_INPUT', 'labels must be an object of strings');
  }
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== 'string') {
      throw new StoreError('INVALID_INPUT', `label ${k} must be a string`, { label: k });
    }
  }
}

async function exists(
  ex: SqlExecutor,
  table: string,
  col: string,
  value: string,
): Promise<boolean> {
  const { rows } = await ex.query(`SELECT 1 AS one FROM ${table} WHERE ${col} = $1`, [value]);
  return rows.length > 0;
}

async function appendTransition(
  ex: SqlExecutor,
  runId: string,
  from: RunStatus | null,
  to: RunStatus,
  reason: string,
  atMs: number,
): Promise<void> {
  await ex.query(
    `INSERT INTO run_transitions (run_id, seq, from_status, to_status, reason, at_ms)
     SELECT CAST($1 AS TEXT), COALESCE(MAX(seq), 0) + 1, CAST($2 AS TEXT), CAST($3 AS TEXT),
       CAST($4 AS TEXT), CAST($5 AS BIGINT) FROM run_transitions WHERE run_id = $1`,
    [runId, from, to, reason, atMs],
  );
}

/** Creates a queued run and its first transition. */
export async function createRun(c: StoreContext, input: NewRun): Promise<Run> {
  const projectId = input.projectId ?? DEFAULT_PROJECT_ID;
  assertJson(input.planJson, 'planJson');
  assertText(input.bundleSha256, 'bundleSha256');
  assertInt(input.generatorsRequested, 'generatorsRequested', 1);
  assertText(input.pool, 'pool');
  assertText(input.createdBy, 'createdBy');
  const labels = input.labels ?? {};
  assertLabels(labels);
  const deadline = input.stateDeadlineMs ?? null;
  const nowMs = c.clock.nowMs();
  const id = newId('run', nowMs);
  return c.db.transaction(async (tx) => {
    if (!(await exists(tx, 'projects', 'id', projectId))) {
      throw new StoreError('NOT_FOUND', `no project ${projectId}`, { projectId });
    }
    if (!(await exists(tx, 'bundles', 'sha256', input.bundleSha256))) {
      throw new StoreError('NOT_FOUND', `no bundle ${input.bundleSha256}`, {
        bundleSha256: input.bundleSha256,
      });
    }
    const { rows } = await tx.query(
      `INSERT INTO runs (id, project_id, status, status_reason, state_deadline_ms, plan_json,
         bundle_sha256, generators_requested, pool, created_by, created_at_ms, labels_json)
       VALUES ($1, $2, 'queued', 'created', $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [
        id,
        projectId,
        deadline,
        input.planJson,
        input.bundleSha256,
        input.generatorsRequested,
        input.pool,
        input.createdBy,
        nowMs,
        JSON.stringify(labels),
      ],
    );
    await appendTransition(tx, id, null, 'queued', 'created', nowMs);
    return toRun(rows[0] ?? {});
  });
}

/** The run; NOT_FOUND otherwise. */
export async function getRun(c: StoreContext, id: string): Promise<Run> {
  const { rows } = await c.db.run((ex) => ex.query('SELECT * FROM runs WHERE id = $1', [id]));
  const row = rows[0];
  if (!row) throw new StoreError('NOT_FOUND', `no run ${id}`, { id });
  return toRun(row);
}

function encodeCursor(run: Run): string {
  return Buffer.from(JSON.stringify([run.createdAtMs, run.id])).toString('base64url');
}

const CURSOR_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

// Only cursors this store wrote are accepted: a [safe integer, id] pair in its canonical encoding.
function decodeCursor(cursor: string): [number, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      Number.isSafeInteger(v[0]) &&
      (v[0] as number) >= 0 &&
      typeof v[1] === 'string' &&
      CURSOR_ID.test(v[1]) &&
      Buffer.from(JSON.stringify(v)).toString('base64url') === cursor
    ) {
      return [v[0] as number, v[1]];
    }
  } catch {
    // fall through
  }
  throw new StoreError('INVALID_INPUT', 'bad cursor', { cursor });
}

/** Runs newest first, paged. */
export async function listRuns(c: StoreContext, filter: RunFilter = {}): Promise<Page<Run>> {
  const limit = clampLimit(filter.limit, 50, 500);
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.status !== undefined) {
    assertStatuses(filter.status, 'status');
    if (filter.status.length === 0) return { items: [], nextCursor: null };
    where.push(`status IN ${placeholders(params.length + 1, filter.status.length)}`);
    params.push(...filter.status);
  }
  if (filter.projectId !== undefined) {
    params.push(filter.projectId);
    where.push(`project_id = $${params.length}`);
  }
  if (filter.labels !== undefined) {
    assertLabels(filter.labels);
    for (const [key, value] of Object.entries(filter.labels)) {
      params.push(key, value);
      const k = params.length - 1;
      // Label keys are plain text: the key goes in as a parameter, never spliced into SQL.
      where.push(
        c.db.dialect === 'postgres'
          ? `(CAST(labels_json AS JSONB) ->> CAST($${k} AS TEXT)) = $${k + 1}`
          : `json_extract(labels_json, '$."' || $${k} || '"') = $${k + 1}`,
      );
    }
  }
  if (filter.cursor !== undefined) {
    const [atMs, id] = decodeCursor(filter.cursor);
    params.push(atMs, id);
    const a = params.length - 1;
    where.push(`(created_at_ms < $${a} OR (created_at_ms = $${a} AND id < $${a + 1}))`);
  }
  params.push(limit + 1);
  const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at_ms DESC, id DESC LIMIT $${params.length}`;
  const { rows } = await c.db.run((ex) => ex.query(sql, params));
  const items = rows.slice(0, limit).map(toRun);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/** Compare-and-set of a run's status, recorded as a transition. */
export async function transitionRun(
  c: StoreContext,
  id: string,
  from: readonly RunStatus[],
  to: RunStatus,
  reason: string,
  deadlineMs: number | null,
): Promise<Run> {
  assertStatuses(from, 'from');
  assertStatuses([to], 'to');
  if (typeof reason !== 'string') throw new StoreError('INVALID_INPUT', 'reason must be a string');
  if (deadlineMs !== null) assertInt(deadlineMs, 'deadlineMs');
  const forUpdate = c.db.dialect === 'postgres' ? ' FOR UPDATE' : '';
  return c.db.transaction(async (tx) => {
    const { rows } = await tx.query(`SELECT status FROM runs WHERE id = $1${forUpdate}`, [id]);
    const row = rows[0];
    if (!row) throw new StoreError('NOT_FOUND', `no run ${id}`, { id });
    const current = str(row, 'status') as RunStatus;
    if (!from.includes(current)) {
      throw new StoreError('INVALID_STATE', `run ${id} is ${current}, not ${from.join('|')}`, {
        id,
        status: current,
        expected: from,
      });
    }
    if (!canTransitionRun(current, to)) {
      throw new StoreError('INVALID_STATE', `run ${id} cannot go from ${current} to ${to}`, {
        id,
        status: current,
        to,
      });
    }
    const nowMs = c.clock.nowMs();
    const terminal = isTerminalRunStatus(to);
    const updated = await tx.query(
      `UPDATE runs SET status = $2, status_reason = $3, state_deadline_ms = $4,
         started_at_ms = COALESCE(started_at_ms, $5), ended_at_ms = COALESCE(ended_at_ms, $6)
       WHERE id = $1 AND status = $7 RETURNING *`,
      [
        id,
        to,
        reason,
        terminal ? null : deadlineMs,
        to === 'running' ? nowMs : null,
        terminal ? nowMs : null,
        current,
      ],
    );
    const run = updated.rows[0];
    if (!run) throw new StoreError('INVALID_STATE', `run ${id} changed concurrently`, { id });
    await appendTransition(tx, id, current, to, reason, nowMs);
    return toRun(run);
  });
}

/** Stores a run's summary. */
export async function setRunSummary(
  c: StoreContext,
  id: string,
  summaryJson: string,
): Promise<Run> {
  assertJson(summaryJson, 'summaryJson');
  const { rows } = await c.db.run((ex) =>
    ex.query('UPDATE runs SET summary_json = $2 WHERE id = $1 RETURNING *', [id, summaryJson]),
  );
  const row = rows[0];
  if (!row) throw new StoreError('NOT_FOUND', `no run ${id}`, { id });
  return toRun(row);
}

/** The run's transitions in order. */
export async function listRunTransitions(c: StoreContext, runId: string): Promise<RunTransition[]> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT * FROM run_transitions WHERE run_id = $1 ORDER BY seq', [runId]),
  );
  if (rows.length === 0) throw new StoreError('NOT_FOUND', `no run ${runId}`, { id: runId });
  return rows.map(toTransition);
}

/** Non-terminal runs whose deadline has passed. */
export async function listRunsPastDeadline(c: StoreContext, limit?: number): Promise<Run[]> {
  const n = clampLimit(limit, 100, 1000);
  const terminal = TERMINAL_RUN_STATUSES;
  const { rows } = await c.db.run((ex) =>
    ex.query(
      `SELECT * FROM runs WHERE state_deadline_ms IS NOT NULL AND state_deadline_ms <= $1
         AND status NOT IN ${placeholders(2, terminal.length)}
       ORDER BY state_deadline_ms, id LIMIT $${terminal.length + 2}`,
      [c.clock.nowMs(), ...terminal, n],
    ),
  );
  return rows.map(toRun);
}
