/** A value bound to a statement parameter. */
export type SqlValue = string | number | null | Uint8Array;

/** A result row as returned by the driver (BIGINT may come back as a string from PostgreSQL). */
export type SqlRow = Record<string, unknown>;

/** The result of one statement: its rows (SELECT or RETURNING) and how many rows it changed. */
export interface SqlResult {
  rows: SqlRow[];
  changes: number;
}

/** Runs statements written with PostgreSQL placeholders (`$1`, `$2`, …) on one connection. */
export interface SqlExecutor {
  /** Runs one statement; driver errors are turned into StoreErrors. */
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlResult>;
}

/** The SQL dialects the store speaks. */
export type Dialect = 'sqlite' | 'postgres';

/** A connection (pool) to one database in one dialect. */
export interface SqlDriver {
  readonly dialect: Dialect;
  /** Runs `fn` in a write transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs `fn` outside an explicit transaction (each statement commits on its own). */
  run<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}

/** `($n, $n+1, …)` for an IN list of `count` parameters starting at `$start`. */
export function placeholders(start: number, count: number): string {
  return `(${Array.from({ length: count }, (_, i) => `$${start + i}`).join(', ')})`;
}
