import type * as tf from '@tensorflow/tfjs-core';
import { batchedMatMul } from './batched-matmul.ts';
import { registerJsKernel } from './js-kernel.ts';
import { planeProduct, planeTransposedProduct } from './plane-gemm.ts';
import { tileTransformsLoaded } from './tile-transforms-simd.ts';
import {
  alphaOf,
  F4x3,
  simdFilterGradient,
  simdFilterTiles,
  simdInputTiles,
  simdOutputGradientTiles,
  simdOutputTiles,
  variantFor,
} from './winograd-simd.ts';

/**
 * Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural
 * Networks"): a 4×4 output tile of a 3×3 "same" convolution from a 6×6 input tile in 36 multiplications
 * per input/output channel pair instead of 144,
 *
 *   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
 *
 * summed over input channels, so that for each of the 36 transformed positions ξ the sum is one GEMM.
 * The forward pass, dX (the same convolution with the kernel rotated and its channels swapped) and dW
 * (dU[ξ] = Σ_tiles V[ξ]ᵀ·(A dy Aᵀ)[ξ], then dW = Gᵀ dU G) all run as 36 GEMMs. V and M are (36, T, C)
 * over the T = N·⌈H/4⌉·⌈W/4⌉ tiles and U is (36, C_in, C_out). With wasm SIMD the transforms and the
 * GEMMs are the generated kernels of winograd-simd.ts and plane-gemm.ts (which also serve F(4×4, 5×5),
 * α = 8, 64 positions), and dy's tiles stay (α², T, C_out) for dUᵀ = (A dy Aᵀ)ᵀ·V. Without SIMD the
 * transforms are the JS kernels below and the GEMMs XNNPACK's, whose only fast path has no transposed
 * operand: dy's tiles are written channel-major (36, C_out, T) for it.
 *
 *   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
 *   G  = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1]
 *   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
 *
 * (`F4x3` in winograd-simd.ts, from which the SIMD kernels are generated; the JS kernels below are the
 * same matrices written out, and winograd.test.ts holds both to the direct convolution.)
 */
const M = F4x3.m;
/** The JS kernels' tile size and positions (F(4×4, 3×3) only). */
const ALPHA = alphaOf(F4x3);
const POSITIONS = ALPHA * ALPHA;

const tiles = (size: number) => Math.ceil(size / M);

/** Whether the Winograd layers run on the SIMD transforms (winograd-simd.ts) rather than the JS ones. */
export function winogradSimd(): boolean {
  return tileTransformsLoaded();
}

/** Kernel sizes Winograd serves: 3 (F(4×4, 3×3)), and 5 (F(4×4, 5×5)) with the SIMD transforms only. */
export function winogradSupports(kernelSize: number): boolean {
  return kernelSize === 3 || (kernelSize === 5 && winogradSimd());
}

/*
 * Each transform is separable (a 1-D transform down the tile's columns, then along its rows) and runs
 * with the channels innermost: every loop below is a straight pass over contiguous channel vectors,
 * about 3× faster in V8 than transforming one channel's tile at a time.
 */

/** Offsets of a tile's 6×6 input pixels in an NHWC map (−1 outside it), for tile origin (y0, x0). */
function tileOffsets(from: Int32Array, n: number, y0: number, x0: number, H: number, W: number, C: number) {
  for (let r = 0; r < ALPHA; r++) {
    const y = y0 + r;
    for (let s = 0; s < ALPHA; s++) {
      const x = x0 + s;
      from[r * ALPHA + s] = y >= 0 && y < H && x >= 0 && x < W ? ((n * H + y) * W + x) * C : -1;
    }
  }
}

/**
 * x (N, H, W, C) → V (36, T, C): Bᵀ d B of every 6×6 input tile (zero beyond the edges, which is the
 * "same" padding and the tiles' overhang) for every channel.
 */
