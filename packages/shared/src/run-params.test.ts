import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunParams, runParamsSchema } from './run-params.ts';

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
    optimizer: 'sgd',
    nesterov: false,
    weight_decay: 0,
    lr_schedule: 'constant',
    lr_gamma: 0.1,
    warmup_epochs: 0,
    depth: 1,
  });
});

test('recipe rules across fields name the field that breaks them', () => {
  const issues = (input: object) =>
    RunParams.safeParse({ model: 'resnet', lr: 0.1, epochs: 3, ...input }).error?.issues.map(
      (i) => `${i.path.join('.')}: ${i.message}`,
    );
  assert.deepEqual(issues({ optimizer: 'adam', nesterov: true, momentum: 0.9 }), [
    'nesterov: applies to sgd only (optimizer is adam)',
    "momentum: adam has no momentum parameter (its betas are PyTorch's 0.9, 0.999)",
  ]);
  assert.deepEqual(issues({ lr_schedule: 'step', warmup_epochs: 3 }), [
    'lr_step_epochs: is required when lr_schedule is step',
    'warmup_epochs: must be less than epochs (3)',
  ]);
  assert.deepEqual(issues({ model: 'cnn', depth: 2 }), [
    'depth: applies to models with residual stages; cnn has a fixed depth',
  ]);
  assert.equal(
    issues({ optimizer: 'sgd', nesterov: true, momentum: 0.9, lr_schedule: 'step', lr_step_epochs: 2 }),
    undefined,
  );
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
