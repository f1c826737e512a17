import { type ResnetSpec, resnetLayers, resnetSpec } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from '../nn/conv2d.ts';
import { dense } from '../nn/dense.ts';
import { maxPool2x2 } from '../nn/max-pool.ts';
import type { ModelDefinition } from './model-definition.ts';
import type { ModelWeights } from './model-weights.ts';
import { residualBlock } from './residual-block.ts';

/** The reference MNIST ResNet; `shortcut: false` gives the same network without skip connections. */
export function resnetForward(
  spec: ResnetSpec,
  weights: ModelWeights,
  images: tf.Tensor4D,
  { shortcut = true }: { shortcut?: boolean } = {},
): tf.Tensor2D {
  let x = images;
  spec.stages.forEach((stage, i) => {
    x = tf.relu(maxPool2x2(conv2d(x, weights.conv(stage.conv.name), { inputGradient: i > 0 })));
    for (const block of stage.blocks) x = residualBlock(x, weights, block, { shortcut });
  });
  // NHWC flattening orders features (h, w, c) where PyTorch's NCHW gives (c, h, w): a fixed permutation
  // of fc1's inputs, which changes nothing about what the network can learn or how it is initialised.
  const features = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
  return dense(tf.relu(dense(features, weights.dense(spec.fc1.name))), weights.dense(spec.fc2.name));
}

/** `plain` is this model with `shortcut: false`: same layers and parameters, no identity path. */
export function resnetModel(
  { shortcut }: { shortcut: boolean },
  spec: ResnetSpec = resnetSpec(),
): Omit<ModelDefinition, 'name' | 'description'> {
  return {
    layers: resnetLayers(spec),
    forward: (weights, images) => resnetForward(spec, weights, images, { shortcut }),
  };
}
