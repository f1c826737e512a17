import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MAX_DEPTH, type ModelName } from '@sweeplab/shared';
import { tempDir } from '@sweeplab/testing';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/backend.ts';
import { makeBatch } from '../data/batch.ts';
import { CLASS_COUNT } from '../data/dataset-files.ts';
import { loadDataset } from '../data/dataset-loader.ts';
import { stratifiedSubset } from '../data/stratified-subset.ts';
import { getModel } from '../models/model-registry.ts';
import { ModelWeights } from '../models/model-weights.ts';
import { perturbedArtifact } from './perturbed-artifact.ts';
import { toPytorchStateDict } from './pytorch-state-dict.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';

// The exported layouts checked in PyTorch without training: a CNN (or plain net) trained for a few
// epochs here is still on its initial plateau (logits nearly independent of the input), which would hide a
// transposed kernel or a wrong flatten order. PyTorch is a cross-check tool, never a dependency: the
// test runs only where /usr/bin/python3 imports torch.
const PYTHON = '/usr/bin/python3';
const CHECK = fileURLToPath(new URL('../../pytorch/check_artifact.py', import.meta.url));
const IMAGES = 300;
/** Every model at every depth it has: PyTorch's state_dict must be the export's, key for key. */
const SHAPE_CASES: [ModelName, number][] = [
  ['cnn', 1],
  ...(['resnet', 'plain'] as const).flatMap((m) =>
    Array.from({ length: MAX_DEPTH }, (_, i): [ModelName, number] => [m, i + 1]),
  ),
];
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const skip =
  probe.status === 0
    ? false
    : `${PYTHON} cannot import torch (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;

const dir = tempDir('pytorch-layout');

/** The perturbed artifacts checked in PyTorch: the CNN, and resnet/plain at depths beyond the reference. */
const CASES = [
  { model: 'cnn', depth: 1 },
  { model: 'resnet', depth: 2 },
  { model: 'plain', depth: 2 },
  { model: 'resnet', depth: 3 },
  { model: 'plain', depth: 3 },
] as const satisfies readonly { model: ModelName; depth: number }[];
const artifacts = new Map<
  string,
  { artifact: ReturnType<typeof perturbedArtifact>; logitsFile: string; tolerance: number }
>();

/**
 * float32 sums in a different order differ in proportion to the logits' size, which grows with depth
 * (a deeper perturbed net has larger logits); a layout error moves them by about their image-to-image
 * spread. So the bound is 1e-4 of that spread (as check_artifact.py measures it: per-class std over
 * images, averaged), never below 1e-3.
 */
function logitTolerance(rows: number[][]): number {
  let spread = 0;
  for (let c = 0; c < CLASS_COUNT; c++) {
    const column = rows.map((r) => r[c]!);
    const mean = column.reduce((a, b) => a + b, 0) / column.length;
    const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / (column.length - 1);
    spread += Math.sqrt(variance) / CLASS_COUNT;
  }
  return Math.max(1e-3, 1e-4 * spread);
}
const key = (model: ModelName, depth: number) => `${model}-depth${depth}`;

before(async () => {
  if (skip) return;
  await initBackend('auto');
  const test = loadDataset('mnist').test;
  for (const { model: name, depth } of CASES) {
    const artifact = perturbedArtifact(name, { seed: 7, scale: 3, valSubset: IMAGES, depth });
    const model = getModel(name, depth);
    const loaded = ModelWeights.fromArrays(model.layers, artifact.weights);
    const batch = makeBatch(test, stratifiedSubset(test.labels, IMAGES, CLASS_COUNT), 0, IMAGES);
    const logits = tf.tidy(() => model.forward(loaded, batch.images));
    const flat = Array.from(logits.dataSync());
    tf.dispose([logits, batch.images, batch.oneHot]);
    loaded.dispose();
    const rows = Array.from({ length: IMAGES }, (_, i) => flat.slice(i * 10, (i + 1) * 10));
    // The weights must make the check meaningful: logits that vary from image to image, many classes.
    assert.ok(
      new Set(rows.map((r) => r.indexOf(Math.max(...r)))).size >= 5,
      `perturbed ${key(name, depth)} predicts few classes`,
    );
    const logitsFile = join(dir.path, `${key(name, depth)}-tfjs-logits.json`);
    writeFileSync(logitsFile, JSON.stringify({ logits: rows }));
    artifacts.set(key(name, depth), { artifact, logitsFile, tolerance: logitTolerance(rows) });
  }
});

function check(file: string, logitsFile: string, tolerance = 1e-3) {
  const args = [CHECK, file, '--logits', logitsFile, '--logit-tolerance', String(tolerance)];
  const res = spawnSync(PYTHON, args, { encoding: 'utf8' });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

for (const { model, depth } of CASES) {
  test(`a perturbed ${model} (depth ${depth}) exported for PyTorch gives TF.js’s logits and classes`, {
    skip,
  }, (t) => {
    const { artifact, logitsFile, tolerance } = artifacts.get(key(model, depth))!;
    const file = join(dir.path, `${key(model, depth)}.safetensors`);
    writeFileSync(file, artifact.file);
    // check_artifact.py builds the network from the file's metadata and loads it with strict=True.
    const { status, out } = check(file, logitsFile, tolerance);
    t.diagnostic(out.trim());
    assert.equal(status, 0, out);
    const match = out.match(
      /logits vs TF\.js on 300 images: max \|diff\| (\S+) \(image-to-image spread (\S+)\), same class 100\.00% \((\d+) distinct/,
    );
    assert.ok(match, out);
    assert.ok(Number(match[1]) <= tolerance, out);
    assert.ok(Number(match[2]) > 1, `logits barely depend on the input: ${out}`);
    assert.match(out, /val_acc measured (\S+), recorded \1, \|diff\| 0\.00e\+00 OK/);
  });
}

test('the shipped PyTorch definitions have the exported state_dict keys, order and shapes at every depth', {
  skip,
}, () => {
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(dirname(CHECK))})`,
    'from sweeplab_models import build',
    'out = {}',
    `for model, depth in ${JSON.stringify(SHAPE_CASES)}:`,
    '    out[f"{model}-{depth}"] = [[k, list(v.shape)] for k, v in build(model, depth).state_dict().items()]',
    'print(json.dumps(out))',
  ].join('\n');
  const res = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  const pytorch = JSON.parse(res.stdout) as Record<string, [string, number[]][]>;
  for (const [model, depth] of SHAPE_CASES) {
    const weights = ModelWeights.initialise(getModel(model, depth).layers, 0);
    const exported = toPytorchStateDict(model, weights.toArrays()).map((t) => [t.name, [...t.shape]]);
    weights.dispose();
    assert.deepEqual(pytorch[`${model}-${depth}`], exported, `${model} depth ${depth}`);
  }
});

test('the check fails when a layout is wrong (first conv kernel with kh and kw swapped)', { skip }, () => {
  const { artifact, logitsFile } = artifacts.get(key('cnn', 1))!;
  const { tensors, metadata } = decodeSafetensors(artifact.file);
  const broken = tensors.map((t) => {
    if (t.name !== 'block1.conv1.weight') return t;
    const [o, i, h, w] = t.shape as [number, number, number, number];
    const values = new Float32Array(t.values.length);
    for (let a = 0; a < o * i; a++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) values[a * h * w + x * h + y] = t.values[a * h * w + y * w + x]!;
    return { ...t, values };
  });
  assert.ok(
    broken.some((t, k) => t !== tensors[k]),
    'block1.conv1.weight not found',
  );
  const file = join(dir.path, 'cnn-broken.safetensors');
  writeFileSync(file, encodeSafetensors({ tensors: broken, metadata }));
  const { status, out } = check(file, logitsFile);
  assert.equal(status, 1, out);
  assert.match(out, /logits vs TF\.js on 300 images: .* MISMATCH/);
});

test('cleanup', () => dir.remove());
