// The REST API over the embedded SQLite store (in memory), every suite.
import { SqliteStore } from '@stampede/store';
import type { MakeStore } from './testing/harness.ts';
import { adminSuite } from './testing/suite-admin.ts';
import { badInputSuite } from './testing/suite-bad-input.ts';
import { fuzzSuite } from './testing/suite-fuzz.ts';
import { hardeningSuite } from './testing/suite-hardening.ts';
import { projectsSuite } from './testing/suite-projects.ts';
import { runsSuite } from './testing/suite-runs.ts';

const sqlite: MakeStore = async (clock) => {
  const store = await SqliteStore.open(':memory:', { clock });
  return { store, close: () => store.close() };
};

runsSuite(sqlite);
projectsSuite(sqlite);
adminSuite(sqlite);
badInputSuite(sqlite);
hardeningSuite(sqlite);
fuzzSuite(sqlite);
