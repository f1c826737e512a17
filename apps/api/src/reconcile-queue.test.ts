import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { applyRunEvents, createRun, getRun } from '@sweeplab/db';
import { RunParams, TRAIN_JOB_SCHEMA_VERSION } from '@sweeplab/shared';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { newId } from './ids.ts';
import { reconcileQueue } from './reconcile-queue.ts';
import { createTestApi, type TestApi } from './test-api.ts';

let api: TestApi;
before(async () => {
  api = await createTestApi('reconcile');
});
after(() => api.close());

const params = RunParams.parse({ model: 'cnn', lr: 0.1, epochs: 2, train_subset: 500 });

test('queued runs without a job are enqueued again, with their parameters', async () => {
  const id = newId('run');
  createRun(api.db, { id, params });
  assert.deepEqual(await reconcileQueue(api.ctx), { requeued: [id], failed: [] });
  const job = await api.ctx.queue.queue.getJob(id);
  assert.deepEqual(job?.data, {
    schema_version: TRAIN_JOB_SCHEMA_VERSION,
    run_id: id,
    sweep_id: null,
    params,
  });
  assert.deepEqual(
    await reconcileQueue(api.ctx),
    { requeued: [], failed: [] },
    'nothing to do the second time',
  );
});

test('a running run whose job BullMQ failed on its own is marked failed with the reason', async () => {
  const id = newId('run');
  createRun(api.db, { id, params });
  applyRunEvents(api.db, [
    {
      type: 'started',
      run_id: id,
      attempt: 1,
      worker_id: 'w',
      at: Date.now(),
      backend: 'wasm',
      tfjs_version: 't',
      device: 'd',
      resumed_from_epoch: 0,
    },
  ]);
  await api.ctx.queue.enqueue([{ run_id: id, sweep_id: null, params }]);
  // The job fails in Redis and no worker reports it, as when BullMQ's stalled-job checker gives up
  // after maxStalledCount dead workers.
  const connection = new Redis(api.ctx.config.REDIS_URL, { maxRetriesPerRequest: null });
  const failedInRedis = new Promise((resolve) => {
    const worker = new Worker(
      api.ctx.keys.trainQueue,
      async () => {
        throw new UnrecoverableError('job stalled more than allowable limit');
      },
      { connection, prefix: api.ctx.keys.prefix },
    );
    worker.on('failed', () => void worker.close().then(resolve));
  });
  await failedInRedis;
  connection.disconnect();
  const result = await reconcileQueue(api.ctx);
  assert.ok(result.failed.includes(id));
  const run = getRun(api.db, id);
  assert.equal(run?.status, 'failed');
  assert.match(run?.error ?? '', /gave up on this run: job stalled more than allowable limit/);
});
