import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { MODEL_NAMES, RunParams } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/backend.ts';
import { makeBatch } from '../data/batch.ts';
import { loadDataset } from '../data/dataset-loader.ts';
import { predictProbabilities } from '../inference/predict.ts';
import { getModel } from '../models/model-registry.ts';
import { ModelWeights } from '../models/model-weights.ts';
import { decodeCheckpoint } from '../training/checkpoint.ts';
import { trainRun } from '../training/train-run.ts';
import { checkpointToSafetensors, safetensorsToWeights } from './model-artifact.ts';
import { perturbedArtifact } from './perturbed-artifact.ts';
import { fromPytorchStateDict, toPytorchStateDict } from './pytorch-state-dict.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';

before(async () => {
  await initBackend('wasm');
});

test('PyTorch state_dict names and shapes: the reference ResNet exactly, and the shipped CNN', () => {
  const shapes = (model: (typeof MODEL_NAMES)[number]) => {
    const weights = ModelWeights.initialise(getModel(model).layers, 0);
    const dict = toPytorchStateDict(model, weights.toArrays());
    weights.dispose();
    return Object.fromEntries(dict.map((t) => [t.name, t.shape.join('x')]));
  };
  const resnet = {
    'conv1.weight': '20x1x5x5',
    'conv1.bias': '20',
    'resblock1.conv1.weight': '30x20x5x5',
    'resblock1.conv1.bias': '30',
    'resblock1.conv2.weight': '20x30x3x3',
    'resblock1.conv2.bias': '20',
    'conv2.weight': '15x20x3x3',
    'conv2.bias': '15',
    'resblock2.conv1.weight': '30x15x5x5',
    'resblock2.conv1.bias': '30',
    'resblock2.conv2.weight': '15x30x3x3',
    'resblock2.conv2.bias': '15',
    'out.weight': '245x735',
    'out.bias': '245',
    'out1.weight': '10x245',
    'out1.bias': '10',
  };
  assert.deepEqual(shapes('resnet'), resnet);
  assert.deepEqual(Object.keys(shapes('resnet')), Object.keys(resnet), 'state_dict order');
  assert.deepEqual(shapes('plain'), resnet);
  const cnn = shapes('cnn');
  assert.equal(cnn['block1.conv1.weight'], '8x1x3x3');
  assert.equal(cnn['block4.conv2.weight'], '256x256x3x3');
  assert.equal(cnn['fc.weight'], '10x12544');
  assert.equal(Object.keys(cnn).length, 22);
});

test('at depth 2 the extra residual blocks export as resblock1_2 / resblock2_2, in registration order', () => {
  for (const model of ['resnet', 'plain'] as const) {
    const weights = ModelWeights.initialise(getModel(model, 2).layers, 0);
    const dict = toPytorchStateDict(model, weights.toArrays());
    const back = fromPytorchStateDict(model, dict);
    assert.deepEqual(
      back.map((a) => a.name),
      weights.toArrays().map((a) => a.name),
      'names round-trip',
    );
    weights.dispose();
    const block = (name: string, channels: number) => [
      [`${name}.conv1.weight`, `30x${channels}x5x5`],
      [`${name}.conv1.bias`, '30'],
      [`${name}.conv2.weight`, `${channels}x30x3x3`],
      [`${name}.conv2.bias`, `${channels}`],
    ];
    assert.deepEqual(
      dict.map((t) => [t.name, t.shape.join('x')]),
      [
        ['conv1.weight', '20x1x5x5'],
        ['conv1.bias', '20'],
        ...block('resblock1', 20),
        ...block('resblock1_2', 20),
        ['conv2.weight', '15x20x3x3'],
        ['conv2.bias', '15'],
        ...block('resblock2', 15),
        ...block('resblock2_2', 15),
        ['out.weight', '245x735'],
        ['out.bias', '245'],
        ['out1.weight', '10x245'],
        ['out1.bias', '10'],
      ],
      model,
    );
  }
});

