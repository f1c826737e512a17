import { createPrng, type ModelName, RunParams } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { makeBatch } from '../data/batch.ts';
import { CLASS_COUNT } from '../data/dataset-files.ts';
import { loadDataset } from '../data/dataset-loader.ts';
import { stratifiedSubset } from '../data/stratified-subset.ts';
import { getModel } from '../models/model-registry.ts';
import { ModelWeights, type NamedArray } from '../models/model-weights.ts';
import { encodeCheckpoint } from '../training/checkpoint.ts';
import { checkpointToSafetensors } from './model-artifact.ts';

/**
 * An artifact for checking the PyTorch layout without training: PyTorch's default initialisation
 * times `scale`, plus uniform noise of half each tensor's largest value. Its logits vary strongly from
 * image to image (unlike a CNN still on its initial plateau, whose logits barely depend on the input),
 * and many classes are predicted, so a transposed kernel or a wrong flatten order changes logits and
 * classes. Exported with
 * checkpointToSafetensors, the function the API uses; val_acc is measured here, in TF.js, on the
 * `valSubset` stratified validation images, as a run records it.
 */
export function perturbedArtifact(
  model: ModelName,
  options: { seed?: number; scale?: number; valSubset?: number; depth?: number } = {},
): { file: Uint8Array; weights: NamedArray[]; valAcc: number; params: RunParams } {
  const { seed = 0, scale = 3, valSubset = 500, depth = 1 } = options;
  // lr and epochs are required by RunParams; nothing was trained with them (epoch 0).
  const params = RunParams.parse({
    model,
    seed,
    lr: 0.1,
    epochs: 1,
    val_subset: valSubset,
    depth,
  });
  const definition = getModel(model, depth);
  const initial = ModelWeights.initialise(definition.layers, seed);
  const prng = createPrng(seed, 'perturb');
  const weights = initial.toArrays().map((a) => {
    const values = Float32Array.from(a.values, (v) => v * scale);
    let bound = 0;
    for (const v of values) bound = Math.max(bound, Math.abs(v));
    for (let i = 0; i < values.length; i++) values[i]! += (2 * prng.next() - 1) * bound * 0.5;
    return { ...a, values };
  });
  initial.dispose();
  const test = loadDataset(params.dataset).test;
  const indices = stratifiedSubset(test.labels, valSubset, CLASS_COUNT);
  const batch = makeBatch(test, indices, 0, indices.length);
  const logitsOf = () => {
    const loaded = ModelWeights.fromArrays(definition.layers, weights);
    const logits = tf.tidy(() => definition.forward(loaded, batch.images));
    loaded.dispose();
    return logits;
  };
  // Post-ReLU features share a large positive mean, so every image's logits lean the same way and one
  // or two classes win everywhere. Moving the mean logit into the last bias leaves the image-to-image
  // differences to pick the class: many classes predicted, so a layout error changes them.
  const lastBias = weights.findLast((a) => a.name.endsWith('.bias'))!;
  const first = logitsOf();
  const mean = tf.tidy(() => tf.mean(first, 0)).dataSync();
  first.dispose();
  for (let c = 0; c < lastBias.values.length; c++) lastBias.values[c]! -= mean[c]!;
  const logits = logitsOf();
  const predicted = tf.tidy(() => tf.argMax(logits, 1)).dataSync();
  logits.dispose();
  tf.dispose([batch.images, batch.oneHot]);
  const valAcc = predicted.filter((p, i) => p === batch.labels[i]).length / indices.length;
  const checkpoint = encodeCheckpoint({
    model,
    params,
    epoch: 0,
    backend: tf.getBackend(),
    weights,
    optimizer: [],
  });
  const file = checkpointToSafetensors(checkpoint, {
    runId: `perturbed-${model}`,
    valAcc,
    codeVersion: 'perturbed-artifact',
  });
  return { file, weights, valAcc, params };
}
