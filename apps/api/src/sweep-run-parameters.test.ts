import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng, runParamsSchema, SweepConfig, sampleParameters, sweepWarnings } from '@sweeplab/shared';
import { ApiError } from './errors.ts';
import { builtInRunParams, resolveBuiltInRunSpecs } from './sweep-run-parameters.ts';

const schema = runParamsSchema({ maxEpochs: 100 });

test('W&B names are mapped and the reference model, lr and batch size fill in what the file does not sweep', () => {
  const resolved = resolveBuiltInRunSpecs(
    SweepConfig.parse({ method: 'random', parameters: { seed: { values: [3] }, epochs: { value: 2 } } })
      .parameters,
  );
  assert.deepEqual(resolved.defaults, { model: 'resnet', lr: 0.1, batch_size: 64 });
  const [run] = builtInRunParams(resolved, [{ seed: 3, epochs: 2 }], schema);
  assert.equal(run?.model, 'resnet');
  assert.equal(run?.lr, 0.1);
  assert.equal(run?.batch_size, 64);

  const mapped = resolveBuiltInRunSpecs(
    SweepConfig.parse({
      method: 'grid',
      parameters: { learning_rate: { value: 0.02 }, epochs: { value: 1 } },
    }).parameters,
  );
  assert.deepEqual(Object.keys(mapped.specs), ['lr', 'epochs']);
  assert.deepEqual(mapped.defaults, { model: 'resnet', batch_size: 64 });
  assert.equal(mapped.written.get('lr'), 'learning_rate');
});

test('defaults are never drawn: a seeded sampler gives the same values with or without them', () => {
  const parameters = SweepConfig.parse({
    method: 'random',
    parameters: { lr: { min: 0.01, max: 0.1 }, seed: { min: 0, max: 9 }, epochs: { value: 1 } },
  }).parameters;
  const draw = (specs: typeof parameters) => {
    const prng = createPrng(7, 'sweep-sampler');
    return Array.from({ length: 3 }, () => sampleParameters(specs, () => prng.next()));
  };
  const resolved = resolveBuiltInRunSpecs(parameters);
  assert.deepEqual(draw(resolved.specs), draw(parameters));
});

test('a file without epochs is told what to add, once, beside its other errors; never a type error', () => {
  const resolved = resolveBuiltInRunSpecs(
    SweepConfig.parse({ method: 'grid', parameters: { learning_rate: { values: [-1, 0.1] } } }).parameters,
  );
  const err = (() => {
    try {
      builtInRunParams(resolved, [{ lr: -1 }, { lr: 0.1 }], schema);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof ApiError && err.statusCode === 400);
  assert.deepEqual(err.issues, [
    {
      field: 'body.parameters.epochs',
      message: 'not swept and has no default; add epochs: {value: N} to parameters',
    },
    { field: 'body.parameters.learning_rate', message: 'must be greater than 0' },
  ]);
});

test('the 201 warns about each reference default applied', () => {
  const config = SweepConfig.parse({ method: 'random', run_cap: 1, parameters: { epochs: { value: 2 } } });
  const warnings = sweepWarnings(config);
  assert.ok(warnings.includes('parameters.model: not swept; every run trains the reference resnet'));
  assert.ok(warnings.includes('parameters.lr: not swept; every run uses the reference 0.1'));
  assert.ok(warnings.includes('parameters.batch_size: not swept; every run uses the reference 64'));
});
