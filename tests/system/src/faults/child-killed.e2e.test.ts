import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { waitFor } from '@sweeplab/testing';
import { epochNumbers, postRun, startFaultCluster, waitForRun } from '@sweeplab/testing/fault-cluster';

// The training child is killed mid-run (say, by the kernel's OOM killer) while its worker survives:
// the worker reports the failure, BullMQ retries after the backoff, and the retry resumes from the
// last checkpoint instead of starting over.
test('a killed training child is retried, and the retry resumes from the checkpoint', async () => {
  const cluster = await startFaultCluster('child-killed', {
    workers: 1,
    workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '300' },
  });
  const id = await postRun(cluster, { model: 'plain', lr: 0.1, epochs: 8 });
  await waitForRun(cluster, id, 'two epochs stored', (r) => r.metrics.length >= 2, 20_000);

  const log = cluster.logPath(cluster.workers[0]!);
  const childPid = await waitFor(
    'the training child pid in the worker log',
    async () => {
      for (const line of readFileSync(log, 'utf8').split('\n').reverse()) {
        if (line.includes('"training child started"') && line.includes(id))
          return JSON.parse(line).pid as number;
      }
      return undefined;
    },
    5_000,
  );
  process.kill(childPid, 'SIGKILL');

  const run = await waitForRun(cluster, id, 'completed', (r) => r.status === 'completed', 30_000);
  assert.deepEqual(epochNumbers(run), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(run.attempt, 2);
  assert.ok((run.resumed_from_epoch ?? 0) >= 2, `resumed from epoch ${run.resumed_from_epoch}`);
  assert.match(run.error ?? '', /killed by SIGKILL/, 'the failed attempt stays visible on the run');
  assert.equal(cluster.workers[0]!.process.exitCode, null, 'the worker survived');
});
