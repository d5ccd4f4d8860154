import { StoreError, isStoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import {
  GENERATOR_KINDS,
  GENERATOR_STATUSES,
  isTerminalRunStatus,
  type Generator,
  type GeneratorStatus,
  type RunStatus,
} from '../model.ts';
import {
  assertInt,
  assertJson,
  assertText,
  str,
  strOrNull,
  toGenerator,
  type StoreContext,
} from '../rows.ts';
import { placeholders, type SqlValue } from '../sql/driver.ts';
import type { GeneratorFilter, NewGenerator } from '../store.ts';

function assertGeneratorStatuses(list: readonly unknown[], field: string): void {
  for (const s of list) {
    if (!(GENERATOR_STATUSES as readonly unknown[]).includes(s)) {
      throw new StoreError('INVALID_INPUT', `${field}: ${String(s)} is not a generator status`, {
        field,
        allowed: GENERATOR_STATUSES,
      });
    }
  }
}

/** Registers an idle generator. */
export async function createGenerator(c: StoreContext, input: NewGenerator): Promise<Generator> {
  assertText(input.name, 'name');
  assertText(input.pool, 'pool');
  if (!(GENERATOR_KINDS as readonly string[]).includes(input.kind)) {
    throw new StoreError('INVALID_INPUT', `unknown generator kind ${input.kind}`, {
      allowed: GENERATOR_KINDS,
    });
  }
  const nowMs = c.clock.nowMs();
  const id = newId('gen', nowMs);
  try {
    const { rows } = await c.db.run((ex) =>
      ex.query(
        `INSERT INTO generators (id, name, kind, pool, status, cert_serial, created_at_ms)
         VALUES ($1, $2, $3, $4, 'idle', $5, $6) RETURNING *`,
        [id, input.name, input.kind, input.pool, input.certSerial ?? null, nowMs],
      ),
    );
    return toGenerator(rows[0] ?? {});
  } catch (err) {
    if (isStoreError(err, 'CONFLICT')) {
      throw new StoreError('CONFLICT', `a generator named ${input.name} exists`, {
        name: input.name,
      });
    }
    throw err;
  }
}

/** The generator; NOT_FOUND otherwise. */
export async function getGenerator(c: StoreContext, id: string): Promise<Generator> {
  const { rows } = await c.db.run((ex) => ex.query('SELECT * FROM generators WHERE id = $1', [id]));
  const row = rows[0];
  if (!row) throw new StoreError('NOT_FOUND', `no generator ${id}`, { id });
  return toGenerator(row);
}

/** Generators by creation time. */
export async function listGenerators(
  c: StoreContext,
  filter: GeneratorFilter = {},
): Promise<Generator[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.pool !== undefined) {
    params.push(filter.pool);
    where.push(`pool = $${params.length}`);
  }
  if (filter.runId !== undefined) {
    params.push(filter.runId);
    where.push(`run_id = $${params.length}`);
  }
  if (filter.status !== undefined) {
    assertGeneratorStatuses(filter.status, 'status');
    if (filter.status.length === 0) return [];
    where.push(`status IN ${placeholders(params.length + 1, filter.status.length)}`);
    params.push(...filter.status);
  }
  if (filter.includeRetired !== true) where.push('retired_at_ms IS NULL');
  const sql = `SELECT * FROM generators ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at_ms, id`;
  const { rows } = await c.db.run((ex) => ex.query(sql, params));
  return rows.map(toGenerator);
}

async function updateOne(
  c: StoreContext,
  id: string,
  sql: string,
  params: SqlValue[],
): Promise<Generator> {
  const { rows } = await c.db.run((ex) => ex.query(sql, [id, ...params]));
  const row = rows[0];
  if (!row) throw new StoreError('NOT_FOUND', `no generator ${id}`, { id });
  return toGenerator(row);
}

/** Records a heartbeat now. */
export async function recordHeartbeat(
  c: StoreContext,
  id: string,
  healthJson: string | null,
): Promise<Generator> {
  if (healthJson !== null) assertJson(healthJson, 'healthJson');
  return updateOne(
    c,
    id,
    'UPDATE generators SET last_heartbeat_ms = $2, health_json = $3 WHERE id = $1 RETURNING *',
    [c.clock.nowMs(), healthJson],
  );
}

