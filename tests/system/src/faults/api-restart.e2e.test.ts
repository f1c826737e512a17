import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  epochNumbers,
  getRunView,
  postRun,
  startFaultCluster,
  waitForRun,
} from '@sweeplab/testing/fault-cluster';

// Fault 3: the API dies while workers keep training; when it comes back, its ingester reads what
// accumulated in the stream (and its own unacknowledged entries) and every epoch is in the table.
test('killing the API loses no epoch: the ingester catches up after a restart', async () => {
  const cluster = await startFaultCluster('api-restart', {
    workers: 2,
    workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '250' },
  });
  const ids = [
    await postRun(cluster, { model: 'cnn', lr: 0.1, epochs: 12, seed: 1 }),
    await postRun(cluster, { model: 'resnet', lr: 0.1, epochs: 12, seed: 1 }),
  ];
  await waitForRun(cluster, ids[0]!, 'an epoch stored', (r) => r.metrics.length >= 1, 20_000);

  cluster.api.process.kill('SIGKILL');
  await cluster.api.exited;
  // Workers train on without an API for a while (the runs finish meanwhile).
  await new Promise((r) => setTimeout(r, 4_000));
  await cluster.startApi();

  for (const id of ids) {
    const run = await waitForRun(cluster, id, 'completed', (r) => r.status === 'completed', 30_000);
    assert.deepEqual(epochNumbers(run), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  }
  assert.equal((await getRunView(cluster, ids[1]!)).error, null);
});
