import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRun, createSweep } from './create-runs.ts';
import { listQueuedRunIds, listRuns, runsByStatus } from './read-runs.ts';
import { getSweep, listSweeps } from './read-sweeps.ts';
import { setRunStatus } from './run-status.ts';
import { params, T0, testDb } from './test-db.ts';

test('createSweep stores the sweep, its config JSON and its runs with their params', () => {
  const t = testDb('create-sweep');
  try {
    const config = { method: 'grid', parameters: { lr: { values: [0.1, 0.01] } } };
    const { sweep, runs } = createSweep(t.db, {
      id: 's1',
      name: 'cnn lr',
      method: 'grid',
      config,
      metric: { name: 'val_acc', goal: 'maximize' },
      runs: [
        { id: 'a', params: params({ lr: 0.1, train_subset: 1000 }) },
        { id: 'b', params: params({ lr: 0.01 }) },
      ],
      now: T0,
    });
    assert.equal(sweep.created_at, '2025-01-01T12:00:00.000Z');
    assert.deepEqual(sweep.config, config);
    assert.deepEqual(
      runs.map((r) => [r.id, r.sweep_id, r.lr, r.train_subset, r.val_subset, r.status, r.attempt]),
      [
        ['a', 's1', 0.1, 1000, null, 'queued', 0],
        ['b', 's1', 0.01, null, null, 'queued', 0],
      ],
    );
    const got = getSweep(t.db, 's1');
    assert.equal(got?.metric_name, 'val_acc');
    assert.equal(got?.metric_goal, 'maximize');
    assert.equal(got?.total_runs, 2);
    assert.deepEqual(got?.counts, {
      queued: 2,
      running: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      stopped: 0,
    });
    assert.equal(getSweep(t.db, 'nope'), undefined);
  } finally {
    t.close();
  }
});

test('createSweep is atomic: a failing run leaves neither the sweep nor any run', () => {
  const t = testDb('create-atomic');
  try {
    createRun(t.db, { id: 'taken', params: params() });
    assert.throws(() =>
      createSweep(t.db, {
        id: 's1',
        name: 'x',
        method: 'grid',
        config: {},
        runs: [
          { id: 'fresh', params: params() },
          { id: 'taken', params: params() },
        ],
      }),
    );
    assert.equal(getSweep(t.db, 's1'), undefined);
    assert.deepEqual(
      listRuns(t.db).map((r) => r.id),
      ['taken'],
    );
  } finally {
    t.close();
  }
});

test('createRun refuses a sweep id that does not exist (foreign keys are on)', () => {
  const t = testDb('create-fk');
  try {
    assert.throws(
      () => createRun(t.db, { id: 'r', sweepId: 'ghost', params: params() }),
      /creating run r failed/,
    );
    const run = createRun(t.db, { params: params() });
    assert.match(run.id, /^[0-9a-f-]{36}$/);
    assert.equal(run.sweep_id, null);
  } finally {
    t.close();
  }
});

test('listSweeps, runsByStatus and listQueuedRunIds reflect status changes', () => {
  const t = testDb('read-counts');
  try {
    createSweep(t.db, {
      id: 's1',
      name: 'one',
      method: 'random',
      config: {},
      runs: [{ id: 'a', params: params() }],
      now: T0,
    });
    createSweep(t.db, {
      id: 's2',
      name: 'two',
      method: 'grid',
      config: {},
      runs: [
        { id: 'b', params: params() },
        { id: 'c', params: params() },
      ],
      now: T0 + 1,
    });
    createRun(t.db, { id: 'single', params: params(), now: T0 + 2 });
    setRunStatus(t.db, 'b', 'running', { attempt: 1 });
    assert.deepEqual(runsByStatus(t.db), {
      queued: 3,
      running: 1,
      completed: 0,
      failed: 0,
      cancelled: 0,
      stopped: 0,
    });
    assert.deepEqual(runsByStatus(t.db, { sweepId: 's2' }), {
      queued: 1,
      running: 1,
      completed: 0,
      failed: 0,
      cancelled: 0,
      stopped: 0,
    });
    assert.deepEqual(listQueuedRunIds(t.db), ['a', 'c', 'single']);
    assert.deepEqual(
      listSweeps(t.db).map((s) => [s.id, s.total_runs, s.counts.queued, s.counts.running]),
      [
        ['s1', 1, 1, 0],
        ['s2', 2, 1, 1],
      ],
    );
    assert.deepEqual(
      listRuns(t.db, { status: 'queued' }).map((r) => r.id),
      ['a', 'c', 'single'],
    );
  } finally {
    t.close();
  }
});
