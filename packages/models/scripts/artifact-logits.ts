// `tsx scripts/artifact-logits.ts weights.safetensors [count]`: TF.js logits of the first `count`
// validation images (the run's validation slice) for a kept artifact, as JSON on stdout, for
// packages/models/pytorch/check_artifact.py --logits to compare with PyTorch's.
import { readFileSync } from 'node:fs';
import { RunParams } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/backend.ts';
import { makeBatch } from '../src/data/batch.ts';
import { CLASS_COUNT } from '../src/data/dataset-files.ts';
import { loadDataset } from '../src/data/dataset-loader.ts';
import { stratifiedSubset } from '../src/data/stratified-subset.ts';
import { safetensorsToWeights } from '../src/export/model-artifact.ts';
import { getModel } from '../src/models/model-registry.ts';
import { ModelWeights } from '../src/models/model-weights.ts';

const [path, countArg] = process.argv.slice(2);
if (!path) {
  console.error('usage: tsx scripts/artifact-logits.ts <weights.safetensors> [count=500]');
  process.exit(2);
}
await initBackend('auto');
const { model, depth, weights, metadata } = safetensorsToWeights(readFileSync(path));
const params = RunParams.parse(JSON.parse(metadata.params ?? '{}'));
const test = loadDataset(params.dataset).test;
const indices =
  params.val_subset && params.val_subset < test.count
    ? stratifiedSubset(test.labels, params.val_subset, CLASS_COUNT)
    : Uint32Array.from({ length: test.count }, (_, i) => i);
const count = Math.min(Number(countArg ?? 500), indices.length);
const definition = getModel(model, depth);
const loaded = ModelWeights.fromArrays(definition.layers, weights);
const batch = makeBatch(test, indices, 0, count);
const logits = tf.tidy(() => definition.forward(loaded, batch.images));
const flat = Array.from(logits.dataSync());
console.log(
  JSON.stringify({
    backend: tf.getBackend(),
    logits: Array.from({ length: count }, (_, i) => flat.slice(i * 10, (i + 1) * 10)),
  }),
);
