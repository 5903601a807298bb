// Temporary SQLite stores for tests: each in its own folder, closed and removed after
// every test (register with `useTempStores()` once per file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../../../src/server/sqlite-store.ts';

const dirs: string[] = [];
const stores: SqliteStore[] = [];

export function useTempStores(): void {
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warren-sqlite-'));
  dirs.push(dir);
  return dir;
}

/** A store over `dir`, closed after the test. */
export function open(dir: string, options?: SqliteStoreOptions): SqliteStore {
  const store = options === undefined ? new SqliteStore(dir) : new SqliteStore(dir, options);
  stores.push(store);
  return store;
}

/** The process dies: the open transaction is lost, nothing more is written. */
export function crash(store: SqliteStore): void {
  stores.splice(stores.indexOf(store), 1);
  dbOf(store).close();
}

/** The store's database handle, for tests that look underneath. */
export function dbOf(store: SqliteStore): DatabaseSync {
  return (store as unknown as { db: DatabaseSync }).db;
}
