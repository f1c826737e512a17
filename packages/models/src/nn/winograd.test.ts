import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/backend.ts';
import { builtinConvGradients } from './conv-reference.ts';
import { conv2d, convPlan } from './conv2d.ts';
import { loadSimdModule, unloadSimdModule } from './simd-module.ts';
import {
  winogradAvailable,
  winogradConv,
  winogradInput,
  winogradInputGradient,
  winogradKernelGradient,
  winogradSupports,
} from './winograd.ts';
import { F4x3, F4x5 } from './winograd-variants.ts';

/** Uniform in ±1, reproducible. */
function random(shape: number[], seed: number): tf.Tensor {
  const prng = createPrng(seed, 'winograd');
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * prng.next() - 1),
    shape,
  );
}

type Shape = [n: number, h: number, w: number, cIn: number, cOut: number];

/**
 * Maps that are and are not multiples of the output tile, 1×1 maps, non-square maps, channel counts
 * with every remainder mod 4 (the SIMD kernels' partial vectors), and batches whose tile count is and
 * is not a multiple of 4 (dW's two channel-major paths).
 */
const SHAPES: Shape[] = [
  [1, 1, 1, 3, 2],
  [2, 4, 4, 5, 7],
  [3, 5, 7, 4, 6],
  [2, 9, 6, 8, 3],
  [2, 7, 7, 33, 17],
  [1, 1, 1, 4, 4],
  [2, 7, 7, 16, 8],
  [3, 6, 9, 12, 20],
  [4, 14, 14, 15, 30],
  [3, 4, 4, 6, 9],
];

function layerInputs([n, h, w, cIn, cOut]: Shape, k: number, seed: number) {
  return {
    x: random([n, h, w, cIn], seed) as tf.Tensor4D,
    kernel: random([k, k, cIn, cOut], seed + 1) as tf.Tensor4D,
    b: random([cOut], seed + 2) as tf.Tensor1D,
    dy: random([n, h, w, cOut], seed + 3) as tf.Tensor4D,
  };
}

/** Forward (with bias and ReLU), dX and dW from the cpu backend's own kernels. */
function reference(shape: Shape, k: number, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const { x, kernel, b, dy } = layerInputs(shape, k, seed);
    const y = tf.relu(tf.add(tf.conv2d(x, kernel, 1, 'same'), b));
    const { dx, dw } = builtinConvGradients(x, kernel, dy);
    return [y, dx, dw].map((t) => t.dataSync() as Float32Array);
  });
}

function winograd(shape: Shape, k: number, seed: number): Float32Array[] {
  const [n, h, w, cIn, cOut] = shape;
  return tf.tidy(() => {
    const { x, kernel, b, dy } = layerInputs(shape, k, seed);
    const tiles = winogradInput(x, k);
    const y = winogradConv(tiles, kernel, b, [n, h, w], true);
    return [y, winogradInputGradient(dy, kernel), winogradKernelGradient(tiles, dy, [k, cIn, cOut])].map(
      (t) => t.dataSync() as Float32Array,
    );
  });
}

function assertClose(actual: Float32Array[], expected: Float32Array[], label: string, tolerance: number) {
  ['forward', 'dX', 'dW'].forEach((pass, p) => {
    const [a, e] = [actual[p]!, expected[p]!];
    assert.equal(a.length, e.length, `${label} ${pass} size`);
    const scale = e.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    let worst = 0;
    for (let j = 0; j < e.length; j++) worst = Math.max(worst, Math.abs(a[j]! - e[j]!));
    assert.ok(worst <= tolerance * scale + 1e-6, `${label} ${pass}: max |error| ${worst} of ${scale}`);
  });
}

// F(4×4, 3×3) loses a few bits to its ±8 and 1/24 coefficients, F(4×4, 5×5) more to its ±21 and
// 1/360; a wrong tile, tap or transform is off by O(scale).
for (const [k, tolerance] of [
  [3, 3e-5],
  [5, 3e-5],
] as const) {
  test(`Winograd ${k}×${k} (SIMD transforms) forward, dX and dW equal the direct convolution`, async () => {
    await initBackend('cpu');
    const expected = SHAPES.map((shape, i) => reference(shape, k, 10 * i));
    await initBackend('wasm');
    assert.equal(winogradAvailable(), true, 'SIMD module loaded');
    SHAPES.forEach((shape, i) => {
      assertClose(winograd(shape, k, 10 * i), expected[i]!, `${k}×${k} ${shape.join('×')}`, tolerance);
    });
  });
}

test('without the SIMD module the wasm backend runs every convolution direct, with the same results', async () => {
  const shape: Shape = [2, 7, 7, 33, 17];
  const [n, h, w, cIn] = shape;
  const layer = (seed: number) =>
    tf.tidy(() => {
      const { x, kernel, b, dy } = layerInputs(shape, 3, seed);
      const layerOf = (input: tf.Tensor, k: tf.Tensor, bias: tf.Tensor) =>
        conv2d(input as tf.Tensor4D, { kernel: k as tf.Tensor4D, bias: bias as tf.Tensor1D }, { relu: true });
      const [y, grads] = [layerOf(x, kernel, b), tf.grads(layerOf)([x, kernel, b], dy)];
      return [y, ...grads].map((t) => t.dataSync() as Float32Array);
    });
  await initBackend('wasm');
  const winograd = layer(3);
  unloadSimdModule();
  try {
    assert.equal(winogradAvailable(), false);
    assert.equal(winogradSupports(3), false);
    assert.deepEqual(convPlan(3, 128, 128), { forward: false, kernelGradient: false });
    assert.deepEqual(convPlan(5, 30, 30), { forward: false, kernelGradient: false });
    assert.throws(
      () => winogradInput(tf.zeros([n, h, w, cIn]) as tf.Tensor4D, 3),
      /SIMD module is not loaded/,
    );
    const direct = layer(3);
    ['forward', 'dX', 'dW', 'db'].forEach((pass, i) => {
      const [a, e] = [direct[i]!, winograd[i]!];
      const scale = e.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const worst = e.reduce((m, v, j) => Math.max(m, Math.abs(a[j]! - v)), 0);
      assert.ok(worst <= 3e-5 * scale + 1e-6, `direct vs Winograd ${pass}: max |error| ${worst} of ${scale}`);
    });
  } finally {
    assert.equal(await loadSimdModule(), undefined);
  }
  assert.deepEqual(convPlan(3, 128, 128), { forward: true, kernelGradient: true });
});

test('the transform matrices satisfy Aᵀ[(G g) ⊙ (Bᵀ d)] = correlation of d with g, in one dimension', () => {
  for (const v of [F4x3, F4x5]) {
    const alpha = v.m + v.r - 1;
    for (let trial = 0; trial < 5; trial++) {
      const d = Array.from({ length: alpha }, (_, i) => Math.sin(3 * i + trial));
      const g = Array.from({ length: v.r }, (_, i) => Math.cos(5 * i + trial));
      const gg = v.G.map((row) => row.reduce((s, c, j) => s + c * g[j]!, 0));
      const bd = v.BT.map((row) => row.reduce((s, c, j) => s + c * d[j]!, 0));
      const y = v.AT.map((row) => row.reduce((s, c, j) => s + c * gg[j]! * bd[j]!, 0));
      y.forEach((value, i) => {
        const exact = g.reduce((s, gk, kk) => s + gk * d[i + kk]!, 0);
        assert.ok(Math.abs(value - exact) < 1e-12, `F(${v.m}, ${v.r}) y[${i}] ${value} vs ${exact}`);
      });
    }
  }
});
