/**
 * Training and evaluation throughput per model and backend on real MNIST batches (batch 64 for training,
 * 250 for evaluation), one process, one thread, next to PyTorch (one thread, the same networks) measured
 * in the same run, model by model, so that the ratios hold on a busy machine. Usage:
 *   npm run bench:train [-- --models resnet,plain,cnn --backends wasm,cpu,tensorflow --seconds 6
 *                          --rounds 1 --pytorch /usr/bin/python3|off --profile --profile-steps 4
 *                          --winograd on|off]
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BackendName, forwardMacs, ModelName } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/backend.ts';
import { disposeBatch, makeBatch } from '../src/data/batch.ts';
import { loadDataset } from '../src/data/dataset-loader.ts';
import { getModel } from '../src/models/model-registry.ts';
import { ModelWeights } from '../src/models/model-weights.ts';
import { setWinograd } from '../src/nn/conv2d.ts';
import { type KernelTiming, startKernelProfile, stopKernelProfile } from '../src/nn/kernel-profile.ts';
import { evaluate } from '../src/training/evaluate.ts';
import { Sgd } from '../src/training/sgd.ts';
import { trainStep } from '../src/training/train-step.ts';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'resnet,plain,cnn' },
    backends: { type: 'string', default: 'wasm,cpu,tensorflow' },
    seconds: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '1' },
    pytorch: { type: 'string', default: '/usr/bin/python3' },
    profile: { type: 'boolean', default: false },
    winograd: { type: 'string', default: 'on' },
    'profile-steps': { type: 'string', default: '4' },
  },
});

function positive(name: string, raw: string, integer: boolean): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    console.error(
      `--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`,
    );
    process.exit(2);
  }
  return n;
}

function list<T>(name: string, raw: string, schema: { safeParse(v: unknown): { success: boolean } }): T[] {
  const items = raw.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!schema.safeParse(item).success) {
      console.error(`--${name}: unknown value ${JSON.stringify(item)}`);
      process.exit(2);
    }
  }
  return items as T[];
}

const models = list<ModelName>('models', values.models, ModelName);
const backends = list<BackendName>('backends', values.backends, BackendName);
const budgetMs = positive('seconds', values.seconds, false) * 1000;
const rounds = positive('rounds', values.rounds, true);
const profileSteps = positive('profile-steps', values['profile-steps'], true);
if (values.winograd !== 'on' && values.winograd !== 'off') {
  console.error(`--winograd must be on or off, got ${JSON.stringify(values.winograd)}`);
  process.exit(2);
}
// off: every convolution direct (XNNPACK + routed gradients), the code path before Winograd, for A/B runs
setWinograd(values.winograd === 'on');
/** The stock cpu backend is ~2 orders of magnitude slower; it gets one timed batch and a note. */
const CPU_BUDGET_MS = 1;
const BATCH = 64;
const EVAL_BATCH = 250;
/** Issue #14's goals: TF.js wasm throughput per core as a fraction of PyTorch's, one thread each. */
const TRAIN_GOAL: Record<ModelName, number> = { cnn: 0.35, resnet: 0.55, plain: 0.55 };
const EVAL_GOAL = 0.6;

const dataset = loadDataset('mnist');
const trainOrder = Uint32Array.from({ length: dataset.train.count }, (_, i) => i);
const testOrder = Uint32Array.from({ length: dataset.test.count }, (_, i) => i);

// ---------------------------------------------------------------- PyTorch, in the same run

/** Images per wall-clock second and per CPU second of the measuring process. */
interface Throughput {
  wall: number;
  cpu: number;
}
interface TorchFigures {
  train: Throughput;
  evaluate: Throughput;
}
const torchScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pytorch-throughput.py');

/** The PyTorch version when `python` imports torch; otherwise why not. */
function probeTorch(python: string): { version?: string; why?: string } {
  if (python === 'off') return { why: 'PyTorch comparison off (--pytorch off)' };
  try {
    const version = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    }).trim();
    return { version };
  } catch (err) {
    const reason = (err as { code?: string }).code === 'ENOENT' ? 'not found' : 'cannot import torch';
    return {
      why: `${python} ${reason}: no PyTorch figures or ratios (Debian: apt-get install python3-torch, or --pytorch PYTHON)`,
    };
  }
}

