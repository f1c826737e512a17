import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/backend.ts';
import { builtinConvGradients } from './conv-reference.ts';
import { conv2d, convPlan } from './conv2d.ts';
import { dense } from './dense.ts';
import { maxPool2x2 } from './max-pool.ts';
import { winogradAvailable } from './winograd.ts';

/** Uniform in (offset ± 1), reproducible. */
function random(shape: number[], seed: number, offset = 0): tf.Tensor {
  const prng = createPrng(seed, 'gradient-check');
  const values = Float32Array.from(
    { length: shape.reduce((a, b) => a * b, 1) },
    () => 2 * prng.next() - 1 + offset,
  );
  return tf.tensor(values, shape);
}

type Case = {
  name: string;
  inputs: number[][];
  op: (...xs: tf.Tensor[]) => tf.Tensor;
  reference: (dy: tf.Tensor, ...xs: tf.Tensor[]) => tf.Tensor[];
  /** Added to the first input's values (to make every pooling window negative). */
  offset?: number;
  /** The first input is data: no gradient flows to it. */
  dataInput?: boolean;
};

const makeInputs = (c: Case) =>
  c.inputs.map((shape, i) => random(shape, i + 1, i === 0 ? (c.offset ?? 0) : 0));

const convReference =
  (inputGradient: boolean) =>
  (dy: tf.Tensor, x: tf.Tensor, k: tf.Tensor): tf.Tensor[] => {
    const { dx, dw: dk } = builtinConvGradients(x as tf.Tensor4D, k as tf.Tensor4D, dy as tf.Tensor4D);
    const db = tf.sum(dy, [0, 1, 2]);
    return inputGradient ? [dx, dk, db] : [dk, db];
  };

/** ReLU(conv(x) + b): the conv reference applied to dy masked where the pre-activation is positive. */
const convReluReference =
  (inputGradient: boolean) =>
  (dy: tf.Tensor, x: tf.Tensor, k: tf.Tensor, b: tf.Tensor): tf.Tensor[] => {
    const pre = tf.add(tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'same'), b);
    return convReference(inputGradient)(tf.mul(dy, tf.step(pre)), x, k);
  };

const denseReference = (dy: tf.Tensor, x: tf.Tensor, w: tf.Tensor): tf.Tensor[] => [
  tf.matMul(dy as tf.Tensor2D, w as tf.Tensor2D, false, true),
  tf.matMul(x as tf.Tensor2D, dy as tf.Tensor2D, true, false),
  tf.sum(dy, 0),
];

const maxPoolReference = (dy: tf.Tensor, x: tf.Tensor): tf.Tensor[] => {
  const output = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
  const attrs = { filterSize: 2, strides: 2, pad: 'valid', dimRoundingMode: undefined };
  return [
    tf
      .engine()
      .runKernel('MaxPoolGrad', { dy, input: x, output }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
  ];
};

/** A hidden conv layer with its fused ReLU (input, kernel and bias gradients). */
function convReluCase(name: string, inputs: number[][]): Case {
  return {
    name,
    inputs,
    op: (x, k, b) =>
      conv2d(x as tf.Tensor4D, { kernel: k as tf.Tensor4D, bias: b as tf.Tensor1D }, { relu: true }),
    reference: convReluReference(true),
  };
}

const cases: Case[] = [
  {
    name: 'conv2d 5×5 (3→4), input, kernel and bias gradients',
    inputs: [[2, 6, 6, 3], [5, 5, 3, 4], [4]],
    op: (x, k, b) => conv2d(x as tf.Tensor4D, { kernel: k as tf.Tensor4D, bias: b as tf.Tensor1D }),
    reference: convReference(true),
  },
  {
    name: 'conv2d 3×3 (4→2)',
    inputs: [[3, 5, 5, 4], [3, 3, 4, 2], [2]],
    op: (x, k, b) => conv2d(x as tf.Tensor4D, { kernel: k as tf.Tensor4D, bias: b as tf.Tensor1D }),
    reference: convReference(true),
  },
  {
    name: 'conv2d fed by images (no input gradient), 1 channel',
    inputs: [[2, 8, 8, 1], [5, 5, 1, 3], [3]],
    op: (x, k, b) =>
      conv2d(
        x as tf.Tensor4D,
        { kernel: k as tf.Tensor4D, bias: b as tf.Tensor1D },
        { inputGradient: false },
      ),
    reference: convReference(false),
    dataInput: true,
  },
  convReluCase('conv2d 3×3 (4→6) + ReLU, fused', [[3, 5, 5, 4], [3, 3, 4, 6], [6]]),
  {
    name: 'conv2d fed by images + ReLU, fused',
    inputs: [[2, 8, 8, 1], [3, 3, 1, 8], [8]],
    op: (x, k, b) =>
      conv2d(
        x as tf.Tensor4D,
        { kernel: k as tf.Tensor4D, bias: b as tf.Tensor1D },
        { inputGradient: false, relu: true },
      ),
    reference: convReluReference(false),
    dataInput: true,
  },
  // On wasm this layer runs forward, dX and dW as Winograd F(4×4, 3×3) (see the plan test below).
  convReluCase('conv2d 3×3 (128→128) + ReLU on 7×7 maps', [[2, 7, 7, 128], [3, 3, 128, 128], [128]]),
  // On wasm: XNNPACK forward and dX, Winograd dW from tiles made in the backward pass.
  convReluCase('conv2d 3×3 (8→16) + ReLU on 28×28 maps', [[2, 28, 28, 8], [3, 3, 8, 16], [16]]),
  // On wasm: every pass as Winograd F(4×4, 5×5) (the ResNet's block1.conv1).
  convReluCase('conv2d 5×5 (20→30) + ReLU on 14×14 maps', [[2, 14, 14, 20], [5, 5, 20, 30], [30]]),
  {
    name: 'dense (7→5)',
    inputs: [[4, 7], [7, 5], [5]],
    op: (x, w, b) => dense(x as tf.Tensor2D, { kernel: w as tf.Tensor2D, bias: b as tf.Tensor1D }),
    reference: denseReference,
  },
  {
    name: 'maxPool2x2, mixed signs',
    inputs: [[2, 6, 4, 3]],
    op: (x) => maxPool2x2(x as tf.Tensor4D),
    reference: maxPoolReference,
  },
  {
    name: 'maxPool2x2 of all-negative windows',
    inputs: [[2, 4, 4, 2]],
    op: (x) => maxPool2x2(x as tf.Tensor4D),
    reference: maxPoolReference,
    offset: -1.5,
  },
];

/** Backpropagates a fixed random dy through the layer; the routed gradients come from the tape. */
function routedGradients(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const inputs = makeInputs(c);
    const dy = random(c.op(...inputs).shape, 99);
    const skipsX = c.dataInput === true;
    const wrt = skipsX ? inputs.slice(1) : inputs;
    const f = (...xs: tf.Tensor[]) => c.op(...(skipsX ? [inputs[0]!, ...xs] : xs));
    return tf
      .grads(f)(wrt, dy)
      .map((g) => g.dataSync() as Float32Array);
  });
}

