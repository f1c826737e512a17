import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { type EpochMetrics, RunParams } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/backend.ts';
import { disposeBatch, makeBatch } from '../data/batch.ts';
import { loadDataset } from '../data/dataset-loader.ts';
import { getModel } from '../models/model-registry.ts';
import { ModelWeights } from '../models/model-weights.ts';
import { setWinograd } from '../nn/conv2d.ts';
import { CheckpointError } from './checkpoint.ts';
import { softmaxCrossEntropy } from './softmax-cross-entropy.ts';
import { trainRun } from './train-run.ts';

before(async () => {
  await initBackend('wasm');
});

const ignore = async () => {};

// With the reference hyper-parameters one epoch of 2,000 images is only 32 SGD steps at lr 0.1, still in
// the initial plateau: PyTorch 1.13 reaches 32.0 / 29.5 / 14.5% (seeds 0/1/2; scripts/pytorch-crosscheck.py),
// this engine 28.8% (seed 0). The test pins "learning has started": well above chance (10%).
test('resnet, 1 epoch on a 2,000-image slice, lands in the PyTorch range (> 20% validation accuracy)', async () => {
  const params = RunParams.parse({
    model: 'resnet',
    lr: 0.1,
    epochs: 1,
    train_subset: 2000,
    val_subset: 2000,
  });
  const { epochs, aborted, backend } = await trainRun({ params, onEpoch: ignore });
  assert.equal(aborted, false);
  assert.equal(backend.backend, 'wasm');
  const [m] = epochs as [EpochMetrics];
  console.log(`resnet 1 epoch / 2,000 images: ${JSON.stringify(m)}`);
  assert.equal(m.epoch, 1);
  assert.ok(m.val_acc > 0.2 && m.val_acc < 0.5, `val_acc ${m.val_acc}`);
  assert.ok(m.train_loss < 2.3 && m.val_loss < 2.2 && m.images_per_second > 0);
});

// The CNN's 3×3 layers run as Winograd on wasm; plain's are mostly direct.
for (const [model, trainSubset] of [
  ['plain', 320],
  ['cnn', 128],
] as const) {
  test(`${model}: resuming from the checkpoint of epoch k repeats epochs k+1..n exactly, without leaking tensors`, async () => {
    const params = RunParams.parse({
      model,
      lr: 0.05,
      momentum: 0.9,
      epochs: 3,
      seed: 5,
      train_subset: trainSubset,
      val_subset: 100,
    });
    const checkpoints: Uint8Array[] = [];
    const tensorsAfterEpoch: number[] = [];
    const full = await trainRun({
      params,
      onEpoch: async (_m, checkpoint) => {
        checkpoints.push(checkpoint);
        tensorsAfterEpoch.push(tf.memory().numTensors);
      },
    });
    assert.equal(
      tensorsAfterEpoch[0],
      tensorsAfterEpoch[2],
      `tensors after each epoch: ${tensorsAfterEpoch}`,
    );
    const resumed = await trainRun({ params, resumeFrom: checkpoints[0], onEpoch: ignore });
    const withoutTiming = (m: EpochMetrics) => ({ ...m, epoch_seconds: 0, images_per_second: 0 });
    assert.deepEqual(resumed.epochs.map(withoutTiming), full.epochs.slice(1).map(withoutTiming));
  });
}

test('a checkpoint from another run is refused before training', async () => {
  const params = RunParams.parse({ model: 'resnet', lr: 0.1, epochs: 1, train_subset: 64, val_subset: 10 });
  let checkpoint: Uint8Array | undefined;
  await trainRun({
    params,
    onEpoch: async (_m, c) => {
      checkpoint = c;
    },
  });
  await assert.rejects(
    trainRun({ params: { ...params, model: 'plain', epochs: 2 }, resumeFrom: checkpoint, onEpoch: ignore }),
    (err: unknown) =>
      err instanceof CheckpointError && /model: checkpoint "resnet", run "plain"/.test(err.message),
  );
  await assert.rejects(
    trainRun({ params, resumeFrom: new Uint8Array(100), onEpoch: ignore }),
    /not a sweeplab checkpoint/,
  );
});

