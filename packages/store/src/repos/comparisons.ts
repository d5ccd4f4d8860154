import { StoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import {
  COMPARISON_KINDS,
  COMPARISON_STATUSES,
  type ComparisonKind,
  type ComparisonRecord,
  type ComparisonStatus,
} from '../model-comparisons.ts';
import {
  assertJson,
  assertText,
  clampLimit,
  num,
  str,
  strOrNull,
  type StoreContext,
} from '../rows.ts';
import type { SqlRow, SqlValue } from '../sql/driver.ts';

function toComparison(row: SqlRow): ComparisonRecord {
  return {
    id: str(row, 'id'),
    kind: str(row, 'kind') as ComparisonKind,
    projectId: str(row, 'project_id'),
    status: str(row, 'status') as ComparisonStatus,
    statusReason: str(row, 'status_reason'),
    specJson: str(row, 'spec_json'),
    runsJson: str(row, 'runs_json'),
    resultJson: strOrNull(row, 'result_json'),
    createdBy: str(row, 'created_by'),
    createdAtMs: num(row, 'created_at_ms'),
    updatedAtMs: num(row, 'updated_at_ms'),
  };
}

function assertStatus(status: unknown): asserts status is ComparisonStatus {
  if (!(COMPARISON_STATUSES as readonly unknown[]).includes(status)) {
    throw new StoreError('INVALID_INPUT', `${String(status)} is not a comparison status`, {
      field: 'status',
      allowed: COMPARISON_STATUSES,
    });
  }
}

/** Creates a queued comparison job record; NOT_FOUND for an unknown project. */
export async function createComparison(
  c: StoreContext,
  input: { kind: ComparisonKind; projectId: string; specJson: string; createdBy: string },
): Promise<ComparisonRecord> {
  if (!(COMPARISON_KINDS as readonly unknown[]).includes(input.kind)) {
    throw new StoreError('INVALID_INPUT', `${String(input.kind)} is not a comparison kind`, {
      field: 'kind',
      allowed: COMPARISON_KINDS,
    });
  }
  assertJson(input.specJson, 'specJson');
  assertText(input.createdBy, 'createdBy');
  const nowMs = c.clock.nowMs();
  return c.db.transaction(async (tx) => {
    const p = await tx.query('SELECT 1 AS one FROM projects WHERE id = $1', [input.projectId]);
    if (p.rows.length === 0) {
      throw new StoreError('NOT_FOUND', `no project ${input.projectId}`, {
        projectId: input.projectId,
      });
    }
    const { rows } = await tx.query(
      `INSERT INTO comparisons (id, kind, project_id, status, status_reason, spec_json, runs_json,
         created_by, created_at_ms, updated_at_ms)
       VALUES ($1, $2, $3, 'queued', 'created', $4, '[]', $5, $6, $6) RETURNING *`,
      [newId('cmp', nowMs), input.kind, input.projectId, input.specJson, input.createdBy, nowMs],
    );
    return toComparison(rows[0] ?? {});
  });
}

/** Updates a comparison's status, runs and result (fields left out stay); NOT_FOUND unknown. */
export async function updateComparison(
  c: StoreContext,
  id: string,
  patch: {
    status?: ComparisonStatus;
    statusReason?: string;
    runsJson?: string;
    resultJson?: string | null;
  },
): Promise<ComparisonRecord> {
  const sets: string[] = [];
  const params: SqlValue[] = [id];
  const set = (col: string, v: SqlValue) => {
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  };
  if (patch.status !== undefined) {
    assertStatus(patch.status);
    set('status', patch.status);
  }
  if (patch.statusReason !== undefined) set('status_reason', patch.statusReason);
  if (patch.runsJson !== undefined) {
    assertJson(patch.runsJson, 'runsJson');
    set('runs_json', patch.runsJson);
  }
  if (patch.resultJson !== undefined) {
    if (patch.resultJson !== null) assertJson(patch.resultJson, 'resultJson');
    set('result_json', patch.resultJson);
  }
  set('updated_at_ms', c.clock.nowMs());
  const { rows } = await c.db.run((ex) =>
    ex.query(`UPDATE comparisons SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params),
  );
  const row = rows[0];
  if (!row) throw new StoreError('NOT_FOUND', `no comparison ${id}`, { id });
  return toComparison(row);
}

/** The comparison; NOT_FOUND otherwise. */
export async function getComparison(c: StoreContext, id: string): Promise<ComparisonRecord> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT * FROM comparisons WHERE id = $1', [id]),
  );
  const row = rows[0];
  if (!row) throw new StoreError('NOT_FOUND', `no comparison ${id}`, { id });
  return toComparison(row);
}

/** Comparisons newest first, optionally of some statuses. */
export async function listComparisons(
  c: StoreContext,
  filter: { status?: readonly ComparisonStatus[]; limit?: number } = {},
): Promise<ComparisonRecord[]> {
  const limit = clampLimit(filter.limit, 50, 500);
  const params: SqlValue[] = [];
  let where = '';
  if (filter.status !== undefined) {
    for (const s of filter.status) assertStatus(s);
    if (filter.status.length === 0) return [];
    params.push(...filter.status);
    where = `WHERE status IN (${filter.status.map((_, i) => `$${i + 1}`).join(', ')})`;
  }
  params.push(limit);
  const { rows } = await c.db.run((ex) =>
    ex.query(
      `SELECT * FROM comparisons ${where} ORDER BY created_at_ms DESC, id DESC LIMIT $${params.length}`,
      params,
    ),
  );
  return rows.map(toComparison);
}
