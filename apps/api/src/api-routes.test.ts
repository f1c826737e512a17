import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getRun, listRuns } from '@sweeplab/db';
import { createTestApi, type TestApi } from './test-api.ts';

// The accepted paths of the HTTP API, in-process against a real SQLite file and a real Redis queue.
let api: TestApi;
before(async () => {
  api = await createTestApi('api-routes', { env: { MAX_RUNS_PER_SWEEP: '50' } });
});
after(() => api.close());

test('POST /v1/runs writes the row first, then one job whose id is the run id', async () => {
  const res = await api.app.inject({
    method: 'POST',
    url: '/v1/runs',
    payload: { model: 'resnet', lr: 0.1, epochs: 30 },
  });
  assert.equal(res.statusCode, 201);
  const run = res.json();
  assert.match(run.id, /^run_[0-9a-z]{18}$/);
  assert.equal(run.status, 'queued');
  assert.equal(run.batch_size, 64, 'the reference default');
  const job = await api.ctx.queue.queue.getJob(run.id);
  assert.equal(job?.data.params.model, 'resnet');
  assert.equal(job?.opts.attempts, api.ctx.config.JOB_ATTEMPTS);
  // Enqueueing the same run again is a no-op (jobId = run id).
  await api.ctx.queue.enqueue([job!.data]);
  assert.equal((await api.ctx.queue.depth()).waiting, 1);
});

test('a W&B sweep file in YAML expands to its grid, every run queued', async () => {
  const yaml = [
    'name: "cnn vs resnet — ünïcode ok"',
    'program: sweeplab:builtin',
    'method: grid',
    'metric: {name: val_acc, goal: maximize}',
    'parameters:',
    '  model: {values: [cnn, resnet]}',
    '  seed: {values: [0, 1, 2]}',
    '  lr: {value: 0.1}',
    '  epochs: {value: 30}',
  ].join('\n');
  const res = await api.app.inject({
    method: 'POST',
    url: '/v1/sweeps',
    headers: { 'content-type': 'application/yaml' },
    payload: yaml,
  });
  assert.equal(res.statusCode, 201, res.body);
  const sweep = res.json();
  assert.equal(sweep.runs.length, 6);
  assert.equal(sweep.metric_name, 'val_acc');
  const runs = listRuns(api.db, { sweepId: sweep.id });
  assert.deepEqual(runs.map((r) => `${r.model}/${r.seed}`).sort(), [
    'cnn/0',
    'cnn/1',
    'cnn/2',
    'resnet/0',
    'resnet/1',
    'resnet/2',
  ]);

  const shown = (await api.app.inject({ method: 'GET', url: `/v1/sweeps/${sweep.id}` })).json();
  assert.equal(shown.counts.queued, 6);
  assert.equal(shown.config.program, 'sweeplab:builtin', 'W&B keys are stored as submitted');

  const cancelled = await api.app.inject({ method: 'DELETE', url: `/v1/sweeps/${sweep.id}` });
  assert.equal(cancelled.json().cancelled.length, 6);
  for (const run of runs) {
    assert.equal(getRun(api.db, run.id)?.status, 'cancelled');
    assert.equal(await api.ctx.queue.queue.getJob(run.id), undefined, 'the waiting job was removed');
  }
});

test('DELETE /v1/runs/:id twice: the second answers 409', async () => {
  const { id } = (
    await api.app.inject({ method: 'POST', url: '/v1/runs', payload: { model: 'cnn', lr: 0.1, epochs: 1 } })
  ).json();
  assert.equal((await api.app.inject({ method: 'DELETE', url: `/v1/runs/${id}` })).statusCode, 200);
  const again = await api.app.inject({ method: 'DELETE', url: `/v1/runs/${id}` });
  assert.equal(again.statusCode, 409);
  assert.match(again.json().message, /already cancelled/);
});

test('with API_TOKEN, mutations need the bearer token and reads do not', async () => {
  const secured = await api.variant({ API_TOKEN: 'a-long-enough-token' });
  const body = { model: 'plain', lr: 0.1, epochs: 1 };
  assert.equal((await secured.inject({ method: 'POST', url: '/v1/runs', payload: body })).statusCode, 401);
  const ok = await secured.inject({
    method: 'POST',
    url: '/v1/runs',
    payload: body,
    headers: { authorization: 'Bearer a-long-enough-token' },
  });
  assert.equal(ok.statusCode, 201);
  assert.equal((await secured.inject({ method: 'GET', url: '/v1/runs' })).statusCode, 200);
});

test('health, readiness, Prometheus metrics and the OpenAPI document', async () => {
  assert.deepEqual((await api.app.inject({ method: 'GET', url: '/healthz' })).json(), { ok: true });
  const ready = await api.app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json().checks, { redis: 'PONG', database: 'ok', lease: 'not ingesting' });
  const prom = await api.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(prom.headers['content-type'] as string, /^text\/plain/);
  assert.match(prom.body, /^sweeplab_runs\{status="queued"\} \d+$/m);
  assert.match(prom.body, /^sweeplab_queue_jobs\{state="waiting"\} \d+$/m);
  const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json();
  for (const path of ['/v1/runs', '/v1/sweeps', '/v1/runs/{id}', '/v1/metrics', '/v1/workers']) {
    assert.ok(doc.paths[path], `OpenAPI documents ${path}`);
  }
});
