import { StoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { JOB_STATUSES, type Job } from '../model.ts';
import {
  assertInt,
  assertJson,
  assertText,
  clampLimit,
  num,
  str,
  toJob,
  type StoreContext,
} from '../rows.ts';
import { placeholders, type SqlExecutor, type SqlValue } from '../sql/driver.ts';
import type { JobFilter, NewJob } from '../store.ts';

// First key of the PostgreSQL advisory lock taken per queue while leasing (the second is the
// queue name's hash), so the concurrency cap holds across controllers.
const PG_QUEUE_LOCK = 73_736_002;

/** Adds a queued job. */
export async function enqueue(c: StoreContext, input: NewJob): Promise<Job> {
  assertText(input.queue, 'queue');
  assertText(input.kind, 'kind');
  assertJson(input.payloadJson, 'payloadJson');
  const priority = input.priority ?? 0;
  assertInt(priority, 'priority', -1_000_000, 1_000_000);
  const nowMs = c.clock.nowMs();
  const availableAtMs = input.availableAtMs ?? nowMs;
  assertInt(availableAtMs, 'availableAtMs');
  const { rows } = await c.db.run((ex) =>
    ex.query(
      `INSERT INTO jobs (id, kind, queue, payload_json, status, priority, attempts,
         created_at_ms, available_at_ms)
       VALUES ($1, $2, $3, $4, 'queued', $5, 0, $6, $7) RETURNING *`,
      [
        newId('job', nowMs),
        input.kind,
        input.queue,
        input.payloadJson,
        priority,
        nowMs,
        availableAtMs,
      ],
    ),
  );
  return toJob(rows[0] ?? {});
}

/** Leases the next available job of a queue under its concurrency cap. */
export async function lease(
  c: StoreContext,
  queue: string,
  owner: string,
  leaseMs: number,
  maxConcurrentPerQueue: number,
): Promise<Job | null> {
  assertText(queue, 'queue');
  assertText(owner, 'owner');
  assertInt(leaseMs, 'leaseMs', 1);
  assertInt(maxConcurrentPerQueue, 'maxConcurrentPerQueue', 1);
  const pg = c.db.dialect === 'postgres';
  return c.db.transaction(async (tx) => {
    if (pg) await tx.query(`SELECT pg_advisory_xact_lock(${PG_QUEUE_LOCK}, hashtext($1))`, [queue]);
    const nowMs = c.clock.nowMs();
    const active = await tx.query(
      `SELECT COUNT(*) AS n FROM jobs
       WHERE queue = $1 AND status = 'leased' AND lease_expires_ms > $2`,
      [queue, nowMs],
    );
    if (num(active.rows[0] ?? { n: 0 }, 'n') >= maxConcurrentPerQueue) return null;
    const next = await tx.query(
      `SELECT created_seq FROM jobs
       WHERE queue = $1 AND ((status = 'queued' AND available_at_ms <= $2)
         OR (status = 'leased' AND lease_expires_ms <= $2))
       ORDER BY priority DESC, created_seq LIMIT 1${pg ? ' FOR UPDATE SKIP LOCKED' : ''}`,
      [queue, nowMs],
    );
    const row = next.rows[0];
    if (!row) return null;
    const { rows } = await tx.query(
      `UPDATE jobs SET status = 'leased', lease_owner = $2, lease_expires_ms = $3,
         attempts = attempts + 1
       WHERE created_seq = $1 RETURNING *`,
      [num(row, 'created_seq'), owner, nowMs + leaseMs],
    );
    return toJob(rows[0] ?? {});
  });
}

/** Runs an update on a job the owner holds; NOT_FOUND or CONFLICT otherwise. */
async function updateHeld(
  c: StoreContext,
  jobId: string,
  owner: string,
  set: string,
  params: SqlValue[],
): Promise<Job> {
  return c.db.transaction(async (tx: SqlExecutor) => {
    const { rows } = await tx.query(
      `UPDATE jobs SET ${set}
       WHERE id = $1 AND status = 'leased' AND lease_owner = $2 RETURNING *`,
      [jobId, owner, ...params],
    );
    if (rows[0]) return toJob(rows[0]);
    const found = await tx.query('SELECT status, lease_owner FROM jobs WHERE id = $1', [jobId]);
    const row = found.rows[0];
    if (!row) throw new StoreError('NOT_FOUND', `no job ${jobId}`, { id: jobId });
    throw new StoreError('CONFLICT', `job ${jobId} is not leased by ${owner}`, {
      id: jobId,
      status: str(row, 'status'),
      leaseOwner: row['lease_owner'] ?? null,
    });
  });
}

/** Extends a held lease to now + leaseMs. */
export async function renew(
  c: StoreContext,
  jobId: string,
  owner: string,
  leaseMs: number,
): Promise<Job> {
  assertInt(leaseMs, 'leaseMs', 1);
  return updateHeld(c, jobId, owner, 'lease_expires_ms = $3', [c.clock.nowMs() + leaseMs]);
}

/** Marks a held job done. */
export async function complete(c: StoreContext, jobId: string, owner: string): Promise<Job> {
  return updateHeld(c, jobId, owner, `status = 'done', lease_expires_ms = NULL`, []);
}

/** Fails a held job: re-queued at retryAtMs, or failed for good. */
export async function fail(
  c: StoreContext,
  jobId: string,
  owner: string,
  error: string,
  retryAtMs: number | null,
): Promise<Job> {
  if (typeof error !== 'string') throw new StoreError('INVALID_INPUT', 'error must be a string');
  if (retryAtMs === null) {
    return updateHeld(
      c,
      jobId,
      owner,
      `status = 'failed', lease_expires_ms = NULL, last_error = $3`,
      [error],
    );
  }
  assertInt(retryAtMs, 'retryAtMs');
  return updateHeld(
    c,
    jobId,
    owner,
    `status = 'queued', lease_owner = NULL, lease_expires_ms = NULL, last_error = $3,
     available_at_ms = $4`,
    [error, retryAtMs],
  );
}

/** The job; NOT_FOUND otherwise. */
export async function getJob(c: StoreContext, id: string): Promise<Job> {
  const { rows } = await c.db.run((ex) => ex.query('SELECT * FROM jobs WHERE id = $1', [id]));
  if (!rows[0]) throw new StoreError('NOT_FOUND', `no job ${id}`, { id });
  return toJob(rows[0]);
}

/** Jobs oldest first. */
export async function listJobs(c: StoreContext, filter: JobFilter = {}): Promise<Job[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.queue !== undefined) {
    params.push(filter.queue);
    where.push(`queue = $${params.length}`);
  }
  if (filter.status !== undefined) {
    for (const s of filter.status) {
      if (!(JOB_STATUSES as readonly string[]).includes(s)) {
        throw new StoreError('INVALID_INPUT', `${String(s)} is not a job status`);
      }
    }
    if (filter.status.length === 0) return [];
    where.push(`status IN ${placeholders(params.length + 1, filter.status.length)}`);
    params.push(...filter.status);
  }
  params.push(clampLimit(filter.limit, 100, 1000));
  const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_seq LIMIT $${params.length}`;
  const { rows } = await c.db.run((ex) => ex.query(sql, params));
  return rows.map(toJob);
}
