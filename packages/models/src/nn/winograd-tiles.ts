import type * as tf from '@tensorflow/tfjs-core';
import { registerJsKernel } from './js-kernel.ts';
import { heapFloats, simdFunction, simdReady, withHeapScratch } from './simd-module.ts';
import { padded, positionsOf, WINOGRAD_TILE_TRANSFORMS, WINOGRAD_VARIANTS } from './winograd-variants.ts';

/**
 * The Winograd layers' tile transforms as TF.js kernels on the wasm backend's heap: each runs one
 * generated SIMD function (wat/tile-transform-wat.ts, from the matrices of winograd-variants.ts) per
 * tile, after filling the tables of the tile's source and destination addresses. The variant is the
 * `variant` attribute. Channel dimensions of the Winograd-domain tensors are padded to a multiple of 4
 * (C⁴, padding zero), so that every GEMM operand is whole vectors; NHWC tensors keep their own channel
 * counts. α = m + r − 1 is the input tile's size, α² the positions ξ.
 */

function variantOf(attrs: Record<string, number>) {
  const i = attrs.variant!;
  const v = WINOGRAD_VARIANTS[i]!;
  return { v, i, alpha: v.m + v.r - 1, positions: positionsOf(v) };
}

function needsSimd(name: string): never {
  throw new Error(`${name}: the SIMD module is not loaded (wasm backend with SIMD only)`);
}

/**
 * Runs the tile transform `name` over `tiles` tiles. `fill(tile, src, dst)` writes the tile's source and
 * destination byte addresses into the two Int32Array tables (`zero` and `scratch` are addresses of a
 * zero and a throwaway vector of `channels`); the heap is not grown during the calls, so the addresses
 * stay valid.
 */
function runTileTransform(
  name: string,
  options: { tiles: number; channels: number; srcCount: number; dstCount: number; bias?: number },
  fill: (tile: number, src: Int32Array, dst: Int32Array, zero: number, scratch: number) => void,
): void {
  const vectors = Math.ceil(options.channels / 4);
  const vectorBytes = vectors * 16;
  const transform = WINOGRAD_TILE_TRANSFORMS.find((t) => t.name === name)!;
  const tmpVectors = transform.left.length * transform.right[0]!.length;
  const bytes = (options.srcCount + options.dstCount) * 4 + (2 + tmpVectors) * vectorBytes;
  withHeapScratch(bytes, (zero) => {
    const scratch = zero + vectorBytes;
    const tmp = scratch + vectorBytes;
    const srcAt = tmp + tmpVectors * vectorBytes;
    const dstAt = srcAt + options.srcCount * 4;
    const heap = heapFloats();
    heap.fill(0, zero / 4, zero / 4 + vectors * 4);
    const src = new Int32Array(heap.buffer, srcAt, options.srcCount);
    const dst = new Int32Array(heap.buffer, dstAt, options.dstCount);
    const run = simdFunction(name);
    const [n, rem] = [Math.floor(options.channels / 4), options.channels % 4];
    for (let t = 0; t < options.tiles; t++) {
      fill(t, src, dst, zero, scratch);
      run(srcAt, dstAt, tmp, n, options.bias ?? 0, rem);
    }
  });
}

/** `planes` row-major rows×cols float matrices at byte address `src` into cols×rows ones at `dst` (multiples of 4). */
function transposePlanes(src: number, dst: number, planes: number, rows: number, cols: number): void {
  simdFunction('transpose')(src, dst, planes, rows, cols);
}

/** (N, H, W, C) → (α², T, C⁴): the shape of a map's tiles in the Winograd domain, T = N·⌈H/m⌉·⌈W/m⌉. */
function tilesShape(shape: number[], attrs: Record<string, number>): number[] {
  const { v, positions } = variantOf(attrs);
  const [n, h, w, c] = shape as [number, number, number, number];
  return [positions, n * Math.ceil(h / v.m) * Math.ceil(w / v.m), padded(c)];
}

/** x (N, H, W, C) → V (α², T, C⁴), T = N·⌈H/m⌉·⌈W/m⌉ tiles. */
const inputTilesKernel = registerJsKernel({
  name: 'SweeplabWinogradInput',
  outputShape: ([shape], attrs) => tilesShape(shape!, attrs),
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
const outputTilesKernel = registerJsKernel({
  name: 'SweeplabWinogradOutput',
  outputShape: (_shapes, { n, h, w, c }) => [n!, h!, w!, c!],
  compute([m, bias], [shape], out, attrs) {
    const { v, i: variant, positions } = variantOf(attrs);
    const { h: H, w: W, c: C, relu } = attrs as Record<string, number>;
    const name = bias ? `${relu === 1 ? 'outputBiasRelu' : 'outputBias'}${variant}` : `output${variant}`;
    if (relu === 1 && !bias) throw new Error('SweeplabWinogradOutput: ReLU needs a bias');
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
const outputGradientTilesKernel = registerJsKernel({
  name: 'SweeplabWinogradOutputGradient',
  outputShape: ([shape], attrs) => tilesShape(shape!, attrs),
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
const filterTilesKernel = registerJsKernel({
  name: 'SweeplabWinogradFilter',
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
const filterGradientKernel = registerJsKernel({
  name: 'SweeplabWinogradFilterGradient',
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

/** x (N, H, W, C) → V (α², T, C⁴), the input's tiles Bᵀ d B for the variant of a k×k kernel. */
export function inputTiles(x: tf.Tensor4D, variant: number): tf.Tensor3D {
  return inputTilesKernel([x], { variant }) as tf.Tensor3D;
}

/** M (α², T, C⁴) [+ bias] → y (N, H, W, C): Aᵀ m A of every tile, cropped, ReLU when `relu`. */
export function outputTiles(
  m: tf.Tensor3D,
  bias: tf.Tensor1D | undefined,
  [n, h, w, c]: [number, number, number, number],
  relu: boolean,
  variant: number,
): tf.Tensor4D {
  return outputTilesKernel(bias ? [m, bias] : [m], {
    variant,
    n,
    h,
    w,
    c,
    relu: relu ? 1 : 0,
  }) as tf.Tensor4D;
}

/** dy (N, H, W, C) → (α², T, C⁴): A dy Aᵀ of every output tile. */
export function outputGradientTiles(dy: tf.Tensor4D, variant: number): tf.Tensor3D {
  return outputGradientTilesKernel([dy], { variant }) as tf.Tensor3D;
}

/** w → U (α², C_in⁴, C_out⁴); with `flip`, dX's kernel's (α², C_out⁴, C_in⁴). */
export function filterTiles(kernel: tf.Tensor4D, flip: boolean, variant: number): tf.Tensor3D {
  return filterTilesKernel([kernel], { variant, flip: flip ? 1 : 0 }) as tf.Tensor3D;
}

/** dUᵀ (α², C_out⁴, C_in⁴) → dW (r, r, C_in, C_out). */
export function filterGradient(du: tf.Tensor3D, cIn: number, cOut: number, variant: number): tf.Tensor4D {
  return filterGradientKernel([du], { variant, cIn, cOut }) as tf.Tensor4D;
}
