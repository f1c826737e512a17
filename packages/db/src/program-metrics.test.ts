import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent } from '@sweeplab/shared';
import { applyRunEvents } from './apply-run-events.ts';
import { createSweep } from './create-runs.ts';
import { programRunHistories, queryProgramMetrics } from './program-metrics.ts';
import { params, T0, testDb } from './test-db.ts';

const logged = (run: string, attempt: number, step: number, values: Record<string, number>): RunEvent => ({
  type: 'metrics',
  run_id: run,
  attempt,
  worker_id: 'w',
  at: T0 + step,
  step,
  values,
});

test('program logs become one row per run, step and key; re-delivered and older-attempt steps change nothing', () => {
  const t = testDb('program-metrics');
  try {
    createSweep(t.db, {
      id: 's',
      name: 's',
      method: 'grid',
      config: {},
      runs: [
        { id: 'a', params: params(), program: { name: 'train.py', params: { 'model.depth': 3 } } },
        { id: 'b', params: params(), program: { name: 'train.py', params: { 'model.depth': 5 } } },
      ],
      now: T0,
    });
    const first = applyRunEvents(t.db, [
      logged('a', 2, 0, { loss: 0.9, lr: 0.1 }),
      logged('a', 2, 1, { loss: 0.5 }),
      logged('b', 1, 0, { loss: 0.7 }),
    ]);
    assert.equal(first.applied, 3);
    // The stream is at-least-once; a superseded attempt's step never overwrites the newer one's.
    const again = applyRunEvents(t.db, [logged('a', 2, 1, { loss: 0.5 }), logged('a', 1, 1, { loss: 9 })]);
    assert.equal(again.duplicates, 2);
    assert.deepEqual(
      queryProgramMetrics(t.db, { sweepId: 's', limit: 100, offset: 0 }).map((r) => [
        r.run_id,
        r.step,
        r.key,
        r.value,
      ]),
      [
        ['a', 0, 'loss', 0.9],
        ['a', 0, 'lr', 0.1],
        ['a', 1, 'loss', 0.5],
        ['b', 0, 'loss', 0.7],
      ],
    );
    assert.deepEqual(
      programRunHistories(t.db, 's', 'loss').map((h) => [h.id, h.history, h.params]),
      [
        ['a', [0.9, 0.5], { 'model.depth': 3 }],
        ['b', [0.7], { 'model.depth': 5 }],
      ],
    );
  } finally {
    t.close();
  }
});
