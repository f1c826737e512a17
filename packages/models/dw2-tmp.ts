import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './src/backend/backend.ts';
import { planeTransposedProduct } from './src/nn/plane-gemm.ts';

await initBackend('wasm');
function time(label: string, fn: () => tf.Tensor) {
  for (let i = 0; i < 3; i++) fn().dispose();
  const reps = 30;
  const t0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn().dispose();
  const u = process.cpuUsage(t0);
  console.log(label, ((u.user + u.system) / 1000 / reps).toFixed(2), 'ms');
}
for (const [P, T, m, n] of [
  [64, 1024, 32, 20],
  [36, 3136, 32, 32],
  [36, 3136, 16, 8],
  [36, 196, 256, 256],
]) {
  const a = tf.randomNormal([P!, T!, m!]) as tf.Tensor3D;
  const b = tf.randomNormal([P!, T!, n!]) as tf.Tensor3D;
  time(`TN ${P}x${T}x${m}x${n} (${((P! * T! * m! * n!) / 1e6).toFixed(0)}M MAC)`, () =>
    planeTransposedProduct(a, b),
  );
}
