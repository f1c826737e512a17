import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { startRedisServer, TestHost, waitFor } from '@sweeplab/testing';
import {
  epochNumbers,
  getRunView,
  postRun,
  startFaultCluster,
  waitForRun,
} from '@sweeplab/testing/fault-cluster';

// Fault 6: a worker on its own (namespaced) host loses its link mid-run. Another worker takes the run
// over after the lock expires and resumes it; when the link comes back, the late worker's checkpoint and
// events are fenced off, and the metrics table holds one clean history.
const host = TestHost.create();
const skip = 'unavailable' in host ? `network namespaces unavailable here: ${host.unavailable}` : false;

test('a partitioned worker that comes back late cannot overwrite the new owner’s history', {
  skip,
}, async () => {
  if ('unavailable' in host) return;
  after(() => host.destroy());
  const redis = await startRedisServer({ bind: ['127.0.0.1', host.gatewayAddress] });
  const cluster = await startFaultCluster('partition', {
    workers: 0,
    redis,
    workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '400' },
  });
  const port = new URL(redis.url).port;
  const remote = cluster.startWorker({ REDIS_URL: `redis://${host.gatewayAddress}:${port}` }, host.wrap);

  const id = await postRun(cluster, { model: 'resnet', lr: 0.1, epochs: 12 });
  await waitForRun(
    cluster,
    id,
    'two epochs from the remote worker',
    (r) => r.metrics.length >= 2 && r.worker === 'worker-1',
    20_000,
  );
  host.cut();
  const local = cluster.startWorker();

  const run = await waitForRun(
    cluster,
    id,
    'completed by the local worker',
    (r) => r.status === 'completed',
    60_000,
  );
  assert.equal(run.worker, local.name);
  assert.ok(run.attempt >= 2);

  host.restore();
  // The remote worker's buffered commands reach Redis now; its checkpoint write is refused and it stops.
  await waitFor(
    'the remote worker to notice it was superseded',
    async () =>
      readFileSync(cluster.logPath(remote), 'utf8').includes('a newer attempt owns this run')
        ? true
        : undefined,
    60_000,
    250,
  );
  await new Promise((r) => setTimeout(r, 1_500));

  const final = await getRunView(cluster, id);
  assert.equal(final.status, 'completed');
  assert.deepEqual(epochNumbers(final), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 'every epoch exactly once');
  const resumedFrom = final.resumed_from_epoch ?? 0;
  assert.ok(resumedFrom >= 2, `resumed from epoch ${resumedFrom}`);
  for (const m of final.metrics) {
    assert.equal(
      m.attempt,
      m.epoch <= resumedFrom ? 1 : final.attempt,
      `epoch ${m.epoch} written by the right attempt`,
    );
  }
});
