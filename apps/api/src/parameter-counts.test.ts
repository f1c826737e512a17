import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parameterCount } from '@sweeplab/models';
import { MODEL_NAMES } from '@sweeplab/shared';
import { parameterCountOf } from './parameter-counts.ts';

test("the API's copied parameter counts equal the models' own, at every depth", () => {
  for (const model of MODEL_NAMES) {
    for (const depth of model === 'cnn' ? [1] : [1, 2, 3, 8]) {
      assert.equal(parameterCountOf(model, depth), parameterCount(model, depth), `${model} depth ${depth}`);
    }
  }
});
