import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { layerForwardMacs, layerParameterCount } from './layer-spec.ts';
import { forwardMacs, getModel, MODEL_REGISTRY, parameterCount } from './model-registry.ts';
import { ModelWeights } from './model-weights.ts';

test('parameter counts match the reference models', () => {
  assert.equal(parameterCount('resnet'), 221_810);
  assert.equal(parameterCount('plain'), 221_810);
  assert.equal(parameterCount('cnn'), 823_746);
  assert.deepEqual(Object.keys(MODEL_REGISTRY).sort(), ['cnn', 'plain', 'resnet']);
});

test('forward MACs per image, as in the README tables', () => {
  assert.equal(forwardMacs('resnet'), 5_851_825);
  assert.equal(forwardMacs('plain'), 5_851_825);
  assert.equal(forwardMacs('cnn'), 48_501_376);
});

test('README tables list the same layers, parameters and MACs', async () => {
  const { readFile } = await import('node:fs/promises');
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  for (const name of ['resnet', 'cnn'] as const) {
    for (const layer of getModel(name).layers) {
      const cells = readme
        .split('\n')
        .map((line) => line.split('|').map((cell) => cell.trim()))
        .find((c) => c[1] === name && c[2] === `\`${layer.name}\``);
      assert.ok(cells, `README lacks a row for ${name} ${layer.name}`);
      assert.equal(
        cells[5],
        layerParameterCount(layer).toLocaleString('en-US'),
        `${name} ${layer.name} parameters`,
      );
      assert.equal(cells[6], layerForwardMacs(layer).toLocaleString('en-US'), `${name} ${layer.name} MACs`);
    }
    assert.match(
      readme,
      new RegExp(
        `\\*\\*${name}\\*\\*: ${parameterCount(name).toLocaleString('en-US')} parameters, ${forwardMacs(name).toLocaleString('en-US')} MACs`,
      ),
    );
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
