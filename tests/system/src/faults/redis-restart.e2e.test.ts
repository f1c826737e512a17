import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startRedisServer, tempDir } from '@sweeplab/testing';
import { epochNumbers, postRun, startFaultCluster, waitForRun } from '@sweeplab/testing/fault-cluster';

// Fault 4: restart Redis (append-only file on) under a running sweep. The API and the workers
// reconnect by themselves and every run completes with all its epochs.
test('a Redis restart under a running sweep loses and strands nothing', async () => {
  const dataDir = tempDir('redis-aof');
  after(() => dataDir.remove());
  const first = await startRedisServer({ appendonly: true, dir: dataDir.path });
  let redis = first;
  const cluster = await startFaultCluster('redis-restart', {
    workers: 2,
    redis: { url: first.url, owned: false, stop: async () => redis.stop() },
    workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '300' },
  });
  const ids: string[] = [];
  for (const seed of [0, 1, 2, 3])
    ids.push(await postRun(cluster, { model: 'cnn', lr: 0.1, epochs: 8, seed }));
  await waitForRun(cluster, ids[0]!, 'epochs stored', (r) => r.metrics.length >= 2, 20_000);

  await first.stop(); // SIGTERM: Redis fsyncs the AOF and exits
  await new Promise((r) => setTimeout(r, 1_500));
  redis = await startRedisServer({
    appendonly: true,
    dir: dataDir.path,
    port: Number(new URL(first.url).port),
  });

  for (const id of ids) {
    const run = await waitForRun(cluster, id, 'completed', (r) => r.status === 'completed', 60_000);
    assert.deepEqual(epochNumbers(run), [1, 2, 3, 4, 5, 6, 7, 8], `run ${id} has every epoch once`);
  }
});
