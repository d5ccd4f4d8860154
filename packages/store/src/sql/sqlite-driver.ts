import { realpathSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { StoreError } from '../errors.ts';
import type { SqlDriver, SqlExecutor, SqlResult, SqlValue } from './driver.ts';

/** Serializes async work: node:sqlite is synchronous, so a transaction must own the connection. */
class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

// One mutex per database file in this process: two connections to one file on one thread would
// otherwise deadlock (the second blocks the thread in busy_timeout while the first awaits).
const fileLocks = new Map<string, Mutex>();

function lockFor(path: string): Mutex {
  if (path === ':memory:') return new Mutex();
  let key = path;
  try {
    key = realpathSync(path);
  } catch {
    // not created yet: the path as given
  }
  let lock = fileLocks.get(key);
  if (!lock) {
    lock = new Mutex();
    fileLocks.set(key, lock);
  }
  return lock;
}

/** Maps a node:sqlite error to a StoreError. */
function mapError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { errcode?: number; message?: string };
  const message = e.message ?? String(err);
  const primary = (e.errcode ?? 0) & 0xff;
  if (e.errcode === 2067 || e.errcode === 1555) {
    return new StoreError('CONFLICT', message, {}, { cause: err });
  }
  if (e.errcode === 787) return new StoreError('NOT_FOUND', message, {}, { cause: err });
  if (primary === 5 || primary === 6) {
    return new StoreError('UNAVAILABLE', `database is busy: ${message}`, {}, { cause: err });
  }
  return new StoreError('INTERNAL', message, {}, { cause: err });
}

/** A SqlDriver over one node:sqlite connection (WAL, busy_timeout, foreign keys). */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  readonly #db: DatabaseSync;
  readonly #lock: Mutex;
  readonly #statements = new Map<string, StatementSync>();
  readonly #executor: SqlExecutor;

  constructor(path: string, busyTimeoutMs = 5000) {
    try {
      this.#db = new DatabaseSync(path);
      this.#db.exec(`PRAGMA busy_timeout = ${Math.floor(busyTimeoutMs)}`);
      if (path !== ':memory:') this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec('PRAGMA synchronous = NORMAL');
      this.#db.exec('PRAGMA foreign_keys = ON');
    } catch (err) {
      throw new StoreError('UNAVAILABLE', `cannot open SQLite database ${path}: ${String(err)}`, {
        path,
      });
    }
    this.#lock = lockFor(path);
    this.#executor = { query: async (sql, params) => this.#query(sql, params ?? []) };
  }

  #query(sql: string, params: readonly SqlValue[]): SqlResult {
    try {
      let stmt = this.#statements.get(sql);
      if (!stmt) {
        stmt = this.#db.prepare(sql.replace(/\$(\d+)/g, '?$1'));
        this.#statements.set(sql, stmt);
      }
      if (stmt.columns().length > 0) {
        const rows = stmt.all(...params) as Record<string, unknown>[];
        return { rows, changes: rows.length };
      }
      const r = stmt.run(...params);
      return { rows: [], changes: Number(r.changes) };
    } catch (err) {
      throw mapError(err);
    }
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#lock.run(async () => {
      this.#exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.#executor);
        this.#exec('COMMIT');
        return result;
      } catch (err) {
        if (this.#db.isTransaction) this.#exec('ROLLBACK');
        throw err;
      }
    });
  }

  run<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#lock.run(() => fn(this.#executor));
  }

  #exec(sql: string): void {
    try {
      this.#db.exec(sql);
    } catch (err) {
      throw mapError(err);
    }
  }

  async close(): Promise<void> {
    await this.#lock.run(async () => {
      this.#statements.clear();
      if (this.#db.isOpen) this.#db.close();
    });
  }
}