/** The same gradients from the cpu backend's own backward kernels (what TF.js's gradients call). */
function builtinGradients(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const inputs = makeInputs(c);
    const dy = random(c.op(...inputs).shape, 99);
    return c.reference(dy, ...inputs).map((g) => g.dataSync() as Float32Array);
  });
}

function assertClose(actual: Float32Array, expected: Float32Array, label: string) {
  assert.equal(actual.length, expected.length, label);
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i]! - expected[i]!) > 1e-4 * scale + 1e-5) {
      assert.fail(`${label}[${i}]: routed ${actual[i]} vs built-in ${expected[i]}`);
    }
  }
}

test('routed gradients equal the cpu backend built-in gradients', async () => {
  await initBackend('cpu');
  for (const c of cases) {
    const expected = builtinGradients(c);
    const actual = routedGradients(c);
    actual.forEach((g, i) => {
      assertClose(g, expected[i]!, `${c.name} (cpu) input ${i}`);
    });
  }
});

test('routed gradients on wasm equal the cpu built-ins', async () => {
  await initBackend('cpu');
  const expected = cases.map((c) => builtinGradients(c));
  await initBackend('wasm');
  cases.forEach((c, n) => {
    const actual = routedGradients(c);
    actual.forEach((g, i) => {
      assertClose(g, expected[n]![i]!, `${c.name} (wasm) input ${i}`);
    });
  });
});

test('which passes run as Winograd: 3×3 and 5×5 layers on wasm, by channel counts; cpu never', async () => {
  await initBackend('wasm');
  assert.equal(winogradAvailable(), true, 'the SIMD module is loaded with the wasm backend');
  assert.deepEqual(convPlan(3, 128, 128), { forward: true, kernelGradient: true });
  assert.deepEqual(convPlan(3, 30, 20), { forward: true, kernelGradient: true });
  assert.deepEqual(convPlan(3, 20, 15), { forward: true, kernelGradient: true });
  assert.deepEqual(convPlan(3, 8, 16), { forward: false, kernelGradient: true });
  assert.deepEqual(convPlan(3, 8, 8), { forward: false, kernelGradient: true });
  assert.deepEqual(convPlan(5, 20, 30), { forward: true, kernelGradient: true });
  assert.deepEqual(convPlan(5, 15, 30), { forward: true, kernelGradient: true });
  // layers fed by images (one channel, padded to four in the Winograd domain) stay direct
  assert.deepEqual(convPlan(3, 1, 8), { forward: false, kernelGradient: false });
  assert.deepEqual(convPlan(5, 1, 20), { forward: false, kernelGradient: false });
  assert.deepEqual(convPlan(7, 30, 30), { forward: false, kernelGradient: false });
  await initBackend('cpu');
  assert.deepEqual(convPlan(3, 128, 128), { forward: false, kernelGradient: false });
});
