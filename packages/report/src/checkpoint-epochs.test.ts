import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkpointEpochs } from './checkpoint-epochs.ts';

test('the reference table epochs for 30 epochs, evenly spaced otherwise', () => {
  assert.deepEqual(checkpointEpochs(30), [10, 20, 30]);
  assert.deepEqual(checkpointEpochs(3), [1, 2, 3]);
  assert.deepEqual(checkpointEpochs(2), [1, 2]);
  assert.deepEqual(checkpointEpochs(1), [1]);
  assert.deepEqual(checkpointEpochs(10), [3, 7, 10]);
  assert.deepEqual(checkpointEpochs(100, 4), [25, 50, 75, 100]);
  assert.throws(() => checkpointEpochs(0), /got 0/);
});
