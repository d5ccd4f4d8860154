import { SqlStore, type StoreOptions } from './sql-store.ts';
import { SqliteDriver } from './sql/sqlite-driver.ts';

/** Options of the SQLite store. */
export interface SqliteStoreOptions extends StoreOptions {
  /** How long a statement waits for another process's write lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** The embedded store: one SQLite file (WAL mode) or `:memory:`. */
export class SqliteStore extends SqlStore {
  /** Opens (creating if needed) and migrates the database at `path`. */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const store = new SqliteStore(
      new SqliteDriver(path, options.busyTimeoutMs),
      SqlStore.clockOf(options),
    );
    return SqlStore.init(store, options);
  }
}