function torchThroughput(python: string, model: ModelName, seconds: number): TorchFigures {
  const out = execFileSync(python, [torchScript, '1', String(seconds), model], {
    encoding: 'utf8',
    timeout: (seconds * 2 + 120) * 1000,
  });
  const [, train, evaluate, trainCpu, evaluateCpu] = out.trim().split('\t').map(Number);
  return { train: { wall: train!, cpu: trainCpu! }, evaluate: { wall: evaluate!, cpu: evaluateCpu! } };
}

const torch = probeTorch(values.pytorch);

// ---------------------------------------------------------------- TF.js

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Runs `step` (one warm-up first) until the budget is spent; returns items per wall-clock second and per
 * CPU second of this process (on a machine shared with other work the second is the steadier figure).
 */
async function measure(
  step: (i: number) => number | Promise<number>,
  budget: number,
): Promise<Throughput & { runs: number }> {
  await step(0);
  let items = 0;
  let runs = 0;
  const started = performance.now();
  const cpuStarted = cpuMs();
  do {
    items += await step(runs + 1);
    runs++;
  } while (performance.now() - started < budget);
  return {
    wall: (items * 1000) / (performance.now() - started),
    cpu: (items * 1000) / (cpuMs() - cpuStarted),
    runs,
  };
}

function trainBatch(model: ReturnType<typeof getModel>, weights: ModelWeights, sgd: Sgd, i: number): number {
  const start = (i * BATCH) % (dataset.train.count - BATCH);
  const batch = makeBatch(dataset.train, trainOrder, start, start + BATCH);
  trainStep(model, weights, sgd, batch);
  disposeBatch(batch);
  return BATCH;
}

/** The worker's validation path (`evaluate`: batches of 250, loss and accuracy), on 1,000 test images. */
async function evalSlice(model: ReturnType<typeof getModel>, weights: ModelWeights, i: number) {
  const images = 4 * EVAL_BATCH;
  const start = (i * images) % (dataset.test.count - images);
  await evaluate(model, weights, dataset.test, testOrder.subarray(start, start + images), EVAL_BATCH);
  return images;
}

interface Row {
  round: number;
  backend: string;
  device: string;
  model: ModelName | '—';
  train?: Throughput;
  evaluate?: Throughput;
  torch?: TorchFigures;
  note: string;
}
const rows: Row[] = [];
const devices = new Map<BackendName, string>();

for (let round = 1; round <= rounds; round++) {
  for (const backendName of backends) {
    let device = devices.get(backendName);
    try {
      device = (await initBackend(backendName)).device;
      devices.set(backendName, device);
    } catch (err) {
      if (round === 1) {
        rows.push({
          round,
          backend: backendName,
          device: '—',
          model: '—',
          note: `unavailable: ${(err as Error).message.split('\n').slice(1).join('; ').trim()}`,
        });
      }
      continue;
    }
    const cpu = backendName === 'cpu';
    if (cpu && round > 1) continue;
    for (const name of models) {
      const model = getModel(name);
      const weights = ModelWeights.initialise(model.layers, 0);
      const sgd = new Sgd(weights.variables, { lr: 0.01, momentum: 0 });
      const budget = cpu ? CPU_BUDGET_MS : budgetMs;
      const train = await measure((i) => trainBatch(model, weights, sgd, i), budget);
      const evaluation = await measure((i) => evalSlice(model, weights, i), budget / 2);
      sgd.dispose();
      weights.dispose();
      // PyTorch right after, model by model, so that both see the same machine load.
      const torchFigures =
        torch.version && !cpu ? torchThroughput(values.pytorch, name, budgetMs / 1000) : undefined;
      const trainFlops = (3 * 2 * forwardMacs(name) * train.cpu) / 1e9;
      rows.push({
        round,
        backend: backendName,
        device,
        model: name,
        train,
        evaluate: evaluation,
        torch: torchFigures,
        note: cpu
          ? 'tiny measurement (1 timed batch), routed gradients'
          : `${train.runs} batches; ≈${trainFlops.toFixed(1)} GFLOP per CPU-s (3× forward MACs)`,
      });
      const r = rows.at(-1)!;
      console.error(
        `round ${round} ${backendName} ${name}: train ${pair(r.train)} img/s, eval ${pair(r.evaluate)} img/s` +
          (torchFigures ? `; PyTorch ${pair(torchFigures.train)} / ${pair(torchFigures.evaluate)}` : ''),
      );
    }
  }
}