const inputTiles = registerJsKernel({
  name: 'SweeplabWinogradInput',
  outputShape: ([shape]) => {
    const [n, h, w, c] = shape as [number, number, number, number];
    return [POSITIONS, n * tiles(h) * tiles(w), c];
  },
  compute([input], [shape], out) {
    const [N, H, W, C] = shape as [number, number, number, number];
    const [tH, tW] = [tiles(H), tiles(W)];
    const plane = N * tH * tW * C;
    const x = input!;
    const from = new Int32Array(POSITIONS);
    const tmp = new Float64Array(POSITIONS * C);
    let t = 0;
    for (let n = 0; n < N; n++) {
      for (let ty = 0; ty < tH; ty++) {
        for (let tx = 0; tx < tW; tx++, t++) {
          tileOffsets(from, n, ty * M - 1, tx * M - 1, H, W, C);
          // Bᵀ down each column s: tmp[(k·6 + s)·C + c]
          for (let s = 0; s < ALPHA; s++) {
            const f0 = from[s]!;
            const f1 = from[ALPHA + s]!;
            const f2 = from[2 * ALPHA + s]!;
            const f3 = from[3 * ALPHA + s]!;
            const f4 = from[4 * ALPHA + s]!;
            const f5 = from[5 * ALPHA + s]!;
            const o = s * C;
            for (let c = 0; c < C; c++) {
              const d0 = f0 >= 0 ? x[f0 + c]! : 0;
              const d1 = f1 >= 0 ? x[f1 + c]! : 0;
              const d2 = f2 >= 0 ? x[f2 + c]! : 0;
              const d3 = f3 >= 0 ? x[f3 + c]! : 0;
              const d4 = f4 >= 0 ? x[f4 + c]! : 0;
              const d5 = f5 >= 0 ? x[f5 + c]! : 0;
              tmp[o + c] = 4 * d0 - 5 * d2 + d4;
              tmp[o + 6 * C + c] = -4 * (d1 + d2) + d3 + d4;
              tmp[o + 12 * C + c] = 4 * (d1 - d2) - d3 + d4;
              tmp[o + 18 * C + c] = 2 * (d3 - d1) - d2 + d4;
              tmp[o + 24 * C + c] = 2 * (d1 - d3) - d2 + d4;
              tmp[o + 30 * C + c] = 4 * d1 - 5 * d3 + d5;
            }
          }
          // Bᵀ along each row k: V[(k·6 + l), t, c]
          for (let k = 0; k < ALPHA; k++) {
            const i = k * ALPHA * C;
            const p = k * ALPHA * plane + t * C;
            for (let c = 0; c < C; c++) {
              const d0 = tmp[i + c]!;
              const d1 = tmp[i + C + c]!;
              const d2 = tmp[i + 2 * C + c]!;
              const d3 = tmp[i + 3 * C + c]!;
              const d4 = tmp[i + 4 * C + c]!;
              const d5 = tmp[i + 5 * C + c]!;
              out[p + c] = 4 * d0 - 5 * d2 + d4;
              out[p + plane + c] = -4 * (d1 + d2) + d3 + d4;
              out[p + 2 * plane + c] = 4 * (d1 - d2) - d3 + d4;
              out[p + 3 * plane + c] = 2 * (d3 - d1) - d2 + d4;
              out[p + 4 * plane + c] = 2 * (d1 - d3) - d2 + d4;
              out[p + 5 * plane + c] = 4 * d1 - 5 * d3 + d5;
            }
          }
        }
      }
    }
  },
});

/**
 * M (36, T, C) → y (N, H, W, C): Aᵀ m A of every tile, cropped to the map, plus the bias when one is
 * given (second input), ReLU when `relu` is 1.
 */
