import type { StoreClock } from './clock.ts';
import { StoreError } from './errors.ts';
import type { Migration } from './migrations/migration.ts';
import type { SqlDriver } from './sql/driver.ts';

// Any constant: serializes migrations of controllers sharing one PostgreSQL database.
const PG_MIGRATION_LOCK = 73_736_001;

/** Applies the missing migrations in one transaction; returns the versions applied. */
export async function migrate(
  driver: SqlDriver,
  clock: StoreClock,
  migrations: readonly Migration[],
): Promise<number[]> {
  return driver.transaction(async (tx) => {
    if (driver.dialect === 'postgres') {
      await tx.query(`SELECT pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`);
    }
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms ${
           driver.dialect === 'postgres' ? 'BIGINT' : 'INTEGER'
         } NOT NULL)`,
    );
    const { rows } = await tx.query('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r['version'])));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new StoreError(
        'SCHEMA_TOO_NEW',
        `the database has schema version ${newest} but this Stampede knows up to ${known}; upgrade Stampede`,
        { databaseVersion: newest, knownVersion: known },
      );
    }
    const done: number[] = [];
    const nowMs = clock.nowMs();
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      for (const s of m.up({ dialect: driver.dialect, nowMs })) await tx.query(s.sql, s.params);
      await tx.query(
        'INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)',
        [m.version, m.name, nowMs],
      );
      done.push(m.version);
    }
    return done;
  });
}

/** The highest applied migration version (0 when none). */
export async function schemaVersion(driver: SqlDriver): Promise<number> {
  return driver.run(async (ex) => {
    const { rows } = await ex.query('SELECT MAX(version) AS v FROM schema_migrations');
    return Number(rows[0]?.['v'] ?? 0);
  });
}
