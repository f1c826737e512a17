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
 * variant's matrices and tile geometry as data; F(4×4, 3×3) is the one in use. (F(2×2, 5×5) for the
 * ResNet's 5×5 layers was built and measured the same way, issue #14: its 9 input values per output
 * make the transforms cost more than its GEMMs save at 20–30 channels, so it was not kept.) Channel
 * dimensions of the Winograd-domain tensors are padded to a multiple of 4 (C⁴ = 4⌈C/4⌉, padding zero),
 * so that every GEMM operand is whole vectors; NHWC tensors keep their own channel counts.
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

export const ALPHA = 6;
export const POSITIONS = ALPHA * ALPHA;

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

const VARIANTS = [F4x3] as const;

const transformsOf = (v: WinogradVariant, i: number): TileTransform[] => [
  { name: `input${i}`, left: v.BT, right: v.BT },
  { name: `output${i}`, left: v.AT, right: v.AT, maskedStore: true },
  { name: `outputBias${i}`, left: v.AT, right: v.AT, bias: 'linear', maskedStore: true },
  { name: `outputBiasRelu${i}`, left: v.AT, right: v.AT, bias: 'relu', maskedStore: true },
  { name: `outputGradient${i}`, left: transpose(v.AT), right: transpose(v.AT) },
  { name: `outputGradientStrided${i}`, left: transpose(v.AT), right: transpose(v.AT), strided: true },
  { name: `filter${i}`, left: v.G, right: v.G },
  { name: `filterGradient${i}`, left: transpose(v.G), right: transpose(v.G) },
];

/** Assembles the SIMD transforms for the wasm backend; returns why not when they cannot be used. */
export function prepareWinogradSimd(): Promise<string | undefined> {
  return loadTileTransforms(VARIANTS.flatMap(transformsOf));
}

export const padded = (channels: number) => Math.ceil(channels / 4) * 4;

function variantOf(attrs: Record<string, number>): { v: WinogradVariant; i: number } {
  const i = attrs.variant!;
  return { v: VARIANTS[i]!, i };
}

function needsSimd(name: string): never {
  throw new Error(`${name}: the SIMD tile transforms are not loaded (wasm backend with SIMD only)`);
}

/** x (N, H, W, C) → V (36, T, C⁴), T = N·⌈H/m⌉·⌈W/m⌉ tiles. */
const inputTiles = registerJsKernel({
  name: 'SweeplabWinogradSimdInput',
  outputShape: ([shape], attrs) => {
    const { v } = variantOf(attrs);
    const [n, h, w, c] = shape as [number, number, number, number];
    return [POSITIONS, n * Math.ceil(h / v.m) * Math.ceil(w / v.m), padded(c)];
  },
  compute([x], [shape], out, attrs) {
    const { v, i: variant } = variantOf(attrs);
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
      { tiles: T, channels: C, srcCount: POSITIONS, dstCount: POSITIONS },
      (t, src, dst, zero) => {
        const n = Math.floor(t / perImage);
        const y0 = Math.floor((t % perImage) / tW) * v.m - p;
        const x0 = (t % tW) * v.m - p;
        for (let r = 0; r < ALPHA; r++) {
          const y = y0 + r;
          for (let s = 0; s < ALPHA; s++) {
            const xx = x0 + s;
            src[r * ALPHA + s] =
              y >= 0 && y < H && xx >= 0 && xx < W ? xAt + ((n * H + y) * W + xx) * C * 4 : zero;
          }
        }
        for (let k = 0; k < POSITIONS; k++) dst[k] = outAt + (k * plane + t * Cp) * 4;
      },
    );
  },
});

/** M (36, T, C⁴) [+ bias (C)] → y (N, H, W, C): Aᵀ m A of every tile, cropped, ReLU when `relu` is 1. */
const outputTiles = registerJsKernel({
  name: 'SweeplabWinogradSimdOutput',
  outputShape: (_shapes, { n, h, w, c }) => [n!, h!, w!, c!],
  compute([m, bias], [shape], out, attrs) {
    const { v, i: variant } = variantOf(attrs);
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
      srcCount: POSITIONS,
      dstCount: v.m * v.m,
      bias: bias?.byteOffset,
    };
    runTileTransform(name, options, (t, src, dst, _zero, scratch) => {
      const n = Math.floor(t / perImage);
      const y0 = Math.floor((t % perImage) / tW) * v.m;
      const x0 = (t % tW) * v.m;
      for (let k = 0; k < POSITIONS; k++) src[k] = mAt + (k * plane + t * Cp) * 4;
      for (let r = 0; r < v.m; r++) {
        for (let s = 0; s < v.m; s++) {
          const [y, x] = [y0 + r, x0 + s];
          dst[r * v.m + s] = y < H! && x < W! ? outAt + ((n * H! + y) * W! + x) * C! * 4 : scratch;
        }
      }
    });
  },
});

