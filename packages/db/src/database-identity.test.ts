import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { databaseId } from './database-identity.ts';
import { migrate } from './migrate.ts';
import { closeDatabase, openDatabase } from './open-database.ts';
import { testDb } from './test-db.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('each database file gets its own UUID at migration, stable across reopening', () => {
  const a = testDb('identity-a');
  const b = testDb('identity-b');
  try {
    const id = databaseId(a.db);
    assert.match(id, UUID);
    assert.notEqual(databaseId(b.db), id);
    closeDatabase(a.db);
    const reopened = openDatabase(a.path);
    migrate(reopened);
    assert.equal(databaseId(reopened), id);
    closeDatabase(reopened);
  } finally {
    rmSync(a.dir, { recursive: true, force: true });
    b.close();
  }
});
