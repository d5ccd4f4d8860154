import pg from 'pg';
import { StoreError } from '../errors.ts';
import type { SqlDriver, SqlExecutor, SqlResult, SqlValue } from './driver.ts';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01', // admin shutdown
  '57P03', // cannot connect now
  '53300', // too many connections
  '3D000', // database does not exist
  '28P01', // bad password
  '28000', // bad authorization
]);

/** Maps a pg error to a StoreError. */
export function mapPgError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  if (e.code === '23505') return new StoreError('CONFLICT', message, {}, { cause: err });
  if (e.code === '23503') return new StoreError('NOT_FOUND', message, {}, { cause: err });
  // Class 22 is bad data, such as a NUL character in text that SQLite would take.
  if (e.code?.startsWith('22')) return new StoreError('INVALID_INPUT', message, {}, { cause: err });
  if (
    (e.code !== undefined && CONNECTION_CODES.has(e.code)) ||
    /connect|terminat|timeout/i.test(message)
  ) {
    return new StoreError('UNAVAILABLE', `PostgreSQL unavailable: ${message}`, {}, { cause: err });
  }
  return new StoreError('INTERNAL', message, {}, { cause: err });
}

function executor(q: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query(sql: string, params: readonly SqlValue[] = []): Promise<SqlResult> {
      try {
        const r = await q.query(sql, params as SqlValue[]);
        return { rows: r.rows as Record<string, unknown>[], changes: r.rowCount ?? 0 };
      } catch (err) {
        throw mapPgError(err);
      }
    },
  };
}

/** Options of the PostgreSQL driver. */
export interface PostgresDriverOptions {
  /** Schema put first on every connection's search_path (tests use one schema per run). */
  schema?: string;
  /** Pool size (default 10). */
  maxConnections?: number;
}

/** A SqlDriver over a pg.Pool. */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres';
  readonly #pool: pg.Pool;

  constructor(url: string, options: PostgresDriverOptions = {}) {
    const config: pg.PoolConfig = {
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: 10_000,
    };
    if (options.schema !== undefined) {
      if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
        throw new StoreError('INVALID_INPUT', `bad schema name ${options.schema}`);
      }
      config.options = `-c search_path=${options.schema}`;
    }
    this.#pool = new pg.Pool(config);
    // An idle client losing its connection must not crash the controller; the next query reports it.
    this.#pool.on('error', () => undefined);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw mapPgError(err);
    }
    const tx = executor(client);
    try {
      await tx.query('BEGIN');
      const result = await fn(tx);
      await tx.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch (rollbackErr) {
        client.release(rollbackErr instanceof Error ? rollbackErr : true);
      }
      throw err;
    }
  }

  run<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(executor(this.#pool));
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
