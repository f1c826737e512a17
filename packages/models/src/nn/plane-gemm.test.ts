import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/backend.ts';
import { planeProduct, planeTransposedProduct } from './plane-gemm.ts';

before(async () => {
  await initBackend('wasm');
});

/** Σ over k in float64, plane by plane: C[p] = op(A[p])·B[p]. */
function reference(a: Float32Array, b: Float32Array, [planes, m, k, n]: number[], transposed: boolean) {
  const c = new Float64Array(planes! * m! * n!);
  for (let p = 0; p < planes!; p++) {
    for (let i = 0; i < m!; i++) {
      for (let j = 0; j < n!; j++) {
        let sum = 0;
        for (let t = 0; t < k!; t++) {
          const av = transposed ? a[(p * k! + t) * m! + i]! : a[(p * m! + i) * k! + t]!;
          sum += av * b[(p * k! + t) * n! + j]!;
        }
        c[(p * m! + i) * n! + j] = sum;
      }
    }
  }
  return c;
}

function assertClose(actual: Float32Array, expected: Float64Array, k: number, label: string) {
  assert.equal(actual.length, expected.length, `${label} size`);
  // a sum of k products of values in ±4: float32 rounding grows like √k
  const tolerance = 1e-6 * Math.sqrt(k) * 16;
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i]! - expected[i]!) <= tolerance,
      `${label}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

/** op(A)·B of random planes against the float64 reference, shape [planes, m, k, n] each. */
function checkProducts(transposed: boolean, shapes: (readonly [number, number, number, number])[]) {
  for (const [planes, m, k, n] of shapes) {
    const label = `${transposed ? 'Aᵀ·B' : 'A·B'} ${planes}×${m}×${k}×${n}`;
    const a = tf.randomUniform(
      transposed ? [planes, k, m] : [planes, m, k],
      -2,
      2,
      'float32',
      1,
    ) as tf.Tensor3D;
    const b = tf.randomUniform([planes, k, n], -2, 2, 'float32', 2) as tf.Tensor3D;
    const c = transposed ? planeTransposedProduct(a, b) : planeProduct(a, b);
    assert.deepEqual(c.shape, [planes, m, n], label);
    const [av, bv] = [a.dataSync() as Float32Array, b.dataSync() as Float32Array];
    assertClose(c.dataSync() as Float32Array, reference(av, bv, [planes, m, k, n], transposed), k, label);
    tf.dispose([a, b, c]);
  }
}

test('planeProduct equals A·B per plane: row counts with every remainder mod 4, one and two vectors wide', () => {
  checkProducts(false, [
    [1, 1, 4, 4],
    [2, 5, 8, 8],
    [3, 6, 12, 12],
    [2, 7, 20, 32],
    [36, 64, 32, 20],
  ]);
});

test('planeTransposedProduct equals Aᵀ·B per plane, also over k long enough to run in chunks added up in C', () => {
  checkProducts(true, [
    [1, 4, 1, 4],
    [2, 8, 37, 12],
    [3, 12, 512, 20],
    [2, 28, 1300, 20],
    [1, 32, 3136, 8],
  ]);
  // 2-D operands are one plane
  const [a, b] = [tf.ones([600, 4]) as tf.Tensor2D, tf.ones([600, 8]) as tf.Tensor2D];
  assert.deepEqual(Array.from(planeTransposedProduct(a, b).dataSync()), new Array(32).fill(600));
});

test('the products name the operands that do not fit', () => {
  const [a, b] = [tf.zeros([2, 5, 4]) as tf.Tensor3D, tf.zeros([2, 3, 4]) as tf.Tensor3D];
  assert.throws(() => planeProduct(a, b), /SweeplabPlaneProduct: operands do not match/);
  assert.throws(() => planeProduct(a, tf.zeros([2, 4, 6]) as tf.Tensor3D), /widths 6 must be multiples of 4/);
  assert.throws(
    () => planeTransposedProduct(tf.zeros([2, 5, 6]) as tf.Tensor3D, tf.zeros([2, 5, 4]) as tf.Tensor3D),
    /widths 6,4 must be multiples of 4/,
  );
  assert.throws(() => planeProduct(tf.zeros([4]) as unknown as tf.Tensor3D, b), /A must be 2-D or 3-D/);
});
