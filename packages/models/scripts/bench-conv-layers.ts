/**
 * `npm run bench:conv`: every convolution layer of the catalog's models, timed pass by pass on wasm as
 * XNNPACK's direct convolution (the routed gradients) and as Winograd F(4×4, 3×3) or F(4×4, 5×5), next
 * to what the layer plan (`convPlan`, src/nn/conv2d.ts) picks, so its thresholds can be checked on any
 * machine. A layer fed by the images has no dX; its direct dW is the patches' matMul (with the bias).
 * CPU milliseconds per call, median of `--rounds` timings of `--ms` each, batch `--batch`.
 *   npm run bench:conv [-- --batch 64 --ms 400 --rounds 3 --models resnet,cnn]
 */
import { parseArgs } from 'node:util';
import { type ConvSpec, ModelName } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/backend.ts';
import { getModel } from '../src/models/model-registry.ts';
import { convInputGradient, convKernelGradient, convPlan, dataFedConvGradients } from '../src/nn/conv2d.ts';
import {
  winogradAvailable,
  winogradConv,
  winogradInput,
  winogradInputGradient,
  winogradKernelGradient,
  winogradSupports,
} from '../src/nn/winograd.ts';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    ms: { type: 'string', default: '400' },
    rounds: { type: 'string', default: '3' },
    models: { type: 'string', default: 'resnet,cnn' },
  },
});
const [batch, budget, rounds] = [values.batch, values.ms, values.rounds].map(Number) as [
  number,
  number,
  number,
];
if (![batch, budget, rounds].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('--batch, --ms and --rounds must be positive integers');
  process.exit(2);
}
const models = values.models.split(',').map((m) => ModelName.parse(m.trim()));

const info = await initBackend('wasm');

/** Median CPU ms per call of `fn` (its result disposed). */
function time(fn: () => tf.Tensor | tf.Tensor[]): number {
  tf.dispose(fn());
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [cpu, started] = [process.cpuUsage(), performance.now()];
    let calls = 0;
    while (performance.now() - started < budget) {
      tf.dispose(fn());
      calls++;
    }
    const used = process.cpuUsage(cpu);
    samples.push((used.user + used.system) / 1000 / calls);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

const seen = new Set<string>();
const rows: string[] = [];
for (const model of models) {
  for (const layer of getModel(model).layers.filter((l): l is ConvSpec => l.kind === 'conv')) {
    const { kernel: k, inChannels: cIn, outChannels: cOut, size } = layer;
    const key = `${k} ${cIn} ${cOut} ${size}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const dataFed = cIn === 1;
    const x = tf.randomNormal([batch, size, size, cIn]) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, cIn, cOut], 0, 0.1) as tf.Tensor4D;
    const b = tf.zeros([cOut]) as tf.Tensor1D;
    const dy = tf.randomNormal([batch, size, size, cOut]) as tf.Tensor4D;
    const direct = [
      time(() => tf.conv2d(x, w, 1, 'same')),
      dataFed ? Number.NaN : time(() => convInputGradient(dy, w)),
      time(() => (dataFed ? dataFedConvGradients(x, dy, k) : convKernelGradient(x, dy, k))),
    ];
    const fmt = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(2));
    let winograd = ['—', '—', '—'];
    if (winogradSupports(k)) {
      const tiles = winogradInput(x, k);
      winograd = [
        time(() => tf.tidy(() => winogradConv(winogradInput(x, k), w, b, [batch, size, size], true))),
        dataFed ? Number.NaN : time(() => winogradInputGradient(dy, w)),
        time(() => tf.tidy(() => winogradKernelGradient(winogradInput(x, k), dy, [k, cIn, cOut]))),
      ].map(fmt);
      tiles.dispose();
    }
    const plan = convPlan(k, cIn, cOut);
    const choice = `${plan.forward ? 'Winograd' : 'direct'} / ${plan.kernelGradient ? 'Winograd' : 'direct'}`;
    rows.push(
      `| ${model} ${layer.name} | ${k}×${k} ${cIn}→${cOut} on ${size}×${size} | ${direct.map(fmt).join(' / ')} | ${winograd.join(' / ')} | ${choice} |`,
    );
    tf.dispose([x, w, b, dy]);
  }
}

console.log(
  `${info.device}; batch ${batch}; median of ${rounds} × ${budget} ms; Winograd: ${winogradAvailable() ? 'SIMD' : 'unavailable (every convolution direct)'}; ${new Date().toISOString()}`,
);
console.log('');
console.log(
  '| layer | shape | direct forward / dX / dW (CPU ms) | Winograd forward / dX / dW (CPU ms, input tiles included) | plan: forward+dX / dW |',
);
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);
