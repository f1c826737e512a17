import * as tf from '@tensorflow/tfjs-core';
import { usesRoutedGradients } from './gradient-routing.ts';
import { imagePatchesWithOnesRow } from './image-patches.ts';

export interface ConvWeights {
  /** (k, k, in, out), as tf.conv2d expects. */
  kernel: tf.Tensor4D;
  bias: tf.Tensor1D;
  /** The input's spatial size the model declared for this layer; checked so the MAC table stays true. */
  size?: number;
}

export interface Conv2dOptions {
  /**
   * False for a layer fed by data (the first layer): its input gradient is never needed, and a
   * custom gradient would otherwise compute it eagerly.
   */
  inputGradient?: boolean;
}

/**
 * Stride-1, zero-padded ("same") convolution with an odd square kernel plus bias; the only kind these
 * models use (PyTorch `Conv2d(c_in, c_out, k, padding=(k-1)/2)`).
 */
export function conv2d(x: tf.Tensor4D, weights: ConvWeights, options: Conv2dOptions = {}): tf.Tensor4D {
  const k = weights.kernel.shape[0];
  if (k % 2 !== 1 || weights.kernel.shape[1] !== k) {
    throw new Error(`conv2d supports odd square kernels only, got ${weights.kernel.shape.join('×')}`);
  }
  if (weights.size !== undefined && (x.shape[1] !== weights.size || x.shape[2] !== weights.size)) {
    throw new Error(`conv2d expected ${weights.size}×${weights.size} maps, got ${x.shape[1]}×${x.shape[2]}`);
  }
  if (!usesRoutedGradients()) {
    return tf.add(tf.conv2d(x, weights.kernel, 1, 'same'), weights.bias);
  }
  const forward = (input: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D) =>
    tf.fused.conv2d({ x: input, filter: kernel, bias, strides: 1, pad: 'same' });
  if (options.inputGradient === false) {
    const op = tf.customGrad((kernel, bias, save) => {
      (save as tf.GradSaveFunc)([x]);
      return {
        value: forward(x, kernel as tf.Tensor4D, bias as tf.Tensor1D),
        gradFunc: (dy, saved) => dataFedConvGradients(saved[0] as tf.Tensor4D, dy as tf.Tensor4D, k),
      };
    });
    return op(weights.kernel, weights.bias) as tf.Tensor4D;
  }
  const op = tf.customGrad((input, kernel, bias, save) => {
    (save as tf.GradSaveFunc)([input as tf.Tensor4D, kernel as tf.Tensor4D]);
    return {
      value: forward(input as tf.Tensor4D, kernel as tf.Tensor4D, bias as tf.Tensor1D),
      gradFunc: (dy, saved) => {
        const [savedInput, savedKernel] = saved as [tf.Tensor4D, tf.Tensor4D];
        const g = dy as tf.Tensor4D;
        return [convInputGradient(g, savedKernel), convKernelGradient(savedInput, g, k), biasGradient(g)];
      },
    };
  });
  return op(x, weights.kernel, weights.bias) as tf.Tensor4D;
}

/**
 * dX of a "same" convolution is the "same" convolution of dy with the kernel rotated by 180° and its
 * in/out channels swapped, so it runs on XNNPACK's forward conv instead of Conv2DBackpropInput.
 */
export function convInputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const flipped = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(dy, flipped, 1, 'same');
  });
}

/**
 * dW[i,j,c,o] = Σ_{n,h,w} xpad[n,h+i,w+j,c]·dy[n,h,w,o] is itself a "valid" convolution once the batch
 * plays the role of channels: input xpadᵀ (C_in, H+2p, W+2p, N), filter dyᵀ (H, W, N, C_out), output
 * (C_in, k, k, C_out). This replaces Conv2DBackpropFilter, which wasm lacks (tfjs#8474).
 */
export function convKernelGradient(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.tidy(() => {
    const p = (k - 1) / 2;
    const xT = tf.pad(tf.transpose(x, [3, 1, 2, 0]), [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ]) as tf.Tensor4D;
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    return tf.transpose(tf.conv2d(xT, dyAsFilter, 1, 'valid'), [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * Kernel and bias gradients of a layer fed by data, as one matMul of the input's transposed patches
 * (with a ones row for the bias) and dy.
 */
export function dataFedConvGradients(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): [tf.Tensor4D, tf.Tensor1D] {
  return tf.tidy(() => {
    const [, , , cIn] = x.shape;
    const cOut = dy.shape[3];
    const rows = k * k * cIn;
    const both = tf.matMul(imagePatchesWithOnesRow(x, k), tf.reshape(dy, [-1, cOut]) as tf.Tensor2D);
    return [
      tf.reshape(tf.slice(both, [0, 0], [rows, cOut]), [k, k, cIn, cOut]) as tf.Tensor4D,
      tf.reshape(tf.slice(both, [rows, 0], [1, cOut]), [cOut]) as tf.Tensor1D,
    ];
  });
}

/** Σ over batch and space as a plain (1×M)·(M×C) matMul; wasm's Sum over leading axes is a slow loop. */
export function biasGradient(dy: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const channels = dy.shape[dy.rank - 1]!;
    const rows = dy.size / channels;
    return tf.reshape(tf.matMul(tf.ones([1, rows]), tf.reshape(dy, [rows, channels])), [
      channels,
    ]) as tf.Tensor1D;
  });
}