const outputTiles = registerJsKernel({
  name: 'SweeplabWinogradOutput',
  outputShape: ([shape], { n, h, w }) => [n!, h!, w!, shape![2]!],
  compute([m, bias], [shape], out, { n: N, h: H, w: W, relu }) {
    const T = shape![1]!;
    const C = shape![2]!;
    const [tH, tW] = [tiles(H!), tiles(W!)];
    const plane = T * C;
    const tmp = new Float64Array(M * ALPHA * C);
    const zeros = new Float32Array(C);
    const b = bias ?? zeros;
    const rectify = relu === 1;
    const values = m!;
    let t = 0;
    for (let n = 0; n < N!; n++) {
      for (let ty = 0; ty < tH; ty++) {
        const rows = Math.min(M, H! - ty * M);
        for (let tx = 0; tx < tW; tx++, t++) {
          const cols = Math.min(M, W! - tx * M);
          // Aᵀ down each column s: tmp[(r·6 + s)·C + c], r < 4
          for (let s = 0; s < ALPHA; s++) {
            const i = s * plane + t * C;
            const o = s * C;
            for (let c = 0; c < C; c++) {
              const m0 = values[i + c]!;
              const m1 = values[i + 6 * plane + c]!;
              const m2 = values[i + 12 * plane + c]!;
              const m3 = values[i + 18 * plane + c]!;
              const m4 = values[i + 24 * plane + c]!;
              const m5 = values[i + 30 * plane + c]!;
              const p12 = m1 + m2;
              const n12 = m1 - m2;
              const p34 = m3 + m4;
              const n34 = m3 - m4;
              tmp[o + c] = m0 + p12 + p34;
              tmp[o + 6 * C + c] = n12 + 2 * n34;
              tmp[o + 12 * C + c] = p12 + 4 * p34;
              tmp[o + 18 * C + c] = n12 + 8 * n34 + m5;
            }
          }
          // Aᵀ along each row r, plus bias (and ReLU), into the output pixels that exist
          for (let r = 0; r < rows; r++) {
            const i = r * ALPHA * C;
            const o = ((n * H! + ty * M + r) * W! + tx * M) * C;
            for (let c = 0; c < C; c++) {
              const m0 = tmp[i + c]!;
              const m1 = tmp[i + C + c]!;
              const m2 = tmp[i + 2 * C + c]!;
              const m3 = tmp[i + 3 * C + c]!;
              const m4 = tmp[i + 4 * C + c]!;
              const m5 = tmp[i + 5 * C + c]!;
              const p12 = m1 + m2;
              const n12 = m1 - m2;
              const p34 = m3 + m4;
              const n34 = m3 - m4;
              const bc = b[c]!;
              const y0 = m0 + p12 + p34 + bc;
              const y1 = n12 + 2 * n34 + bc;
              const y2 = p12 + 4 * p34 + bc;
              const y3 = n12 + 8 * n34 + m5 + bc;
              out[o + c] = rectify && y0 < 0 ? 0 : y0;
              if (cols > 1) out[o + C + c] = rectify && y1 < 0 ? 0 : y1;
              if (cols > 2) out[o + 2 * C + c] = rectify && y2 < 0 ? 0 : y2;
              if (cols > 3) out[o + 3 * C + c] = rectify && y3 < 0 ? 0 : y3;
            }
          }
        }
      }
    }
  },
});

/** dy (N, H, W, C) → (36, C, T): A dy Aᵀ of every 4×4 output tile (zero where the tile overhangs). */
const outputGradientTiles = registerJsKernel({
  name: 'SweeplabWinogradOutputGradient',
  outputShape: ([shape]) => {
    const [n, h, w, c] = shape as [number, number, number, number];
    return [POSITIONS, c, n * tiles(h) * tiles(w)];
  },
  compute([dy], [shape], out) {
    const [N, H, W, C] = shape as [number, number, number, number];
    const [tH, tW] = [tiles(H), tiles(W)];
    const T = N * tH * tW;
    const plane = T * C;
    const g = dy!;
    const tmp = new Float64Array(ALPHA * M * C);
    let t = 0;
    for (let n = 0; n < N; n++) {
      for (let ty = 0; ty < tH; ty++) {
        const rows = Math.min(M, H - ty * M);
        for (let tx = 0; tx < tW; tx++, t++) {
          const cols = Math.min(M, W - tx * M);
          // A along each row r of dy (4 pixels → 6): tmp[(r·6 + l)·C + c]; rows past the map are zero
          for (let r = 0; r < M; r++) {
            const o = r * ALPHA * C;
            if (r >= rows) {
              tmp.fill(0, o, o + ALPHA * C);
              continue;
            }
            const i = ((n * H + ty * M + r) * W + tx * M) * C;
            for (let c = 0; c < C; c++) {
              const y0 = g[i + c]!;
              const y1 = cols > 1 ? g[i + C + c]! : 0;
              const y2 = cols > 2 ? g[i + 2 * C + c]! : 0;
              const y3 = cols > 3 ? g[i + 3 * C + c]! : 0;
              tmp[o + c] = y0;
              tmp[o + C + c] = y0 + y1 + y2 + y3;
              tmp[o + 2 * C + c] = y0 - y1 + y2 - y3;
              tmp[o + 3 * C + c] = y0 + 2 * y1 + 4 * y2 + 8 * y3;
              tmp[o + 4 * C + c] = y0 - 2 * y1 + 4 * y2 - 8 * y3;
              tmp[o + 5 * C + c] = y3;
            }
          }
          // A down each column l (4 rows → 6): out[(k·6 + l), c, t]
          for (let l = 0; l < ALPHA; l++) {
            const i = l * C;
            const p = l * plane + t;
            for (let c = 0; c < C; c++) {
              const y0 = tmp[i + c]!;
              const y1 = tmp[i + 6 * C + c]!;
              const y2 = tmp[i + 12 * C + c]!;
              const y3 = tmp[i + 18 * C + c]!;
              const at = p + c * T;
              out[at] = y0;
              out[at + 6 * plane] = y0 + y1 + y2 + y3;
              out[at + 12 * plane] = y0 - y1 + y2 - y3;
              out[at + 18 * plane] = y0 + 2 * y1 + 4 * y2 + 8 * y3;
              out[at + 24 * plane] = y0 - 2 * y1 + 4 * y2 - 8 * y3;
              out[at + 30 * plane] = y3;
            }
          }
        }
      }
    }
  },
});

