import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import pg from 'pg';
import { storeContract } from './contract/store-contract.ts';
import { PostgresStore } from './postgres-store.ts';

// PostgreSQL must run on 127.0.0.1:5432 (trust auth, database "test"); override with STAMPEDE_TEST_PG_URL.
const url = process.env['STAMPEDE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `stampede_t_${randomBytes(5).toString('hex')}`;
const admin = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 });
admin.on('error', () => undefined);
let n = 0;

before(async () => {
  try {
    await admin.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is required for the postgres store tests but ${url} is unreachable (${String(err)}). ` +
        'Start it with `pg_ctlcluster <version> main start` (or `.ci/run`), with trust auth and a database named "test".',
    );
  }
});

after(async () => {
  // Drops every schema this run made, even those of tests that failed half-way.
  const { rows } = await admin.query<{ nspname: string }>(
    'SELECT nspname FROM pg_namespace WHERE nspname LIKE $1',
    [`${prefix}%`],
  );
  for (const r of rows) await admin.query(`DROP SCHEMA ${r.nspname} CASCADE`);
  await admin.end();
});

storeContract(
  'PostgresStore',
  async () => {
    const schema = `${prefix}_${n++}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    return {
      reopenable: true,
      open: (o) => PostgresStore.open(url, { ...o, schema, maxConnections: 5 }),
      destroy: async () => {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      },
    };
  },
  { reopenable: true },
);
