import assert from 'node:assert/strict';
import type { StoreClock } from '../clock.ts';
import { isStoreError, type StoreErrorCode } from '../errors.ts';
import type { Migration } from '../migrations/migration.ts';
import type { Store } from '../store.ts';

/** A clock for tests: time moves only when `advance` is called. */
export class TestClock implements StoreClock {
  #now: number;
  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }
  nowMs(): number {
    return this.#now;
  }
  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** What a contract test may ask of the database under test. */
export interface OpenOptions {
  clock: StoreClock;
  migrations?: readonly Migration[];
}

/** One fresh, empty database; `open` can be called several times (each call is a new connection or pool). */
export interface TestDatabase {
  open(options: OpenOptions): Promise<Store>;
  /** False for `:memory:`: a second open would be another database. */
  reopenable: boolean;
  /** Removes the database (file or schema). */
  destroy(): Promise<void>;
}

/** Makes a fresh database for one test. */
export type MakeDatabase = () => Promise<TestDatabase>;

/** A test's view: the store, the clock, and (if reopenable) a way to open more stores on the same database. */
export interface Harness {
  store: Store;
  clock: TestClock;
  db: TestDatabase;
  /** Opens another store on the same database (tracked and closed at the end). */
  another(options?: Partial<OpenOptions>): Promise<Store>;
}

/** Runs `fn` against a fresh database, closing every store and destroying the database after. */
export async function withStore(
  make: MakeDatabase,
  fn: (h: Harness) => Promise<void>,
): Promise<void> {
  const db = await make();
  const clock = new TestClock();
  const opened: Store[] = [];
  try {
    const store = await db.open({ clock });
    opened.push(store);
    await fn({
      store,
      clock,
      db,
      async another(options = {}) {
        const s = await db.open({ clock, ...options });
        opened.push(s);
        return s;
      },
    });
  } finally {
    for (const s of opened) await s.close();
    await db.destroy();
  }
}

/** Asserts that `p` rejects with a StoreError of the given code. */
export async function rejectsWith(p: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isStoreError(err), `expected a StoreError, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return true;
  });
}

/** A lowercase SHA-256-looking hex string built from `seed`. */
export function fakeHash(seed: number): string {
  return seed.toString(16).padStart(64, '0');
}

/** A bundle plus a queued run in the default project. */
export async function makeRun(
  store: Store,
  extra: { pool?: string; labels?: Record<string, string>; projectId?: string } = {},
): Promise<string> {
  const bundle = await store.putBundle(new TextEncoder().encode('export default () => {}'));
  const run = await store.createRun({
    planJson: '{"scenarios":{}}',
    bundleSha256: bundle.sha256,
    generatorsRequested: 1,
    pool: extra.pool ?? 'local',
    createdBy: 'tester',
    ...(extra.labels ? { labels: extra.labels } : {}),
    ...(extra.projectId ? { projectId: extra.projectId } : {}),
  });
  return run.id;
}
