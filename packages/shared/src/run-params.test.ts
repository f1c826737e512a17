import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REFERENCE_RECIPE, RunParams, runParamsSchema } from './run-params.ts';

test('fills the reference defaults', () => {
  const p = RunParams.parse({ model: 'resnet', lr: 0.1, epochs: 30 });
  assert.deepEqual(p, {
    model: 'resnet',
    dataset: 'mnist',
    lr: 0.1,
    epochs: 30,
    batch_size: 64,
    seed: 0,
    momentum: 0,
    ...REFERENCE_RECIPE,
  });
});

test('names the field and the reason for bad values', () => {
  const r = runParamsSchema({ maxEpochs: 100 }).safeParse({ model: 'vgg', lr: -1, epochs: 101, extra: 1 });
  assert.equal(r.success, false);
  const byField = new Map(r.error?.issues.map((i) => [i.path.join('.') || i.code, i.message]));
  assert.match(byField.get('model') ?? '', /cnn|resnet|plain/);
  assert.match(byField.get('lr') ?? '', /greater than 0/);
  assert.match(byField.get('epochs') ?? '', /at most 100/);
  assert.ok(r.error?.issues.some((i) => i.code === 'unrecognized_keys'));
});
