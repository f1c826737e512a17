import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attemptAfter, RUN_STATUSES } from './run-status.ts';

test('the attempt fence: lower attempts never apply, to any status', () => {
  for (const status of RUN_STATUSES) {
    for (const to of [...RUN_STATUSES, null]) assert.equal(attemptAfter({ status, attempt: 3 }, to, 2), null);
  }
});

test('the run’s own attempt applies, except as a takeover or a handover', () => {
  assert.equal(attemptAfter({ status: 'running', attempt: 3 }, null, 3), 3);
  assert.equal(attemptAfter({ status: 'running', attempt: 3 }, 'completed', 3), 3);
  assert.equal(attemptAfter({ status: 'queued', attempt: 3 }, 'running', 3), 3);
  assert.equal(attemptAfter({ status: 'running', attempt: 3 }, 'running', 3), null);
  assert.equal(attemptAfter({ status: 'running', attempt: 3 }, 'queued', 3, true), null);
});

test('a higher attempt takes over, hands over, and becomes the run’s attempt', () => {
  assert.equal(attemptAfter({ status: 'running', attempt: 3 }, 'running', 4), 4);
  assert.equal(attemptAfter({ status: 'running', attempt: 3 }, 'queued', 5, true), 5);
  assert.equal(attemptAfter({ status: 'running', attempt: 3 }, null, 4), 4);
});