function fmt(n: number | undefined, digits = 0): string {
  return n === undefined ? '—' : n.toFixed(digits);
}
/** "wall (per CPU-s)". */
function pair(t: Throughput | undefined, digits = 0): string {
  return t ? `${fmt(t.wall, digits)} (${fmt(t.cpu, digits)})` : '—';
}
const ratio = (a?: Throughput, b?: Throughput) =>
  a && b ? { wall: a.wall / b.wall, cpu: a.cpu / b.cpu } : undefined;

console.log(
  `\nMachine: ${os.cpus()[0]?.model.trim()} × ${os.cpus().length} logical CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(
      ' ',
    )} at the end; Node ${process.version}; tfjs-core ${tf.version_core}; one process, one thread; Winograd ${values.winograd}; ${new Date().toISOString()}`,
);
console.log(
  torch.version
    ? `PyTorch ${torch.version} (${values.pytorch}, one thread, the same networks, random data) measured right after each TF.js model.\n`
    : `${torch.why}\n`,
);
console.log(
  'Figures are images per wall-clock second (per CPU second of the measuring process); ratios likewise.\n',
);
console.log(
  '| round | backend | device | model | train img/s (batch 64) | PyTorch train | ratio | eval img/s (batch 250) | PyTorch eval | ratio | note |',
);
console.log('|---|---|---|---|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  const digits = r.backend === 'cpu' ? 1 : 0;
  console.log(
    `| ${r.round} | ${r.backend} | ${r.device} | ${r.model} | ${pair(r.train, digits)} | ${pair(r.torch?.train)} | ${pair(ratio(r.train, r.torch?.train), 2)} | ${pair(r.evaluate, digits)} | ${pair(r.torch?.evaluate)} | ${pair(ratio(r.evaluate, r.torch?.evaluate), 2)} | ${r.note} |`,
  );
}

if (torch.version) {
  console.log(
    '\nRatios to PyTorch per backend and model, median (range) over rounds, by wall-clock time and by CPU time of\n' +
      'each process; the goals of issue #14 are judged on the CPU-time ratio, which a busy machine disturbs least:\n',
  );
  console.log(
    '| backend | model | train ratio, wall | train ratio, CPU | goal | eval ratio, wall | eval ratio, CPU | goal |',
  );
  console.log('|---|---|---:|---:|---|---:|---:|---|');
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const spread = (xs: number[]) =>
    xs.length > 1
      ? `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`
      : xs[0]!.toFixed(2);
  const met = (xs: number[], goal: number) => `≥ ${goal}: ${median(xs) >= goal ? 'met' : 'not met'}`;
  for (const backendName of backends) {
    for (const name of models) {
      const mine = rows.filter((r) => r.backend === backendName && r.model === name && r.torch);
      if (mine.length === 0) continue;
      const train = mine.map((r) => ratio(r.train, r.torch!.train)!);
      const evaluation = mine.map((r) => ratio(r.evaluate, r.torch!.evaluate)!);
      const wall = (xs: typeof train) => xs.map((x) => x.wall);
      const cpu = (xs: typeof train) => xs.map((x) => x.cpu);
      console.log(
        `| ${backendName} | ${name} | ${spread(wall(train))} | ${spread(cpu(train))} | ${met(cpu(train), TRAIN_GOAL[name])} | ${spread(wall(evaluation))} | ${spread(cpu(evaluation))} | ${met(cpu(evaluation), EVAL_GOAL)} |`,
      );
    }
  }
}

// ---------------------------------------------------------------- where the time goes

if (values.profile) {
  const backendName =
    backends.find((b) => b !== 'cpu' && devices.has(b)) ?? backends.find((b) => devices.has(b));
  if (!backendName) {
    console.log('\n--profile: no backend available');
  } else {
    await initBackend(backendName);
    for (const name of models) await profileModel(backendName, name);
  }
}

