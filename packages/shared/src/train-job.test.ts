import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJobPayload } from './train-job.ts';

test('a bad payload is judged as the job it claims to be: its errors name its own fields', () => {
  const builtIn = parseJobPayload({ run_id: 'run_1', sweep_id: null, params: { model: 'resnet', lr: -1 } });
  assert.equal(builtIn.success, false);
  const builtInFields = builtIn.error?.issues.map((i) => i.path.join('.'));
  assert.ok(builtInFields?.includes('params.lr'), String(builtInFields));
  assert.ok(builtInFields?.includes('params.epochs'), String(builtInFields));

  const program = parseJobPayload({ run_id: 'run_2', sweep_id: 'swp_1', program: 'train.py' });
  assert.equal(program.success, false);
  assert.deepEqual(
    program.error?.issues.map((i) => i.path.join('.')),
    ['program_params'],
  );
});

test('valid payloads of both kinds parse, version 1 included', () => {
  const builtIn = parseJobPayload({
    run_id: 'run_1',
    sweep_id: null,
    params: { model: 'cnn', lr: 0.1, epochs: 1 },
  });
  assert.ok(builtIn.success);
  assert.equal(builtIn.data.schema_version, 1);
  const program = parseJobPayload({
    schema_version: 2,
    run_id: 'run_2',
    sweep_id: 'swp_1',
    program: 'train.py',
    program_params: { 'model.depth': 3 },
  });
  assert.ok(program.success);
  assert.ok('program' in program.data);
});
