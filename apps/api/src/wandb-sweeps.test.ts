import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listRuns } from '@sweeplab/db';
import { createTestApi, type TestApi } from './test-api.ts';

/*
 * Pasting W&B sweep files: our own copies of the shapes in W&B's documentation ("Define a sweep
 * configuration", "Sweep configuration options"), posted as YAML or JSON, must queue the runs W&B would
 * propose (under our parameter names) and say which keys were mapped or had no effect. Bad distributions
 * are refused with the field named and nothing written. (`method: bayes`, as on the docs page, belongs to
 * the adaptive-sweeps issue; these copies use grid and random.)
 */

let api: TestApi;
before(async () => {
  api = await createTestApi('wandb-sweeps', { env: { MAX_RUNS_PER_SWEEP: '100', MAX_EPOCHS: '50' } });
});
after(() => api.close());

const yaml = { 'content-type': 'application/yaml' };

async function post(payload: string | object) {
  const res = await api.app.inject({
    method: 'POST',
    url: '/v1/sweeps',
    ...(typeof payload === 'string' ? { headers: yaml } : {}),
    payload,
  });
  return { status: res.statusCode, body: res.json() };
}

type RunOut = { id: string; params: Record<string, unknown> };

test('the "define a sweep configuration" file (random, no model, W&B names) queues resnet runs under our names', async () => {
  const { status, body } = await post(
    [
      'program: sweeplab:builtin',
      'name: sweepdemo',
      'method: random',
      'run_cap: 8',
      'metric:',
      '  goal: minimize',
      '  name: validation_loss',
      'parameters:',
      '  learning_rate:',
      '    min: 0.0001',
      '    max: 0.1',
      '  batch_size:',
      '    values: [16, 32, 64]',
      '  epochs:',
      '    values: [5, 10, 15]',
      '  optimizer:',
      '    values: ["adam", "sgd"]',
    ].join('\n'),
  );
  assert.equal(status, 201, JSON.stringify(body));
  assert.equal(body.name, 'sweepdemo');
  assert.equal(body.runs.length, 8);
  assert.equal(body.metric_name, 'val_loss');
  assert.equal(body.metric_goal, 'minimize');
  for (const run of body.runs as RunOut[]) {
    const p = run.params;
    assert.equal(p.model, 'resnet');
    assert.equal(p.learning_rate, undefined, 'runs carry our names');
    assert.ok((p.lr as number) >= 0.0001 && (p.lr as number) <= 0.1, `lr ${p.lr}`);
    assert.ok([16, 32, 64].includes(p.batch_size as number));
    assert.ok([5, 10, 15].includes(p.epochs as number));
    assert.ok(['adam', 'sgd'].includes(p.optimizer as string));
  }
  assert.ok(
    new Set((body.runs as RunOut[]).map((r) => r.params.optimizer)).size === 2,
    'both optimizers drawn',
  );
  assert.deepEqual(body.warnings, [
    'program: workers train the built-in models; program is stored but not run',
    'parameters.learning_rate: mapped to lr',
    'parameters.model: not swept; every run trains the reference resnet',
    'metric.name: validation_loss read as val_loss',
  ]);
  // The stored config is the file as written; the rows are ours.
  const shown = (await api.app.inject({ method: 'GET', url: `/v1/sweeps/${body.id}` })).json();
  assert.deepEqual(Object.keys(shown.config.parameters).sort(), [
    'batch_size',
    'epochs',
    'learning_rate',
    'optimizer',
  ]);
  assert.equal(shown.config.metric.name, 'validation_loss');
  const rows = listRuns(api.db, { sweepId: body.id });
  assert.deepEqual(
    rows.map((r) => [r.lr, r.optimizer]),
    (body.runs as RunOut[]).map((r) => [r.params.lr, r.params.optimizer]),
  );
});