test('an abort stops between batches and resolves with aborted: true', async () => {
  // 100 batches of 64 take well over 10 s on one core; the abort comes after 0.5 s.
  const params = RunParams.parse({ model: 'resnet', lr: 0.1, epochs: 2, train_subset: 6400, val_subset: 10 });
  const controller = new AbortController();
  const before = tf.memory().numTensors;
  setTimeout(() => controller.abort(), 500);
  const started = performance.now();
  const result = await trainRun({ params, signal: controller.signal, onEpoch: ignore });
  assert.equal(result.aborted, true);
  assert.deepEqual(result.epochs, []);
  assert.ok(
    performance.now() - started < 5000,
    `stopped within a few batches (${performance.now() - started} ms)`,
  );
  assert.equal(tf.memory().numTensors, before, 'an aborted run frees its tensors');
});

test("adam with a warmed-up cosine schedule on a depth-2 plain net records each epoch's lr and resumes exactly", async () => {
  const params = RunParams.parse({
    model: 'plain',
    depth: 2,
    optimizer: 'adam',
    weight_decay: 0.0001,
    lr: 0.001,
    lr_schedule: 'cosine',
    warmup_epochs: 1,
    epochs: 3,
    train_subset: 128,
    val_subset: 10,
  });
  const checkpoints: Uint8Array[] = [];
  const full = await trainRun({
    params,
    onEpoch: async (_m, c) => {
      checkpoints.push(c);
    },
  });
  assert.deepEqual(
    full.epochs.map((m) => m.epoch_lr),
    [0.0005, 0.001, 0.0005],
  );
  assert.ok(full.epochs.every((m) => Number.isFinite(m.train_loss)));
  const resumed = await trainRun({ params, resumeFrom: checkpoints[0], onEpoch: ignore });
  const withoutTiming = (m: EpochMetrics) => ({ ...m, epoch_seconds: 0, images_per_second: 0 });
  assert.deepEqual(resumed.epochs.map(withoutTiming), full.epochs.slice(1).map(withoutTiming));
});

test("the CNN's gradients with Winograd layers are as close to the cpu backend's as XNNPACK's direct ones", async () => {
  // At initialisation the CNN's early-layer gradients are sums with heavy cancellation, so float32
  // implementations disagree there by up to a few percent (measured: wasm direct vs cpu 2e-2 in block1,
  // Winograd vs cpu 4e-4). The test asks Winograd to be no further from the cpu backend's built-in
  // gradients than the direct path is (or within 1e-4); a wrong tile, tap or transform is O(1) off.
  const model = getModel('cnn');
  const dataset = loadDataset('mnist');
  const images = 8;
  const gradients = async (backend: 'wasm' | 'cpu', winograd: boolean) => {
    await initBackend(backend);
    setWinograd(winograd);
    try {
      const weights = ModelWeights.initialise(model.layers, 3);
      const batch = makeBatch(
        dataset.train,
        Uint32Array.from({ length: images }, (_, i) => i),
        0,
        images,
      );
      const { grads } = tf.variableGrads(
        () => softmaxCrossEntropy(model.forward(weights, batch.images), batch.oneHot),
        weights.variables,
      );
      const arrays = weights.variables.map((v) => grads[v.name]!.dataSync() as Float32Array);
      tf.dispose(Object.values(grads));
      disposeBatch(batch);
      weights.dispose();
      return arrays;
    } finally {
      setWinograd(true);
    }
  };
  const reference = await gradients('cpu', false);
  const direct = await gradients('wasm', false);
  const fast = await gradients('wasm', true);
  const error = (a: Float32Array, b: Float32Array) => {
    let [d, n] = [0, 0];
    for (let i = 0; i < a.length; i++) [d, n] = [d + (a[i]! - b[i]!) ** 2, n + b[i]! ** 2];
    return Math.sqrt(d / n);
  };
  reference.forEach((expected, i) => {
    const [w, d] = [error(fast[i]!, expected), error(direct[i]!, expected)];
    assert.ok(w <= Math.max(2 * d, 1e-4), `array ${i}: Winograd ${w} from the cpu backend, direct ${d}`);
  });
});
