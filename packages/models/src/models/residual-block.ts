import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from '../nn/conv2d.ts';
import { type ConvSpec, convLayer } from './layer-spec.ts';
import type { ModelWeights } from './model-weights.ts';

/** Width of the hidden convolution inside every residual block of the reference ResNet. */
const HIDDEN_CHANNELS = 30;

/** ResBlock(c) on `size`×`size` maps: conv c→30 5×5, ReLU, conv 30→c 3×3. */
export function residualBlockLayers(name: string, channels: number, size: number): ConvSpec[] {
  return [
    convLayer(`${name}.conv1`, channels, HIDDEN_CHANNELS, 5, size),
    convLayer(`${name}.conv2`, HIDDEN_CHANNELS, channels, 3, size),
  ];
}

/**
 * y = ReLU(x + F(x)) with F = conv → ReLU → conv (He et al. 2016, fig. 2). Without the shortcut it is
 * the "plain" block the paper compares against: y = ReLU(F(x)).
 */
export function residualBlock(
  x: tf.Tensor4D,
  weights: ModelWeights,
  name: string,
  { shortcut = true }: { shortcut?: boolean } = {},
): tf.Tensor4D {
  const hidden = conv2d(x, weights.conv(`${name}.conv1`), { relu: true });
  const residual = conv2d(hidden, weights.conv(`${name}.conv2`));
  return tf.relu(shortcut ? (tf.add(x, residual) as tf.Tensor4D) : residual);
}
