import { StoreError } from '../errors.ts';
import type { NewProjectPolicy, ProjectPolicy } from '../model-policies.ts';
import { assertInt, assertText, num, numOrNull, str, type StoreContext } from '../rows.ts';
import type { SqlRow } from '../sql/driver.ts';

function toPolicy(row: SqlRow): ProjectPolicy {
  return {
    projectId: str(row, 'project_id'),
    allowTargets: JSON.parse(str(row, 'allow_targets_json')) as string[],
    maxGenerators: numOrNull(row, 'max_generators'),
    maxDurationMs: numOrNull(row, 'max_duration_ms'),
    maxRatePerSec: numOrNull(row, 'max_rate_per_sec'),
    updatedBy: str(row, 'updated_by'),
    updatedAtMs: num(row, 'updated_at_ms'),
  };
}

function assertPolicy(p: NewProjectPolicy): void {
  assertText(p.projectId, 'projectId');
  assertText(p.updatedBy, 'updatedBy');
  if (!Array.isArray(p.allowTargets)) {
    throw new StoreError('INVALID_INPUT', 'allowTargets must be an array', {
      field: 'allowTargets',
    });
  }
  p.allowTargets.forEach((t, i) => assertText(t, `allowTargets[${i}]`));
  if (p.maxGenerators !== null) assertInt(p.maxGenerators, 'maxGenerators', 1);
  if (p.maxDurationMs !== null) assertInt(p.maxDurationMs, 'maxDurationMs', 1);
  const rate = p.maxRatePerSec;
  if (rate !== null && !(typeof rate === 'number' && Number.isFinite(rate) && rate > 0)) {
    throw new StoreError('INVALID_INPUT', 'maxRatePerSec must be a positive number', {
      field: 'maxRatePerSec',
      value: rate,
    });
  }
}

/** The project's policy, or null when it has none; NOT_FOUND for an unknown project. */
export async function getProjectPolicy(
  c: StoreContext,
  projectId: string,
): Promise<ProjectPolicy | null> {
  return c.db.run(async (ex) => {
    const { rows } = await ex.query(
      `SELECT p.id AS known, pp.* FROM projects p
       LEFT JOIN project_policies pp ON pp.project_id = p.id WHERE p.id = $1`,
      [projectId],
    );
    const row = rows[0];
    if (!row) throw new StoreError('NOT_FOUND', `no project ${projectId}`, { id: projectId });
    return row['project_id'] === null || row['project_id'] === undefined ? null : toPolicy(row);
  });
}

/** Replaces the project's policy; NOT_FOUND for an unknown project. */
export async function setProjectPolicy(
  c: StoreContext,
  input: NewProjectPolicy,
): Promise<ProjectPolicy> {
  assertPolicy(input);
  const policy: ProjectPolicy = {
    ...input,
    allowTargets: [...input.allowTargets],
    updatedAtMs: c.clock.nowMs(),
  };
  return c.db.transaction(async (tx) => {
    const project = await tx.query('SELECT 1 AS one FROM projects WHERE id = $1', [
      input.projectId,
    ]);
    if (project.rows.length === 0) {
      throw new StoreError('NOT_FOUND', `no project ${input.projectId}`, { id: input.projectId });
    }
    await tx.query(
      `INSERT INTO project_policies (project_id, allow_targets_json, max_generators,
         max_duration_ms, max_rate_per_sec, updated_by, updated_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (project_id) DO UPDATE SET allow_targets_json = excluded.allow_targets_json,
         max_generators = excluded.max_generators, max_duration_ms = excluded.max_duration_ms,
         max_rate_per_sec = excluded.max_rate_per_sec, updated_by = excluded.updated_by,
         updated_at_ms = excluded.updated_at_ms`,
      [
        policy.projectId,
        JSON.stringify(policy.allowTargets),
        policy.maxGenerators,
        policy.maxDurationMs,
        policy.maxRatePerSec,
        policy.updatedBy,
        policy.updatedAtMs,
      ],
    );
    return policy;
  });
}