test('a grid file without a name gets a readable one; project, entity and command are stored with warnings', async () => {
  const { status, body } = await post({
    project: 'mnist',
    entity: 'me',
    description: 'optimizers at two learning rates',
    // W&B's macros, literally (not JS template placeholders).
    // biome-ignore lint/suspicious/noTemplateCurlyInString: W&B command macros
    command: ['${env}', 'python', '${program}', '${args}'],
    method: 'grid',
    parameters: {
      model: { values: ['plain', 'resnet'] },
      optimizer: { values: ['sgd', 'adam'] },
      learning_rate: { values: [0.01, 0.001] },
      epochs: { value: 2 },
      train_subset: { value: 500 },
    },
  });
  assert.equal(status, 201, JSON.stringify(body));
  assert.equal(body.name, 'grid over model × optimizer × lr');
  assert.equal(body.runs.length, 8);
  assert.deepEqual(
    (body.runs as RunOut[]).map((r) => `${r.params.model}/${r.params.optimizer}/${r.params.lr}`),
    [
      'plain/sgd/0.01',
      'plain/sgd/0.001',
      'plain/adam/0.01',
      'plain/adam/0.001',
      'resnet/sgd/0.01',
      'resnet/sgd/0.001',
      'resnet/adam/0.01',
      'resnet/adam/0.001',
    ],
  );
  assert.ok(body.warnings.some((w: string) => w.startsWith('project:')));
  assert.ok(body.warnings.some((w: string) => w.startsWith('entity:')));
  assert.ok(body.warnings.some((w: string) => w.startsWith('command:')));
  assert.equal(
    body.warnings.some((w: string) => w.startsWith('description')),
    false,
    'description is used',
  );
});

test('min/max without a distribution is int_uniform for integers and uniform otherwise; grids enumerate int_uniform', async () => {
  const { status, body } = await post({
    method: 'grid',
    parameters: {
      model: { value: 'cnn' },
      lr: { value: 0.1 },
      epochs: { min: 1, max: 3 },
      seed: { value: 0 },
    },
  });
  assert.equal(status, 201, JSON.stringify(body));
  assert.deepEqual(
    (body.runs as RunOut[]).map((r) => r.params.epochs),
    [1, 2, 3],
  );
  const random = await post({
    method: 'random',
    run_cap: 12,
    parameters: { model: { value: 'cnn' }, lr: { min: 0.01, max: 0.1 }, epochs: { min: 1, max: 4 } },
  });
  assert.equal(random.status, 201, JSON.stringify(random.body));
  for (const r of random.body.runs as RunOut[]) {
    assert.ok(Number.isInteger(r.params.epochs) && (r.params.epochs as number) <= 4);
    assert.ok((r.params.lr as number) >= 0.01 && (r.params.lr as number) < 0.1);
  }
  assert.ok((random.body.runs as RunOut[]).some((r) => !Number.isInteger(r.params.lr)));
});

