import * as tf from '@tensorflow/tfjs-core';
import { profileScope } from '../nn/kernel-profile.ts';

/**
 * Mean softmax cross-entropy over the batch (PyTorch `CrossEntropyLoss`), with the analytic gradient
 * (softmax − one-hot)/B so the backward pass is two elementwise ops on any backend.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  const op = tf.customGrad((z, save) => {
    const input = z as tf.Tensor2D;
    (save as tf.GradSaveFunc)([input]);
    const perExample = tf.sub(tf.logSumExp(input, 1), tf.sum(tf.mul(oneHot, input), 1));
    return {
      value: tf.mean(perExample) as tf.Scalar,
      gradFunc: (dy, saved) =>
        profileScope('loss', 'backward', () => {
          const batch = saved[0]!.shape[0]!;
          return tf.mul(tf.sub(tf.softmax(saved[0]!), oneHot), tf.div(dy as tf.Scalar, batch));
        }),
    };
  });
  return op(logits) as tf.Scalar;
}

/** Per-example losses, for evaluation (no gradient). */
export function softmaxCrossEntropyPerExample(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D {
  return tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(oneHot, logits), 1)) as tf.Tensor1D;
}
