import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent } from '@sweeplab/shared';
import { applyRunEvents } from './apply-run-events.ts';
import { createRun } from './create-runs.ts';
import { countEpochRows, getRun } from './read-runs.ts';
import { setRunStatus } from './run-status.ts';
import { ev, params, T0, testDb } from './test-db.ts';

const none = { applied: 0, fenced: 0, unknown: 0, duplicates: 0, refused: 0, unknownAt: [] };

test('a run goes queued → running → completed with its epochs, timestamps as ISO text', () => {
  const t = testDb('events-lifecycle');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    const r = applyRunEvents(t.db, [
      ev.started('r1', 1, { worker_id: 'gpu-1' }),
      ev.epoch('r1', 1),
      ev.epoch('r1', 2),
      ev.completed('r1'),
    ]);
    assert.deepEqual(r, { ...none, applied: 4 });
    const run = getRun(t.db, 'r1');
    assert.ok(run);
    assert.equal(run.status, 'completed');
    assert.equal(run.attempt, 1);
    assert.equal(run.worker, 'gpu-1');
    assert.equal(run.backend, 'cpu');
    assert.equal(run.tfjs_version, '4.22.0');
    assert.equal(run.device, 'test-cpu');
    assert.equal(run.resumed_from_epoch, 0);
    assert.equal(run.started_at, '2025-01-01T12:00:00.000Z');
    assert.equal(run.finished_at, '2025-01-01T12:01:00.000Z');
    assert.deepEqual(
      run.metrics.map((m) => [m.epoch, m.attempt, m.recorded_at]),
      [
        [1, 1, '2025-01-01T12:00:01.000Z'],
        [2, 1, '2025-01-01T12:00:02.000Z'],
      ],
    );
  } finally {
    t.close();
  }
});

test('re-applying the same batch changes nothing and counts duplicates', () => {
  const t = testDb('events-idempotent');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    const batch = [ev.started('r1'), ev.epoch('r1', 1), ev.epoch('r1', 2), ev.completed('r1')];
    applyRunEvents(t.db, batch);
    const before = getRun(t.db, 'r1');
    assert.deepEqual(applyRunEvents(t.db, batch), { ...none, duplicates: 3, refused: 1 });
    // The started event is refused (run finished), the rest are plain re-deliveries.
    assert.deepEqual(getRun(t.db, 'r1'), before);
    assert.equal(countEpochRows(t.db), 2);
  } finally {
    t.close();
  }
});

test('events from a superseded attempt are fenced; the newer attempt overwrites epoch rows', () => {
  const t = testDb('events-fencing');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    applyRunEvents(t.db, [ev.started('r1', 1), ev.epoch('r1', 1, 1, { val_acc: 0.5 }), ev.epoch('r1', 2, 1)]);
    // Attempt 2 takes over (the first worker stalled), resuming from epoch 1's checkpoint.
    const r = applyRunEvents(t.db, [
      ev.started('r1', 2, { worker_id: 'w2', resumed_from_epoch: 1 }),
      ev.epoch('r1', 2, 2, { val_acc: 0.77 }),
      // The stalled worker wakes up and keeps reporting.
      ev.epoch('r1', 3, 1),
      ev.completed('r1', 1),
      ev.epoch('r1', 3, 2, { val_acc: 0.88 }),
    ]);
    assert.deepEqual(r, { ...none, applied: 3, fenced: 2 });
    const run = getRun(t.db, 'r1');
    assert.ok(run);
    assert.equal(run.status, 'running');
    assert.equal(run.attempt, 2);
    assert.equal(run.worker, 'w2');
    assert.equal(run.resumed_from_epoch, 1);
    assert.deepEqual(
      run.metrics.map((m) => [m.epoch, m.attempt, m.val_acc]),
      [
        [1, 1, 0.5],
        [2, 2, 0.77],
        [3, 2, 0.88],
      ],
    );
    // A late started from attempt 1 does not take the run back.
    assert.deepEqual(applyRunEvents(t.db, [ev.started('r1', 1)]), { ...none, fenced: 1 });
    assert.equal(getRun(t.db, 'r1')?.worker, 'w2');
  } finally {
    t.close();
  }
});

test('an epoch row written by a higher attempt is not overwritten by a lower one even before its started', () => {
  const t = testDb('events-row-fence');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    // Only started raises runs.attempt; the row-level check still protects attempt 2's row.
    applyRunEvents(t.db, [ev.epoch('r1', 1, 2, { val_acc: 0.9 })]);
    assert.deepEqual(applyRunEvents(t.db, [ev.epoch('r1', 1, 1, { val_acc: 0.1 })]), { ...none, fenced: 1 });
    assert.equal(getRun(t.db, 'r1')?.metrics[0]?.val_acc, 0.9);
  } finally {
    t.close();
  }
});

