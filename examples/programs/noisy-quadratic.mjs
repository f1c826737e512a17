// A Node.js program to sweep: "trains" a noisy quadratic whose loss is lowest at lr 0.1 and
// momentum 0.9, one step per tenth of a second, and reports through the sweeplab module
// (sdk/node/sweeplab, on NODE_PATH when a worker starts it). Runs on its own too:
//   node examples/programs/noisy-quadratic.mjs --lr=0.05 --momentum=0.5 --steps=20
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let sweeplab;
try {
  sweeplab = require('sweeplab');
} catch {
  // Outside a worker: print instead of reporting.
  sweeplab = { init: () => ({}), log: (v, s) => console.log(s, v), shouldStop: () => false };
}

// W&B-style flags (--name=value) as the default command passes them.
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, Number(v)]),
);
const { lr = 0.01, momentum = 0, steps = 30 } = args;
let w = 5;
let v = 0;
for (let step = 0; step < steps && !sweeplab.shouldStop(); step++) {
  const grad = 2 * w + (Math.random() - 0.5) * 0.1;
  v = momentum * v - lr * grad;
  w += v;
  sweeplab.log({ loss: w * w, lr_effective: lr / (1 - momentum) }, step);
  await new Promise((r) => setTimeout(r, 100));
}
