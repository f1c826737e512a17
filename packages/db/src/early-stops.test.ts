import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSweep } from './create-runs.ts';
import { listEarlyStops, recordEarlyStop, recordStopTold, sweepRunHistories } from './early-stops.ts';
import { getRun } from './read-runs.ts';
import { setRunStatus } from './run-status.ts';
import { params, T0, testDb } from './test-db.ts';

test('recordEarlyStop moves a running run to stopped with its band and threshold, once; histories read back', () => {
  const t = testDb('early-stops');
  try {
    createSweep(t.db, {
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
    const stop = {
      runId: 'a',
      sweepId: 's',
      band: 1,
      epoch: 1,
      value: 0.2,
      threshold: 0.5,
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
      { band: row?.band, value: row?.value, threshold: row?.threshold, latency: row?.latency_ms },
      { band: 1, value: 0.2, threshold: 0.5, latency: 15 },
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
