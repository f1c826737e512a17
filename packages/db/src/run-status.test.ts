import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canTransition, RUN_STATUSES, statusesThatCanBecome, TERMINAL_STATUSES } from '@sweeplab/shared';
import { createRun, createSweep } from './create-runs.ts';
import { getRun, listRuns } from './read-runs.ts';
import { cancelSweep, markCancelled, setRunStatus } from './run-status.ts';
import { params, T0, testDb } from './test-db.ts';

test('the state machine only moves forward', () => {
  for (const terminal of ['completed', 'failed', 'cancelled', 'stopped'] as const) {
    for (const to of RUN_STATUSES) assert.equal(canTransition(terminal, to), false, `${terminal}→${to}`);
  }
  assert.equal(canTransition('queued', 'running'), true);
  assert.equal(canTransition('running', 'completed'), true);
  assert.equal(canTransition('queued', 'completed'), false);
  // A newer attempt taking over a running run (the event path has always allowed it).
  assert.equal(canTransition('running', 'running'), true);
  assert.deepEqual(TERMINAL_STATUSES, ['completed', 'failed', 'cancelled', 'stopped']);
  assert.deepEqual(RUN_STATUSES, ['queued', 'running', 'completed', 'failed', 'cancelled', 'stopped']);
  // Only a running run can be stopped early: a queued one has no epochs to judge.
  assert.equal(canTransition('running', 'stopped'), true);
  assert.equal(canTransition('queued', 'stopped'), false);
  assert.deepEqual(statusesThatCanBecome('cancelled'), ['queued', 'running']);
});

test('running → running is a takeover by a higher attempt only', () => {
  const t = testDb('status-takeover');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    assert.equal(setRunStatus(t.db, 'r1', 'running', { attempt: 1 }), true);
    assert.equal(setRunStatus(t.db, 'r1', 'running'), false);
    assert.equal(setRunStatus(t.db, 'r1', 'running', { attempt: 1 }), false);
    assert.equal(setRunStatus(t.db, 'r1', 'running', { attempt: 2, at: T0 }), true);
    const run = getRun(t.db, 'r1');
    assert.equal(run?.status, 'running');
    assert.equal(run?.attempt, 2);
    assert.equal(run?.started_at, '2025-01-01T12:00:00.000Z');
  } finally {
    t.close();
  }
});

test('setRunStatus applies allowed transitions with timestamps and refuses backwards ones', () => {
  const t = testDb('status');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    assert.equal(setRunStatus(t.db, 'r1', 'completed'), false);
    assert.equal(setRunStatus(t.db, 'r1', 'running', { attempt: 1, at: T0 }), true);
    assert.equal(getRun(t.db, 'r1')?.started_at, '2025-01-01T12:00:00.000Z');
    assert.equal(setRunStatus(t.db, 'r1', 'completed', { at: T0 + 5000 }), true);
    assert.equal(setRunStatus(t.db, 'r1', 'running', { attempt: 2 }), false);
    assert.equal(setRunStatus(t.db, 'r1', 'queued', { attempt: 2 }), false);
    const run = getRun(t.db, 'r1');
    assert.equal(run?.status, 'completed');
    assert.equal(run?.attempt, 1);
    assert.equal(run?.finished_at, '2025-01-01T12:00:05.000Z');
  } finally {
    t.close();
  }
});

test('running → queued needs a higher attempt', () => {
  const t = testDb('status-retry');
  try {
    createRun(t.db, { id: 'r1', params: params() });
    setRunStatus(t.db, 'r1', 'running', { attempt: 1 });
    assert.equal(setRunStatus(t.db, 'r1', 'queued'), false);
    assert.equal(setRunStatus(t.db, 'r1', 'queued', { attempt: 1 }), false);
    assert.equal(setRunStatus(t.db, 'r1', 'queued', { attempt: 2, error: 'worker died' }), true);
    const run = getRun(t.db, 'r1');
    assert.equal(run?.status, 'queued');
    assert.equal(run?.attempt, 2);
    assert.equal(run?.error, 'worker died');
    // A stale starter from attempt 1 cannot take it.
    assert.equal(setRunStatus(t.db, 'r1', 'running', { attempt: 1 }), false);
  } finally {
    t.close();
  }
});

test('unknown runs and sweeps raise errors naming them', () => {
  const t = testDb('status-missing');
  try {
    assert.throws(() => setRunStatus(t.db, 'nope', 'running'), /run nope not found/);
    assert.throws(() => cancelSweep(t.db, 'nosweep'), /sweep nosweep not found/);
  } finally {
    t.close();
  }
});

test('markCancelled cancels queued or running runs once; cancelSweep returns the ids it changed', () => {
  const t = testDb('cancel');
  try {
    const { runs } = createSweep(t.db, {
      id: 's1',
      name: 'seeds',
      method: 'grid',
      config: { method: 'grid' },
      runs: [0, 1, 2, 3].map((seed) => ({ id: `r${seed}`, params: params({ seed }) })),
    });
    assert.equal(runs.length, 4);
    setRunStatus(t.db, 'r1', 'running', { attempt: 1 });
    setRunStatus(t.db, 'r2', 'running', { attempt: 1 });
    setRunStatus(t.db, 'r2', 'completed');
    assert.equal(markCancelled(t.db, 'r3', T0), true);
    assert.equal(markCancelled(t.db, 'r3'), false);
    assert.equal(getRun(t.db, 'r3')?.finished_at, '2025-01-01T12:00:00.000Z');
    assert.deepEqual(cancelSweep(t.db, 's1'), ['r0', 'r1']);
    assert.deepEqual(cancelSweep(t.db, 's1'), []);
    assert.deepEqual(
      listRuns(t.db, { sweepId: 's1' }).map((r) => [r.id, r.status]),
      [
        ['r0', 'cancelled'],
        ['r1', 'cancelled'],
        ['r2', 'completed'],
        ['r3', 'cancelled'],
      ],
    );
  } finally {
    t.close();
  }
});
