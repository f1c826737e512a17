import * as tf from '@tensorflow/tfjs-core';
import { biasGradient } from './gradient-kernels.ts';
import { usesRoutedGradients } from './gradient-routing.ts';
import { profileScope } from './kernel-profile.ts';

export interface DenseWeights {
  /** (in, out). */
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
  /** The layer's name, for kernel profiles. */
  name?: string;
}

/** Fully connected layer x·W + b (PyTorch `Linear`). */
export function dense(x: tf.Tensor2D, weights: DenseWeights): tf.Tensor2D {
  const name = weights.name ?? `dense ${weights.kernel.shape.join('→')}`;
  if (!usesRoutedGradients())
    return profileScope(name, 'forward', () => tf.add(tf.matMul(x, weights.kernel), weights.bias));
  const op = tf.customGrad((input, kernel, bias, save) => {
    (save as tf.GradSaveFunc)([input as tf.Tensor2D, kernel as tf.Tensor2D]);
    return {
      value: profileScope(name, 'forward', () =>
        tf.fused.matMul({ a: input as tf.Tensor2D, b: kernel as tf.Tensor2D, bias: bias as tf.Tensor1D }),
      ),
      gradFunc: (dy, saved) => {
        const [savedInput, savedKernel] = saved as [tf.Tensor2D, tf.Tensor2D];
        const g = dy as tf.Tensor2D;
        // Explicit transposes keep both products plain 2-D matMuls (XNNPACK); transposeA/B flags do not.
        return [
          profileScope(name, 'dX', () => tf.matMul(g, tf.transpose(savedKernel))),
          profileScope(name, 'dW', () => tf.matMul(tf.transpose(savedInput), g)),
          profileScope(name, 'bias', () => biasGradient(g)),
        ];
      },
    };
  });
  return op(x, weights.kernel, weights.bias) as tf.Tensor2D;
}
