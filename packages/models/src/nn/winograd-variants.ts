import type { TileTransform } from './wat/tile-transform-wat.ts';

/**
 * The Winograd variants' transform matrices: the one statement of their arithmetic. The SIMD tile
 * transforms (wat/tile-transform-wat.ts) are generated from them, and winograd.test.ts checks them
 * against a direct correlation. F(4×4, 3×3) serves 3×3 layers, F(4×4, 5×5) 5×5 ones. (F(2×2, 5×5) was
 * built and measured first, issue #14: with 9 input values per output its transforms cost more than its
 * GEMMs save at 20–30 channels. F(4×4, 5×5) reads 4 per output and does 64 instead of 400
 * multiplications per 4×4 tile.)
 *
 *   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
 *
 * for a 4×4 output tile Y from an α×α input tile d (α = m + r − 1), summed over input channels, so that
 * for each of the α² transformed positions ξ the sum is one GEMM.
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
export const positionsOf = (v: WinogradVariant) => alphaOf(v) ** 2;

const transpose = (m: number[][]) => m[0]!.map((_, j) => m.map((row) => row[j]!));

/** Lavin & Gray's F(4, 3) ("Fast Algorithms for Convolutional Neural Networks", 2016), scaled so that Bᵀ and Aᵀ are small integers. */
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

/** Indexed by the kernels' `variant` attribute. */
export const WINOGRAD_VARIANTS = [F4x3, F4x5] as const;

/** Index of the variant for a kernel size (3 → F(4×4, 3×3), 5 → F(4×4, 5×5)), or undefined. */
export function variantFor(kernelSize: number): number | undefined {
  const i = WINOGRAD_VARIANTS.findIndex((v) => v.r === kernelSize);
  return i < 0 ? undefined : i;
}

/** The seven tile transforms of variant i (named with its index): each pass's, forward and backward. */
const transformsOf = (v: WinogradVariant, i: number): TileTransform[] => [
  { name: `input${i}`, left: v.BT, right: v.BT },
  { name: `output${i}`, left: v.AT, right: v.AT, maskedStore: true },
  { name: `outputBias${i}`, left: v.AT, right: v.AT, bias: 'linear', maskedStore: true },
  { name: `outputBiasRelu${i}`, left: v.AT, right: v.AT, bias: 'relu', maskedStore: true },
  { name: `outputGradient${i}`, left: transpose(v.AT), right: transpose(v.AT) },
  { name: `filter${i}`, left: v.G, right: v.G },
  { name: `filterGradient${i}`, left: transpose(v.G), right: transpose(v.G) },
];

/** Every variant's tile transforms, in the SIMD module's order. */
export const WINOGRAD_TILE_TRANSFORMS: readonly TileTransform[] = WINOGRAD_VARIANTS.flatMap(transformsOf);

/** Winograd-domain tensors pad channels to a multiple of 4 (C⁴ = 4⌈C/4⌉), so GEMM operands are whole vectors. */
export const padded = (channels: number) => Math.ceil(channels / 4) * 4;