async function profileModel(backendName: BackendName, name: ModelName) {
  const model = getModel(name);
  const weights = ModelWeights.initialise(model.layers, 0);
  const sgd = new Sgd(weights.variables, { lr: 0.01, momentum: 0 });
  for (let i = 0; i < 2; i++) trainBatch(model, weights, sgd, i);
  let dataMs = 0;
  startKernelProfile(backendName, cpuMs);
  const started = cpuMs();
  for (let i = 0; i < profileSteps; i++) {
    const start = (i * BATCH) % (dataset.train.count - BATCH);
    const t0 = cpuMs();
    const batch = makeBatch(dataset.train, trainOrder, start, start + BATCH);
    dataMs += cpuMs() - t0;
    trainStep(model, weights, sgd, batch);
    const t1 = cpuMs();
    disposeBatch(batch);
    dataMs += cpuMs() - t1;
  }
  const trainMs = (cpuMs() - started) / profileSteps;
  const trainTimings = stopKernelProfile();
  await evalSlice(model, weights, 0);
  startKernelProfile(backendName, cpuMs);
  const evalStarted = cpuMs();
  await evalSlice(model, weights, 1);
  const evalMs = (cpuMs() - evalStarted) / 4;
  const evalTimings = stopKernelProfile();
  sgd.dispose();
  weights.dispose();
  printProfile(
    `${name}: one training step (batch ${BATCH}), ${backendName}, mean of ${profileSteps}`,
    trainTimings,
    profileSteps,
    trainMs,
    dataMs / profileSteps,
  );
  printProfile(
    `${name}: one evaluation batch (${EVAL_BATCH} images, forward + loss), ${backendName}, mean of 4`,
    evalTimings,
    4,
    evalMs,
    undefined,
  );
}

function printProfile(
  title: string,
  timings: KernelTiming[],
  steps: number,
  stepMs: number,
  dataMs: number | undefined,
) {
  const kernelMs = timings.reduce((s, t) => s + t.ms, 0) / steps;
  const share = (ms: number) => `${((100 * ms) / stepMs).toFixed(1)}%`;
  console.log(`\n### ${title}: ${stepMs.toFixed(1)} CPU-ms\n`);
  console.log('| layer / phase | pass | kernels (calls per step) | CPU-ms | share |');
  console.log('|---|---|---|---:|---:|');
  const byPart = new Map<string, { scope: string; part: string; ms: number; kernels: Map<string, number> }>();
  for (const t of timings) {
    const key = `${t.scope}\u0000${t.part}`;
    const entry = byPart.get(key) ?? { scope: t.scope, part: t.part, ms: 0, kernels: new Map() };
    entry.ms += t.ms / steps;
    entry.kernels.set(t.kernel, (entry.kernels.get(t.kernel) ?? 0) + t.calls / steps);
    byPart.set(key, entry);
  }
  for (const e of [...byPart.values()].sort((a, b) => b.ms - a.ms)) {
    const kernels = [...e.kernels]
      .map(([k, n]) => (n === 1 ? k : `${k}×${fmt(n, Number.isInteger(n) ? 0 : 1)}`))
      .join(', ');
    console.log(`| ${e.scope} | ${e.part} | ${kernels} | ${e.ms.toFixed(2)} | ${share(e.ms)} |`);
  }
  if (dataMs !== undefined)
    console.log(
      `| data | batch building and upload (not a kernel) | — | ${dataMs.toFixed(2)} | ${share(dataMs)} |`,
    );
  const rest = stepMs - kernelMs - (dataMs ?? 0);
  console.log(`| outside kernels | tape, tidy, allocation, JS | — | ${rest.toFixed(2)} | ${share(rest)} |`);
  const calls = timings.reduce((s, t) => s + t.calls, 0) / steps;
  console.log(`\nBy kernel (${fmt(calls)} dispatches per step):\n`);
  console.log('| kernel | calls | CPU-ms | share |');
  console.log('|---|---:|---:|---:|');
  const byKernel = new Map<string, { calls: number; ms: number }>();
  for (const t of timings) {
    const e = byKernel.get(t.kernel) ?? { calls: 0, ms: 0 };
    e.calls += t.calls / steps;
    e.ms += t.ms / steps;
    byKernel.set(t.kernel, e);
  }
  for (const [k, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(
      `| ${k} | ${fmt(e.calls, Number.isInteger(e.calls) ? 0 : 1)} | ${e.ms.toFixed(2)} | ${share(e.ms)} |`,
    );
  }
}
