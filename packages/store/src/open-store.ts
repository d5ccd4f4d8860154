import { fileURLToPath } from 'node:url';
import { StoreError } from './errors.ts';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store.ts';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
import type { Store } from './store.ts';

/** Options of `openStore`; each dialect ignores the other's fields. */
export type OpenStoreOptions = SqliteStoreOptions & PostgresStoreOptions;

/** Opens the store named by `url`: `postgres://…`/`postgresql://…`, `sqlite:/path.db`, `sqlite::memory:`, or a plain path. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (typeof url !== 'string' || url.length === 0) {
    throw new StoreError('INVALID_INPUT', 'store url is empty');
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return PostgresStore.open(url, options);
  let path = url;
  if (/^sqlite:\/\//i.test(url)) path = fileURLToPath(`file://${url.slice('sqlite://'.length)}`);
  else if (/^sqlite:/i.test(url)) path = url.slice('sqlite:'.length);
  else if (/^file:/i.test(url)) path = fileURLToPath(url);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new StoreError('INVALID_INPUT', `unsupported store url ${url.split(':')[0]}://`);
  }
  if (path.length === 0) throw new StoreError('INVALID_INPUT', 'sqlite path is empty');
  return SqliteStore.open(path, options);
}
