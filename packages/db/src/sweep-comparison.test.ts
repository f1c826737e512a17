import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyRunEvents } from './apply-run-events.ts';
import { createSweep } from './create-runs.ts';
import { runSummaries } from './run-summaries.ts';
import { describe } from './statistics.ts';
import { sweepComparison } from './sweep-comparison.ts';
import { ev, params, testDb } from './test-db.ts';

const close = (actual: number | null | undefined, expected: number, what: string) => {
  assert.ok(actual !== null && actual !== undefined, `${what} missing`);
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);
};

test('describe gives the sample std (n − 1) and stays exact when the spread is tiny next to the mean', () => {
  assert.deepEqual(describe([]), { n: 0, mean: null, std: null });
  assert.deepEqual(describe([0.5]), { n: 1, mean: 0.5, std: null });
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, sample variance 32/7.
  const s = describe([2, 4, 4, 4, 5, 5, 7, 9]);
  close(s.mean, 5, 'mean');
  close(s.std, Math.sqrt(32 / 7), 'std');
  // Offsets 4, 7, 13, 16 from 1e9: mean offset 10, squared deviations 36+9+9+36 = 90, variance 30.
  const big = describe([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]);
  close(big.std, Math.sqrt(30), 'std near 1e9');
});

/*
 * cnn lr=0.1, seeds 0..2 (all completed):
 *   epoch 1: val_acc 0.90 0.92 0.97 → mean 0.93, deviations −.03 −.01 +.04, Σd² = .0026, std √.0013
 *            train_loss 0.5 0.7 0.6 → mean 0.6, Σd² = .02, std √.01 = 0.1
 *   epoch 2: val_acc 0.95 0.96 0.98 → mean 0.9633…, Σd² = .000466…, std √(.0014/6)
 * resnet lr=0.1, seed 0 completed (2 epochs), seed 1 failed after epoch 1.
 */
function seed(t: ReturnType<typeof testDb>) {
  createSweep(t.db, {
    id: 's1',
    name: 'cnn vs resnet',
    method: 'grid',
    config: {},
    runs: [
      { id: 'c0', params: params({ model: 'cnn', seed: 0, epochs: 2 }) },
      { id: 'c1', params: params({ model: 'cnn', seed: 1, epochs: 2 }) },
      { id: 'c2', params: params({ model: 'cnn', seed: 2, epochs: 2 }) },
      { id: 'r0', params: params({ model: 'resnet', seed: 0, epochs: 2 }) },
      { id: 'r1', params: params({ model: 'resnet', seed: 1, epochs: 2 }) },
    ],
  });
  const curve = (id: string, e1: [number, number], e2?: [number, number]) => [
    ev.started(id),
    ev.epoch(id, 1, 1, { train_loss: e1[0], val_acc: e1[1] }),
    ...(e2 ? [ev.epoch(id, 2, 1, { train_loss: e2[0], val_acc: e2[1] }), ev.completed(id)] : []),
  ];
  applyRunEvents(t.db, [
    ...curve('c0', [0.5, 0.9], [0.3, 0.95]),
    ...curve('c1', [0.7, 0.92], [0.2, 0.96]),
    ...curve('c2', [0.6, 0.97], [0.25, 0.98]),
    ...curve('r0', [0.4, 0.99], [0.1, 0.985]),
    ...curve('r1', [0.8, 0.5]),
    ev.failed('r1', 1, 'out of memory', false),
  ]);
}

test('runSummaries gives best (earliest on ties), final, total seconds and epochs done per run', () => {
  const t = testDb('summaries');
  try {
    seed(t);
    const byId = new Map(runSummaries(t.db, { sweepId: 's1' }).map((s) => [s.run_id, s]));
    const r0 = byId.get('r0');
    assert.equal(r0?.epochs_done, 2);
    assert.equal(r0?.best_val_acc, 0.99);
    assert.equal(r0?.best_epoch, 1);
    assert.equal(r0?.final_epoch, 2);
    assert.equal(r0?.final_val_acc, 0.985);
    assert.equal(r0?.final_train_loss, 0.1);
    assert.equal(r0?.total_seconds, 4);
    assert.equal(byId.get('r1')?.status, 'failed');
    assert.equal(byId.get('r1')?.epochs_done, 1);
    assert.equal(byId.get('c1')?.best_epoch, 2);
  } finally {
    t.close();
  }
});

test('sweepComparison groups by configuration and matches hand-computed mean and sample std', () => {
  const t = testDb('comparison');
  try {
    seed(t);
    const { groups } = sweepComparison(t.db, 's1');
    assert.deepEqual(
      groups.map((g) => [g.label, g.runs.map((r) => r.seed)]),
      [
        ['cnn mnist lr=0.1 bs=64 mom=0 epochs=2', [0, 1, 2]],
        ['resnet mnist lr=0.1 bs=64 mom=0 epochs=2', [0, 1]],
      ],
    );
    const [cnn, resnet] = groups;
    assert.ok(cnn && resnet);
    const [e1, e2] = cnn.epochs;
    assert.equal(e1?.n, 3);
    close(e1?.val_acc.mean, 0.93, 'cnn e1 val_acc mean');
    close(e1?.val_acc.std, Math.sqrt(0.0013), 'cnn e1 val_acc std');
    close(e1?.train_loss.mean, 0.6, 'cnn e1 train_loss mean');
    close(e1?.train_loss.std, 0.1, 'cnn e1 train_loss std');
    close(e2?.val_acc.mean, 2.89 / 3, 'cnn e2 val_acc mean');
    close(e2?.val_acc.std, Math.sqrt(0.0014 / 6), 'cnn e2 val_acc std');
    close(cnn.final_val_acc.mean, 2.89 / 3, 'cnn final mean');
    assert.equal(cnn.final_val_acc.n, 3);
    // resnet: epoch 1 has both runs, epoch 2 only the completed one; finals count completed runs only.
    assert.deepEqual(
      resnet.epochs.map((e) => e.n),
      [2, 1],
    );
    close(resnet.epochs[0]?.val_acc.mean, 0.745, 'resnet e1 mean');
    close(resnet.epochs[0]?.val_acc.std, Math.sqrt(2 * 0.245 ** 2), 'resnet e1 std');
    assert.equal(resnet.epochs[1]?.val_acc.std, null);
    assert.deepEqual(resnet.final_val_acc, { n: 1, mean: 0.985, std: null });
    assert.deepEqual(
      resnet.runs.map((r) => [r.run_id, r.status, r.final_val_acc]),
      [
        ['r0', 'completed', 0.985],
        ['r1', 'failed', 0.5],
      ],
    );
    assert.throws(() => sweepComparison(t.db, 'nope'), /sweep nope not found/);
  } finally {
    t.close();
  }
});