/**
 * w (3, 3, C_in, C_out) → U (36, C_in, C_out): G g Gᵀ per channel pair, the right operand of the forward
 * GEMM. With `flip` 1, that of dX's kernel instead (rotated by 180°, channels swapped): (36, C_out, C_in).
 */
const filterTiles = registerJsKernel({
  name: 'SweeplabWinogradFilter',
  outputShape: ([shape], { flip }) => {
    const [, , cIn, cOut] = shape as [number, number, number, number];
    return flip === 1 ? [POSITIONS, cOut, cIn] : [POSITIONS, cIn, cOut];
  },
  compute([w], [shape], out, { flip }) {
    const [, , cIn, cOut] = shape as [number, number, number, number];
    const tap = cIn * cOut;
    const rotate = flip === 1;
    const weights = w!;
    const tmp = new Float64Array(ALPHA * 3 * cOut);
    // kernel tap (i, j) as read: rotated by 180° for dX
    const tapAt = (i: number, j: number) => (rotate ? (2 - i) * 3 + (2 - j) : i * 3 + j) * tap;
    for (let c = 0; c < cIn; c++) {
      // G down each column j (3 taps → 6): tmp[(k·3 + j)·C_out + o]
      for (let j = 0; j < 3; j++) {
        const f0 = tapAt(0, j) + c * cOut;
        const f1 = tapAt(1, j) + c * cOut;
        const f2 = tapAt(2, j) + c * cOut;
        for (let o = 0; o < cOut; o++) {
          const g0 = weights[f0 + o]!;
          const g1 = weights[f1 + o]!;
          const g2 = weights[f2 + o]!;
          const at = j * cOut + o;
          tmp[at] = g0 / 4;
          tmp[at + 3 * cOut] = -(g0 + g1 + g2) / 6;
          tmp[at + 6 * cOut] = -(g0 - g1 + g2) / 6;
          tmp[at + 9 * cOut] = g0 / 24 + g1 / 12 + g2 / 6;
          tmp[at + 12 * cOut] = g0 / 24 - g1 / 12 + g2 / 6;
          tmp[at + 15 * cOut] = g2;
        }
      }
      // G along each row k: U[(k·6 + l), c, o] (or [(k·6 + l), o, c] for dX)
      for (let k = 0; k < ALPHA; k++) {
        const i = k * 3 * cOut;
        const p = k * ALPHA * tap;
        for (let o = 0; o < cOut; o++) {
          const g0 = tmp[i + o]!;
          const g1 = tmp[i + cOut + o]!;
          const g2 = tmp[i + 2 * cOut + o]!;
          const at = p + (rotate ? o * cIn + c : c * cOut + o);
          out[at] = g0 / 4;
          out[at + tap] = -(g0 + g1 + g2) / 6;
          out[at + 2 * tap] = -(g0 - g1 + g2) / 6;
          out[at + 3 * tap] = g0 / 24 + g1 / 12 + g2 / 6;
          out[at + 4 * tap] = g0 / 24 - g1 / 12 + g2 / 6;
          out[at + 5 * tap] = g2;
        }
      }
    }
  },
});

