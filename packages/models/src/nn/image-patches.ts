import type * as tf from '@tensorflow/tfjs-core';
import { registerJsKernel } from './js-kernel.ts';

/**
 * Transposed im2col of a "same"-padded k×k convolution's input, plus a row of ones:
 * (k·k·C + 1, N·H·W), row (i·k + j)·C + c holding xpad[n, h+i, w+j, c] for column (n·H + h)·W + w.
 * Times dy reshaped (N·H·W, C_out) it gives the kernel gradient (first k·k·C rows, in tf.conv2d's
 * (k, k, C, C_out) order) and the bias gradient (last row) in one plain 2-D matMul. Used for the
 * data-fed first layer, where C is 1 and XNNPACK runs the batch-as-channels convolution poorly
 * (a 25-pixel output through a 28×28 filter).
 */
const patchesWithOnesRow = registerJsKernel({
  name: 'SweeplabPatchesWithOnesRow',
  outputShape: ([xShape], { k }) => {
    const [n, h, w, c] = xShape as [number, number, number, number];
    return [k! * k! * c + 1, n * h * w];
  },
  compute([x], [xShape], out, { k }) {
    const [N, H, W, C] = xShape as [number, number, number, number];
    const K = k!;
    const p = (K - 1) / 2;
    const columns = N * H * W;
    let row = 0;
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        for (let ch = 0; ch < C; ch++, row++) {
          let col = row * columns;
          for (let b = 0; b < N; b++) {
            for (let y = 0; y < H; y++) {
              const sy = y + i - p;
              const inside = sy >= 0 && sy < H;
              const rowBase = ((b * H + sy) * W + j - p) * C + ch;
              for (let xx = 0; xx < W; xx++, col++) {
                const sx = xx + j - p;
                out[col] = inside && sx >= 0 && sx < W ? x![rowBase + xx * C]! : 0;
              }
            }
          }
        }
      }
    }
    out.fill(1, row * columns);
  },
});

export function imagePatchesWithOnesRow(x: tf.Tensor4D, k: number): tf.Tensor2D {
  return patchesWithOnesRow([x], { k }) as tf.Tensor2D;
}
