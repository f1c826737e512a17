import type * as tf from '@tensorflow/tfjs-core';
import { registerJsKernel } from './js-kernel.ts';
import {
  heapFloats,
  loadTileTransforms,
  runTileTransform,
  simdReady,
  type TileTransform,
  transposePlanes,
  withHeapScratch,
} from './tile-transforms-simd.ts';

/**
 * The Winograd layers' tile transforms on wasm SIMD (tile-transforms-simd.ts). The kernels take the
 * variant's matrices and tile geometry as data: F(4×4, 3×3) for 3×3 layers, F(4×4, 5×5) for 5×5 ones.
 * (F(2×2, 5×5) was built and measured first, issue #14: with 9 input values per output its transforms
 * cost more than its GEMMs save at 20–30 channels. F(4×4, 5×5) reads 4 per output and does 64 instead
 * of 400 multiplications per 4×4 tile.) Channel dimensions of the Winograd-domain tensors are padded to
 * a multiple of 4 (C⁴ = 4⌈C/4⌉, padding zero), so that every GEMM operand is whole vectors; NHWC
 * tensors keep their own channel counts. α = m + r − 1 is the input tile's size, α² the positions ξ.
 */
export interface WinogradVariant {
  /** Output tile size. */
  m: number;
  /** Kernel size. */
  r: number;
  AT: number[][];
  G: number[][];
  BT: number[][];
}

/** The input tile's size α and the number α² of transformed positions (one GEMM each). */
export const alphaOf = (v: WinogradVariant) => v.m + v.r - 1;
const positionsOf = (v: WinogradVariant) => alphaOf(v) ** 2;

const transpose = (m: number[][]) => m[0]!.map((_, j) => m.map((row) => row[j]!));

/** Lavin & Gray's F(4, 3), scaled so that Bᵀ and Aᵀ are small integers. */
export const F4x3: WinogradVariant = {
  m: 4,
  r: 3,
  BT: [
    [4, 0, -5, 0, 1, 0],
    [0, -4, -4, 1, 1, 0],
    [0, 4, -4, -1, 1, 0],
    [0, -2, -1, 2, 1, 0],
    [0, 2, -1, -2, 1, 0],
    [0, 4, 0, -5, 0, 1],
  ],
  G: [
    [1 / 4, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6],
    [1 / 24, -1 / 12, 1 / 6],
    [0, 0, 1],
  ],
  AT: [
    [1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 0],
    [0, 1, 1, 4, 4, 0],
    [0, 1, -1, 8, -8, 1],
  ],
};

/**
 * F(4, 5) by Toom–Cook on the points 0, ±1, ±2, ±½, ∞ (those of F(6, 3), whose error in float32 is
 * well studied); rows of Bᵀ scaled to integers, G's rows by the inverse.
 */
export const F4x5: WinogradVariant = {
  m: 4,
  r: 5,
  BT: [
    [4, 0, -21, 0, 21, 0, -4, 0],
    [0, 4, 4, -17, -17, 4, 4, 0],
    [0, -4, 4, 17, -17, -4, 4, 0],
    [0, 2, 1, -10, -5, 8, 4, 0],
    [0, -2, 1, 10, -5, -8, 4, 0],
    [0, 4, 8, -5, -10, 1, 2, 0],
    [0, -4, 8, 5, -10, -1, 2, 0],
    [0, -4, 0, 21, 0, -21, 0, 4],
  ],
  G: [
    [1 / 4, 0, 0, 0, 0],
    [-1 / 18, -1 / 18, -1 / 18, -1 / 18, -1 / 18],
    [-1 / 18, 1 / 18, -1 / 18, 1 / 18, -1 / 18],
    [1 / 360, 1 / 180, 1 / 90, 1 / 45, 2 / 45],
    [1 / 360, -1 / 180, 1 / 90, -1 / 45, 2 / 45],
    [16 / 45, 8 / 45, 4 / 45, 2 / 45, 1 / 45],
    [16 / 45, -8 / 45, 4 / 45, -2 / 45, 1 / 45],
    [0, 0, 0, 0, 1 / 4],
  ],
  AT: [
    [1, 1, 1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 1 / 2, -1 / 2, 0],
    [0, 1, 1, 4, 4, 1 / 4, 1 / 4, 0],
    [0, 1, -1, 8, -8, 1 / 8, -1 / 8, 1],
  ],
};