/** dUᵀ (36, C_out, C_in) → dW (3, 3, C_in, C_out) = Gᵀ dU G per channel pair. */
const filterGradient = registerJsKernel({
  name: 'SweeplabWinogradFilterGradient',
  outputShape: ([shape]) => [3, 3, shape![2]!, shape![1]!],
  compute([du], [shape], out) {
    const cOut = shape![1]!;
    const cIn = shape![2]!;
    const tap = cIn * cOut;
    const grads = du!;
    const tmp = new Float64Array(3 * ALPHA * cIn);
    for (let o = 0; o < cOut; o++) {
      // Gᵀ down each column l (6 → 3): tmp[(i·6 + l)·C_in + c]
      for (let l = 0; l < ALPHA; l++) {
        const p = l * tap + o * cIn;
        for (let c = 0; c < cIn; c++) {
          const u0 = grads[p + c]!;
          const u1 = grads[p + 6 * tap + c]!;
          const u2 = grads[p + 12 * tap + c]!;
          const u3 = grads[p + 18 * tap + c]!;
          const u4 = grads[p + 24 * tap + c]!;
          const u5 = grads[p + 30 * tap + c]!;
          const at = l * cIn + c;
          tmp[at] = u0 / 4 - (u1 + u2) / 6 + (u3 + u4) / 24;
          tmp[at + 6 * cIn] = (u2 - u1) / 6 + (u3 - u4) / 12;
          tmp[at + 12 * cIn] = (u3 + u4 - u1 - u2) / 6 + u5;
        }
      }
      // Gᵀ along each row i: dW[i, j, c, o]
      for (let i = 0; i < 3; i++) {
        const r = i * ALPHA * cIn;
        for (let c = 0; c < cIn; c++) {
          const u0 = tmp[r + c]!;
          const u1 = tmp[r + cIn + c]!;
          const u2 = tmp[r + 2 * cIn + c]!;
          const u3 = tmp[r + 3 * cIn + c]!;
          const u4 = tmp[r + 4 * cIn + c]!;
          const u5 = tmp[r + 5 * cIn + c]!;
          const at = i * 3 * tap + c * cOut + o;
          out[at] = u0 / 4 - (u1 + u2) / 6 + (u3 + u4) / 24;
          out[at + tap] = (u2 - u1) / 6 + (u3 - u4) / 12;
          out[at + 2 * tap] = (u3 + u4 - u1 - u2) / 6 + u5;
        }
      }
    }
  },
});

/*
 * The layer API: the SIMD kernels (any channel count; F(4×4, 3×3) and F(4×4, 5×5)) when they are
 * loaded, else the JS kernels above (3×3 only). A layer's tiles and GEMM operands all come from one of
 * the two.
 */

function simdVariant(kernelSize: number): number {
  const variant = variantFor(kernelSize);
  if (variant === undefined) throw new Error(`Winograd has no ${kernelSize}×${kernelSize} variant`);
  return variant;
}

/** The input's Winograd tiles for a k×k convolution, kept from the forward pass for the kernel gradient. */
export function winogradInput(x: tf.Tensor4D, kernelSize: number): tf.Tensor3D {
  if (winogradSimd()) return simdInputTiles(x, simdVariant(kernelSize));
  return inputTiles([x]) as tf.Tensor3D;
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
  const simd = winogradSimd();
  const u = simd
    ? simdFilterTiles(kernel, false, simdVariant(k))
    : (filterTiles([kernel], { flip: 0 }) as tf.Tensor3D);
  const m = simd ? planeProduct(tilesOfX, u) : batchedMatMul(tilesOfX, u);
  u.dispose();
  const y = simd
    ? simdOutputTiles(m, bias, [n, h, w, cOut], relu, simdVariant(k))
    : (outputTiles(bias ? [m, bias] : [m], { n, h, w, relu: relu ? 1 : 0 }) as tf.Tensor4D);
  m.dispose();
  return y;
}

/** dX of a k×k "same" convolution: the convolution of dy with the rotated, channel-swapped kernel. */
export function winogradInputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w] = dy.shape;
  const [k, , cIn] = kernel.shape;
  const simd = winogradSimd();
  const u = simd
    ? simdFilterTiles(kernel, true, simdVariant(k))
    : (filterTiles([kernel], { flip: 1 }) as tf.Tensor3D);
  const v = winogradInput(dy, k);
  const m = simd ? planeProduct(v, u) : batchedMatMul(v, u);
  u.dispose();
  v.dispose();
  const dx = simd
    ? simdOutputTiles(m, undefined, [n, h, w, cIn], false, simdVariant(k))
    : (outputTiles([m], { n, h, w, relu: 0 }) as tf.Tensor4D);
  m.dispose();
  return dx;
}

/** dW (k, k, C_in, C_out) of a k×k "same" convolution from the input's tiles V and dy. */
export function winogradKernelGradient(
  tilesOfX: tf.Tensor3D,
  dy: tf.Tensor4D,
  [k, cIn, cOut]: [number, number, number],
): tf.Tensor4D {
  const simd = winogradSimd();
  const g = simd ? simdOutputGradientTiles(dy, simdVariant(k)) : (outputGradientTiles([dy]) as tf.Tensor3D);
  const du = simd ? planeTransposedProduct(g, tilesOfX) : batchedMatMul(g, tilesOfX);
  g.dispose();
  const dw = simd ? simdFilterGradient(du, cIn, cOut, simdVariant(k)) : (filterGradient([du]) as tf.Tensor4D);
  du.dispose();
  return dw;
}