test('failed with will_retry puts the run back to queued keeping the error; without, it is terminal', () => {
  const t = testDb('events-failed');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    applyRunEvents(t.db, [ev.started('r1', 1), ev.failed('r1', 1, 'worker lost', true)]);
    let run = getRun(t.db, 'r1');
    assert.equal(run?.status, 'queued');
    assert.equal(run?.error, 'worker lost');
    assert.equal(run?.finished_at, null);

    const r = applyRunEvents(t.db, [
      ev.started('r1', 2),
      ev.epoch('r1', 1, 2),
      ev.failed('r1', 2, 'NaN loss', false),
    ]);
    assert.deepEqual(r, { ...none, applied: 3 });
    run = getRun(t.db, 'r1');
    assert.equal(run?.status, 'failed');
    assert.equal(run?.error, 'NaN loss');
    assert.equal(run?.attempt, 2);
    assert.equal(run?.finished_at, new Date(T0 + 30_000).toISOString());
  } finally {
    t.close();
  }
});

test('terminal runs stay terminal: late completed after cancel, started after completed', () => {
  const t = testDb('events-terminal');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    createRun(t.db, { id: 'r2', params: params() });
    applyRunEvents(t.db, [ev.started('r1'), ev.cancelled('r1'), ev.started('r2'), ev.completed('r2')]);
    const r = applyRunEvents(t.db, [
      ev.completed('r1'),
      ev.cancelled('r1'),
      ev.started('r2', 3),
      ev.failed('r2', 3, 'late', false),
    ]);
    assert.deepEqual(r, { ...none, refused: 3, duplicates: 1 });
    assert.equal(getRun(t.db, 'r1')?.status, 'cancelled');
    const r2 = getRun(t.db, 'r2');
    assert.equal(r2?.status, 'completed');
    assert.equal(r2?.worker, 'w1');
    assert.equal(r2?.error, null);
    // The fence still moved, so attempt 1..2 stragglers stay fenced.
    assert.equal(r2?.attempt, 3);
  } finally {
    t.close();
  }
});

test('the event path follows the one state machine: takeover by a newer attempt, no completing a run never started', () => {
  const t = testDb('events-machine');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    createRun(t.db, { id: 'r2', params: params() });
    applyRunEvents(t.db, [ev.started('r1', 1)]);
    // A stalled job restarted elsewhere: running → running under the newer attempt.
    assert.deepEqual(applyRunEvents(t.db, [ev.started('r1', 2, { worker_id: 'gpu-2' })]), {
      ...none,
      applied: 1,
    });
    assert.equal(getRun(t.db, 'r1')?.worker, 'gpu-2');
    assert.equal(getRun(t.db, 'r1')?.attempt, 2);
    // queued → completed is not a transition: the run stays queued for the reconciler.
    assert.deepEqual(applyRunEvents(t.db, [ev.completed('r2')]), { ...none, refused: 1 });
    assert.equal(getRun(t.db, 'r2')?.status, 'queued');
    // queued → cancelled and queued → failed are (a job given up on before it starts).
    assert.deepEqual(applyRunEvents(t.db, [ev.cancelled('r2')]), { ...none, applied: 1 });
    assert.equal(getRun(t.db, 'r2')?.status, 'cancelled');
  } finally {
    t.close();
  }
});

test('events for unknown runs are counted, located and skipped; the rest of the batch applies', () => {
  const t = testDb('events-unknown');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    const r = applyRunEvents(t.db, [ev.started('ghost'), ev.started('r1'), ev.epoch('ghost', 1)]);
    assert.deepEqual(r, { ...none, applied: 1, unknown: 2, unknownAt: [0, 2] });
    assert.deepEqual(applyRunEvents(t.db, []), none);
  } finally {
    t.close();
  }
});

test('a batch is all or nothing: a bad event rolls back the ones before it', () => {
  const t = testDb('events-atomic');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    const bad: RunEvent = { ...ev.epoch('r1', 2), at: Number.NaN };
    assert.throws(
      () => applyRunEvents(t.db, [ev.started('r1'), ev.epoch('r1', 1), bad]),
      /invalid timestamp/,
    );
    const run = getRun(t.db, 'r1');
    assert.equal(run?.status, 'queued');
    assert.equal(run?.metrics.length, 0);
    // The connection is usable afterwards (no transaction left open).
    assert.equal(applyRunEvents(t.db, [ev.started('r1')]).applied, 1);
  } finally {
    t.close();
  }
});

test('setRunStatus retry with a higher attempt fences the failed attempt in the event path', () => {
  const t = testDb('events-requeue');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    applyRunEvents(t.db, [ev.started('r1', 1)]);
    assert.equal(setRunStatus(t.db, 'r1', 'queued', { attempt: 2, error: 'stalled' }), true);
    assert.deepEqual(applyRunEvents(t.db, [ev.epoch('r1', 1, 1)]), { ...none, fenced: 1 });
    assert.deepEqual(applyRunEvents(t.db, [ev.started('r1', 2)]), { ...none, applied: 1 });
    assert.equal(getRun(t.db, 'r1')?.status, 'running');
  } finally {
    t.close();
  }
});
