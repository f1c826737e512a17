import * as tf from '@tensorflow/tfjs-core';
import { profileScope } from './kernel-profile.ts';

/**
 * Whether layers use routed gradients: every backward pass expressed with forward kernels (conv2d,
 * 2-D matMul, elementwise ops), because wasm lacks Conv2DBackpropFilter and runs its other backward
 * kernels as naive loops, and the cpu backend's are slow too. On the native backend (tfjs-node, which
 * also registers TF.js's full gradient set) the built-in gradients are native and used instead.
 */
export function usesRoutedGradients(): boolean {
  return tf.getBackend() !== 'tensorflow';
}

/**
 * tfjs-core registers no gradients by itself (the tfjs union package does, and its ESM files cannot be
 * loaded by Node). Routed training only puts these kernels on the tape next to the custom-gradient
 * layers; each is registered unless someone (tfjs-node) already did.
 */
export function registerTapeGradients(): void {
  const configs: tf.GradConfig[] = [
    {
      kernelName: tf.Relu,
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => ({
        x: () => profileScope('relu', 'backward', () => tf.mul(dy as tf.Tensor, tf.step(saved[0]!))),
      }),
    },
    {
      kernelName: tf.Add,
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved) => {
        const g = dy as tf.Tensor;
        const reduceTo = (input: tf.Tensor) => {
          const axes = tf.backend_util.getReductionAxes(input.shape, g.shape);
          return axes.length > 0 ? tf.reshape(tf.sum(g, axes), input.shape) : g;
        };
        return {
          a: () => profileScope('add', 'backward', () => reduceTo(saved[0]!)),
          b: () => profileScope('add', 'backward', () => reduceTo(saved[1]!)),
        };
      },
    },
    {
      kernelName: tf.Reshape,
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => ({ x: () => tf.reshape(dy as tf.Tensor, saved[0]!.shape) }),
    },
  ];
  for (const config of configs) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}

registerTapeGradients();
