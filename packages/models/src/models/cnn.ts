import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from '../nn/conv2d.ts';
import { dense } from '../nn/dense.ts';
import { maxPool2x2 } from '../nn/max-pool.ts';
import { type ConvSpec, convLayer, denseLayer } from './layer-spec.ts';
import type { ModelDefinition } from './model-definition.ts';
import type { ModelWeights } from './model-weights.ts';

/** A block of 3×3 "same" convolutions at one resolution, channel widths in order. */
function convBlock(name: string, widths: number[], size: number): ConvSpec[] {
  return widths.slice(1).map((out, i) => convLayer(`${name}.conv${i + 1}`, widths[i]!, out, 3, size));
}

const blocks = {
  block1: convBlock('block1', [1, 8, 8], 28),
  block2: convBlock('block2', [8, 16, 32, 32], 28),
  block3: convBlock('block3', [32, 16, 32, 32], 14),
  block4: convBlock('block4', [32, 256, 256], 7),
};

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

export const cnn: ModelDefinition = {
  name: 'cnn',
  description: 'Traditional CNN: 10 conv 3×3 layers in 4 blocks, 2 max-pools, 1 dense layer',
  layers: [
    ...blocks.block1,
    ...blocks.block2,
    ...blocks.block3,
    ...blocks.block4,
    denseLayer('fc', 7 * 7 * 256, 10),
  ],
  forward(weights, images) {
    let x = convReluBlock(images, weights, blocks.block1, { fedByImages: true });
    x = maxPool2x2(convReluBlock(x, weights, blocks.block2));
    x = maxPool2x2(convReluBlock(x, weights, blocks.block3));
    x = convReluBlock(x, weights, blocks.block4);
    return dense(tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D, weights.dense('fc'));
  },
};
