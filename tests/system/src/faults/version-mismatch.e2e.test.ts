import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { TRAIN_JOB_SCHEMA_VERSION } from '@sweeplab/shared';
import { waitFor } from '@sweeplab/testing';
import { getRunView, postRun, startFaultCluster, waitForRun } from '@sweeplab/testing/fault-cluster';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

// Rolling upgrade: an API of a newer version wrote a job this worker does not understand. The worker
// hands it back untouched (never trains it half-understood); a worker that understands it trains it.
test('a worker leaves a job whose payload schema version it does not understand for one that does', async () => {
  const cluster = await startFaultCluster('version-mismatch', {
    workers: 0,
    workerEnv: {
      WORKER_TRAINER: 'synthetic',
      SYNTHETIC_EPOCH_MS: '50',
      WORKER_VERSION_MISMATCH_DELAY_MS: '1000',
    },
  });
  const connection = new Redis(cluster.redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('train', { connection, prefix: cluster.options.prefix });
  after(async () => {
    await queue.close();
    connection.disconnect();
  });
  const id = await postRun(cluster, { model: 'cnn', lr: 0.1, epochs: 2, seed: 3 });
  const job = await queue.getJob(id);
  assert.equal(job?.data.schema_version, TRAIN_JOB_SCHEMA_VERSION, 'the API writes the version');
  const original = { ...job?.data };
  const newer = TRAIN_JOB_SCHEMA_VERSION + 1;
  // A field this worker has never heard of: trained by it, the run would not be what was asked.
  await job?.updateData({ ...original, schema_version: newer, params: { ...original.params, future: 1 } });

  const worker = cluster.startWorker();
  const log = cluster.logPath(worker);
  await waitFor(
    'the worker to hand the job back',
    async () =>
      existsSync(log) && readFileSync(log, 'utf8').includes(`job payload schema version ${newer}`)
        ? true
        : undefined,
    30_000,
  );
  await new Promise((r) => setTimeout(r, 2500));
  const line = readFileSync(log, 'utf8')
    .split('\n')
    .find((l) => l.includes(`schema version ${newer}`));
  assert.match(
    line ?? '',
    new RegExp(`understands \\(${TRAIN_JOB_SCHEMA_VERSION}\\)`),
    'names both versions',
  );
  const run = await getRunView(cluster, id);
  assert.equal(run.status, 'queued', 'never started');
  assert.equal(run.attempt, 0);
  assert.deepEqual(run.metrics, []);
  const current = await queue.getJob(id);
  assert.ok(['delayed', 'waiting'].includes(String(await current?.getState())), 'still in the queue');
  assert.equal(current?.attemptsMade, 0, 'handing back is not a failed attempt');

  // A worker of the payload's version appears (here: the payload is rewritten to this one's version).
  await current?.updateData(original);
  const done = await waitForRun(cluster, id, 'completed', (r) => r.status === 'completed', 30_000);
  assert.deepEqual(
    done.metrics.map((m) => m.epoch),
    [1, 2],
  );
});
