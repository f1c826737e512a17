import type * as tf from '@tensorflow/tfjs-core';
import { registerJsKernel } from './js-kernel.ts';
import { simdFunction, simdReady } from './simd-module.ts';
import type { GemmLayout } from './wat/plane-gemm-wat.ts';

/**
 * Batched float32 products on the wasm SIMD GEMMs (wat/plane-gemm-wat.ts), for operands in the layouts
 * the Winograd transforms and the patch builder write: C[p] = A[p]·B[p] and C[p] = A[p]ᵀ·B[p] over the
 * leading dimension (a 2-D tensor is one plane). The last dimension of B (and A's, for Aᵀ·B) must be a
 * multiple of 4, which the Winograd-domain tensors' padded channels are. Wasm backend with the SIMD
 * module only.
 */
type Dims = { planes: number; rows: number; cols: number };

function dims(shape: number[], name: string, operand: string): Dims {
  if (shape.length === 2) return { planes: 1, rows: shape[0]!, cols: shape[1]! };
  if (shape.length === 3) return { planes: shape[0]!, rows: shape[1]!, cols: shape[2]! };
  throw new Error(`${name}: ${operand} must be 2-D or 3-D, got shape [${shape}]`);
}

function outputShape(planes: number, shape: number[], rows: number, cols: number): number[] {
  return shape.length === 2 ? [rows, cols] : [planes, rows, cols];
}

function checkOperands(name: string, a: Dims, b: Dims, shared: [number, number], widths: number[]) {
  if (a.planes !== b.planes || shared[0] !== shared[1]) {
    throw new Error(
      `${name}: operands do not match (${a.planes}×${a.rows}×${a.cols}, ${b.planes}×${b.rows}×${b.cols})`,
    );
  }
  if (widths.some((w) => w % 4 !== 0)) throw new Error(`${name}: widths ${widths} must be multiples of 4`);
}

/**
 * `planes` consecutive products at byte addresses a, b into c: 'NN' C (m × n) = A (m × k)·B (k × n);
 * 'TN' C (m × n) = Aᵀ·B with A (k × m). A 'TN' product over more than `TN_CHUNK` rows of A and B runs in
 * chunks of rows, added up in C: every output block streams its columns of A and B over all k, which
 * for a large k (the first layer's dW sums over N·H·W ≈ 50,000 pixels) would come from memory once per
 * block.
 */
function planeGemm(
  layout: GemmLayout,
  [a, b, c]: [number, number, number],
  planes: number,
  [m, k, n]: [number, number, number],
): void {
  const gemm = simdFunction(`gemm${layout}`);
  if (layout === 'NN' || k <= TN_CHUNK) {
    gemm(a, b, c, planes, k, m, n, 0);
    return;
  }
  for (let p = 0; p < planes; p++) {
    for (let start = 0; start < k; start += TN_CHUNK) {
      const rows = Math.min(TN_CHUNK, k - start);
      const [aAt, bAt] = [a + (p * k + start) * m * 4, b + (p * k + start) * n * 4];
      gemm(aAt, bAt, c + p * m * n * 4, 1, rows, m, n, start === 0 ? 0 : 1);
    }
  }
}

/** Rows of A and B per chunk of a 'TN' product: ≤ 128 KB of each at 64 columns, within any L2. */
const TN_CHUNK = 512;

function run(
  name: string,
  arrays: Float32Array[],
  layout: GemmLayout,
  planes: number,
  mkn: [number, number, number],
) {
  if (!simdReady(`gemm${layout}`, arrays, 1)) {
    throw new Error(`${name}: the SIMD GEMMs are not loaded (wasm backend with SIMD only)`);
  }
  const [a, b, c] = arrays as [Float32Array, Float32Array, Float32Array];
  planeGemm(layout, [a.byteOffset, b.byteOffset, c.byteOffset], planes, mkn);
}

/** A (P, M, K) · B (P, K, N) → (P, M, N); N a multiple of 4. */
const product = registerJsKernel({
  name: 'SweeplabPlaneProduct',
  outputShape: ([aShape, bShape]) => {
    const [a, b] = [dims(aShape!, 'SweeplabPlaneProduct', 'A'), dims(bShape!, 'SweeplabPlaneProduct', 'B')];
    return outputShape(a.planes, aShape!, a.rows, b.cols);
  },
  compute([a, b], [aShape, bShape], out) {
    const name = 'SweeplabPlaneProduct';
    const [da, db] = [dims(aShape!, name, 'A'), dims(bShape!, name, 'B')];
    checkOperands(name, da, db, [da.cols, db.rows], [db.cols]);
    run(name, [a!, b!, out], 'NN', da.planes, [da.rows, da.cols, db.cols]);
  },
});

/** Aᵀ·B for A (P, K, M), B (P, K, N) → (P, M, N); M and N multiples of 4. */
const transposedProduct = registerJsKernel({
  name: 'SweeplabPlaneTransposedProduct',
  outputShape: ([aShape, bShape]) => {
    const name = 'SweeplabPlaneTransposedProduct';
    const [a, b] = [dims(aShape!, name, 'A'), dims(bShape!, name, 'B')];
    return outputShape(a.planes, aShape!, a.cols, b.cols);
  },
  compute([a, b], [aShape, bShape], out) {
    const name = 'SweeplabPlaneTransposedProduct';
    const [da, db] = [dims(aShape!, name, 'A'), dims(bShape!, name, 'B')];
    checkOperands(name, da, db, [da.rows, db.rows], [da.cols, db.cols]);
    run(name, [a!, b!, out], 'TN', da.planes, [da.cols, da.rows, db.cols]);
  },
});

export function planeProduct<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  return product([a, b]) as T;
}

export function planeTransposedProduct<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  return transposedProduct([a, b]) as T;
}
