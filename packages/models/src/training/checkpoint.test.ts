import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunParams } from '@sweeplab/shared';
import {
  assertCheckpointMatches,
  type Checkpoint,
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
} from './checkpoint.ts';

const params = RunParams.parse({ model: 'resnet', lr: 0.1, epochs: 3, train_subset: 2000 });
const checkpoint: Checkpoint = {
  model: 'resnet',
  params,
  epoch: 2,
  backend: 'wasm',
  weights: [
    { name: 'conv1.kernel', shape: [2, 3], values: Float32Array.from([1, -2, 3.5, Math.PI, 1e-30, -0]) },
    { name: 'conv1.bias', shape: [1], values: Float32Array.from([0.25]) },
  ],
  optimizer: [{ name: 'conv1.bias.velocity', shape: [1], values: Float32Array.from([7]) }],
};

test('round-trips weights, optimizer state, epoch and params bit for bit', () => {
  const blob = encodeCheckpoint(checkpoint);
  assert.ok(blob instanceof Uint8Array);
  assert.deepEqual(decodeCheckpoint(blob), checkpoint);
});

test('rejects foreign, truncated, corrupt and future-version blobs with clear errors', () => {
  const blob = encodeCheckpoint(checkpoint);
  const expectError = (bytes: Uint8Array, pattern: RegExp) =>
    assert.throws(
      () => decodeCheckpoint(bytes),
      (err: unknown) => err instanceof CheckpointError && pattern.test(err.message),
    );
  expectError(new TextEncoder().encode('{"not":"a checkpoint"}'), /not a sweeplab checkpoint/);
  expectError(blob.subarray(0, blob.length - 10), /corrupt or truncated/);
  const flipped = Uint8Array.from(blob);
  flipped[flipped.length - 40]! ^= 1;
  expectError(flipped, /corrupt or truncated \(SHA-256 mismatch\)/);
  const future = Uint8Array.from(blob);
  new DataView(future.buffer).setUint32(8, 99, true);
  expectError(future, /format version 99; this build reads version 1/);
});

test('a checkpoint of another model or other hyper-parameters is refused; more epochs are fine', () => {
  assertCheckpointMatches(checkpoint, { ...params, epochs: 10 });
  assert.throws(
    () => assertCheckpointMatches(checkpoint, { ...params, model: 'cnn' }),
    /model: checkpoint "resnet", run "cnn"/,
  );
  assert.throws(
    () => assertCheckpointMatches(checkpoint, { ...params, lr: 0.01, seed: 4 }),
    /different run \(lr: checkpoint 0.1, run 0.01; seed: checkpoint 0, run 4\)/,
  );
});

test('the training recipe is part of the trajectory; a cosine run may not change its epochs', () => {
  assert.throws(
    () => assertCheckpointMatches(checkpoint, { ...params, optimizer: 'adam', weight_decay: 0.01 }),
    /optimizer: checkpoint "sgd", run "adam"; weight_decay: checkpoint 0, run 0.01/,
  );
  const cosine = { ...checkpoint, params: { ...params, lr_schedule: 'cosine' as const } };
  assertCheckpointMatches(cosine, cosine.params);
  assert.throws(
    () => assertCheckpointMatches(cosine, { ...cosine.params, epochs: 10 }),
    /epochs: checkpoint 3, run 10/,
  );
});

test('a checkpoint written before the recipes existed resumes a reference-recipe run', () => {
  const {
    optimizer: _o,
    nesterov: _n,
    weight_decay: _w,
    lr_schedule: _s,
    lr_step_epochs: _e,
    lr_gamma: _g,
    warmup_epochs: _u,
    depth: _d,
    ...old
  } = params;
  const legacy = { ...checkpoint, params: old as RunParams };
  assertCheckpointMatches(legacy, params);
  assert.throws(() => assertCheckpointMatches(legacy, { ...params, depth: 2 }), /depth: checkpoint 1, run 2/);
});
