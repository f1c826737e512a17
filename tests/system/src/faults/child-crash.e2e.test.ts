import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochNumbers, postRun, startFaultCluster, waitForRun } from '@sweeplab/testing/fault-cluster';

// Fault 5: training children that throw, exit non-zero or run out of memory. Each run is retried up to
// JOB_ATTEMPTS, then marked failed with the error text; the worker keeps serving other jobs.
test('crashing children are retried to the limit, then failed with the error; the worker serves on', async (t) => {
  for (const [kind, seed, expected] of [
    ['throw', 11, /injected fault at epoch 2/],
    ['exit', 12, /exited with code 7/],
    ['oom', 13, /killed by SIG|exited with code/],
  ] as const) {
    await t.test(kind, async () => {
      const cluster = await startFaultCluster(`child-${kind}`, {
        workers: 1,
        apiEnv: { JOB_ATTEMPTS: '2' },
        workerEnv: {
          WORKER_TRAINER: 'synthetic',
          SYNTHETIC_EPOCH_MS: '50',
          SYNTHETIC_FAULT: `${kind}@2:seed=${seed}`,
          CHILD_MAX_OLD_SPACE_MB: '64',
        },
      });
      const doomed = await postRun(cluster, { model: 'cnn', lr: 0.1, epochs: 3, seed });
      const healthy = await postRun(cluster, { model: 'cnn', lr: 0.1, epochs: 3, seed: 1 });
      const failed = await waitForRun(cluster, doomed, 'failed', (r) => r.status === 'failed', 60_000);
      assert.match(failed.error ?? '', expected);
      assert.equal(failed.attempt, 2, 'tried JOB_ATTEMPTS times');
      assert.deepEqual(epochNumbers(failed), [1], 'the epoch before the crash is kept, once');
      const ok = await waitForRun(cluster, healthy, 'completed', (r) => r.status === 'completed', 30_000);
      assert.deepEqual(epochNumbers(ok), [1, 2, 3]);
      assert.equal(cluster.workers[0]!.process.exitCode, null, 'the worker is still running');
    });
  }
});
