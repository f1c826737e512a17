import { type CnnSpec, type ConvSpec, cnnLayers, cnnSpec } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from '../nn/conv2d.ts';
import { dense } from '../nn/dense.ts';
import { maxPool2x2 } from '../nn/max-pool.ts';
import type { ModelDefinition } from './model-definition.ts';
import type { ModelWeights } from './model-weights.ts';

/** Every convolution followed by ReLU, as in the traditional CNN the paper compares against. */
function convReluBlock(
  x: tf.Tensor4D,
  weights: ModelWeights,
  layers: ConvSpec[],
  { fedByImages = false } = {},
): tf.Tensor4D {
  return layers.reduce(
    (h, layer, i) =>
      conv2d(h, weights.conv(layer.name), { relu: true, inputGradient: !(fedByImages && i === 0) }),
    x,
  );
}

/** The forward pass of the catalog's CNN spec: its conv blocks (pooling where the spec says), then fc. */
export function cnnForward(spec: CnnSpec, weights: ModelWeights, images: tf.Tensor4D): tf.Tensor2D {
  let x = images;
  spec.blocks.forEach((block, i) => {
    x = convReluBlock(x, weights, block.convs, { fedByImages: i === 0 });
    if (block.poolAfter) x = maxPool2x2(x);
  });
  return dense(tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D, weights.dense(spec.fc.name));
}

export function cnnModel(spec: CnnSpec = cnnSpec()): Omit<ModelDefinition, 'name' | 'description'> {
  return { layers: cnnLayers(spec), forward: (weights, images) => cnnForward(spec, weights, images) };
}
