import { randomUUID } from 'node:crypto';
import type { Db } from './open-database.ts';

/**
 * The UUID naming this database file, written once by the migration that created the `meta` table
 * (a file migrated before that gets one the same way). Copying the file copies its identity.
 */
export function databaseId(db: Db): string {
  const client = db.$client;
  const read = () =>
    client.prepare("SELECT value FROM meta WHERE key = 'database_id'").get() as { value: string } | undefined;
  const row = read();
  if (row) return row.value;
  // Only reachable if someone deleted the row by hand: give the file a new identity rather than none.
  client.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('database_id', ?)").run(randomUUID());
  return (read() as { value: string }).value;
}
