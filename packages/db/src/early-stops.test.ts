import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSweep } from './create-runs.ts';
import { listEarlyStops, recordEarlyStop, recordStopTold, sweepRunHistories } from './early-stops.ts';
import type { Db } from './open-database.ts';
import { getRun } from './read-runs.ts';
import { setRunStatus } from './run-status.ts';
import { params, T0, testDb } from './test-db.ts';

/** Sweep `s` with runs `a` (lr 0.5) and `b`, both queued. */
function sweepOfTwo(db: Db): void {
  createSweep(db, {
    id: 's',
    name: 's',
    method: 'grid',
    config: {},
    runs: [
      { id: 'a', params: params({ lr: 0.5 }) },
      { id: 'b', params: params() },
    ],
    now: T0,
  });
}

test('recordEarlyStop moves a running run to stopped with its band and threshold, once; histories read back', () => {
  const t = testDb('early-stops');
  try {
    sweepOfTwo(t.db);
    const stop = {
      runId: 'a',
      sweepId: 's',
      rule: 'asha' as const,
      // A fractional ASHA rung (reduction_factor 1.5) reads back as it was written.
      band: 1.5,
      bracket: 0,
      epoch: 2,
      value: 0.2,
      threshold: 0.5,
      comparedRunIds: ['b'],
      committedAt: T0 + 10,
    };
    assert.equal(recordEarlyStop(t.db, stop), false, 'a queued run is not stopped');
    setRunStatus(t.db, 'a', 'running', { attempt: 1 });
    assert.equal(recordEarlyStop(t.db, stop), true);
    assert.equal(recordEarlyStop(t.db, stop), false, 'already stopped');
    recordStopTold(t.db, 'a', T0 + 10, T0 + 25);
    assert.equal(getRun(t.db, 'a')?.status, 'stopped');
    const [row] = listEarlyStops(t.db, 's');
    assert.deepEqual(
      {
        rule: row?.rule,
        band: row?.band,
        bracket: row?.bracket,
        epoch: row?.epoch,
        value: row?.value,
        threshold: row?.threshold,
        compared: row?.compared_run_ids,
        latency: row?.latency_ms,
      },
      {
        rule: 'asha',
        band: 1.5,
        bracket: 0,
        epoch: 2,
        value: 0.2,
        threshold: 0.5,
        compared: ['b'],
        latency: 15,
      },
    );
    const histories = sweepRunHistories(t.db, 's', 'val_acc');
    assert.deepEqual(
      histories.map((h) => [h.id, h.status, h.params.lr, h.history]),
      [
        ['a', 'stopped', 0.5, []],
        ['b', 'queued', 0.1, []],
      ],
    );
  } finally {
    t.close();
  }
});

test('histories carry each epoch row’s commit order (ASHA’s arrival order), not the run order', () => {
  const t = testDb('early-stops-arrivals');
  try {
    sweepOfTwo(t.db);
    const insert = t.db.$client.prepare(
      `INSERT INTO epoch_metrics (run_id, epoch, attempt, train_loss, train_acc, val_loss, val_acc,
         epoch_seconds, images_per_second, recorded_at) VALUES (?, ?, 1, 1, 0.5, 1, ?, 1, 1, 'x')`,
    );
    insert.run('b', 1, 0.3);
    insert.run('a', 1, 0.4);
    insert.run('a', 2, 0.6);
    const [a, b] = sweepRunHistories(t.db, 's', 'val_acc');
    assert.deepEqual(a?.history, [0.4, 0.6]);
    assert.deepEqual(b?.history, [0.3]);
    assert.ok((b?.arrivals[0] as number) < (a?.arrivals[0] as number), 'b’s epoch 1 landed first');
    assert.ok((a?.arrivals[0] as number) < (a?.arrivals[1] as number));
  } finally {
    t.close();
  }
});
