import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Sgd } from './sgd.ts';

test('plain SGD: p ← p − lr·g', async () => {
  await tf.setBackend('cpu');
  const p = tf.variable(tf.tensor1d([1, 2]));
  const sgd = new Sgd([p], { lr: 0.5, momentum: 0 });
  sgd.step([tf.tensor1d([2, -4])]);
  assert.deepEqual([...p.dataSync()], [0, 4]);
  assert.deepEqual(sgd.stateArrays(['p']), []);
});

test('momentum follows PyTorch: v ← μv + g, p ← p − lr·v, and its state round-trips', async () => {
  await tf.setBackend('cpu');
  const p = tf.variable(tf.tensor1d([0]));
  const sgd = new Sgd([p], { lr: 0.1, momentum: 0.9 });
  sgd.step([tf.tensor1d([1])]); // v = 1, p = -0.1
  sgd.step([tf.tensor1d([1])]); // v = 1.9, p = -0.29
  assert.ok(Math.abs(p.dataSync()[0]! + 0.29) < 1e-6);
  const state = sgd.stateArrays(['p']);
  assert.equal(state[0]!.name, 'p.velocity');
  assert.ok(Math.abs(state[0]!.values[0]! - 1.9) < 1e-6);
  const q = tf.variable(tf.tensor1d([-0.29]));
  const resumed = new Sgd([q], { lr: 0.1, momentum: 0.9 });
  resumed.loadState(['p'], state);
  resumed.step([tf.tensor1d([1])]);
  sgd.step([tf.tensor1d([1])]);
  assert.ok(Math.abs(q.dataSync()[0]! - p.dataSync()[0]!) < 1e-7);
});