/** dy (N, H, W, C) → (36, C⁴, T): A dy Aᵀ of every m×m output tile, channel-major. */
const outputGradientTiles = registerJsKernel({
  name: 'SweeplabWinogradSimdOutputGradient',
  outputShape: ([shape], attrs) => {
    const { v } = variantOf(attrs);
    const [n, h, w, c] = shape as [number, number, number, number];
    return [POSITIONS, padded(c), n * Math.ceil(h / v.m) * Math.ceil(w / v.m)];
  },
  compute([dy], [shape], out, attrs) {
    const { v, i: variant } = variantOf(attrs);
    const [N, H, W, C] = shape as [number, number, number, number];
    const [tH, tW] = [Math.ceil(H / v.m), Math.ceil(W / v.m)];
    const [T, Cp] = [N * tH * tW, padded(C)];
    const plane = T * Cp;
    const [gAt, outAt] = [dy!.byteOffset, out.byteOffset];
    const perImage = tH * tW;
    const sources = (t: number, src: Int32Array, zero: number) => {
      const n = Math.floor(t / perImage);
      const y0 = Math.floor((t % perImage) / tW) * v.m;
      const x0 = (t % tW) * v.m;
      for (let r = 0; r < v.m; r++) {
        for (let s = 0; s < v.m; s++) {
          const [y, x] = [y0 + r, x0 + s];
          src[r * v.m + s] = y < H && x < W ? gAt + ((n * H + y) * W + x) * C * 4 : zero;
        }
      }
    };
    const options = { tiles: T, channels: C, srcCount: v.m * v.m, dstCount: POSITIONS };
    if (T % 4 !== 0) {
      const name = `outputGradientStrided${variant}`;
      if (!simdReady(name, [dy!, out], C)) needsSimd(name);
      // channel c of tile t at (ξ, c, t): lane stores, any T; padded channels stay unwritten (their
      // rows of dUᵀ are cropped away)
      runTileTransform(name, { ...options, stride: T * 4 }, (t, src, dst, zero) => {
        sources(t, src, zero);
        for (let k = 0; k < POSITIONS; k++) dst[k] = outAt + (k * plane + t) * 4;
      });
      return;
    }
    const name = `outputGradient${variant}`;
    if (!simdReady(name, [dy!, out], C)) needsSimd(name);
    // (36, T, C⁴) a vector at a time into scratch, then each plane transposed in 4×4 blocks
    withHeapScratch(plane * POSITIONS * 4, (scratchAt) => {
      runTileTransform(name, options, (t, src, dst, zero) => {
        sources(t, src, zero);
        for (let k = 0; k < POSITIONS; k++) dst[k] = scratchAt + (k * plane + t * Cp) * 4;
      });
      transposePlanes(scratchAt, outAt, POSITIONS, T, Cp);
    });
  },
});

/**
 * w (r, r, C_in, C_out) → U (36, C_in⁴, C_out⁴) = G g Gᵀ per channel pair (zero for padded channels);
 * with `flip` 1 the kernel of dX (rotated by 180°, channels swapped): (36, C_out⁴, C_in⁴).
 */
const filterTiles = registerJsKernel({
  name: 'SweeplabWinogradSimdFilter',
  outputShape: ([shape], { flip }) => {
    const [, , cIn, cOut] = shape as [number, number, number, number];
    return flip === 1 ? [POSITIONS, padded(cOut), padded(cIn)] : [POSITIONS, padded(cIn), padded(cOut)];
  },
  compute([w], [shape], out, attrs) {
    const { i: variant } = variantOf(attrs);
    const [r, , cIn, cOut] = shape as [number, number, number, number];
    const name = `filter${variant}`;
    if (!simdReady(name, [w!, out], cOut)) needsSimd(name);
    const [inP, outP] = [padded(cIn), padded(cOut)];
    const rotate = attrs.flip === 1;
    const wAt = w!.byteOffset;
    const transform = (to: number) =>
      runTileTransform(
        name,
        { tiles: inP, channels: cOut, srcCount: r * r, dstCount: POSITIONS },
        (c, src, dst, zero) => {
          for (let i = 0; i < r; i++) {
            for (let j = 0; j < r; j++) {
              const tap = rotate ? (r - 1 - i) * r + (r - 1 - j) : i * r + j;
              src[i * r + j] = c < cIn ? wAt + (tap * cIn * cOut + c * cOut) * 4 : zero;
            }
          }
          for (let k = 0; k < POSITIONS; k++) dst[k] = to + (k * inP * outP + c * outP) * 4;
        },
      );
    if (!rotate) {
      transform(out.byteOffset);
      return;
    }
    const outAt = out.byteOffset;
    withHeapScratch(POSITIONS * inP * outP * 4, (scratchAt) => {
      transform(scratchAt);
      transposePlanes(scratchAt, outAt, POSITIONS, inP, outP);
    });
  },
});

/** dUᵀ (36, C_out⁴, C_in⁴) → dW (r, r, C_in, C_out) = Gᵀ dU G per channel pair. */
const filterGradient = registerJsKernel({
  name: 'SweeplabWinogradSimdFilterGradient',
  outputShape: (_shapes, attrs) => {
    const { v } = variantOf(attrs);
    return [v.r, v.r, attrs.cIn!, attrs.cOut!];
  },
  compute([du], [shape], out, attrs) {
    const { v, i: variant } = variantOf(attrs);
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
      const options = { tiles: cOut, channels: cIn, srcCount: POSITIONS, dstCount: taps };
      runTileTransform(name, options, (o, src, dst) => {
        for (let k = 0; k < POSITIONS; k++) src[k] = duAt + (k * plane + o * inP) * 4;
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

/** Index of the variant for a kernel size (3 → F(4×4, 3×3)), or undefined. */
export function variantFor(kernelSize: number): number | undefined {
  const i = VARIANTS.findIndex((v) => v.r === kernelSize);
  return i < 0 ? undefined : i;
}
