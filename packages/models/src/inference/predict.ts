import type { ModelName } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { IMAGE_SIZE } from '../data/dataset-files.ts';
import { getModel } from '../models/model-registry.ts';
import { ModelWeights, type NamedArray } from '../models/model-weights.ts';

/**
 * Class probabilities (softmax of the logits) for images given as 28×28 float32 pixels in [0, 1],
 * white digit on black as in MNIST, concatenated row-major: one Float32Array of 10 per image. `depth`
 * is the run's (residual blocks per stage); weights the network at that depth does not use are refused,
 * so a deeper run's weights never predict silently through a shallower network.
 */
export function predictProbabilities(
  model: ModelName,
  weights: readonly NamedArray[],
  pixels: Float32Array,
  depth = 1,
): Float32Array[] {
  const count = pixels.length / (IMAGE_SIZE * IMAGE_SIZE);
  if (!Number.isInteger(count) || count === 0) {
    throw new RangeError(`${pixels.length} pixels are not a whole number of 28×28 images`);
  }
  const definition = getModel(model, depth);
  const used = new Set(definition.layers.flatMap((l) => [`${l.name}.kernel`, `${l.name}.bias`]));
  const unused = weights.filter((w) => !used.has(w.name)).map((w) => w.name);
  if (unused.length > 0) {
    throw new Error(`${model} at depth ${depth} has no layer for weights ${unused.join(', ')}`);
  }
  const loaded = ModelWeights.fromArrays(definition.layers, weights);
  try {
    const probabilities = tf.tidy(() =>
      tf.softmax(definition.forward(loaded, tf.tensor4d(pixels, [count, IMAGE_SIZE, IMAGE_SIZE, 1]))),
    );
    const flat = probabilities.dataSync() as Float32Array;
    probabilities.dispose();
    return Array.from({ length: count }, (_, i) => flat.slice(i * 10, (i + 1) * 10));
  } finally {
    loaded.dispose();
  }
}