test('every W&B distribution with its own parameters draws values inside its support', async () => {
  const { status, body } = await post({
    method: 'random',
    run_cap: 40,
    sampler_seed: 3,
    parameters: {
      model: { distribution: 'constant', value: 'resnet' },
      optimizer: {
        distribution: 'categorical_w_probabilities',
        values: ['sgd', 'rmsprop'],
        probabilities: [0.8, 0.2],
      },
      learning_rate: { distribution: 'inv_log_uniform_values', min: 0.001, max: 0.1 },
      momentum: { distribution: 'beta', a: 2, b: 5 },
      weight_decay: { distribution: 'q_beta', a: 1, b: 9, q: 0.01 },
      batch_size: { distribution: 'q_log_uniform_values', min: 32, max: 256, q: 8 },
      epochs: { distribution: 'q_normal', mu: 10, sigma: 1, q: 1 },
      seed: { distribution: 'q_uniform', min: 0, max: 100, q: 10 },
      warmup_epochs: { distribution: 'int_uniform', min: 0, max: 2 },
      lr_gamma: { distribution: 'log_uniform', min: -4.6, max: -0.7 },
      depth: { distribution: 'categorical', values: [1, 2] },
      val_subset: { distribution: 'q_log_normal', mu: 6.9, sigma: 0.2, q: 10 },
      lr_schedule: { values: ['constant', 'cosine'] },
      train_subset: { value: 1000 },
    },
  });
  assert.equal(status, 201, JSON.stringify(body));
  const runs = (body.runs as RunOut[]).map((r) => r.params as Record<string, number>);
  assert.equal(runs.length, 40);
  for (const p of runs) {
    assert.ok(p.lr! >= 0.001 && p.lr! <= 0.1, `inv_log_uniform_values lr ${p.lr}`);
    assert.ok(p.momentum! > 0 && p.momentum! < 1, `beta momentum ${p.momentum}`);
    assert.ok(
      Math.abs(p.weight_decay! * 100 - Math.round(p.weight_decay! * 100)) < 1e-9,
      `q_beta ${p.weight_decay}`,
    );
    assert.equal(p.batch_size! % 8, 0);
    assert.ok(p.batch_size! >= 32 && p.batch_size! <= 256);
    assert.equal(p.seed! % 10, 0);
    assert.ok(
      p.lr_gamma! >= Math.exp(-4.6) && p.lr_gamma! <= Math.exp(-0.7),
      `log_uniform lr_gamma ${p.lr_gamma}`,
    );
    assert.equal(p.val_subset! % 10, 0);
  }
  const sgdShare = runs.filter((p) => (p.optimizer as unknown) === 'sgd').length / runs.length;
  assert.ok(sgdShare > 0.55 && sgdShare < 0.98, `categorical_w_probabilities gave sgd ${sgdShare}`);
  // The same file and sampler_seed draw the same runs.
  const again = await post({ ...JSON.parse(JSON.stringify(body.config)) });
  assert.deepEqual(
    (again.body.runs as RunOut[]).map((r) => r.params),
    body.runs.map((r: RunOut) => r.params),
  );
});

test("a sampled value outside a parameter's limits is refused naming the parameter and the distribution", async () => {
  const before = listRuns(api.db).length;
  const { status, body } = await post({
    method: 'random',
    run_cap: 30,
    parameters: { learning_rate: { distribution: 'normal', mu: 0.01, sigma: 0.05 }, epochs: { value: 1 } },
  });
  assert.equal(status, 400);
  const issue = body.issues.find((i: { field: string }) => i.field === 'body.parameters.learning_rate');
  assert.ok(issue, JSON.stringify(body));
  assert.match(
    issue.message,
    /must be greater than 0 \(sampled -[\d.e-]+ from normal\(mu 0\.01, sigma 0\.05\)\)/,
  );
  assert.equal(listRuns(api.db).length, before);
});

