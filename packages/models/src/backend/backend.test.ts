import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, currentBackend, initBackend } from './backend.ts';

test('wasm reports backend, tfjs version and device', async () => {
  const info = await initBackend('wasm');
  assert.equal(info.backend, 'wasm');
  assert.equal(info.tfjsVersion, tf.version_core);
  assert.match(info.device, /wasm/);
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(currentBackend(), info);
});

test('auto falls back past the native backend when tfjs-node is not installed', async (t) => {
  const info = await initBackend('auto');
  if (info.backend === 'tensorflow') {
    t.skip('tfjs-node is installed here; the fallback path is not exercised');
    return;
  }
  assert.equal(info.backend, 'wasm');
});

test('an explicit native backend that cannot load fails with the reason', async (t) => {
  try {
    const info = await initBackend('tensorflow');
    t.skip(`tfjs-node is installed (${info.device})`);
  } catch (err) {
    assert.ok(err instanceof BackendUnavailableError);
    assert.match(err.message, /TFJS_BACKEND=tensorflow[\s\S]*@tensorflow\/tfjs-node not loadable/);
  }
  await initBackend('wasm');
});
