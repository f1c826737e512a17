/**
 * Training and evaluation throughput per model and backend on real MNIST batches (batch 64 for training,
 * 250 for evaluation), one process, one thread. Usage:
 *   npm run bench:train [-- --models resnet,plain,cnn --backends wasm,cpu,tensorflow --seconds 6]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type BackendName, forwardMacs, ModelName } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/backend.ts';
import { disposeBatch, makeBatch } from '../src/data/batch.ts';
import { loadDataset } from '../src/data/dataset-loader.ts';
import { getModel } from '../src/models/model-registry.ts';
import { ModelWeights } from '../src/models/model-weights.ts';
import { Sgd } from '../src/training/sgd.ts';
import { trainStep } from '../src/training/train-step.ts';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'resnet,plain,cnn' },
    backends: { type: 'string', default: 'wasm,cpu,tensorflow' },
    seconds: { type: 'string', default: '6' },
  },
});
const models = values.models.split(',').map((m) => ModelName.parse(m));
const backends = values.backends.split(',') as BackendName[];
const budgetMs = Number(values.seconds) * 1000;
/** The stock cpu backend is ~2 orders of magnitude slower; it gets one timed batch and a note. */
const CPU_BUDGET_MS = 1;

const dataset = loadDataset('mnist');
const trainOrder = Uint32Array.from({ length: dataset.train.count }, (_, i) => i);
const testOrder = Uint32Array.from({ length: dataset.test.count }, (_, i) => i);

interface Row {
  backend: string;
  device: string;
  model: string;
  train: string;
  evaluate: string;
  note: string;
}
const rows: Row[] = [];

/** Runs `step` (one warm-up first) until the budget is spent; returns items per second. */
function measure(step: (i: number) => number, budget: number): { perSecond: number; runs: number } {
  step(0);
  let items = 0;
  let runs = 0;
  const started = performance.now();
  do {
    items += step(runs + 1);
    runs++;
  } while (performance.now() - started < budget);
  return { perSecond: (items * 1000) / (performance.now() - started), runs };
}

for (const backendName of backends) {
  let device: string;
  try {
    device = (await initBackend(backendName)).device;
  } catch (err) {
    rows.push({
      backend: backendName,
      device: '—',
      model: '—',
      train: '—',
      evaluate: '—',
      note: `unavailable: ${(err as Error).message.split('\n').slice(1).join('; ').trim()}`,
    });
    continue;
  }
  for (const name of models) {
    const model = getModel(name);
    const weights = ModelWeights.initialise(model.layers, 0);
    const sgd = new Sgd(weights.variables, { lr: 0.01, momentum: 0 });
    const budget = backendName === 'cpu' ? CPU_BUDGET_MS : budgetMs;
    const train = measure((i) => {
      const start = (i * 64) % (dataset.train.count - 64);
      const batch = makeBatch(dataset.train, trainOrder, start, start + 64);
      trainStep(model, weights, sgd, batch);
      disposeBatch(batch);
      return 64;
    }, budget);
    const evaluate = measure((i) => {
      const start = (i * 250) % (dataset.test.count - 250);
      const batch = makeBatch(dataset.test, testOrder, start, start + 250);
      const predictions = tf.tidy(() => tf.argMax(model.forward(weights, batch.images), 1));
      // Read outside tidy (a typed array returned from tidy is walked element by element).
      predictions.dataSync();
      predictions.dispose();
      disposeBatch(batch);
      return 250;
    }, budget / 2);
    sgd.dispose();
    weights.dispose();
    const trainFlops = (3 * 2 * forwardMacs(name) * train.perSecond) / 1e9;
    rows.push({
      backend: backendName,
      device,
      model: name,
      train: train.perSecond.toFixed(backendName === 'cpu' ? 1 : 0),
      evaluate: evaluate.perSecond.toFixed(0),
      note:
        backendName === 'cpu'
          ? 'tiny measurement (1 timed batch), routed gradients; with built-in ones Conv2DBackpropFilter alone takes ~60 s/batch'
          : `${train.runs} batches; ≈${trainFlops.toFixed(1)} GFLOP/s (3× forward MACs)`,
    });
    console.error(
      `${backendName} ${name}: train ${rows.at(-1)!.train} img/s, eval ${rows.at(-1)!.evaluate} img/s`,
    );
  }
}

console.log(
  `\nMachine: ${os.cpus()[0]?.model.trim()} × ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; tfjs-core ${tf.version_core}; one process, one thread\n`,
);
console.log('| backend | device | model | train img/s (batch 64) | eval img/s (batch 250) | note |');
console.log('|---|---|---|---|---|---|');
for (const r of rows)
  console.log(`| ${r.backend} | ${r.device} | ${r.model} | ${r.train} | ${r.evaluate} | ${r.note} |`);
