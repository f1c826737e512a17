import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { OptimizerName } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/backend.ts';
import { createOptimizer } from './optimizer.ts';

/**
 * Every update rule against torch.optim: the same initial tensors and the same five gradients, the lr
 * changed between steps as a schedule would, parameters compared after every step. The numbers come
 * from scripts/pytorch-optimizer-fixtures.py (PyTorch 1.13, float32).
 */
interface Fixture {
  torch_version: string;
  shapes: number[][];
  initial: number[][];
  grads: number[][][];
  lr_factors: number[];
  cases: {
    name: string;
    optimizer: OptimizerName;
    lr: number;
    momentum: number;
    nesterov: boolean;
    weight_decay: number;
    after_step: number[][][];
  }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/torch-optimizers.json', import.meta.url), 'utf8'),
) as Fixture;
const TOLERANCE = 1e-6;
const NAMES = ['a', 'b'];

function variables(values: readonly number[][]): tf.Variable[] {
  return values.map((v, i) => tf.variable(tf.tensor(v, fixture.shapes[i]), true));
}

function maxDifference(actual: readonly tf.Variable[], expected: readonly number[][]): number {
  let worst = 0;
  actual.forEach((variable, i) => {
    const got = variable.dataSync();
    expected[i]!.forEach((e, j) => {
      worst = Math.max(worst, Math.abs(got[j]! - e));
    });
  });
  return worst;
}

function step(optimizer: ReturnType<typeof createOptimizer>, index: number, lr: number): void {
  const grads = fixture.grads[index]!.map((g, i) => tf.tensor(g, fixture.shapes[i]));
  optimizer.step(grads, lr * fixture.lr_factors[index]!);
  tf.dispose(grads);
}

for (const backend of ['wasm', 'cpu'] as const) {
  for (const c of fixture.cases) {
    test(`${backend}: ${c.name} matches torch.optim to ${TOLERANCE} over ${c.after_step.length} steps`, async () => {
      await initBackend(backend);
      const params = variables(fixture.initial);
      const optimizer = createOptimizer(params, c);
      try {
        c.after_step.forEach((expected, s) => {
          step(optimizer, s, c.lr);
          const diff = maxDifference(params, expected);
          assert.ok(diff <= TOLERANCE, `step ${s + 1}: max |ours − torch| = ${diff}`);
        });
      } finally {
        optimizer.dispose();
        tf.dispose(params);
      }
    });
  }
}

for (const c of fixture.cases) {
  test(`${c.name}: state saved after 3 steps resumes bit-identically`, async () => {
    await initBackend('wasm');
    const straight = variables(fixture.initial);
    const first = createOptimizer(straight, c);
    for (let s = 0; s < 3; s++) step(first, s, c.lr);
    const state = first.stateArrays(NAMES).map((a) => ({ ...a, values: Float32Array.from(a.values) }));
    const resumedParams = variables(straight.map((v) => Array.from(v.dataSync())));
    const resumed = createOptimizer(resumedParams, c);
    resumed.loadState(NAMES, state);
    for (let s = 3; s < c.after_step.length; s++) {
      step(first, s, c.lr);
      step(resumed, s, c.lr);
    }
    straight.forEach((v, i) => {
      assert.deepEqual(resumedParams[i]!.dataSync(), v.dataSync());
    });
    first.dispose();
    resumed.dispose();
    tf.dispose([...straight, ...resumedParams]);
  });
}

test('a checkpoint without the optimizer state it needs is refused', async () => {
  await initBackend('wasm');
  const params = variables(fixture.initial);
  const adam = createOptimizer(params, {
    lr: 0.01,
    optimizer: 'adam',
    momentum: 0,
    nesterov: false,
    weight_decay: 0,
  });
  assert.throws(() => adam.loadState(NAMES, []), /optimizer state lacks a\.exp_avg/);
  adam.dispose();
  tf.dispose(params);
});
