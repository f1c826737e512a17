import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '@sweeplab/testing';
import { startFaultCluster } from '@sweeplab/testing/fault-cluster';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

// Fault 7: a job whose payload fails schema validation (written to the queue by something other than
// the API) fails once with a clear error and is never retried.
test('a poison job fails at once with the validation error and is not retried', async () => {
  const cluster = await startFaultCluster('poison-job', {
    workers: 1,
    apiEnv: { JOB_ATTEMPTS: '5' },
    workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '50' },
  });
  const connection = new Redis(cluster.redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('train', { connection, prefix: cluster.options.prefix });
  try {
    const job = await queue.add(
      'train',
      { run_id: 'run_poison', sweep_id: null, params: { model: 'resnet', lr: 'fast', epochs: -1 } },
      { jobId: 'run_poison', attempts: 5, backoff: { type: 'fixed', delay: 10 } },
    );
    const failed = await waitFor(
      'the poison job to fail',
      async () => {
        const current = await queue.getJob(job.id!);
        return (await current?.getState()) === 'failed' ? current : undefined;
      },
      15_000,
    );
    assert.match(failed.failedReason, /invalid job payload: params\.lr: .*; params\.epochs: /);
    assert.equal(failed.attemptsMade, 1, 'not retried');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await (await queue.getJob(job.id!))?.getState(), 'failed', 'still failed: never retried');
  } finally {
    await queue.close();
    connection.disconnect();
  }
});
