import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/backend.ts';
import { batchedMatMul } from './batched-matmul.ts';

before(async () => {
  await initBackend('wasm');
});

/** The slice-by-slice product the kernel replaces: tf.matMul of each 2-D slice. */
function perSlice(a: tf.Tensor3D, b: tf.Tensor3D): Float32Array {
  return tf.tidy(() => {
    const products = tf
      .unstack(a)
      .map((slice, i) => tf.matMul(slice as tf.Tensor2D, tf.unstack(b)[i] as tf.Tensor2D));
    return tf.stack(products).dataSync() as Float32Array;
  });
}

test('each slice of batchedMatMul is the 2-D matMul of the slices (odd sizes too)', () => {
  for (const [batch, m, k, n] of [
    [1, 1, 1, 1],
    [3, 5, 7, 2],
    [36, 17, 13, 11],
    [4, 64, 32, 48],
  ] as const) {
    const a = tf.randomNormal([batch, m, k], 0, 1, 'float32', 1) as tf.Tensor3D;
    const b = tf.randomNormal([batch, k, n], 0, 1, 'float32', 2) as tf.Tensor3D;
    const c = batchedMatMul(a, b);
    assert.deepEqual(c.shape, [batch, m, n]);
    const expected = perSlice(a, b);
    const actual = c.dataSync();
    for (let i = 0; i < expected.length; i++) {
      assert.ok(
        Math.abs(actual[i]! - expected[i]!) <= 1e-5 * (1 + Math.abs(expected[i]!)),
        `${batch}×${m}×${k}×${n} [${i}]`,
      );
    }
    tf.dispose([a, b, c]);
  }
});

test("a second product with new right operands does not reuse the first one's packed weights", () => {
  // The wasm backend caches an XNNPACK operator per weights id; views must never hit a stale one.
  const a = tf.randomNormal([2, 8, 8], 0, 1, 'float32', 3) as tf.Tensor3D;
  const first = tf.randomNormal([2, 8, 8], 0, 1, 'float32', 4) as tf.Tensor3D;
  const second = tf.randomNormal([2, 8, 8], 0, 1, 'float32', 5) as tf.Tensor3D;
  const c1 = batchedMatMul(a, first).dataSync();
  const c2 = batchedMatMul(a, second).dataSync();
  assert.deepEqual(Array.from(c1), Array.from(perSlice(a, first)));
  assert.deepEqual(Array.from(c2), Array.from(perSlice(a, second)));
  tf.dispose([a, first, second]);
});

test('batchedMatMul leaks no tensors and refuses operands that do not chain', () => {
  const a = tf.ones([3, 4, 5]) as tf.Tensor3D;
  const b = tf.ones([3, 5, 2]) as tf.Tensor3D;
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) batchedMatMul(a, b).dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => batchedMatMul(a, tf.ones([3, 4, 2]) as tf.Tensor3D), /cannot multiply 3×4×5 by 3×4×2/);
  assert.throws(() => batchedMatMul(a, tf.ones([2, 5, 2]) as tf.Tensor3D), /cannot multiply/);
  tf.dispose([a, b]);
});
