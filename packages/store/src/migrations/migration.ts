import type { Dialect, SqlValue } from '../sql/driver.ts';

/** One statement of a migration, with PostgreSQL placeholders. */
export interface MigrationStatement {
  sql: string;
  params?: SqlValue[];
}

/** What a migration may depend on when it runs. */
export interface MigrationContext {
  dialect: Dialect;
  nowMs: number;
}

/** A numbered schema change; versions are applied in order, each once, inside one transaction. */
export interface Migration {
  version: number;
  name: string;
  up(ctx: MigrationContext): MigrationStatement[];
}

const TYPES: Record<Dialect, Record<string, string>> = {
  sqlite: {
    BIGINT: 'INTEGER',
    BLOB: 'BLOB',
    AUTO_ID: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  },
  postgres: {
    BIGINT: 'BIGINT',
    BLOB: 'BYTEA',
    AUTO_ID: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  },
};

/** Splits DDL on `;` and replaces `{BIGINT}`, `{BLOB}` and `{AUTO_ID}` with the dialect's types. */
export function ddl(dialect: Dialect, text: string): MigrationStatement[] {
  const types = TYPES[dialect];
  return text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => ({
      sql: s.replace(/\{(\w+)\}/g, (_, name: string) => types[name] ?? `{${name}}`),
    }));
}
