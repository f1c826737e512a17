import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/backend.ts';
import { unloadTileTransforms } from './tile-transforms-simd.ts';
import {
  prepareWinogradSimd,
  winogradConv,
  winogradInput,
  winogradInputGradient,
  winogradKernelGradient,
  winogradSimd,
} from './winograd.ts';

/** Uniform in ±1, reproducible. */
function random(shape: number[], seed: number): tf.Tensor {
  const prng = createPrng(seed, 'winograd');
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * prng.next() - 1),
    shape,
  );
}

type Shape = [n: number, h: number, w: number, cIn: number, cOut: number];

/** Maps that are and are not multiples of the 4×4 tile, 1×1 maps, non-square maps, odd channel counts. */
const SHAPES: Shape[] = [
  [1, 1, 1, 3, 2],
  [2, 4, 4, 5, 7],
  [3, 5, 7, 4, 6],
  [2, 9, 6, 8, 3],
  [2, 7, 7, 33, 17],
  // channels in multiples of 4: the SIMD transforms
  [1, 1, 1, 4, 4],
  [2, 7, 7, 16, 8],
  [3, 6, 9, 12, 20],
];

/** Forward (with bias and ReLU), dX and dW from the cpu backend's own kernels. */
function reference([n, h, w, cIn, cOut]: Shape, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const x = random([n, h, w, cIn], seed) as tf.Tensor4D;
    const k = random([3, 3, cIn, cOut], seed + 1) as tf.Tensor4D;
    const b = random([cOut], seed + 2) as tf.Tensor1D;
    const dy = random([n, h, w, cOut], seed + 3) as tf.Tensor4D;
    const y = tf.relu(tf.add(tf.conv2d(x, k, 1, 'same'), b));
    const dx = tf.conv2dTranspose(dy, k, [n, h, w, cIn], 1, 'same');
    const attrs = {
      strides: 1,
      pad: 'same',
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
      filterShape: k.shape,
    };
    const dw = tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    return [y, dx, dw].map((t) => t.dataSync() as Float32Array);
  });
}

function winograd([n, h, w, cIn, cOut]: Shape, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const x = random([n, h, w, cIn], seed) as tf.Tensor4D;
    const k = random([3, 3, cIn, cOut], seed + 1) as tf.Tensor4D;
    const b = random([cOut], seed + 2) as tf.Tensor1D;
    const dy = random([n, h, w, cOut], seed + 3) as tf.Tensor4D;
    const tiles = winogradInput(x);
    const y = winogradConv(tiles, k, b, [n, h, w], true);
    return [y, winogradInputGradient(dy, k), winogradKernelGradient(tiles, dy)].map(
      (t) => t.dataSync() as Float32Array,
    );
  });
}

test('Winograd F(4×4, 3×3) forward, dX and dW equal the direct convolution within float32 rounding', async () => {
  await initBackend('cpu');
  const expected = SHAPES.map((shape, i) => reference(shape, 10 * i));
  await initBackend('wasm');
  SHAPES.forEach((shape, i) => {
    const actual = winograd(shape, 10 * i);
    ['forward', 'dX', 'dW'].forEach((pass, p) => {
      const [a, e] = [actual[p]!, expected[i]![p]!];
      assert.equal(a.length, e.length, `${shape} ${pass} size`);
      const scale = e.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      let worst = 0;
      for (let j = 0; j < e.length; j++) worst = Math.max(worst, Math.abs(a[j]! - e[j]!));
      // F(4×4, 3×3) loses a few bits to its ±8 and 1/24 coefficients; a wrong tile or tap is O(scale).
      assert.ok(worst <= 2e-5 * scale + 1e-6, `${shape.join('×')} ${pass}: max |error| ${worst} of ${scale}`);
    });
  });
});

test('the JS transforms (the fallback without wasm SIMD) give what the SIMD ones give', async () => {
  await initBackend('wasm');
  const simdShapes = SHAPES.filter(([, , , cIn, cOut]) => cIn % 4 === 0 && cOut % 4 === 0);
  assert.ok(
    simdShapes.every(([, , , cIn, cOut]) => winogradSimd(cIn, cOut)),
    'SIMD transforms loaded',
  );
  const simd = simdShapes.map((shape, i) => winograd(shape, 100 + i));
  unloadTileTransforms();
  try {
    assert.equal(winogradSimd(4, 4), false);
    simdShapes.forEach((shape, i) => {
      winograd(shape, 100 + i).forEach((js, p) => {
        const other = simd[i]![p]!;
        const scale = other.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        let worst = 0;
        for (let j = 0; j < js.length; j++) worst = Math.max(worst, Math.abs(js[j]! - other[j]!));
        assert.ok(
          worst <= 1e-5 * scale + 1e-6,
          `${shape.join('×')} pass ${p}: JS vs SIMD ${worst} of ${scale}`,
        );
      });
    });
  } finally {
    assert.equal(await prepareWinogradSimd(), undefined);
  }
});
