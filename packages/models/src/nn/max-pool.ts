import * as tf from '@tensorflow/tfjs-core';
import { usesRoutedGradients } from './gradient-routing.ts';

/** 2×2 max pooling with stride 2 (PyTorch `MaxPool2d(2)`); H and W must be even. */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (h % 2 !== 0 || w % 2 !== 0) throw new Error(`maxPool2x2 needs even H and W, got ${h}×${w}`);
  if (!usesRoutedGradients()) return tf.maxPool(x, 2, 2, 'valid');
  const op = tf.customGrad((input, save) => {
    const pooled = tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid');
    (save as tf.GradSaveFunc)([input as tf.Tensor4D, pooled]);
    return {
      value: pooled,
      gradFunc: (dy, saved) => {
        const [savedInput, savedPooled] = saved as [tf.Tensor4D, tf.Tensor4D];
        // The gradient goes where the input equals its window's max. wasm's MaxPoolGrad is a slow loop
        // that also sends an all-negative window's gradient to index 0. Exact ties (which need equal
        // floats in one window) would all receive it; PyTorch picks the first.
        const isMax = tf.cast(tf.equal(savedInput, upsample2x(savedPooled)), 'float32');
        return tf.mul(upsample2x(dy as tf.Tensor4D), isMax);
      },
    };
  });
  return op(x) as tf.Tensor4D;
}

/** Nearest-neighbour 2× upsampling: every value fills its 2×2 window. */
export function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const spread = tf.broadcastTo(tf.reshape(x, [n, h, 1, w, 1, c]), [n, h, 2, w, 2, c]);
    return tf.reshape(spread, [n, 2 * h, 2 * w, c]) as tf.Tensor4D;
  });
}