const VARIANTS = [F4x3, F4x5] as const;

const transformsOf = (v: WinogradVariant, i: number): TileTransform[] => [
  { name: `input${i}`, left: v.BT, right: v.BT },
  { name: `output${i}`, left: v.AT, right: v.AT, maskedStore: true },
  { name: `outputBias${i}`, left: v.AT, right: v.AT, bias: 'linear', maskedStore: true },
  { name: `outputBiasRelu${i}`, left: v.AT, right: v.AT, bias: 'relu', maskedStore: true },
  { name: `outputGradient${i}`, left: transpose(v.AT), right: transpose(v.AT) },
  { name: `filter${i}`, left: v.G, right: v.G },
  { name: `filterGradient${i}`, left: transpose(v.G), right: transpose(v.G) },
];

/** Assembles the SIMD transforms for the wasm backend; returns why not when they cannot be used. */
export function prepareWinogradSimd(): Promise<string | undefined> {
  return loadTileTransforms(VARIANTS.flatMap(transformsOf));
}

export const padded = (channels: number) => Math.ceil(channels / 4) * 4;

function variantOf(attrs: Record<string, number>): {
  v: WinogradVariant;
  i: number;
  alpha: number;
  positions: number;
} {
  const i = attrs.variant!;
  const v = VARIANTS[i]!;
  return { v, i, alpha: alphaOf(v), positions: positionsOf(v) };
}

function needsSimd(name: string): never {
  throw new Error(`${name}: the SIMD tile transforms are not loaded (wasm backend with SIMD only)`);
}

/** x (N, H, W, C) → V (α², T, C⁴), T = N·⌈H/m⌉·⌈W/m⌉ tiles. */
const inputTiles = registerJsKernel({
  name: 'SweeplabWinogradSimdInput',
  outputShape: ([shape], attrs) => {
    const { v, positions } = variantOf(attrs);
    const [n, h, w, c] = shape as [number, number, number, number];
    return [positions, n * Math.ceil(h / v.m) * Math.ceil(w / v.m), padded(c)];
  },
  compute([x], [shape], out, attrs) {
    const { v, i: variant, alpha, positions } = variantOf(attrs);
    const [N, H, W, C] = shape as [number, number, number, number];
    const name = `input${variant}`;
    if (!simdReady(name, [x!, out], C)) needsSimd(name);
    const [tH, tW] = [Math.ceil(H / v.m), Math.ceil(W / v.m)];
    const [T, Cp, p] = [N * tH * tW, padded(C), (v.r - 1) / 2];
    const plane = T * Cp;
    const [xAt, outAt] = [x!.byteOffset, out.byteOffset];
    const perImage = tH * tW;
    runTileTransform(
      name,
      { tiles: T, channels: C, srcCount: positions, dstCount: positions },
      (t, src, dst, zero) => {
        const n = Math.floor(t / perImage);
        const y0 = Math.floor((t % perImage) / tW) * v.m - p;
        const x0 = (t % tW) * v.m - p;
        for (let r = 0; r < alpha; r++) {
          const y = y0 + r;
          for (let s = 0; s < alpha; s++) {
            const xx = x0 + s;
            src[r * alpha + s] =
              y >= 0 && y < H && xx >= 0 && xx < W ? xAt + ((n * H + y) * W + xx) * C * 4 : zero;
          }
        }
        for (let k = 0; k < positions; k++) dst[k] = outAt + (k * plane + t * Cp) * 4;
      },
    );
  },
});

