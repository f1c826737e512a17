import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/backend.ts';
import { biasGradient, reluGradientAndBiasGradient } from './gradient-kernels.ts';
import { maxPool2x2Backward } from './max-pool.ts';
import { simdModuleLoaded } from './simd-module.ts';

/**
 * The wasm SIMD versions of the routed backward pass's elementwise kernels (wat/backward-kernels-wat.ts)
 * against the JS ones (which the cpu backend runs), to the bit: channel counts that are multiples of 4,
 * ones whose last vector overlaps the one before (15, 30), and ones below 4 (JS on wasm as well).
 */
const SHAPES: [number, number, number, number][] = [
  [2, 4, 4, 1],
  [2, 4, 6, 3],
  [3, 6, 4, 4],
  [2, 8, 8, 8],
  [2, 14, 14, 15],
  [1, 28, 28, 20],
  [2, 6, 6, 30],
];

/** Values from a small set, so that windows hold ties and all-negative windows are common. */
function values(shape: [number, number, number, number], seed: number, levels: number[]): tf.Tensor4D {
  const prng = createPrng(seed, 'backward-kernels');
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(
    Float32Array.from(
      { length: size },
      () => levels[Math.floor(prng.next() * levels.length)]! * (1 + prng.next() * 1e-3 * (seed % 2)),
    ),
    shape,
  );
}

function run(): Uint32Array[][] {
  return SHAPES.map(([n, h, w, c], i) => {
    const outputs = tf.tidy(() => {
      const x = values([n, h, w, c], 2 * i, [-2, -1, -1, 0, 1, 1, 3]);
      const dy = values([n, h / 2, w / 2, c], 2 * i + 1, [-1.5, -0.25, 0.5, 2]);
      const y = values([n, h, w, c], 3 * i, [-1, 0, 0.5, 2]);
      const g = values([n, h, w, c], 3 * i + 1, [-3.25, 0.1, 1.7, 9]);
      const [relu, bias] = reluGradientAndBiasGradient(g, y);
      return [maxPool2x2Backward(x, dy), relu, bias, biasGradient(g)] as tf.Tensor[];
    });
    const bits = outputs.map((t) => new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
    tf.dispose(outputs);
    return bits;
  });
}

test('max-pool backward, ReLU gradient with bias sums and channel sums: wasm SIMD equals the JS kernels bit for bit', async () => {
  await initBackend('cpu');
  const expected = run();
  await initBackend('wasm');
  assert.equal(simdModuleLoaded(), true, 'the SIMD module is loaded');
  const actual = run();
  SHAPES.forEach((shape, i) => {
    ['max-pool dx', "relu' g", 'relu bias sums', 'channel sums'].forEach((what, k) => {
      assert.deepEqual(actual[i]![k], expected[i]![k], `${what} ${shape.join('×')}`);
    });
  });
});
