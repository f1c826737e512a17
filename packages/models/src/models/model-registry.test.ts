import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  forwardMacs,
  layerForwardMacs,
  layerParameterCount,
  MODEL_CATALOG,
  MODEL_NAMES,
  modelLayers,
  parameterCount,
} from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getModel, MODEL_REGISTRY } from './model-registry.ts';
import { ModelWeights } from './model-weights.ts';

test('every catalog model has a TF.js model with the catalog layers and description', () => {
  assert.deepEqual(Object.keys(MODEL_REGISTRY), MODEL_NAMES);
  for (const name of MODEL_NAMES) {
    assert.deepEqual(getModel(name).layers, modelLayers(name), name);
    assert.equal(getModel(name).description, MODEL_CATALOG[name].description);
  }
});

test('each forward pass reads every catalog layer exactly once, and nothing else', async () => {
  await tf.setBackend('cpu');
  for (const model of Object.values(MODEL_REGISTRY)) {
    const weights = ModelWeights.initialise(model.layers, 0);
    const read: string[] = [];
    const conv = weights.conv.bind(weights);
    const dense = weights.dense.bind(weights);
    weights.conv = (name) => {
      read.push(name);
      return conv(name);
    };
    weights.dense = (name) => {
      read.push(name);
      return dense(name);
    };
    tf.tidy(() => model.forward(weights, tf.zeros([1, 28, 28, 1]) as tf.Tensor4D));
    assert.deepEqual(
      read,
      model.layers.map((l) => l.name),
      model.name,
    );
    weights.dispose();
  }
});

test('the READMEs list the catalog layers, parameters and MACs', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = readme.split('\n').map((line) => line.split('|').map((cell) => cell.trim()));
  for (const name of ['resnet', 'cnn'] as const) {
    const layers = modelLayers(name);
    const documented = rows.filter((c) => c[1] === name && c[2]?.startsWith('`'));
    assert.deepEqual(
      documented.map((c) => c[2]),
      layers.map((l) => `\`${l.name}\``),
      `README rows for ${name}`,
    );
    layers.forEach((layer, i) => {
      assert.equal(
        documented[i]![5],
        layerParameterCount(layer).toLocaleString('en-US'),
        `${layer.name} params`,
      );
      assert.equal(documented[i]![6], layerForwardMacs(layer).toLocaleString('en-US'), `${layer.name} MACs`);
    });
    assert.match(
      readme,
      new RegExp(
        `\\*\\*${name}\\*\\*: ${parameterCount(name).toLocaleString('en-US')} parameters, ${forwardMacs(name).toLocaleString('en-US')} MACs`,
      ),
    );
  }
  // The root README's architecture table: one row per catalog model, with its parameter count.
  const root = await readFile(new URL('../../../../README.md', import.meta.url), 'utf8');
  const table = root.split('\n').map((line) => line.split('|').map((cell) => cell.trim()));
  for (const name of MODEL_NAMES) {
    const row = table.find((c) => c[1] === `\`${name}\``);
    assert.ok(row, `root README lacks a row for ${name}`);
    assert.equal(row.at(-2), parameterCount(name).toLocaleString('en-US'), `root README ${name} parameters`);
  }
});

test('every model maps (B,28,28,1) images to (B,10) logits; init is PyTorch-uniform and seeded', async () => {
  await tf.setBackend('cpu');
  for (const model of Object.values(MODEL_REGISTRY)) {
    const weights = ModelWeights.initialise(model.layers, 1);
    const logits = tf.tidy(() => model.forward(weights, tf.zeros([2, 28, 28, 1]) as tf.Tensor4D));
    assert.deepEqual(logits.shape, [2, 10], model.name);
    logits.dispose();
    const again = ModelWeights.initialise(model.layers, 1);
    const other = ModelWeights.initialise(model.layers, 2);
    const first = weights.toArrays()[0]!;
    assert.deepEqual(again.toArrays()[0]!.values, first.values);
    assert.notDeepEqual(other.toArrays()[0]!.values, first.values);
    for (const w of [weights, again, other]) w.dispose();
  }
  const resnetWeights = ModelWeights.initialise(getModel('resnet').layers, 0);
  const fc1 = resnetWeights.toArrays().find((a) => a.name === 'fc1.kernel')!;
  const bound = 1 / Math.sqrt(735);
  const max = fc1.values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(max <= bound && max > 0.99 * bound, `|w| max ${max} vs bound ${bound}`);
  resnetWeights.dispose();
});

test('depth adds residual blocks per stage: depth 1 is the reference, plain and resnet stay twins', async () => {
  await tf.setBackend('cpu');
  assert.equal(parameterCount('resnet', 1), 221_810);
  assert.deepEqual(
    getModel('resnet', 1).layers.map((l) => l.name),
    getModel('resnet').layers.map((l) => l.name),
  );
  // One block of width c costs c·30·25 + 30 + 30·c·9 + c: 20,450 at c = 20 and 15,345 at c = 15.
  assert.equal(parameterCount('resnet', 3), 221_810 + 2 * (20_450 + 15_345));
  assert.equal(parameterCount('plain', 3), parameterCount('resnet', 3));
  assert.deepEqual(
    getModel('resnet', 2)
      .layers.map((l) => l.name)
      .filter((n) => n.endsWith('.conv1')),
    ['block1.conv1', 'block1_2.conv1', 'block2.conv1', 'block2_2.conv1'],
  );
  for (const name of ['resnet', 'plain'] as const) {
    const model = getModel(name, 3);
    const weights = ModelWeights.initialise(model.layers, 0);
    const logits = tf.tidy(() => model.forward(weights, tf.ones([2, 28, 28, 1]) as tf.Tensor4D));
    assert.deepEqual(logits.shape, [2, 10]);
    logits.dispose();
    weights.dispose();
  }
  assert.throws(() => getModel('cnn', 2), /cnn has a fixed depth/);
});