/** M (α², T, C⁴) [+ bias (C)] → y (N, H, W, C): Aᵀ m A of every tile, cropped, ReLU when `relu` is 1. */
const outputTiles = registerJsKernel({
  name: 'SweeplabWinogradSimdOutput',
  outputShape: (_shapes, { n, h, w, c }) => [n!, h!, w!, c!],
  compute([m, bias], [shape], out, attrs) {
    const { v, i: variant, positions } = variantOf(attrs);
    const { h: H, w: W, c: C, relu } = attrs as Record<string, number>;
    const name = bias ? `${relu === 1 ? 'outputBiasRelu' : 'outputBias'}${variant}` : `output${variant}`;
    if (relu === 1 && !bias) throw new Error('SweeplabWinogradSimdOutput: ReLU needs a bias');
    if (!simdReady(name, bias ? [m!, bias, out] : [m!, out], C!)) needsSimd(name);
    const [T, Cp] = [shape![1]!, shape![2]!];
    const [tH, tW] = [Math.ceil(H! / v.m), Math.ceil(W! / v.m)];
    const plane = T * Cp;
    const [mAt, outAt] = [m!.byteOffset, out.byteOffset];
    const perImage = tH * tW;
    const options = {
      tiles: T,
      channels: C!,
      srcCount: positions,
      dstCount: v.m * v.m,
      bias: bias?.byteOffset,
    };
    runTileTransform(name, options, (t, src, dst, _zero, scratch) => {
      const n = Math.floor(t / perImage);
      const y0 = Math.floor((t % perImage) / tW) * v.m;
      const x0 = (t % tW) * v.m;
      for (let k = 0; k < positions; k++) src[k] = mAt + (k * plane + t * Cp) * 4;
      for (let r = 0; r < v.m; r++) {
        for (let s = 0; s < v.m; s++) {
          const [y, x] = [y0 + r, x0 + s];
          dst[r * v.m + s] = y < H! && x < W! ? outAt + ((n * H! + y) * W! + x) * C! * 4 : scratch;
        }
      }
    });
  },
});

/** dy (N, H, W, C) → (α², T, C⁴): A dy Aᵀ of every m×m output tile (zero where the tile overhangs). */
const outputGradientTiles = registerJsKernel({
  name: 'SweeplabWinogradSimdOutputGradient',
  outputShape: ([shape], attrs) => {
    const { v, positions } = variantOf(attrs);
    const [n, h, w, c] = shape as [number, number, number, number];
    return [positions, n * Math.ceil(h / v.m) * Math.ceil(w / v.m), padded(c)];
  },
  compute([dy], [shape], out, attrs) {
    const { v, i: variant, positions } = variantOf(attrs);
    const [N, H, W, C] = shape as [number, number, number, number];
    const [tH, tW] = [Math.ceil(H / v.m), Math.ceil(W / v.m)];
    const [T, Cp] = [N * tH * tW, padded(C)];
    const plane = T * Cp;
    const [gAt, outAt] = [dy!.byteOffset, out.byteOffset];
    const perImage = tH * tW;
    const name = `outputGradient${variant}`;
    if (!simdReady(name, [dy!, out], C)) needsSimd(name);
    const options = { tiles: T, channels: C, srcCount: v.m * v.m, dstCount: positions };
    runTileTransform(name, options, (t, src, dst, zero) => {
      const n = Math.floor(t / perImage);
      const y0 = Math.floor((t % perImage) / tW) * v.m;
      const x0 = (t % tW) * v.m;
      for (let r = 0; r < v.m; r++) {
        for (let s = 0; s < v.m; s++) {
          const [y, x] = [y0 + r, x0 + s];
          src[r * v.m + s] = y < H && x < W ? gAt + ((n * H + y) * W + x) * C * 4 : zero;
        }
      }
      for (let k = 0; k < positions; k++) dst[k] = outAt + (k * plane + t * Cp) * 4;
    });
  },
});

/**
 * w (r, r, C_in, C_out) → U (α², C_in⁴, C_out⁴) = G g Gᵀ per channel pair (zero for padded channels);
 * with `flip` 1 the kernel of dX (rotated by 180°, channels swapped): (α², C_out⁴, C_in⁴).
 */
const filterTiles = registerJsKernel({
  name: 'SweeplabWinogradSimdFilter',
  outputShape: ([shape], attrs) => {
    const { positions } = variantOf(attrs);
    const [, , cIn, cOut] = shape as [number, number, number, number];
    return attrs.flip === 1 ? [positions, padded(cOut), padded(cIn)] : [positions, padded(cIn), padded(cOut)];
  },
  compute([w], [shape], out, attrs) {
    const { i: variant, positions } = variantOf(attrs);
    const [r, , cIn, cOut] = shape as [number, number, number, number];
    const name = `filter${variant}`;
    if (!simdReady(name, [w!, out], cOut)) needsSimd(name);
    const [inP, outP] = [padded(cIn), padded(cOut)];
    const rotate = attrs.flip === 1;
    const wAt = w!.byteOffset;
    const transform = (to: number) =>
      runTileTransform(
        name,
        { tiles: inP, channels: cOut, srcCount: r * r, dstCount: positions },
        (c, src, dst, zero) => {
          for (let i = 0; i < r; i++) {
            for (let j = 0; j < r; j++) {
              const tap = rotate ? (r - 1 - i) * r + (r - 1 - j) : i * r + j;
              src[i * r + j] = c < cIn ? wAt + (tap * cIn * cOut + c * cOut) * 4 : zero;
            }
          }
          for (let k = 0; k < positions; k++) dst[k] = to + (k * inP * outP + c * outP) * 4;
        },
      );
    if (!rotate) {
      transform(out.byteOffset);
      return;
    }
    const outAt = out.byteOffset;
    withHeapScratch(positions * inP * outP * 4, (scratchAt) => {
      transform(scratchAt);
      transposePlanes(scratchAt, outAt, positions, inP, outP);
    });
  },
});