test('per-epoch recipe parameters are queryable in /v1/metrics', async () => {
  const res = await api.app.inject({
    method: 'GET',
    url: '/v1/metrics?optimizer=adam&lr_schedule=cosine&depth=2&nesterov=false&weight_decay=0&warmup_epochs=1&format=csv',
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.match(
    res.body.split('\r\n')[0]!,
    /,optimizer,nesterov,weight_decay,lr_schedule,lr_step_epochs,lr_gamma,warmup_epochs,depth,.*,epoch_lr$/,
  );
  const bad = await api.app.inject({ method: 'GET', url: '/v1/metrics?optimizer=lamb' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().issues[0].field, 'query.optimizer');
});

const base = {
  method: 'grid',
  parameters: { model: { value: 'resnet' }, lr: { value: 0.1 }, epochs: { value: 3 } },
};
const withParams = (parameters: object, extra: object = {}) => ({
  ...base,
  ...extra,
  parameters: { ...base.parameters, ...parameters },
});
const random = { method: 'random', run_cap: 5 };

const BAD: { name: string; payload: object; field: string; message?: RegExp }[] = [
  {
    name: 'normal sigma 0',
    payload: withParams({ lr: { distribution: 'normal', mu: 0.1, sigma: 0 } }, random),
    field: 'body.parameters.lr.sigma',
    message: /greater than 0/,
  },
  {
    name: 'log_normal sigma < 0',
    payload: withParams({ lr: { distribution: 'log_normal', sigma: -1 } }, random),
    field: 'body.parameters.lr.sigma',
  },
  {
    name: 'q_uniform q 0',
    payload: withParams({ seed: { distribution: 'q_uniform', min: 0, max: 9, q: 0 } }, random),
    field: 'body.parameters.seed.q',
    message: /greater than 0/,
  },
  {
    name: 'q_normal q < 0',
    payload: withParams({ seed: { distribution: 'q_normal', mu: 5, q: -1 } }, random),
    field: 'body.parameters.seed.q',
  },
  {
    name: 'beta a 0',
    payload: withParams({ momentum: { distribution: 'beta', a: 0, b: 1 } }, random),
    field: 'body.parameters.momentum.a',
    message: /greater than 0/,
  },
  {
    name: 'q_beta b < 0',
    payload: withParams({ momentum: { distribution: 'q_beta', b: -2 } }, random),
    field: 'body.parameters.momentum.b',
  },
  {
    name: 'uniform min > max',
    payload: withParams({ lr: { distribution: 'uniform', min: 0.5, max: 0.1 } }, random),
    field: 'body.parameters.lr.max',
    message: /greater than min \(0\.5\)/,
  },
  {
    name: 'int_uniform min = max',
    payload: withParams({ seed: { min: 3, max: 3 } }, random),
    field: 'body.parameters.seed.max',
  },
  {
    name: 'log_uniform_values min 0',
    payload: withParams({ lr: { distribution: 'log_uniform_values', min: 0, max: 0.1 } }, random),
    field: 'body.parameters.lr.min',
    message: /greater than 0/,
  },
  {
    name: 'log_uniform_values min < 0',
    payload: withParams({ lr: { distribution: 'log_uniform_values', min: -1, max: 0.1 } }, random),
    field: 'body.parameters.lr.min',
  },
  {
    name: 'q_log_uniform_values min 0',
    payload: withParams({ batch_size: { distribution: 'q_log_uniform_values', min: 0, max: 64 } }, random),
    field: 'body.parameters.batch_size.min',
  },
  {
    name: 'inv_log_uniform_values min 0',
    payload: withParams({ lr: { distribution: 'inv_log_uniform_values', min: 0, max: 1 } }, random),
    field: 'body.parameters.lr.min',
  },
  {
    name: 'unknown distribution',
    payload: withParams({ lr: { distribution: 'gaussian', min: 0, max: 1 } }, random),
    field: 'body.parameters.lr.distribution',
    message: /one of constant, categorical/,
  },
  {
    name: 'int_uniform with a fraction',
    payload: withParams({ seed: { distribution: 'int_uniform', min: 0, max: 2.5 } }, random),
    field: 'body.parameters.seed.max',
    message: /integer/,
  },
  {
    name: 'probabilities not one per value',
    payload: withParams({ optimizer: { values: ['sgd', 'adam'], probabilities: [1] } }, random),
    field: 'body.parameters.optimizer.probabilities',
  },
  {
    name: 'nested parameters',
    payload: withParams({ lr: { parameters: { inner: { value: 1 } } } }),
    field: 'body.parameters.lr.distribution',
    message: /nested/,
  },
  {
    name: 'a grid over a continuous distribution',
    payload: withParams({ lr: { distribution: 'uniform', min: 0.01, max: 0.1 } }),
    field: 'body.parameters.lr.distribution',
    message: /grid/,
  },
  {
    name: 'unknown optimizer',
    payload: withParams({ optimizer: { values: ['sgd', 'lamb'] } }),
    field: 'body.parameters.optimizer',
    message: /sgd, adam, adamw, rmsprop/,
  },
  {
    name: 'unknown lr schedule',
    payload: withParams({ lr_schedule: { value: 'onecycle' } }),
    field: 'body.parameters.lr_schedule',
  },
  {
    name: 'warmup = epochs',
    payload: withParams({ warmup_epochs: { value: 3 } }),
    field: 'body.parameters.warmup_epochs',
    message: /less than epochs \(3\)/,
  },
  {
    name: 'warmup > epochs',
    payload: withParams({ warmup_epochs: { values: [1, 5] } }),
    field: 'body.parameters.warmup_epochs',
  },
  {
    name: 'step schedule without lr_step_epochs',
    payload: withParams({ lr_schedule: { value: 'step' } }),
    field: 'body.parameters.lr_step_epochs',
    message: /required/,
  },
  {
    name: 'nesterov without momentum',
    payload: withParams({ nesterov: { value: true } }),
    field: 'body.parameters.nesterov',
    message: /momentum/,
  },
  {
    name: 'momentum with adam',
    payload: withParams({ optimizer: { value: 'adam' }, momentum: { value: 0.9 } }),
    field: 'body.parameters.momentum',
    message: /adam has no momentum/,
  },
  {
    name: 'weight_decay < 0',
    payload: withParams({ weight_decay: { value: -0.1 } }),
    field: 'body.parameters.weight_decay',
  },
  { name: 'depth 0', payload: withParams({ depth: { value: 0 } }), field: 'body.parameters.depth' },
  {
    name: 'depth on cnn',
    payload: withParams({ model: { value: 'cnn' }, depth: { values: [1, 2] } }),
    field: 'body.parameters.depth',
    message: /fixed depth/,
  },
  {
    name: 'learning_rate and lr both',
    payload: withParams({ learning_rate: { value: 0.01 } }),
    field: 'body.parameters.learning_rate',
    message: /lr already sets|already sets/,
  },
  {
    name: 'learning_rate out of range keeps the name written',
    payload: {
      ...base,
      parameters: { model: { value: 'cnn' }, epochs: { value: 1 }, learning_rate: { values: [0.1, 50] } },
    },
    field: 'body.parameters.learning_rate',
    message: /at most 10/,
  },
  {
    name: 'ambiguous metric',
    payload: withParams({}, { metric: { name: 'loss' } }),
    field: 'body.metric.name',
    message: /ambiguous: it could be val_loss or train_loss.*val_acc, val_loss, train_loss, train_acc/,
  },
  {
    name: 'ambiguous accuracy',
    payload: withParams({}, { metric: { name: 'accuracy', goal: 'maximize' } }),
    field: 'body.metric.name',
    message: /val_acc or train_acc/,
  },
  {
    name: 'unknown metric',
    payload: withParams({}, { metric: { name: 'f1' } }),
    field: 'body.metric.name',
    message: /unknown metric "f1"; metrics here: val_acc/,
  },
];

for (const row of BAD) {
  test(`400 ${row.name}: names ${row.field}, writes nothing`, async () => {
    const runsBefore = listRuns(api.db).length;
    const sweepsBefore = (api.db.$client.prepare('SELECT count(*) AS n FROM sweeps').get() as { n: number })
      .n;
    const jobsBefore = Object.values(await api.ctx.queue.depth()).reduce((a, b) => a + b, 0);
    const { status, body } = await post(row.payload);
    assert.equal(status, 400, JSON.stringify(body));
    const issue = (body.issues as { field: string; message: string }[]).find((i) => i.field === row.field);
    assert.ok(issue, `no issue on ${row.field}: ${JSON.stringify(body.issues)}`);
    if (row.message) assert.match(issue.message, row.message);
    assert.equal(listRuns(api.db).length, runsBefore);
    assert.equal(
      (api.db.$client.prepare('SELECT count(*) AS n FROM sweeps').get() as { n: number }).n,
      sweepsBefore,
    );
    assert.equal(
      Object.values(await api.ctx.queue.depth()).reduce((a, b) => a + b, 0),
      jobsBefore,
    );
  });
}
