// biome-ignore-all lint/suspicious/noTemplateCurlyInString: W&B's command macros are literally ${name}.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listRuns } from '@sweeplab/db';
import { TRAIN_JOB_SCHEMA_VERSION } from '@sweeplab/shared';
import { createTestApi, type TestApi } from './test-api.ts';

/*
 * Program sweeps (issue #21) at the API: a W&B file naming its own program and parameters is accepted
 * as written, its runs keep the sweep's names and values, and its jobs go to the program's queue.
 */

let api: TestApi;
before(async () => {
  api = await createTestApi('program-sweeps');
});
after(() => api.close());

async function post(payload: string | object) {
  const res = await api.app.inject({
    method: 'POST',
    url: '/v1/sweeps',
    ...(typeof payload === 'string' ? { headers: { 'content-type': 'application/yaml' } } : {}),
    payload,
  });
  return { status: res.statusCode, body: res.json() };
}

test("a W&B file with its own program, dotted names and metric queues the program's runs on its queue", async () => {
  const { status, body } = await post(
    [
      'program: train.py',
      'method: grid',
      'metric: {name: validation/loss}',
      'command: ["${env}", "${interpreter}", "${program}", "--fast", "${args_no_boolean_flags}"]',
      'parameters:',
      '  model.encoder.depth: {values: [2, 4]}',
      '  dropout: {value: 0.1}',
      '  use_amp: {values: [true, false]}',
    ].join('\n'),
  );
  assert.equal(status, 201, JSON.stringify(body));
  assert.equal(body.metric_name, 'validation/loss');
  assert.equal(body.metric_goal, 'minimize', "W&B's default goal");
  assert.deepEqual(body.warnings, [
    'program: no live worker serves train.py; its runs wait in its queue until a worker that lists it starts',
  ]);
  assert.deepEqual(
    body.runs.map((r: { program_params: object }) => r.program_params),
    [
      { 'model.encoder.depth': 2, dropout: 0.1, use_amp: true },
      { 'model.encoder.depth': 2, dropout: 0.1, use_amp: false },
      { 'model.encoder.depth': 4, dropout: 0.1, use_amp: true },
      { 'model.encoder.depth': 4, dropout: 0.1, use_amp: false },
    ],
  );
  const rows = listRuns(api.db, { sweepId: body.id });
  assert.deepEqual(
    rows.map((r) => [r.program, r.program_params]),
    body.runs.map((r: { program_params: object }) => ['train.py', r.program_params]),
  );
  const job = await api.ctx.queue.queueFor('train.py').getJob(body.runs[0].id);
  assert.deepEqual(job?.data, {
    schema_version: TRAIN_JOB_SCHEMA_VERSION,
    run_id: body.runs[0].id,
    sweep_id: body.id,
    program: 'train.py',
    command: ['${env}', '${interpreter}', '${program}', '--fast', '${args_no_boolean_flags}'],
    program_params: { 'model.encoder.depth': 2, dropout: 0.1, use_amp: true },
    metric: { name: 'validation/loss', goal: 'minimize' },
  });
  assert.equal(await api.ctx.queue.queue.getJob(body.runs[0].id), undefined, 'nothing on the built-in queue');
  // DELETE finds the jobs on the program's queue.
  const cancelled = await api.app.inject({ method: 'DELETE', url: `/v1/sweeps/${body.id}` });
  assert.equal(cancelled.json().cancelled.length, 4);
  assert.equal(await api.ctx.queue.queueFor('train.py').getJob(body.runs[0].id), undefined);
});

test('program sweeps: bad names, unknown macros and open-ended searches are refused naming the field', async () => {
  const cases: [object, RegExp][] = [
    [{ program: '../etc/passwd', method: 'grid', parameters: { a: { value: 1 } } }, /body\.program/],
    [{ program: 't.py', method: 'grid', parameters: { 'a b': { value: 1 } } }, /body\.parameters\.a b/],
    [
      { program: 't.py', method: 'grid', command: ['${argz}'], parameters: { a: { value: 1 } } },
      /unknown macro/,
    ],
    [
      { program: 't.py', method: 'bayes', metric: { name: 'loss' }, parameters: { a: { min: 0, max: 1 } } },
      /run_cap/,
    ],
  ];
  for (const [config, field] of cases) {
    const { status, body } = await post(config);
    assert.equal(status, 400, JSON.stringify(body));
    assert.match(JSON.stringify(body.issues), field);
  }
});