test('the layout conversion is exact both ways, and the first dense layer reads (c, h, w) features', () => {
  for (const model of MODEL_NAMES) {
    const weights = ModelWeights.initialise(getModel(model).layers, 3);
    const arrays = weights.toArrays();
    weights.dispose();
    const back = fromPytorchStateDict(model, toPytorchStateDict(model, arrays));
    assert.deepEqual(back, arrays, model);
  }
  // TF.js fc1 input (h=1, w=2, c=3) is feature (1·7+2)·15+3 = 138; PyTorch puts it at 3·49+1·7+2 = 156.
  const weights = ModelWeights.initialise(getModel('resnet').layers, 1);
  const arrays = weights.toArrays();
  weights.dispose();
  const fc1 = arrays.find((a) => a.name === 'fc1.kernel')!;
  const out = toPytorchStateDict('resnet', arrays).find((t) => t.name === 'out.weight')!;
  for (const o of [0, 7, 244]) assert.equal(out.values[o * 735 + 156], fc1.values[138 * 245 + o]);
});

test('a trained run exported to safetensors and reloaded into TF.js predicts identically', async () => {
  const params = RunParams.parse({ model: 'resnet', lr: 0.1, epochs: 1, train_subset: 256, val_subset: 200 });
  let checkpoint: Uint8Array | undefined;
  let valAcc = 0;
  await trainRun({
    params,
    onEpoch: async (m, c) => {
      checkpoint = c;
      valAcc = m.val_acc;
    },
  });
  assert.ok(checkpoint);
  const file = checkpointToSafetensors(checkpoint, { runId: 'run_test', valAcc, codeVersion: 'test' });
  const { metadata } = decodeSafetensors(file);
  assert.deepEqual(
    { ...metadata, params: JSON.parse(metadata.params!) },
    {
      format: 'pt',
      model: 'resnet',
      dataset: 'mnist',
      params,
      epoch: '1',
      val_acc: String(valAcc),
      run_id: 'run_test',
      code_version: 'test',
      producer: 'sweeplab',
    },
  );
  assert.deepEqual(
    checkpointToSafetensors(checkpoint, { runId: 'run_test', valAcc, codeVersion: 'test' }),
    file,
  );

  const model = getModel('resnet');
  const trained = ModelWeights.fromArrays(model.layers, decodeCheckpoint(checkpoint).weights);
  const reloaded = ModelWeights.fromArrays(model.layers, safetensorsToWeights(file).weights);
  const test = loadDataset('mnist').test;
  const indices = Uint32Array.from({ length: 200 }, (_, i) => i);
  const batch = makeBatch(test, indices, 0, 200);
  const [a, b] = tf.tidy(() => [model.forward(trained, batch.images), model.forward(reloaded, batch.images)]);
  assert.deepEqual(b!.dataSync(), a!.dataSync());
  const predicted = Array.from(tf.tidy(() => tf.argMax(a!, 1)).dataSync());
  assert.ok(
    predicted.filter((p, i) => p === batch.labels[i]).length > 20,
    'the trained model is not constant',
  );
  tf.dispose([a!, b!, batch.images, batch.oneHot]);
  trained.dispose();
  reloaded.dispose();
});

test('a depth-2 artifact predicts through the depth-2 network, and never silently through depth 1', () => {
  const artifact = perturbedArtifact('plain', { seed: 3, valSubset: 50, depth: 2 });
  const { model, depth, weights } = safetensorsToWeights(artifact.file);
  assert.equal(model, 'plain');
  assert.equal(depth, 2);
  const test = loadDataset('mnist').test;
  const batch = makeBatch(
    test,
    Uint32Array.from({ length: 20 }, (_, i) => i),
    0,
    20,
  );
  const pixels = batch.images.dataSync() as Float32Array;
  const definition = getModel('plain', 2);
  const original = ModelWeights.fromArrays(definition.layers, artifact.weights);
  const expected = tf.tidy(() => tf.softmax(definition.forward(original, batch.images)).dataSync());
  original.dispose();
  const probabilities = predictProbabilities(model, weights, pixels, depth);
  assert.deepEqual(Float32Array.from(probabilities.flatMap((p) => Array.from(p))), expected);
  assert.throws(
    () => predictProbabilities(model, weights, pixels),
    /plain at depth 1 has no layer for weights block1_2\.conv1\.kernel/,
  );
  tf.dispose([batch.images, batch.oneHot]);
});

test('an artifact naming a model the catalog does not know is refused, prototype names included', () => {
  for (const model of ['vgg', 'toString', '__proto__', '']) {
    const bytes = encodeSafetensors({ tensors: [], metadata: { model } });
    assert.throws(() => safetensorsToWeights(bytes), /names no known model/, model);
  }
  assert.throws(
    () => safetensorsToWeights(encodeSafetensors({ tensors: [], metadata: {} })),
    /no known model/,
  );
});
