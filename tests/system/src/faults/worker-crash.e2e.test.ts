import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochNumbers, postRun, startFaultCluster, waitForRun } from '@sweeplab/testing/fault-cluster';

// Fault 1: kill -9 a worker in the middle of an epoch, with real training. Another worker resumes the
// run from its last checkpoint; the finished run has every epoch once, and the same final metrics as
// an uninterrupted run of the same config and seed (same backend, deterministic kernels).
test('kill -9 mid-epoch: another worker resumes from the checkpoint and the result equals an uninterrupted run', async () => {
  const cluster = await startFaultCluster('worker-crash', {
    workers: 1,
    workerEnv: { WORKER_TRAINER: 'tfjs' },
  });
  const params = { model: 'resnet', lr: 0.1, epochs: 3, seed: 3, train_subset: 640, val_subset: 200 };

  const reference = await postRun(cluster, params);
  const uninterrupted = await waitForRun(
    cluster,
    reference,
    'completed',
    (r) => r.status === 'completed',
    240_000,
  );

  const victim = cluster.workers[0]!;
  const crashed = await postRun(cluster, params);
  await waitForRun(cluster, crashed, 'epoch 1 stored', (r) => r.metrics.length >= 1, 120_000);
  // The second epoch is under way now; kill the worker (and so its child) without warning.
  await new Promise((r) => setTimeout(r, 800));
  victim.process.kill('SIGKILL');
  await victim.exited;
  cluster.startWorker();

  const resumed = await waitForRun(cluster, crashed, 'completed', (r) => r.status === 'completed', 240_000);
  assert.deepEqual(epochNumbers(resumed), [1, 2, 3]);
  assert.ok(resumed.attempt >= 2, `attempt ${resumed.attempt}: the run was picked up again`);
  assert.ok(
    (resumed.resumed_from_epoch ?? 0) >= 1,
    `resumed from epoch ${resumed.resumed_from_epoch}, not from scratch`,
  );
  assert.equal(resumed.worker, 'worker-2');
  const a = uninterrupted.metrics.at(-1)!;
  const b = resumed.metrics.at(-1)!;
  for (const key of ['train_loss', 'train_acc', 'val_loss', 'val_acc'] as const) {
    assert.equal(b[key], a[key], `final ${key} equals the uninterrupted run's`);
  }
});
