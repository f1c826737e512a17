import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from '../nn/conv2d.ts';
import { dense } from '../nn/dense.ts';
import { maxPool2x2 } from '../nn/max-pool.ts';
import { convLayer, denseLayer } from './layer-spec.ts';
import type { ModelDefinition } from './model-definition.ts';
import type { ModelWeights } from './model-weights.ts';
import { residualBlock, residualBlockLayers } from './residual-block.ts';

const layers = [
  convLayer('conv1', 1, 20, 5, 28),
  ...residualBlockLayers('block1', 20, 14),
  convLayer('conv2', 20, 15, 3, 14),
  ...residualBlockLayers('block2', 15, 7),
  denseLayer('fc1', 7 * 7 * 15, 245),
  denseLayer('fc2', 245, 10),
];

/** The reference MNIST ResNet; `shortcut: false` gives the same network without skip connections. */
export function resnetForward(
  weights: ModelWeights,
  images: tf.Tensor4D,
  { shortcut = true }: { shortcut?: boolean } = {},
): tf.Tensor2D {
  let x = tf.relu(maxPool2x2(conv2d(images, weights.conv('conv1'), { inputGradient: false })));
  x = residualBlock(x, weights, 'block1', { shortcut });
  x = tf.relu(maxPool2x2(conv2d(x, weights.conv('conv2'))));
  x = residualBlock(x, weights, 'block2', { shortcut });
  // NHWC flattening orders features (h, w, c) where PyTorch's NCHW gives (c, h, w): a fixed permutation
  // of fc1's inputs, which changes nothing about what the network can learn or how it is initialised.
  const features = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
  return dense(tf.relu(dense(features, weights.dense('fc1'))), weights.dense('fc2'));
}

export const resnet: ModelDefinition = {
  name: 'resnet',
  description: 'Reference MNIST ResNet: conv 5×5 → two residual blocks → 2 dense layers',
  layers,
  forward: (weights, images) => resnetForward(weights, images),
};
