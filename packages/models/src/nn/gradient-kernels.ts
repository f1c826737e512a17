import type * as tf from '@tensorflow/tfjs-core';
import { registerJsKernel, registerMultiOutputJsKernel } from './js-kernel.ts';
import { SIMD_SUM_CHANNELS, simdFunction, simdReady, sumAccumulators } from './simd-module.ts';

/**
 * Small single-pass JS kernels of the routed backward pass, each replacing a chain of wasm kernels that
 * walk the data several times (or, for Reverse, one slow generic loop).
 */

/**
 * (k, k, C_in, C_out) → (k, k, C_out, C_in) rotated by 180°: the filter whose "same" convolution with dy
 * is dX. Replaces Reverse + Transpose (wasm's Reverse alone took ~50 ms for a 256×256 3×3 kernel).
 */
const flippedKernel = registerJsKernel({
  name: 'SweeplabFlippedKernel',
  outputShape: ([shape]) => {
    const [kh, kw, cIn, cOut] = shape as [number, number, number, number];
    return [kh, kw, cOut, cIn];
  },
  compute([w], [shape], out) {
    const [kh, kw, cIn, cOut] = shape as [number, number, number, number];
    const tap = cIn * cOut;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const from = ((kh - 1 - i) * kw + (kw - 1 - j)) * tap;
        const to = (i * kw + j) * tap;
        for (let c = 0; c < cIn; c++) {
          const row = from + c * cOut;
          for (let o = 0; o < cOut; o++) out[to + o * cIn + c] = w![row + o]!;
        }
      }
    }
  },
});

export function flipKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  return flippedKernel([kernel]) as tf.Tensor4D;
}

/**
 * The first 4⌊C/4⌋ channels' sums (and, with `relu`, their g = dy·[y > 0]) on wasm SIMD
 * (wat/backward-kernels-wat.ts) into `sums`, bit for bit what the JS loops give; returns how many
 * channels it did (0 off wasm). Its float64 accumulators are the module's, so nothing is allocated.
 */
function simdSums(relu: boolean, [dy, y, g]: Float32Array[], channels: number, sums: Float64Array): number {
  const name = relu ? 'reluGradientAndSums' : 'channelSums';
  if (channels < 4 || channels > SIMD_SUM_CHANNELS || !simdReady(name, [dy!, y!, g!], channels)) return 0;
  const vectors = Math.floor(channels / 4);
  const accumulators = sumAccumulators(vectors * 4);
  accumulators.view.fill(0);
  simdFunction(name)(
    dy!.byteOffset,
    y!.byteOffset,
    g!.byteOffset,
    accumulators.address,
    dy!.length / channels,
    channels,
    vectors,
  );
  sums.set(accumulators.view);
  return vectors * 4;
}

/** Σ over every axis but the last (batch and space): a bias gradient, in one pass, summed in float64. */
const channelSums = registerJsKernel({
  name: 'SweeplabChannelSums',
  outputShape: ([shape]) => [shape!.at(-1)!],
  compute([g], [shape], out) {
    const channels = shape!.at(-1)!;
    const sums = new Float64Array(channels);
    const values = g!;
    const done = simdSums(false, [values, values, values], channels, sums);
    for (let i = 0; i < values.length; i += channels) {
      for (let c = done; c < channels; c++) sums[c]! += values[i + c]!;
    }
    out.set(sums);
  },
});

export function biasGradient(dy: tf.Tensor): tf.Tensor1D {
  return channelSums([dy]) as tf.Tensor1D;
}

/**
 * The backward pass of ReLU(conv(x) + b) from the layer's output y: g = dy·[y > 0] and the bias gradient
 * Σ g over batch and space, in one pass (instead of Step, Multiply and a ones·g matMul).
 */
const reluGradientAndSums = registerMultiOutputJsKernel({
  name: 'SweeplabReluGradientAndSums',
  outputShapes: ([dyShape]) => [dyShape!, [dyShape!.at(-1)!]],
  compute([dy, y], [shape], [g, db]) {
    const channels = shape!.at(-1)!;
    const sums = new Float64Array(channels);
    const d = dy!;
    const out = y!;
    const grad = g!;
    const done = simdSums(true, [d, out, grad], channels, sums);
    for (let i = 0; i < d.length; i += channels) {
      for (let c = done; c < channels; c++) {
        const v = out[i + c]! > 0 ? d[i + c]! : 0;
        grad[i + c] = v;
        sums[c]! += v;
      }
    }
    db!.set(sums);
  },
});

export function reluGradientAndBiasGradient(dy: tf.Tensor4D, y: tf.Tensor4D): [tf.Tensor4D, tf.Tensor1D] {
  const [g, db] = reluGradientAndSums([dy, y]);
  return [g as tf.Tensor4D, db as tf.Tensor1D];
}
