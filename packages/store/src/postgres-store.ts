import { SqlStore, type StoreOptions } from './sql-store.ts';
import { PostgresDriver } from './sql/postgres-driver.ts';

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions extends StoreOptions {
  /** Schema set as the search_path of every pooled connection (must exist). */
  schema?: string;
  /** Pool size (default 10). */
  maxConnections?: number;
}

/** The store for several controllers or big histories: PostgreSQL through a pg.Pool. */
export class PostgresStore extends SqlStore {
  /** Connects to `url` (postgres://…) and migrates. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const driverOptions: { schema?: string; maxConnections?: number } = {};
    if (options.schema !== undefined) driverOptions.schema = options.schema;
    if (options.maxConnections !== undefined) driverOptions.maxConnections = options.maxConnections;
    const store = new PostgresStore(
      new PostgresDriver(url, driverOptions),
      SqlStore.clockOf(options),
    );
    return SqlStore.init(store, options);
  }
}
