import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DISTRIBUTION_NAMES, runParamsSchema, SweepConfig } from '@sweeplab/shared';
import { checkFirstProposals, proposeRun, searchPlan } from './search-plan.ts';
import { encodeParams } from './search-space.ts';

const schema = runParamsSchema({ maxEpochs: 100 });

test('issue #29: a bayes sweep over learning_rate without model proposes resnet runs whose params encode back', () => {
  const plan = searchPlan(
    SweepConfig.parse({
      method: 'bayes',
      run_cap: 40,
      metric: { name: 'val_acc', goal: 'maximize' },
      parameters: {
        learning_rate: { distribution: 'log_uniform_values', min: 0.001, max: 0.5 },
        epochs: { value: 6 },
      },
    }),
  );
  const { params, point } = proposeRun(plan, [], [], 0, schema);
  assert.equal(params.model, 'resnet');
  assert.ok(params.lr >= 0.001 && params.lr <= 0.5, `lr ${params.lr}`);
  assert.equal(params.batch_size, 64);
  // The run's params (our names) are a point of the space: observations of it count.
  assert.deepEqual(encodeParams(plan.space, params as unknown as Record<string, unknown>), point);
  assert.equal(point.length, 1);
});

test('issue #31: an open-ended random sweep builds no bayes space and samples every W&B distribution', () => {
  const specs: Record<string, Record<string, unknown>> = {
    constant: { value: 0.1 },
    categorical: { values: [0.1] },
    categorical_w_probabilities: { values: [0.1, 0.2], probabilities: [1, 1] },
    int_uniform: { min: 1, max: 2 },
    uniform: { min: 0.01, max: 0.5 },
    q_uniform: { min: 0.05, max: 0.3, q: 0.1 },
    log_uniform: { min: -5, max: -1 },
    q_log_uniform: { min: -1, max: 0, q: 0.1 },
    log_uniform_values: { min: 0.001, max: 0.5 },
    q_log_uniform_values: { min: 0.1, max: 0.5, q: 0.1 },
    inv_log_uniform: { min: 1, max: 5 },
    inv_log_uniform_values: { min: 0.001, max: 0.5 },
    normal: { mu: 0.1, sigma: 0.001 },
    q_normal: { mu: 0.1, sigma: 0.001, q: 0.01 },
    log_normal: { mu: -2, sigma: 0.1 },
    q_log_normal: { mu: -2, sigma: 0.1, q: 0.01 },
    beta: { a: 2, b: 5 },
    q_beta: { a: 20, b: 20, q: 0.1 },
  };
  assert.deepEqual(Object.keys(specs).sort(), [...DISTRIBUTION_NAMES].sort());
  for (const [distribution, spec] of Object.entries(specs)) {
    const plan = searchPlan(
      SweepConfig.parse({
        method: 'random',
        parameters: { lr: { distribution, ...spec }, epochs: { value: 1 } },
      }),
    );
    assert.deepEqual(plan.space.dims, [], distribution);
    checkFirstProposals(plan, schema, 20);
  }
});

test('the creation check is the controller’s first proposals: same seed, same runs', () => {
  const config = SweepConfig.parse({
    method: 'random',
    sampler_seed: 3,
    parameters: { lr: { min: 0.01, max: 0.1 }, epochs: { value: 1 } },
  });
  const a = proposeRun(searchPlan(config), [], [], 0, schema).params;
  const b = proposeRun(searchPlan(config), [], [], 0, schema).params;
  assert.deepEqual(a, b);
  assert.throws(
    () =>
      checkFirstProposals(
        searchPlan(SweepConfig.parse({ method: 'random', parameters: { lr: { min: 0.01, max: 0.1 } } })),
        schema,
        1,
      ),
    /body\.parameters\.epochs: not swept and has no default; add epochs: \{value: N\} to parameters/,
  );
});
