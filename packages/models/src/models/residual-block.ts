import type { ResidualBlockSpec } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from '../nn/conv2d.ts';
import type { ModelWeights } from './model-weights.ts';

/**
 * y = ReLU(x + F(x)) with F = conv → ReLU → conv (He et al. 2016, fig. 2). Without the shortcut it is
 * the "plain" block the paper compares against: y = ReLU(F(x)).
 */
export function residualBlock(
  x: tf.Tensor4D,
  weights: ModelWeights,
  block: ResidualBlockSpec,
  { shortcut = true }: { shortcut?: boolean } = {},
): tf.Tensor4D {
  const hidden = conv2d(x, weights.conv(block.conv1.name), { relu: true });
  const residual = conv2d(hidden, weights.conv(block.conv2.name));
  return tf.relu(shortcut ? (tf.add(x, residual) as tf.Tensor4D) : residual);
}
