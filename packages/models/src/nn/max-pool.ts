import * as tf from '@tensorflow/tfjs-core';
import { usesRoutedGradients } from './gradient-routing.ts';
import { registerJsKernel } from './js-kernel.ts';
import { profileScope } from './kernel-profile.ts';
import { simdFunction, simdReady } from './simd-module.ts';

/** 2×2 max pooling with stride 2 (PyTorch `MaxPool2d(2)`); H and W must be even. */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (h % 2 !== 0 || w % 2 !== 0) throw new Error(`maxPool2x2 needs even H and W, got ${h}×${w}`);
  if (!usesRoutedGradients()) return tf.maxPool(x, 2, 2, 'valid');
  const op = tf.customGrad((input, save) => {
    (save as tf.GradSaveFunc)([input as tf.Tensor4D]);
    return {
      value: profileScope('max-pool', 'forward', () => tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid')),
      gradFunc: (dy, saved) =>
        profileScope('max-pool', 'backward', () =>
          maxPool2x2Backward(saved[0] as tf.Tensor4D, dy as tf.Tensor4D),
        ),
    };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * Sends each window's gradient to the first position (row-major) holding the window's max, as PyTorch
 * does, in one pass: wasm's MaxPoolGrad is a slow loop that also routes an all-negative window to
 * index 0, and an equality mask against the upsampled max needs Tile, which wasm runs ~50× slower.
 * On wasm with SIMD the same in wat/backward-kernels-wat.ts (C ≥ 4).
 */
const maxPool2x2Grad = registerJsKernel({
  name: 'SweeplabMaxPool2x2Grad',
  outputShape: ([xShape]) => xShape!,
  compute([input, grad], [xShape], dx) {
    const [n, h, w, c] = xShape as [number, number, number, number];
    if (c >= 4 && simdReady('maxPool2x2Grad', [input!, grad!, dx], c)) {
      simdFunction('maxPool2x2Grad')(input!.byteOffset, grad!.byteOffset, dx.byteOffset, (n * h) / 2, w, c);
      return;
    }
    dx.fill(0);
    const rowStride = w * c;
    let g = 0;
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < h / 2; oy++) {
        const top = (b * h + 2 * oy) * rowStride;
        for (let ox = 0; ox < w / 2; ox++) {
          const topLeft = top + 2 * ox * c;
          for (let ch = 0; ch < c; ch++, g++) {
            const p0 = topLeft + ch;
            const p1 = p0 + c;
            const p2 = p0 + rowStride;
            const p3 = p2 + c;
            let best = p0;
            if (input![p1]! > input![best]!) best = p1;
            if (input![p2]! > input![best]!) best = p2;
            if (input![p3]! > input![best]!) best = p3;
            dx[best] = grad![g]!;
          }
        }
      }
    }
  },
});

export function maxPool2x2Backward(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  return maxPool2x2Grad([x, dy]) as tf.Tensor4D;
}
