import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochNumbers, postRun, startFaultCluster, waitForRun } from '@sweeplab/testing/fault-cluster';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

// A run is `queued` in SQLite but its job is gone from Redis (a Redis without persistence restarted).
// At start the API re-enqueues it, and it trains normally.
test('the API re-enqueues queued runs whose jobs Redis lost', async () => {
  const cluster = await startFaultCluster('reconcile', {
    workers: 0,
    workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '100' },
  });
  const connection = new Redis(cluster.redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('train', { connection, prefix: cluster.options.prefix });
  try {
    const id = await postRun(cluster, { model: 'cnn', lr: 0.05, epochs: 2 });
    assert.ok(await queue.getJob(id), 'the API enqueued the run');
    await queue.remove(id);
    assert.equal(await queue.getJob(id), undefined);

    await cluster.stopService(cluster.api);
    await cluster.startApi();
    assert.ok(await queue.getJob(id), 'reconciliation re-enqueued the run');

    cluster.startWorker();
    const run = await waitForRun(cluster, id, 'completed', (r) => r.status === 'completed', 20_000);
    assert.deepEqual(epochNumbers(run), [1, 2]);
  } finally {
    await queue.close();
    connection.disconnect();
  }
});