/** Records the generator's certificate serial. */
export async function setGeneratorCertSerial(
  c: StoreContext,
  id: string,
  certSerial: string | null,
): Promise<Generator> {
  return updateOne(c, id, 'UPDATE generators SET cert_serial = $2 WHERE id = $1 RETURNING *', [
    certSerial,
  ]);
}

/** Compare-and-set of a generator's status. */
export async function setGeneratorStatus(
  c: StoreContext,
  id: string,
  from: readonly GeneratorStatus[],
  to: GeneratorStatus,
): Promise<Generator> {
  assertGeneratorStatuses(from, 'from');
  assertGeneratorStatuses([to], 'to');
  const forUpdate = c.db.dialect === 'postgres' ? ' FOR UPDATE' : '';
  return c.db.transaction(async (tx) => {
    const { rows } = await tx.query(
      `SELECT status, run_id FROM generators WHERE id = $1${forUpdate}`,
      [id],
    );
    const row = rows[0];
    if (!row) throw new StoreError('NOT_FOUND', `no generator ${id}`, { id });
    const current = str(row, 'status') as GeneratorStatus;
    if (!from.includes(current) || current === 'terminated') {
      throw new StoreError('INVALID_STATE', `generator ${id} is ${current}`, {
        id,
        status: current,
        expected: from,
      });
    }
    if (to === 'assigned' && strOrNull(row, 'run_id') === null) {
      throw new StoreError('INVALID_STATE', `generator ${id} has no run; use assignGenerators`, {
        id,
      });
    }
    const nowMs = c.clock.nowMs();
    const clearRun = to === 'idle' || to === 'terminated';
    const { rows: updated } = await tx.query(
      `UPDATE generators SET status = $2,
         run_id = CASE WHEN $3 = 1 THEN NULL ELSE run_id END,
         retired_at_ms = COALESCE(retired_at_ms, $4)
       WHERE id = $1 RETURNING *`,
      [id, to, clearRun ? 1 : 0, to === 'terminated' ? nowMs : null],
    );
    return toGenerator(updated[0] ?? {});
  });
}

/** Takes `count` idle generators of `pool` for the run, all or none. */
export async function assignGenerators(
  c: StoreContext,
  runId: string,
  count: number,
  pool: string,
): Promise<Generator[]> {
  assertInt(count, 'count', 1);
  assertText(pool, 'pool');
  const pg = c.db.dialect === 'postgres';
  return c.db.transaction(async (tx) => {
    const run = await tx.query(`SELECT status FROM runs WHERE id = $1${pg ? ' FOR UPDATE' : ''}`, [
      runId,
    ]);
    const row = run.rows[0];
    if (!row) throw new StoreError('NOT_FOUND', `no run ${runId}`, { id: runId });
    if (isTerminalRunStatus(str(row, 'status') as RunStatus)) {
      throw new StoreError('INVALID_STATE', `run ${runId} has ended`, { id: runId });
    }
    const free = await tx.query(
      `SELECT id FROM generators
       WHERE pool = $1 AND status = 'idle' AND run_id IS NULL AND retired_at_ms IS NULL
       ORDER BY created_at_ms, id LIMIT $2${pg ? ' FOR UPDATE SKIP LOCKED' : ''}`,
      [pool, count],
    );
    const shortage = () =>
      new StoreError('CONFLICT', `pool ${pool} has fewer than ${count} idle generators`, {
        pool,
        count,
      });
    if (free.rows.length < count) throw shortage();
    const ids = free.rows.map((r) => str(r, 'id'));
    const { rows } = await tx.query(
      `UPDATE generators SET status = 'assigned', run_id = $1
       WHERE id IN ${placeholders(2, ids.length)} AND status = 'idle' AND run_id IS NULL
       RETURNING *`,
      [runId, ...ids],
    );
    if (rows.length < count) throw shortage();
    return rows
      .map(toGenerator)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1));
  });
}

/** Detaches a run's generators; assigned ones become idle, others keep their status. */
export async function releaseGenerators(c: StoreContext, runId: string): Promise<number> {
  return c.db.transaction(async (tx) => {
    const a = await tx.query(
      `UPDATE generators SET status = 'idle', run_id = NULL WHERE run_id = $1 AND status = 'assigned'`,
      [runId],
    );
    const b = await tx.query('UPDATE generators SET run_id = NULL WHERE run_id = $1', [runId]);
    return a.changes + b.changes;
  });
}
