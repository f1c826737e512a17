import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
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
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';

// The exported CNN's layout checked in PyTorch without training: a CNN trained for a few epochs here
// is still on its initial plateau (logits nearly independent of the input), which would hide a
// transposed kernel or a wrong flatten order. PyTorch is a cross-check tool, never a dependency: the
// test runs only where /usr/bin/python3 imports torch.
const PYTHON = '/usr/bin/python3';
const CHECK = fileURLToPath(new URL('../../pytorch/check_artifact.py', import.meta.url));
const IMAGES = 300;
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const skip =
  probe.status === 0
    ? false
    : `${PYTHON} cannot import torch (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;

const dir = tempDir('pytorch-layout');
let artifact: ReturnType<typeof perturbedArtifact>;
let logitsFile = '';

before(async () => {
  if (skip) return;
  await initBackend('auto');
  artifact = perturbedArtifact('cnn', { seed: 7, scale: 3, valSubset: IMAGES });
  const model = getModel('cnn');
  const loaded = ModelWeights.fromArrays(model.layers, artifact.weights);
  const test = loadDataset('mnist').test;
  const batch = makeBatch(test, stratifiedSubset(test.labels, IMAGES, CLASS_COUNT), 0, IMAGES);
  const logits = tf.tidy(() => model.forward(loaded, batch.images));
  const flat = Array.from(logits.dataSync());
  tf.dispose([logits, batch.images, batch.oneHot]);
  loaded.dispose();
  const rows = Array.from({ length: IMAGES }, (_, i) => flat.slice(i * 10, (i + 1) * 10));
  // The weights must make the check meaningful: logits that vary from image to image, many classes.
  assert.ok(
    new Set(rows.map((r) => r.indexOf(Math.max(...r)))).size >= 5,
    'perturbed CNN predicts few classes',
  );
  logitsFile = join(dir.path, 'tfjs-logits.json');
  writeFileSync(logitsFile, JSON.stringify({ logits: rows }));
});

function check(file: string) {
  const res = spawnSync(PYTHON, [CHECK, file, '--logits', logitsFile], { encoding: 'utf8' });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

test('a perturbed CNN exported for PyTorch gives TF.js’s logits and classes', { skip }, () => {
  const file = join(dir.path, 'cnn.safetensors');
  writeFileSync(file, artifact.file);
  const { status, out } = check(file);
  assert.equal(status, 0, out);
  const match = out.match(
    /logits vs TF\.js on 300 images: max \|diff\| (\S+) \(image-to-image spread (\S+)\), same class 100\.00% \((\d+) distinct/,
  );
  assert.ok(match, out);
  assert.ok(Number(match[1]) <= 1e-3, out);
  assert.ok(Number(match[2]) > 1, `logits barely depend on the input: ${out}`);
  assert.match(out, /val_acc measured (\S+), recorded \1, \|diff\| 0\.00e\+00 OK/);
});

test('the check fails when a layout is wrong (first conv kernel with kh and kw swapped)', { skip }, () => {
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
  const { status, out } = check(file);
  assert.equal(status, 1, out);
  assert.match(out, /logits vs TF\.js on 300 images: .* MISMATCH/);
});

test('cleanup', () => dir.remove());
