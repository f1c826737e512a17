import type * as tf from '@tensorflow/tfjs-core';
import { planeProduct, planeTransposedProduct } from './plane-gemm.ts';
import { simdModuleLoaded } from './simd-module.ts';
import {
  filterGradient,
  filterTiles,
  inputTiles,
  outputGradientTiles,
  outputTiles,
} from './winograd-tiles.ts';
import { variantFor } from './winograd-variants.ts';

/**
 * Winograd convolution layers (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural Networks"):
 * F(4×4, 3×3) for 3×3 kernels, F(4×4, 5×5) for 5×5 ones (matrices: winograd-variants.ts),
 *
 *   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
 *
 * summed over input channels, so that for each of the α² transformed positions ξ the sum is one GEMM.
 * The forward pass, dX (the same convolution with the kernel rotated and its channels swapped) and dW
 * (dUᵀ[ξ] = Σ_tiles (A dy Aᵀ)[ξ]ᵀ·V[ξ], then dW = Gᵀ dU G) all run as α² GEMMs. V and M are (α², T, C⁴)
 * over the T = N·⌈H/4⌉·⌈W/4⌉ tiles and U is (α², C_in⁴, C_out⁴). The transforms are the SIMD kernels
 * of winograd-tiles.ts, the GEMMs those of plane-gemm.ts, on both operands as the transforms write them.
 * Without the SIMD module (no wasm SIMD: not on any supported Node line) nothing runs here: the layer
 * plan (conv2d.ts) keeps every convolution direct.
 */

/** Whether the Winograd layers can run: the wasm backend with its SIMD module linked. */
export function winogradAvailable(): boolean {
  return simdModuleLoaded();
}

/** Kernel sizes Winograd serves (3 and 5), when it is available. */
export function winogradSupports(kernelSize: number): boolean {
  return variantFor(kernelSize) !== undefined && winogradAvailable();
}

function variantOf(kernelSize: number): number {
  const variant = variantFor(kernelSize);
  if (variant === undefined) throw new Error(`Winograd has no ${kernelSize}×${kernelSize} variant`);
  return variant;
}

/** The input's Winograd tiles for a k×k convolution, kept from the forward pass for the kernel gradient. */
export function winogradInput(x: tf.Tensor4D, kernelSize: number): tf.Tensor3D {
  return inputTiles(x, variantOf(kernelSize));
}

/** ReLU?(conv(x, kernel) + bias) for a k×k "same" convolution, from the input's tiles V. */
export function winogradConv(
  tilesOfX: tf.Tensor3D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D | undefined,
  [n, h, w]: [number, number, number],
  relu: boolean,
): tf.Tensor4D {
  const [k, , , cOut] = kernel.shape;
  const u = filterTiles(kernel, false, variantOf(k));
  const m = planeProduct(tilesOfX, u);
  u.dispose();
  const y = outputTiles(m, bias, [n, h, w, cOut], relu, variantOf(k));
  m.dispose();
  return y;
}

/** dX of a k×k "same" convolution: the convolution of dy with the rotated, channel-swapped kernel. */
export function winogradInputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w] = dy.shape;
  const [k, , cIn] = kernel.shape;
  const u = filterTiles(kernel, true, variantOf(k));
  const v = winogradInput(dy, k);
  const m = planeProduct(v, u);
  u.dispose();
  v.dispose();
  const dx = outputTiles(m, undefined, [n, h, w, cIn], false, variantOf(k));
  m.dispose();
  return dx;
}

/** dW (k, k, C_in, C_out) of a k×k "same" convolution from the input's tiles V and dy. */
export function winogradKernelGradient(
  tilesOfX: tf.Tensor3D,
  dy: tf.Tensor4D,
  [k, cIn, cOut]: [number, number, number],
): tf.Tensor4D {
  const g = outputGradientTiles(dy, variantOf(k));
  const du = planeTransposedProduct(g, tilesOfX);
  g.dispose();
  const dw = filterGradient(du, cIn, cOut, variantOf(k));
  du.dispose();
  return dw;
}