/** dUᵀ (α², C_out⁴, C_in⁴) → dW (r, r, C_in, C_out) = Gᵀ dU G per channel pair. */
const filterGradient = registerJsKernel({
  name: 'SweeplabWinogradSimdFilterGradient',
  outputShape: (_shapes, attrs) => {
    const { v } = variantOf(attrs);
    return [v.r, v.r, attrs.cIn!, attrs.cOut!];
  },
  compute([du], [shape], out, attrs) {
    const { v, i: variant, positions } = variantOf(attrs);
    const [cIn, cOut] = [attrs.cIn!, attrs.cOut!];
    const [outP, inP] = [shape![1]!, shape![2]!];
    const name = `filterGradient${variant}`;
    if (!simdReady(name, [du!, out], cIn)) needsSimd(name);
    const taps = v.r * v.r;
    const plane = outP * inP;
    const [duAt, outAt] = [du!.byteOffset, out.byteOffset];
    // (r², C_out⁴, C_in⁴) into scratch, transposed to (r², C_in⁴, C_out⁴), then cropped into dW
    withHeapScratch(2 * taps * plane * 4, (scratchAt) => {
      const transposedAt = scratchAt + taps * plane * 4;
      const options = { tiles: cOut, channels: cIn, srcCount: positions, dstCount: taps };
      runTileTransform(name, options, (o, src, dst) => {
        for (let k = 0; k < positions; k++) src[k] = duAt + (k * plane + o * inP) * 4;
        for (let k = 0; k < taps; k++) dst[k] = scratchAt + (k * plane + o * inP) * 4;
      });
      transposePlanes(scratchAt, transposedAt, taps, outP, inP);
      const heap = heapFloats();
      const [from, to] = [transposedAt / 4, outAt / 4];
      for (let k = 0; k < taps; k++) {
        for (let c = 0; c < cIn; c++) {
          const row = from + k * plane + c * outP;
          heap.copyWithin(to + (k * cIn + c) * cOut, row, row + cOut);
        }
      }
    });
  },
});

export function simdInputTiles(x: tf.Tensor4D, variant: number): tf.Tensor3D {
  return inputTiles([x], { variant }) as tf.Tensor3D;
}

export function simdOutputTiles(
  m: tf.Tensor3D,
  bias: tf.Tensor1D | undefined,
  [n, h, w, c]: [number, number, number, number],
  relu: boolean,
  variant: number,
): tf.Tensor4D {
  return outputTiles(bias ? [m, bias] : [m], { variant, n, h, w, c, relu: relu ? 1 : 0 }) as tf.Tensor4D;
}

export function simdOutputGradientTiles(dy: tf.Tensor4D, variant: number): tf.Tensor3D {
  return outputGradientTiles([dy], { variant }) as tf.Tensor3D;
}

export function simdFilterTiles(kernel: tf.Tensor4D, flip: boolean, variant: number): tf.Tensor3D {
  return filterTiles([kernel], { variant, flip: flip ? 1 : 0 }) as tf.Tensor3D;
}

export function simdFilterGradient(du: tf.Tensor3D, cIn: number, cOut: number, variant: number): tf.Tensor4D {
  return filterGradient([du], { variant, cIn, cOut }) as tf.Tensor4D;
}

/** Index of the variant for a kernel size (3 → F(4×4, 3×3), 5 → F(4×4, 5×5)), or undefined. */
export function variantFor(kernelSize: number): number | undefined {
  const i = VARIANTS.findIndex((v) => v.r === kernelSize);
  return i < 0 ? undefined : i;
}
