import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochNumbers, postRun, startFaultCluster, waitForRun } from '@sweeplab/testing/fault-cluster';

// Fault 2: SIGTERM a worker mid-run. It drains as documented (exit 0 within the grace period), its job
// goes back to the queue without counting as a failure, and another worker resumes from the checkpoint.
test('SIGTERM drains: exit 0 in the grace period, nothing fails, the run resumes elsewhere', async () => {
  const cluster = await startFaultCluster('worker-drain', {
    workers: 1,
    workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '400' },
  });
  const id = await postRun(cluster, { model: 'cnn', lr: 0.1, epochs: 8 });
  await waitForRun(cluster, id, 'three epochs stored', (r) => r.metrics.length >= 3, 20_000);

  const worker = cluster.workers[0]!;
  const signalled = Date.now();
  worker.process.kill('SIGTERM');
  const exit = await worker.exited;
  assert.equal(exit.code, 0, 'the worker exits 0');
  assert.ok(Date.now() - signalled < 5_000, 'within WORKER_SHUTDOWN_GRACE_MS');

  cluster.startWorker();
  const run = await waitForRun(cluster, id, 'completed', (r) => r.status === 'completed', 30_000);
  assert.deepEqual(epochNumbers(run), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(run.error, null, 'no failure was recorded');
  assert.ok(
    (run.resumed_from_epoch ?? 0) >= 3,
    `resumed from epoch ${run.resumed_from_epoch}, not retrained from scratch`,
  );
  assert.equal(run.worker, 'worker-2');
  // The first attempt's rows were kept, not rewritten: nothing before the checkpoint was trained twice.
  const firstAttempt = run.metrics.filter((m) => m.attempt === 1).map((m) => m.epoch);
  assert.ok(firstAttempt.length >= 3 && firstAttempt.every((e) => e <= (run.resumed_from_epoch ?? 0)));
});
