import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EpochMetrics, RunParams } from '@sweeplab/shared';
import { trainSynthetic } from './synthetic-trainer.ts';

const params = RunParams.parse({ model: 'resnet', lr: 0.1, epochs: 4, seed: 5 });

async function collect(resumeFrom: Uint8Array | null, signal = new AbortController().signal) {
  const epochs: EpochMetrics[] = [];
  const checkpoints: Uint8Array[] = [];
  const result = await trainSynthetic({
    params,
    epochMs: 0,
    resumeFrom,
    signal,
    onEpoch: async (m, c) => {
      epochs.push(m);
      checkpoints.push(c);
    },
  });
  return { epochs, checkpoints, result };
}

test('resuming from epoch k repeats epochs k+1..n of an uninterrupted run', async () => {
  const full = await collect(null);
  assert.deepEqual(
    full.epochs.map((e) => e.epoch),
    [1, 2, 3, 4],
  );
  const resumed = await collect(full.checkpoints[1]!);
  assert.deepEqual(
    resumed.epochs.map((e) => e.epoch),
    [3, 4],
  );
  for (const [i, e] of resumed.epochs.entries()) assert.equal(e.val_acc, full.epochs[i + 2]!.val_acc);
});

test('an aborted signal stops it and says so', async () => {
  const controller = new AbortController();
  controller.abort();
  const { epochs, result } = await collect(null, controller.signal);
  assert.equal(result.aborted, true);
  assert.equal(epochs.length, 0);
});

test('a checkpoint from elsewhere is refused', async () => {
  await assert.rejects(collect(new Uint8Array([1, 2, 3])), /not written by the synthetic trainer|JSON/);
});
