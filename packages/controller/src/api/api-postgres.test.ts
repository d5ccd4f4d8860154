// The REST API over the PostgreSQL store: every suite, each test in a fresh schema.
// PostgreSQL must run on 127.0.0.1:5432 (trust auth, database "test"); override with STAMPEDE_TEST_PG_URL.
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '@stampede/store';
import { call, withApi, type MakeStore } from './testing/harness.ts';
import { adminSuite } from './testing/suite-admin.ts';
import { badInputSuite } from './testing/suite-bad-input.ts';
import { fuzzSuite } from './testing/suite-fuzz.ts';
import { hardeningSuite } from './testing/suite-hardening.ts';
import { projectsSuite } from './testing/suite-projects.ts';
import { runsSuite } from './testing/suite-runs.ts';

const url = process.env['STAMPEDE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `stampede_api_${randomBytes(5).toString('hex')}`;
const admin = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 });
admin.on('error', () => undefined);
let n = 0;

before(async () => {
  try {
    await admin.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is required for the API's postgres tests but ${url} is unreachable (${String(err)}).`,
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

const postgres: MakeStore = async (clock) => {
  const schema = `${prefix}_${n++}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const store = await PostgresStore.open(url, { clock, schema, maxConnections: 4 });
  return {
    store,
    close: async () => {
      await store.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
};

runsSuite(postgres);
projectsSuite(postgres);
adminSuite(postgres);
badInputSuite(postgres);
hardeningSuite(postgres);
fuzzSuite(postgres);

test('text PostgreSQL refuses (a NUL inside an opaque cursor) is a 400, not a 500', () =>
  withApi(postgres, async (h) => {
    const cursor = Buffer.from(JSON.stringify([1, 'run\u0000x'])).toString('base64url');
    const res = await call(h.app, 'GET', `/api/v1/runs?cursor=${cursor}`, { token: h.tokens.read });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal((res.json() as { code: string }).code, 'INVALID_INPUT');
  }));
