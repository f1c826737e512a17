import * as tf from '@tensorflow/tfjs-core';

/**
 * dX and dW of a stride-1 "same" convolution from TF.js's own backward kernels (Conv2DBackpropInput via
 * conv2dTranspose, Conv2DBackpropFilter): the reference the routed and Winograd gradients are tested
 * against, on the cpu backend (wasm has no Conv2DBackpropFilter).
 */
export function builtinConvGradients(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  dy: tf.Tensor4D,
): { dx: tf.Tensor4D; dw: tf.Tensor4D } {
  const dx = tf.conv2dTranspose(dy, kernel, x.shape, 1, 'same');
  const attrs = {
    strides: 1,
    pad: 'same',
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
    filterShape: kernel.shape,
  };
  const dw = tf
    .engine()
    .runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  return { dx, dw };
}
