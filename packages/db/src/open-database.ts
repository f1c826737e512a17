import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before SQLITE_BUSY (ms). */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) the SQLite file at `path`. WAL lets users read with sqlite3 while the API
 * writes; synchronous=NORMAL is durable across process crashes in WAL mode and only risks the last
 * commits on power loss, which the event stream would replay anyway.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  let client: Database.Database;
  try {
    client = new Database(path);
  } catch (err) {
    throw new Error(`cannot open SQLite database ${path}: ${(err as Error).message}`, { cause: err });
  }
  client.pragma('journal_mode = WAL');
  client.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  client.pragma('foreign_keys = ON');
  client.pragma('synchronous = NORMAL');
  return drizzle({ client, schema });
}

export function closeDatabase(db: Db): void {
  db.$client.close();
}
