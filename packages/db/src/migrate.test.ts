import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '@sweeplab/testing';
import { appliedMigrationCount, MIGRATIONS_FOLDER, migrate } from './migrate.ts';
import { closeDatabase, openDatabase } from './open-database.ts';
import { getRun, listRuns } from './read-runs.ts';
import { testDb } from './test-db.ts';

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
  entries: { tag: string }[];
};

function columns(db: ReturnType<typeof openDatabase>, table: string): string[] {
  return (db.$client.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
}

function indexes(db: ReturnType<typeof openDatabase>, table: string): string[] {
  return (db.$client.prepare(`PRAGMA index_list(${table})`).all() as { name: string }[]).map((i) => i.name);
}

test('openDatabase creates the parent folder and sets WAL, busy timeout, foreign keys, synchronous', () => {
  const t = testDb('open');
  try {
    const c = t.db.$client;
    assert.equal(c.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(c.pragma('busy_timeout', { simple: true }), 5000);
    assert.equal(c.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(c.pragma('synchronous', { simple: true }), 1); // 1 = NORMAL
  } finally {
    t.close();
  }
});

test('migrate builds the latest schema on an empty file and is a no-op the second time', () => {
  const t = testDb('migrate-empty');
  try {
    assert.equal(appliedMigrationCount(t.db), journal.entries.length);
    assert.ok(journal.entries.length >= 2);
    assert.ok(columns(t.db, 'runs').includes('resumed_from_epoch'));
    assert.ok(indexes(t.db, 'runs').includes('runs_status_queued_at_idx'));
    assert.deepEqual(columns(t.db, 'epoch_metrics').slice(0, 3), ['run_id', 'epoch', 'attempt']);
    migrate(t.db);
    assert.equal(appliedMigrationCount(t.db), journal.entries.length);
  } finally {
    t.close();
  }
});

test('a database created at version 1 upgrades in place and keeps its rows', () => {
  const dir = tempDir('migrate-v1');
  try {
    // Version 1 = the committed migrations folder with only its first journal entry.
    const v1 = join(dir.path, 'migrations-v1');
    cpSync(MIGRATIONS_FOLDER, v1, { recursive: true });
    writeFileSync(
      join(v1, 'meta', '_journal.json'),
      JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }),
    );
    const path = join(dir.path, 'old.db');
    let db = openDatabase(path);
    migrate(db, { migrationsFolder: v1 });
    assert.equal(appliedMigrationCount(db), 1);
    assert.ok(!columns(db, 'runs').includes('resumed_from_epoch'));
    // Rows written with the v1 column set, as the v1 code would have.
    db.$client.exec(`
      INSERT INTO sweeps (id, name, method, config, created_at)
        VALUES ('s1', 'old sweep', 'grid', '{"method":"grid"}', '2024-06-01T00:00:00.000Z');
      INSERT INTO runs (id, sweep_id, model, dataset, lr, epochs, batch_size, seed, momentum, status, attempt,
          worker, queued_at, started_at, finished_at)
        VALUES ('r1', 's1', 'cnn', 'mnist', 0.01, 2, 64, 7, 0.9, 'completed', 1, 'w-old',
          '2024-06-01T00:00:00.000Z', '2024-06-01T00:00:01.000Z', '2024-06-01T00:01:00.000Z');
      INSERT INTO epoch_metrics VALUES ('r1', 1, 1, 0.5, 0.8, 0.45, 0.85, 10, 6000, '2024-06-01T00:00:30.000Z');
      INSERT INTO epoch_metrics VALUES ('r1', 2, 1, 0.3, 0.9, 0.25, 0.93, 10, 6000, '2024-06-01T00:01:00.000Z');
    `);
    closeDatabase(db);

    db = openDatabase(path);
    migrate(db);
    assert.equal(appliedMigrationCount(db), journal.entries.length);
    assert.ok(indexes(db, 'runs').includes('runs_status_queued_at_idx'));
    const run = getRun(db, 'r1');
    assert.ok(run);
    assert.equal(run.status, 'completed');
    assert.equal(run.seed, 7);
    assert.equal(run.worker, 'w-old');
    assert.equal(run.resumed_from_epoch, null);
    assert.deepEqual(
      run.metrics.map((m) => [m.epoch, m.val_acc]),
      [
        [1, 0.85],
        [2, 0.93],
      ],
    );
    assert.equal(listRuns(db, { sweepId: 's1' }).length, 1);
    closeDatabase(db);
  } finally {
    dir.remove();
  }
});
