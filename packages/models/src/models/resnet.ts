import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from '../nn/conv2d.ts';
import { dense } from '../nn/dense.ts';
import { maxPool2x2 } from '../nn/max-pool.ts';
import { convLayer, denseLayer } from './layer-spec.ts';
import type { ModelDefinition } from './model-definition.ts';
import type { ModelWeights } from './model-weights.ts';
import { residualBlock, residualBlockLayers } from './residual-block.ts';

/**
 * Names of a stage's blocks: `block1` alone at depth 1 (the reference network, whose weight names
 * checkpoints carry), then `block1_2`, `block1_3`, … for deeper stages.
 */
function stageBlocks(stage: number, depth: number): string[] {
  return Array.from({ length: depth }, (_, i) => (i === 0 ? `block${stage}` : `block${stage}_${i + 1}`));
}

function resnetLayers(depth: number) {
  return [
    convLayer('conv1', 1, 20, 5, 28),
    ...stageBlocks(1, depth).flatMap((name) => residualBlockLayers(name, 20, 14)),
    convLayer('conv2', 20, 15, 3, 14),
    ...stageBlocks(2, depth).flatMap((name) => residualBlockLayers(name, 15, 7)),
    denseLayer('fc1', 7 * 7 * 15, 245),
    denseLayer('fc2', 245, 10),
  ];
}

/**
 * The reference MNIST ResNet with `depth` residual blocks per stage (1 = the reference);
 * `shortcut: false` gives the same network without skip connections.
 */
export function resnetForward(
  weights: ModelWeights,
  images: tf.Tensor4D,
  { shortcut = true, depth = 1 }: { shortcut?: boolean; depth?: number } = {},
): tf.Tensor2D {
  let x = tf.relu(maxPool2x2(conv2d(images, weights.conv('conv1'), { inputGradient: false })));
  for (const block of stageBlocks(1, depth)) x = residualBlock(x, weights, block, { shortcut });
  x = tf.relu(maxPool2x2(conv2d(x, weights.conv('conv2'))));
  for (const block of stageBlocks(2, depth)) x = residualBlock(x, weights, block, { shortcut });
  // NHWC flattening orders features (h, w, c) where PyTorch's NCHW gives (c, h, w): a fixed permutation
  // of fc1's inputs, which changes nothing about what the network can learn or how it is initialised.
  const features = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
  return dense(tf.relu(dense(features, weights.dense('fc1'))), weights.dense('fc2'));
}

/** The ResNet with `depth` blocks per stage (He et al.'s deeper variants of the same design). */
export function resnetOfDepth(depth: number): ModelDefinition {
  return {
    name: 'resnet',
    description:
      depth === 1
        ? 'Reference MNIST ResNet: conv 5×5 → two residual blocks → 2 dense layers'
        : `MNIST ResNet with ${depth} residual blocks per stage`,
    layers: resnetLayers(depth),
    forward: (weights, images) => resnetForward(weights, images, { depth }),
  };
}

export const resnet: ModelDefinition = resnetOfDepth(1);
