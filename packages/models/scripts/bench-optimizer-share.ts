/**
 * The optimizer step's share of a training step (batch 64, real MNIST, one thread): for each optimizer,
 * the time of `optimizer.step(grads)` alone over the time of a whole train step (forward, backward,
 * step). Goal: adam ≤ 10% on resnet. Run by `npm run bench:train` after the throughput table. Usage:
 *   tsx scripts/bench-optimizer-share.ts [--models resnet,plain,cnn] [--backend wasm] [--steps 30]
 */
import { parseArgs } from 'node:util';
import { type BackendPreference, ModelName, OPTIMIZER_NAMES, type OptimizerName } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/backend.ts';
import { disposeBatch, makeBatch } from '../src/data/batch.ts';
import { loadDataset } from '../src/data/dataset-loader.ts';
import { getModel } from '../src/models/model-registry.ts';
import { ModelWeights } from '../src/models/model-weights.ts';
import { createOptimizer } from '../src/training/optimizer.ts';
import { softmaxCrossEntropy } from '../src/training/softmax-cross-entropy.ts';
import { trainStep } from '../src/training/train-step.ts';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'resnet,plain,cnn' },
    backend: { type: 'string', default: 'wasm' },
    steps: { type: 'string', default: '30' },
  },
});
const models = values.models.split(',').map((m) => ModelName.parse(m));
const steps = Number(values.steps);
const backend = await initBackend(values.backend as BackendPreference);
const dataset = loadDataset('mnist');
const order = Uint32Array.from({ length: dataset.train.count }, (_, i) => i);
const BATCH = 64;

/** Median of per-call milliseconds over `steps` calls after two warm-ups. */
function medianMs(call: (i: number) => void): number {
  call(0);
  call(1);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const started = performance.now();
    call(i + 2);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

console.log(
  `optimizer step share of a train step — backend ${backend.backend} (${backend.device}), batch ${BATCH}, median of ${steps}\n`,
);
console.log('| model | optimizer | train step (ms) | optimizer step (ms) | share |');
console.log('|---|---|---:|---:|---:|');
for (const name of models) {
  const model = getModel(name);
  for (const optimizerName of OPTIMIZER_NAMES as readonly OptimizerName[]) {
    const weights = ModelWeights.initialise(model.layers, 0);
    const optimizer = createOptimizer(weights.variables, {
      lr: 0.001,
      optimizer: optimizerName,
      momentum: optimizerName === 'sgd' || optimizerName === 'rmsprop' ? 0.9 : 0,
      nesterov: false,
      weight_decay: 0.0001,
    });
    const batchAt = (i: number) =>
      makeBatch(dataset.train, order, (i * BATCH) % 59_968, ((i * BATCH) % 59_968) + BATCH);
    const stepMs = medianMs((i) => {
      const batch = batchAt(i);
      trainStep(model, weights, optimizer, batch);
      disposeBatch(batch);
    });
    // The same gradients every call: the update's cost does not depend on their values.
    const batch = batchAt(0);
    const { value, grads } = tf.variableGrads(
      () => softmaxCrossEntropy(model.forward(weights, batch.images), batch.oneHot),
      weights.variables,
    );
    const list = weights.variables.map((v) => grads[v.name]!);
    const updateMs = medianMs(() => optimizer.step(list));
    tf.dispose([value, ...list]);
    disposeBatch(batch);
    optimizer.dispose();
    weights.dispose();
    console.log(
      `| ${name} | ${optimizerName} | ${stepMs.toFixed(1)} | ${updateMs.toFixed(2)} | ${((100 * updateMs) / stepMs).toFixed(1)}% |`,
    );
  }
}
