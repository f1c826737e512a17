import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyRunEvents } from './apply-run-events.ts';
import { createRun, createSweep } from './create-runs.ts';
import { sweepLiveView } from './sweep-live-view.ts';
import { readSweepSnapshot } from './sweep-snapshot.ts';
import { ev, params, T0, testDb } from './test-db.ts';

function seed(t: ReturnType<typeof testDb>) {
  createSweep(t.db, {
    id: 's1',
    name: 'cnn vs resnet',
    method: 'grid',
    config: {},
    now: T0,
    runs: [
      { id: 'cnn-a', params: params({ model: 'cnn' }) },
      { id: 'res-a', params: params({ model: 'resnet' }) },
    ],
  });
  createRun(t.db, { id: 'loose', params: params(), now: T0 + 1 });
  applyRunEvents(t.db, [
    ev.started('cnn-a'),
    ev.epoch('cnn-a', 1, 1, { val_acc: 0.8 }),
    ev.epoch('cnn-a', 2, 1, { val_acc: 0.85 }),
    ev.started('res-a'),
    ev.epoch('res-a', 1, 1, { val_acc: 0.9 }),
    ev.epoch('res-a', 2, 1, { val_acc: 0.95 }),
    ev.epoch('res-a', 3, 1, { val_acc: 0.93 }),
    ev.completed('res-a'),
    ev.started('loose'),
    ev.epoch('loose', 1),
  ]);
}

test('readSweepSnapshot returns the sweep, its runs and every epoch row of them, nothing else', () => {
  const t = testDb('sweep-snapshot');
  try {
    seed(t);
    assert.equal(readSweepSnapshot(t.db, 'nope'), undefined);
    const snapshot = readSweepSnapshot(t.db, 's1');
    assert.ok(snapshot);
    assert.equal(snapshot.sweep.name, 'cnn vs resnet');
    assert.equal(snapshot.sweep.total_runs, 2);
    assert.deepEqual(snapshot.runs.map((r) => r.id).sort(), ['cnn-a', 'res-a']);
    assert.deepEqual(snapshot.epochs.map((m) => `${m.run_id}@${m.epoch}`).sort(), [
      'cnn-a@1',
      'cnn-a@2',
      'res-a@1',
      'res-a@2',
      'res-a@3',
    ]);
  } finally {
    t.close();
  }
});

test('sweepLiveView gives each run its latest and best epoch and its curve as column arrays', () => {
  const t = testDb('sweep-live-view');
  try {
    seed(t);
    assert.equal(sweepLiveView(t.db, 'nope'), undefined);
    const view = sweepLiveView(t.db, 's1');
    assert.ok(view);
    assert.equal(view.curves_omitted, null);
    const res = view.runs.find((r) => r.id === 'res-a');
    assert.equal(res?.status, 'completed');
    assert.equal(res?.epochs_done, 3);
    assert.equal(res?.final_val_acc, 0.93);
    assert.equal(res?.best_val_acc, 0.95);
    assert.equal(res?.best_epoch, 2);
    assert.equal(view.runs.find((r) => r.id === 'cnn-a')?.status, 'running');
    assert.deepEqual(view.curves?.['res-a']?.epoch, [1, 2, 3]);
    assert.deepEqual(view.curves?.['res-a']?.val_acc, [0.9, 0.95, 0.93]);
    assert.deepEqual(Object.keys(view.curves ?? {}).sort(), ['cnn-a', 'res-a']);
  } finally {
    t.close();
  }
});
